"""A runner's own PostgreSQL database: made when missing, or dropped and made again."""

from __future__ import annotations

import dj_database_url
import psycopg
from psycopg import sql


def _server(url: str) -> tuple[str, dict]:
    config = dj_database_url.parse(url)
    if not config["ENGINE"].endswith("postgresql"):
        raise SystemExit(f"{url} is not a postgres:// URL: this runner needs PostgreSQL.")
    params = {
        "dbname": "postgres",
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
    }
    return config["NAME"], {key: value for key, value in params.items() if value}


def ensure(url: str) -> bool:
    """Create the database when it does not exist; True when it was created."""
    name, params = _server(url)
    with psycopg.connect(**params, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def recreate(url: str) -> None:
    """Drop the database (closing its connections) and create it empty."""
    name, params = _server(url)
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
