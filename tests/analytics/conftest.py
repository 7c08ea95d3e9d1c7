from __future__ import annotations

import pytest

from tests.analytics.helpers import FakeNetwork


@pytest.fixture
def fake_network(monkeypatch):
    network = FakeNetwork()
    monkeypatch.setattr("employees.profiles.services.profile_adapter_open", network.adapter_open)
    return network
