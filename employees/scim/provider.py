"""What the SCIM endpoint announces: its schemas, resource types and capabilities.

Why scim2-server (with scim2-models) rather than django-scim2: django-scim2 reads one
global configuration and authenticates through Django's own users and middleware, so
a per-organization bearer token would have to be bolted on around it, and its filters
become raw SQL through a second parser. scim2-server is framework-free: it validates
requests, parses filters and PATCH operations, applies them to scim2-models resources
and builds responses and SCIM errors, and asks a storage to read and write. Our
storage is built per request for the one organization the token belongs to, so
tenancy is decided once, before the library sees the request.
"""

from __future__ import annotations

import copy
from functools import cache

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ETag,
    Filter,
    Patch,
    ResourceType,
    Schema,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
)
from scim2_server.utils import load_json_resource

MAX_RESULTS = 200

# The attributes Chorus keeps. The RFC's User schema has many more (addresses, phone
# numbers, x509 certificates...); announcing only what is stored tells an identity
# provider, and a conformance checker, exactly what comes back.
_USER_ATTRIBUTES = {
    "userName": None,
    "name": {"formatted", "givenName", "familyName"},
    "displayName": None,
    "active": None,
    "emails": {"value", "type", "primary"},
    "groups": {"value", "$ref", "display", "type"},
}
_GROUP_ATTRIBUTES = {"displayName": None, "members": {"value", "$ref", "type"}}


def _narrowed(schema: dict, keep: dict[str, set[str] | None]) -> dict:
    schema = copy.deepcopy(schema)
    schema["attributes"] = [attribute for attribute in schema["attributes"] if attribute["name"] in keep]
    for attribute in schema["attributes"]:
        sub_names = keep[attribute["name"]]
        if sub_names is not None:
            attribute["subAttributes"] = [sub for sub in attribute["subAttributes"] if sub["name"] in sub_names]
    return schema


def _attribute(schema: dict, name: str, sub: str | None = None) -> dict:
    attribute = next(a for a in schema["attributes"] if a["name"] == name)
    return attribute if sub is None else next(s for s in attribute["subAttributes"] if s["name"] == sub)


def _schemas() -> list[Schema]:
    user, group = (
        next(s for s in load_json_resource("default-schemas.json") if s["id"].endswith(f":core:2.0:{name}"))
        for name in ("User", "Group")
    )
    user = _narrowed(user, _USER_ATTRIBUTES)
    # A person logs in with an email address: Chorus cannot create one without it.
    _attribute(user, "emails")["required"] = True
    _attribute(user, "emails", "value")["required"] = True
    group = _narrowed(group, _GROUP_ATTRIBUTES)
    # A team's members are people; Chorus teams do not contain teams.
    _attribute(group, "members", "$ref")["referenceTypes"] = ["User"]
    _attribute(group, "members", "type")["canonicalValues"] = ["User"]
    return [Schema.model_validate(user), Schema.model_validate(group)]


def _resource_types() -> list[ResourceType]:
    resource_types = []
    for data in load_json_resource("default-resource-types.json"):
        data = dict(data)
        data.pop("schemaExtensions", None)  # no enterprise extension: nothing of it is stored
        resource_types.append(ResourceType.model_validate(data))
    return resource_types


def _config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=True),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="A token an admin creates under Settings, SCIM provisioning.",
                primary=True,
            )
        ],
    )


# What real identity providers send, tolerated as the library documents it: Entra ID
# and Okta map attributes Chorus does not keep (title, phone numbers, the enterprise
# extension) unless an admin removes them, so those are dropped rather than refused;
# Entra sends `remove` with a value to pick a member, and `replace` on
# `emails[type eq "work"].value` for a user who has no such entry yet.
_POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


@cache
def scim_provider() -> ScimProvider:
    return ScimProvider.from_discovery(_schemas(), _resource_types(), config=_config(), policy=_POLICY)
