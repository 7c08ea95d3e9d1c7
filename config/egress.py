"""The Django side of the egress guard (`networks.egress`).

One setting decides whether private hosts may be contacted, read here and nowhere
else; one message answers every refused address, whichever client refused it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from networks import egress


def private_hosts_allowed() -> bool:
    # Only for tests and for networks run inside the company: otherwise an address
    # typed by a user, or named by a remote document, could make the server call
    # into its own network.
    return bool(settings.NETWORKS_ALLOW_PRIVATE_HOSTS)


def egress_install() -> None:
    egress.configure(allow_private=private_hosts_allowed)


def refused_message(host: str) -> str:
    """The same answer for every refused address, so it cannot map the server's network."""
    return _("%(host)s is not a public internet address, so the platform does not connect to it.") % {"host": host}
