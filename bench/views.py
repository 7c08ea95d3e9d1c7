from __future__ import annotations

from django.shortcuts import render

from employees.access import membership_required

ITEMS = [f"Item {number}" for number in range(1, 11)]


def ceiling(request):
    """As little as a Django page can do: render a small template with a loop."""
    return render(request, "bench/ceiling.html", {"title": "Ceiling", "items": ITEMS})


@membership_required()
def layout(request):
    """The fair peer of a platform page: the same ten items, on the platform's own base
    layout (header, navigation, switcher, banner, footer) for a signed-in member."""
    return render(request, "bench/layout.html", {"title": "Ceiling", "items": ITEMS})
