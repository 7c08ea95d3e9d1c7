from __future__ import annotations

from django.shortcuts import render

ITEMS = [f"Item {number}" for number in range(1, 11)]


def ceiling(request):
    """As little as a Django page can do: render a small template with a loop."""
    return render(request, "bench/ceiling.html", {"title": "Ceiling", "items": ITEMS})
