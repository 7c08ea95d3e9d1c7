"""The reach model, defined once: what each figure means and whether it is measured.

*Measured* figures are counted: engagement as the networks report it, clicks on our
own tracked links, impressions where a network gives them. *Estimated* figures rest
on an assumption: potential reach assumes every follower of a profile at the time of
a share could have seen it, which overstates what any network shows them.

The dashboard, my impact, the reports and the digests all take their figures and
their definitions from here; the dashboard prints the definitions as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MEASURED = "measured"
ESTIMATED = "estimated"

ENGAGEMENT_FIELDS = ("likes", "reposts", "replies", "quotes")


@dataclass(frozen=True)
class Definition:
    key: str
    label: object
    kind: str
    text: object


DEFINITIONS = {
    d.key: d
    for d in (
        Definition(
            "potential_reach",
            _("Potential reach"),
            ESTIMATED,
            _("Followers of each profile at the moment it shared, added up over all shares."),
        ),
        Definition(
            "engagements",
            _("Engagements"),
            MEASURED,
            _(
                "Likes, reposts and reshares, replies and comments, and quotes, as the networks report them. "
                "A count is taken at its highest reading: one that later falls is not subtracted."
            ),
        ),
        Definition(
            "clicks", _("Clicks"), MEASURED, _("Visits to the tracked links by people; known bots are left out.")
        ),
        Definition(
            "unique_clicks",
            _("Unique clicks"),
            MEASURED,
            _("Clicks counted once per visitor and link; visitors are recognised for a day at most."),
        ),
        Definition(
            "impressions",
            _("Impressions"),
            MEASURED,
            _("Times a post was shown, where the network tells (X, LinkedIn with analytics access)."),
        ),
        Definition(
            "engagement_rate",
            _("Engagement rate"),
            ESTIMATED,
            _("Engagements and clicks divided by potential reach."),
        ),
        Definition(
            "combined_reach",
            _("Combined reach"),
            ESTIMATED,
            _("Potential reach of the company's own profiles plus that of its employees."),
        ),
        Definition(
            "amplification",
            _("Amplification ratio"),
            ESTIMATED,
            _("Employees' potential reach divided by the company profiles' potential reach."),
        ),
        Definition(
            "employee_share",
            _("Employees' share of reach"),
            ESTIMATED,
            _("Employees' potential reach as a part of the combined reach."),
        ),
    )
}


def engagements_of(measures: dict) -> int:
    return sum(int(measures.get(name) or 0) for name in ENGAGEMENT_FIELDS)


def ratio(numerator: float, denominator: float) -> float | None:
    """None where the denominator is zero: shown as "—", never as 0 or infinity."""
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class Side:
    """The figures of one kind of sender (company, employees or both)."""

    shares: int
    measured_shares: int
    personal_shares: int
    potential_reach: int
    engagements: int
    clicks: int
    unique_clicks: int
    impressions: int
    likes: int
    reposts: int
    replies: int
    quotes: int

    @classmethod
    def of(cls, measures: dict) -> Side:
        value = {name: int(measures.get(name) or 0) for name in cls.__dataclass_fields__ if name != "engagements"}
        return cls(engagements=engagements_of(measures), **value)

    def __add__(self, other: Side) -> Side:
        return Side(**{name: getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__})

    @property
    def engagement_rate(self) -> float | None:
        return ratio(self.engagements + self.clicks, self.potential_reach)

    @property
    def twist_rate(self) -> float | None:
        return ratio(self.personal_shares, self.shares)

    @property
    def is_empty(self) -> bool:
        return not (self.shares or self.engagements or self.clicks or self.impressions)


@dataclass(frozen=True)
class Reach:
    company: Side
    employees: Side

    @classmethod
    def of(cls, *, company: dict, employees: dict) -> Reach:
        return cls(company=Side.of(company), employees=Side.of(employees))

    @property
    def combined(self) -> Side:
        return self.company + self.employees

    @property
    def amplification(self) -> float | None:
        return ratio(self.employees.potential_reach, self.company.potential_reach)

    @property
    def employee_share(self) -> float | None:
        return ratio(self.employees.potential_reach, self.combined.potential_reach)

    @property
    def is_empty(self) -> bool:
        return self.combined.is_empty

    def definitions(self) -> list[Definition]:
        return list(DEFINITIONS.values())
