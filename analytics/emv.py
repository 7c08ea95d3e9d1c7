"""Earned media value: what the engagement would have cost as paid media.

EMV = Σ over networks and actions of (count × rate). The rates are per network and
per action, in the organization's currency; admins set their own. The defaults below
are illustrative round figures in the range of typical paid-social prices (cost per
thousand impressions, cost per click, and a smaller value for each reaction), not
market data: an organization should replace them with what its own campaigns cost.

| network  | impression | like | repost | reply | quote | click |
|----------|-----------:|-----:|-------:|------:|------:|------:|
| LinkedIn |      0.006 | 0.20 |   1.00 |  0.75 |  1.00 |  2.50 |
| X        |      0.004 | 0.10 |   0.50 |  0.40 |  0.50 |  0.80 |
| Mastodon |      0.002 | 0.05 |   0.30 |  0.25 |  0.30 |  0.60 |
| Bluesky  |      0.002 | 0.05 |   0.30 |  0.25 |  0.30 |  0.60 |
| Facebook |      0.005 | 0.10 |   0.50 |  0.40 |  0.50 |  0.70 |
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, object] = {
    "impressions": _("impression"),
    "likes": _("like"),
    "reposts": _("repost or reshare"),
    "replies": _("reply or comment"),
    "quotes": _("quote"),
    "clicks": _("click"),
}

_D = Decimal
DEFAULT_RATES: dict[str, dict[str, Decimal]] = {
    "linkedin": {
        "impressions": _D("0.006"),
        "likes": _D("0.20"),
        "reposts": _D("1.00"),
        "replies": _D("0.75"),
        "quotes": _D("1.00"),
        "clicks": _D("2.50"),
    },
    "x": {
        "impressions": _D("0.004"),
        "likes": _D("0.10"),
        "reposts": _D("0.50"),
        "replies": _D("0.40"),
        "quotes": _D("0.50"),
        "clicks": _D("0.80"),
    },
    "mastodon": {
        "impressions": _D("0.002"),
        "likes": _D("0.05"),
        "reposts": _D("0.30"),
        "replies": _D("0.25"),
        "quotes": _D("0.30"),
        "clicks": _D("0.60"),
    },
    "bluesky": {
        "impressions": _D("0.002"),
        "likes": _D("0.05"),
        "reposts": _D("0.30"),
        "replies": _D("0.25"),
        "quotes": _D("0.30"),
        "clicks": _D("0.60"),
    },
    "facebook": {
        "impressions": _D("0.005"),
        "likes": _D("0.10"),
        "reposts": _D("0.50"),
        "replies": _D("0.40"),
        "quotes": _D("0.50"),
        "clicks": _D("0.70"),
    },
}
FALLBACK_RATES = DEFAULT_RATES["mastodon"]


def rates_with_defaults(saved: dict | None) -> dict[str, dict[str, Decimal]]:
    """The defaults, overridden by whatever rates the organization saved."""
    rates = {network: dict(values) for network, values in DEFAULT_RATES.items()}
    for network, values in (saved or {}).items():
        if not isinstance(values, dict):
            continue
        target = rates.setdefault(network, dict(FALLBACK_RATES))
        for action, value in values.items():
            if action not in ACTIONS:
                continue
            try:
                rate = Decimal(str(value))
            except (InvalidOperation, ValueError):
                continue
            if rate >= 0:
                target[action] = rate
    return rates


@dataclass(frozen=True)
class EmvLine:
    network: str
    action: str
    count: int
    rate: Decimal

    @property
    def value(self) -> Decimal:
        return self.rate * self.count

    @property
    def action_label(self):
        return ACTIONS[self.action]


@dataclass(frozen=True)
class Emv:
    lines: list[EmvLine]
    currency: str

    @property
    def total(self) -> Decimal:
        return sum((line.value for line in self.lines), Decimal(0)).quantize(Decimal("0.01"))


def emv_compute(*, counts: dict[str, dict[str, int]], rates: dict[str, dict[str, Decimal]], currency: str) -> Emv:
    """EMV of counts per network and action; lines with a zero count are left out."""
    lines = []
    for network in sorted(counts):
        network_rates = rates.get(network, FALLBACK_RATES)
        for action in ACTIONS:
            count = int(counts[network].get(action, 0) or 0)
            if count:
                lines.append(EmvLine(network, action, count, network_rates.get(action, Decimal(0))))
    return Emv(lines=lines, currency=currency)
