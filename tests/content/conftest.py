from __future__ import annotations

from tests.content.http_server import _web_server, web  # noqa: F401 - fixtures, used by name
