"""The networks layer: one adapter per network behind one interface (base.Adapter).

Pure Python, no Django. Adding a network is adding a module and listing it here.
"""

from __future__ import annotations

from networks.base import Adapter
from networks.bluesky import BlueskyAdapter
from networks.facebook import FacebookAdapter
from networks.linkedin import LinkedInAdapter
from networks.mastodon import MastodonAdapter
from networks.x import XAdapter

ADAPTERS: dict[str, type[Adapter]] = {
    adapter.name: adapter for adapter in (LinkedInAdapter, XAdapter, MastodonAdapter, BlueskyAdapter, FacebookAdapter)
}

# For model field choices; labels are network names, so they are not translated.
NETWORK_CHOICES: list[tuple[str, str]] = [(name, adapter.label) for name, adapter in ADAPTERS.items()]


def get_adapter_class(name: str) -> type[Adapter]:
    try:
        return ADAPTERS[name]
    except KeyError:
        raise ValueError(f"unknown network {name!r}; known: {', '.join(ADAPTERS)}") from None
