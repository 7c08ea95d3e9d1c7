"""SCIM 2.0 provisioning: an organization's identity provider creates, updates and
removes its people and teams through `/scim/v2/` with a bearer token."""

# Where the endpoint answers (employees/scim/urls.py matches it).
BASE_PATH = "/scim/v2"
