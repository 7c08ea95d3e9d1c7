"""Company single sign-on: an organization's own identity provider (OpenID Connect or SAML 2.0).

python-social-auth does the protocol work (state, nonce, PKCE, signature and
assertion checks); this package feeds it each organization's settings and decides
who may sign in (verified domains, just-in-time provisioning, "SSO required").
"""
