"""Run one scenario in this process: `python -m chaos.scenario NAME RESULT_FILE`.

A scenario module (chaos/scenarios/) has `run(prepared) -> Result`. What must exist
before Django is set up, such as a broker of the scenario's own, is started by its entry
in PREPARE; whatever it returns with a stop() method is stopped at the end.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
from pathlib import Path

from chaos import environment
from chaos.processes import broker_and_cache_own, broker_own, media_volume_own
from chaos.result import Result

SCENARIOS = [
    "worker-kill",
    "broker-restart",
    "network-faults",
    "long-rate-limit",
    "redis-pressure",
    "tokens",
    "clicks-worker-down",
    "db-restart",
    "slow-network",
    "disk-full",
]
PREPARE = {"broker-restart": broker_own, "redis-pressure": broker_and_cache_own, "disk-full": media_volume_own}


def module_for(name: str):
    return importlib.import_module(f"chaos.scenarios.{name.replace('-', '_')}")


def main(argv: list[str]) -> int:
    name, result_file = argv
    environment.apply()
    started = time.monotonic()
    prepared: dict = {}
    try:
        if name in PREPARE:
            prepared = PREPARE[name](name)
        import django

        django.setup()
        result = module_for(name).run(prepared)
    except Exception as error:
        traceback.print_exc()
        result = Result(name, problems=[f"{type(error).__name__}: {error}"])
    finally:
        for resource in prepared.values():
            if hasattr(resource, "stop"):
                resource.stop()
    result.seconds = time.monotonic() - started
    Path(result_file).write_text(json.dumps(result.as_dict()))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
