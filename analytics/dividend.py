"""The twist dividend: what a share in one's own words earns next to one in copied words.

Every share stores the authenticity guard's verdict (advocacy.authenticity): its own
words (*personal*), the suggested caption as is, near-identical to colleagues, or no
comment. Here shares are grouped by that verdict, and "own words" is compared with
"copied words" (caption or near-identical) per share: the ratio of the two means, with
a 95% percentile bootstrap interval from a fixed seed, so the same shares always give
the same interval. The sentence "own words earned N× …" is said only when the whole
interval lies above 1.

Pure Python on purpose: a few thousand shares resampled a few hundred times is quick,
and the platform carries no numerical library for it.
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass

OWN = ("personal",)
COPIED = ("caption", "near_duplicate")
VERDICTS = ("personal", "caption", "near_duplicate", "empty")
METRICS = ("engagements", "clicks", "reach")

SEED = 1964  # Baran's year: any fixed number makes the interval reproducible
RESAMPLES = 1000
# The work one interval may take (resamples × shares); past it, fewer resamples.
MAX_DRAWS = 2_000_000
MIN_RESAMPLES = 200
# Fewer shares than this on either side and no interval is worked out.
MIN_SHARES = 10
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Group:
    verdict: str
    count: int
    medians: dict[str, float | None]
    means: dict[str, float | None]


@dataclass(frozen=True)
class Comparison:
    metric: str
    own: int
    copied: int
    ratio: float | None  # mean of own ÷ mean of copied
    low: float | None
    high: float | None

    @property
    def enough(self) -> bool:
        return self.low is not None and self.high is not None

    @property
    def supported(self) -> bool:
        """The whole interval says own words earn more."""
        return self.enough and self.low > 1


@dataclass(frozen=True)
class Dividend:
    groups: list[Group]
    comparisons: dict[str, Comparison]

    @property
    def engagement(self) -> Comparison:
        return self.comparisons["engagements"]


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _percentile(ordered: list[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks of a sorted list."""
    position = (len(ordered) - 1) * fraction
    below, above = math.floor(position), math.ceil(position)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def ratio_interval(
    own: list[float], copied: list[float], *, seed: int = SEED, resamples: int = RESAMPLES
) -> tuple[float | None, float | None, float | None]:
    """The ratio of means (own ÷ copied) and its percentile bootstrap interval.

    (None, None, None) with too few shares or nothing earned on the copied side; the
    interval is None where a resample's copied mean is zero too often to say anything.
    """
    if len(own) < MIN_SHARES or len(copied) < MIN_SHARES:
        return None, None, None
    copied_mean = statistics.fmean(copied)
    if copied_mean == 0:
        return None, None, None
    ratio = statistics.fmean(own) / copied_mean
    resamples = max(MIN_RESAMPLES, min(resamples, MAX_DRAWS // (len(own) + len(copied))))
    rng = random.Random(seed)  # noqa: S311 - a reproducible resample, not a secret
    ratios = []
    for _ in range(resamples):
        copied_sample = sum(rng.choices(copied, k=len(copied)))
        own_sample = sum(rng.choices(own, k=len(own)))
        if copied_sample:
            ratios.append((own_sample / len(own)) / (copied_sample / len(copied)))
    if len(ratios) < resamples * CONFIDENCE:
        return ratio, None, None
    ratios.sort()
    tail = (1 - CONFIDENCE) / 2
    return ratio, _percentile(ratios, tail), _percentile(ratios, 1 - tail)


def dividend_compute(rows: list[tuple[str, int | None, int, int | None]], *, seed: int = SEED) -> Dividend:
    """Rows are (verdict, engagements or None where the network gives none, clicks, reach)."""
    values: dict[str, dict[str, list[float]]] = {verdict: {name: [] for name in METRICS} for verdict in VERDICTS}
    counts = dict.fromkeys(VERDICTS, 0)
    for verdict, engagements, clicks, reach in rows:
        if verdict not in values:
            continue
        counts[verdict] += 1
        if engagements is not None:
            values[verdict]["engagements"].append(engagements)
        values[verdict]["clicks"].append(clicks or 0)
        if reach is not None:
            values[verdict]["reach"].append(reach)
    groups = [
        Group(
            verdict=verdict,
            count=counts[verdict],
            medians={name: _median(values[verdict][name]) for name in METRICS},
            means={name: _mean(values[verdict][name]) for name in METRICS},
        )
        for verdict in VERDICTS
    ]
    comparisons = {}
    for name in METRICS:
        own = [value for verdict in OWN for value in values[verdict][name]]
        copied = [value for verdict in COPIED for value in values[verdict][name]]
        ratio, low, high = ratio_interval(own, copied, seed=seed)
        comparisons[name] = Comparison(name, len(own), len(copied), ratio, low, high)
    return Dividend(groups, comparisons)
