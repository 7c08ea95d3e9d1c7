"""Pytest fixture for the local Bluesky reference network.

Import ``bluesky_network`` into a conftest.py to use it. The network starts once per
test session. Setting ``BLUESKY_E2E=0`` skips the tests that use it; otherwise a
network that fails to start is an error, not a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from harness.bluesky import LocalBlueskyNetwork


@pytest.fixture(scope="session")
def bluesky_network() -> Iterator[LocalBlueskyNetwork]:
    if os.environ.get("BLUESKY_E2E") == "0":
        pytest.skip("BLUESKY_E2E=0: the local Bluesky network is turned off")
    network = LocalBlueskyNetwork()
    network.start()
    try:
        yield network
    finally:
        network.stop()
