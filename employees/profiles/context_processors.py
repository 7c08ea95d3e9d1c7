from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from employees.profiles import selectors


def reconnect_banner(request) -> dict:
    """Profiles the current member must reconnect, for the banner in base.html.

    Lazy: the query runs only on pages that render the banner.
    """
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"profiles_needing_reconnect": []}
    return {
        "profiles_needing_reconnect": SimpleLazyObject(
            lambda: selectors.profiles_needing_reconnect(membership=membership)
        )
    }
