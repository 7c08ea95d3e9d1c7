"""The distribution index: how far an organization's reach has moved from its brand to
its people, after Paul Baran's centralized, decentralized and distributed networks.

Two measures, both between 0 and 1:

- **employees' share** of the combined potential reach: 0 when only the company's own
  profiles reach anyone, 1 when only its people do;
- **evenness** of the employees' reach across all employees (those who did not share
  count as 0): 1 − Gini coefficient (normalized for small teams). 0 when one person
  carries it all, 1 when everyone reaches as many people as everyone else.

distribution index = employees' share × evenness.

Where the organization stands:

- *centralized*: the company profiles carry most of the reach (share below ½);
- *decentralized*: people carry most of it, but a few of them (evenness below ½);
- *distributed*: people carry most of it, and it is spread across many (both ½ or more).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CENTRALIZED, DECENTRALIZED, DISTRIBUTED = "centralized", "decentralized", "distributed"
STAGES = {
    CENTRALIZED: _("Centralized"),
    DECENTRALIZED: _("Decentralized"),
    DISTRIBUTED: _("Distributed"),
}
STAGE_TEXT = {
    CENTRALIZED: _("The company's own profiles carry most of the reach."),
    DECENTRALIZED: _("Employees carry most of the reach, but a few of them do."),
    DISTRIBUTED: _("Employees carry most of the reach, spread across many of them."),
}
THRESHOLD = 0.5


def gini(values: list[float]) -> float | None:
    """The Gini coefficient of non-negative values; None when they are all zero (or none).

    Normalized by n ÷ (n − 1), so that one person holding everything gives 1 however
    few people there are (a team of two would otherwise never pass ½).
    """
    if not values:
        return None
    ordered = sorted(value if value > 0 else 0 for value in values)
    total = sum(ordered)
    if total == 0:
        return None
    n = len(ordered)
    if n == 1:
        return 0.0
    weighted = sum(map(operator.mul, range(1, n + 1), ordered))
    coefficient = (2 * weighted) / (n * total) - (n + 1) / n
    return max(0.0, min(1.0, coefficient * n / (n - 1)))


def normalized_entropy(values: list[float]) -> float | None:
    """Shannon entropy of the shares, divided by its maximum log(n): another evenness."""
    positive = [value for value in values if value > 0]
    total = sum(positive)
    if total == 0 or len(values) < 2:
        return None
    entropy = -sum((value / total) * math.log(value / total) for value in positive)
    return entropy / math.log(len(values))


def stage_of(share: float | None, evenness: float | None) -> str | None:
    if share is None:
        return None
    if share < THRESHOLD:
        return CENTRALIZED
    if evenness is None or evenness < THRESHOLD:
        return DECENTRALIZED
    return DISTRIBUTED


TOP_PERCENT = 3


def top_count(employees: int, percent: int = TOP_PERCENT) -> int:
    """How many people the top `percent` of `employees` is: at least one, rounded up."""
    return max(1, -(-employees * percent // 100))


@dataclass(frozen=True)
class Distribution:
    """The index's figures for one span of days. The dashboard's are summed in the
    database (see analytics.selectors.distribution); `of` works them out from every
    employee's reach, for small sets."""

    company_reach: int
    employee_reach: int
    # Employees counted (those who reached no one included) and those who reached anyone.
    employees: int
    senders: int
    evenness: float | None
    entropy: float | None
    # The part of the employees' reach that the top 3 % of employees bring.
    top_share: float | None

    @classmethod
    def of(cls, company_reach: int, employee_reaches: tuple[int, ...] | list[int]) -> Distribution:
        """From one reach per employee, zeros included."""
        reaches = [value if value > 0 else 0 for value in employee_reaches]
        total = sum(reaches)
        coefficient = gini(reaches)
        top = sorted(reaches, reverse=True)[: top_count(len(reaches))]
        return cls(
            company_reach=company_reach,
            employee_reach=total,
            employees=len(reaches),
            senders=sum(1 for value in reaches if value > 0),
            evenness=None if coefficient is None else 1 - coefficient,
            entropy=normalized_entropy(reaches),
            top_share=sum(top) / total if total else None,
        )

    @property
    def employee_share(self) -> float | None:
        total = self.company_reach + self.employee_reach
        return self.employee_reach / total if total else None

    @property
    def index(self) -> float | None:
        if self.employee_share is None:
            return None
        return self.employee_share * (self.evenness or 0)

    @property
    def stage(self) -> str | None:
        return stage_of(self.employee_share, self.evenness)

    @property
    def stage_label(self):
        return STAGES.get(self.stage or "", "")

    @property
    def stage_text(self):
        return STAGE_TEXT.get(self.stage or "", "")
