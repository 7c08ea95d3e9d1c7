from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from employees.models import Role
from employees.profiles import selectors


def reconnect_banner(request) -> dict:
    """Profiles the current member must reconnect, for the banner in base.html.

    Read only when a flag says there is one (the member's own flag, or the
    organization's for its company profiles, which admins and comms see), so most
    pages pay no query; lazy, so pages that do not render the banner never do.
    """
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"profiles_needing_reconnect": []}
    company = membership.organization.company_needs_reconnect and membership.has_role(Role.ADMIN, Role.COMMS)
    if not (membership.needs_reconnect or company):
        return {"profiles_needing_reconnect": []}
    return {
        "profiles_needing_reconnect": SimpleLazyObject(
            lambda: selectors.profile_list_needing_reconnect(membership=membership)
        )
    }
