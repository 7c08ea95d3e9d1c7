"""What a scenario found, and the line it prints."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Result:
    """Figures counted by a scenario; it passed only when `problems` stays empty.

    `shares`, `posted`, `duplicates` and `lost` feed the final line: shares meant to be
    posted, those found once on the network, copies beyond one, and shares (or clicks)
    that never arrived. `figures` are the scenario's own, printed in order.
    """

    name: str
    # "shares", or "clicks" for a scenario that posts nothing (its line then shows no share figures).
    unit: str = "shares"
    shares: int = 0
    posted: int = 0
    duplicates: int = 0
    lost: int = 0
    figures: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    logs: str = ""
    # Why the scenario could not run here (it then counts nothing and fails nothing).
    skipped: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def check(self, condition: bool, problem: str) -> None:
        if not condition:
            self.problems.append(problem)

    def line(self) -> str:
        parts = []
        if self.unit == "shares":
            parts += [f"shares={self.shares}", f"posted={self.posted}"]
        parts += [f"duplicates={self.duplicates}", f"lost={self.lost}"]
        parts += [f"{key}={value}" for key, value in self.figures.items()]
        parts.append(f"seconds={self.seconds:.0f}")
        verdict = "ok" if self.ok else "FAILED: " + "; ".join(self.problems)
        if self.skipped and self.ok:
            verdict = f"skipped: {self.skipped}"
        return f"chaos {self.name}: {' '.join(parts)} {verdict}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        return cls(**data)
