"""Load from wrk (Debian's package) on loopback, bounded in threads, connections and time."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

WRK_DIR = Path(__file__).resolve().parent / "wrk"


@dataclass(frozen=True)
class LoadShape:
    threads: int = 2
    connections: int = 16
    seconds: int = 15
    warmup_seconds: int = 3


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    errors: dict
    latency_ms: dict
    sent: int | None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "rps": round(self.rps, 1),
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "p50_ms": self.latency_ms["p50"],
            "p90_ms": self.latency_ms["p90"],
            "p95_ms": self.latency_ms["p95"],
            "p99_ms": self.latency_ms["p99"],
            "max_ms": self.latency_ms["max"],
            "errors": self.errors,
        }


def wrk_version() -> str:
    if shutil.which("wrk") is None:
        return "missing"
    output = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    return (output.stdout + output.stderr).splitlines()[0].strip()


def run_wrk(
    url: str,
    *,
    shape: LoadShape,
    headers: dict[str, str],
    script: str = "summary.lua",
    script_args: list[str] | None = None,
    seconds: int | None = None,
) -> LoadResult:
    command = [
        "wrk",
        f"-t{shape.threads}",
        f"-c{shape.connections}",
        f"-d{seconds or shape.seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_DIR / script),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    line = next((line for line in completed.stdout.splitlines() if line.startswith("BENCH-JSON ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stdout}\n{completed.stderr}")
    data = json.loads(line.removeprefix("BENCH-JSON "))
    latency = {key: round(value / 1000, 2) for key, value in data["latency_us"].items()}
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=data["errors"],
        latency_ms=latency,
        sent=data.get("sent"),
    )


def load(url: str, *, shape: LoadShape, headers: dict[str, str], **kwargs) -> LoadResult:
    """A short warm-up (every worker loads its code and caches), then the measured run."""
    run_wrk(url, shape=shape, headers=headers, seconds=shape.warmup_seconds, **kwargs)
    return run_wrk(url, shape=shape, headers=headers, **kwargs)
