"""Create the benchmark's database when it does not exist yet (`python -m bench.database`)."""

from __future__ import annotations

import os

import dj_database_url
import psycopg
from psycopg import sql


def ensure(url: str) -> bool:
    """True when the database was created."""
    config = dj_database_url.parse(url)
    if not config["ENGINE"].endswith("postgresql"):
        raise SystemExit("The benchmark runs on PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    params = {
        "dbname": "postgres",
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
        return True


if __name__ == "__main__":
    if ensure(os.environ["DATABASE_URL"]):
        print(f"Created the database of {os.environ['DATABASE_URL']}")
