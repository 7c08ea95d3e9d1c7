"""Create the benchmark's database when it does not exist yet (`python -m bench.database`)."""

from __future__ import annotations

import os

from harness import database

if __name__ == "__main__":
    if database.ensure(os.environ["DATABASE_URL"]):
        print(f"Created the database of {os.environ['DATABASE_URL']}")
