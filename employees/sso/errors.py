"""Why a single sign-on was refused, in words the person can act on."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from social_core.exceptions import AuthException, SocialAuthBaseException


class SSORefused(Exception):
    """A sign-in this platform refuses; `message` says what to do."""

    def __init__(self, message: str, *, status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


_RESTART = _(
    "This sign-in link was already used, has expired or was started in another browser. "
    "Start again from the login page."
)
_PROVIDER_DOWN = _(
    "Your company's identity provider could not be reached or did not answer in time. "
    "Try again in a few minutes; if it keeps failing, tell your IT department."
)
_BAD_ANSWER = _(
    "Your company's identity provider sent an answer that failed our security checks, so you were not "
    "signed in. Start again from the login page; if it keeps failing, tell your organization's admin."
)
_CONFIG = _(
    "Single sign-on for your organization is not set up correctly. Ask your organization's admin to check "
    "the identity provider settings."
)
_CANCELED = _("The sign-in was cancelled at your identity provider. Start again from the login page.")

_BY_CODE = {
    "session_context_missing": _RESTART,
    "state_mismatch": _RESTART,
    "missing_parameter": _RESTART,
    "connection_failed": _PROVIDER_DOWN,
    "timeout": _PROVIDER_DOWN,
    "tls_error": _PROVIDER_DOWN,
    "unavailable": _PROVIDER_DOWN,
    "rate_limited": _PROVIDER_DOWN,
    "missing_setting": _CONFIG,
    "invalid_setting": _CONFIG,
    "backend_missing": _CONFIG,
    "authorization_declined": _CANCELED,
}


def sso_refusal_from(error: SocialAuthBaseException) -> SSORefused:
    """The page-worthy reason for a python-social-auth error.

    Everything that is not the session or the provider's availability is a failed
    check on the provider's answer (signature, audience, nonce, expiry, ...).
    """
    if error.code in _BY_CODE:
        message = _BY_CODE[error.code]
    elif error.source == "configuration" or not isinstance(error, AuthException):
        message = _CONFIG
    elif error.source == "provider_response" and error.stage in ("token_exchange", "begin") and error.status_code:
        message = _PROVIDER_DOWN
    else:
        message = _BAD_ANSWER
    status = 502 if message is _PROVIDER_DOWN else 400
    return SSORefused(str(message), status=status)
