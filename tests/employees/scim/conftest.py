"""A SCIM client for the tests: the Django test client with a bearer token and the
SCIM media type, talking to the real endpoint."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from employees.scim.tokens import scim_token_create

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@dataclass
class Scim:
    token: str
    client: Client

    def request(self, method: str, path: str, body=None, *, token: str | None = None, raw: bytes | None = None):
        headers = {}
        if (token if token is not None else self.token) != "":
            headers["Authorization"] = f"Bearer {token if token is not None else self.token}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": "application/scim+json", "data": data} if data is not None else {}
        return self.client.generic(method, f"/scim/v2/{path}", headers=headers, **kwargs)

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def put(self, path: str, body=None, **kwargs):
        return self.request("PUT", path, body, **kwargs)

    def patch(self, path: str, *operations: dict, **kwargs):
        return self.request("PATCH", path, {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def scim(cast) -> Scim:
    """Acme's identity provider. CSRF checks are on: the bearer API must not need them."""
    _token, plain = scim_token_create(organization=cast.org, name="Entra ID", actor=cast.alice.user)
    return Scim(token=plain, client=Client(enforce_csrf_checks=True))


@pytest.fixture
def other_scim(cast) -> Scim:
    """The other organization's identity provider."""
    _token, plain = scim_token_create(organization=cast.other_org, name="Okta", actor=cast.olga.user)
    return Scim(token=plain, client=Client(enforce_csrf_checks=True))


def new_user(user_name: str = "dana@acme.test", **extra) -> dict:
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": "Dana", "familyName": "Scully"},
        "displayName": "Dana Scully",
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": True,
        **extra,
    }


def assert_scim_error(response, status: int, scim_type: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    if scim_type is not None:
        assert body["scimType"] == scim_type
    return body
