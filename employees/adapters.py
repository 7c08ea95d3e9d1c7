from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    """Invite-only: people join through an invitation, never through open sign-up."""

    # After five failed passwords an account is locked for five minutes, the right
    # password included, so guessing gains nothing. Anyone can trigger that, so the
    # message names the way out that only the owner has: a password reset through the
    # emailed link, which lifts the lock at once (allauth clears it on a reset).
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed login attempts. Try again in a few minutes, or reset your password to sign in now."
        ),
    }

    def is_open_for_signup(self, request) -> bool:
        return False

    def pre_login(self, request, user, **kwargs):
        # Organizations that require single sign-on turn password login off.
        from employees.sso.login_policy import password_login_refusal

        response = password_login_refusal(request, user)
        if response is not None:
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return response
        return super().pre_login(request, user, **kwargs)

    def post_login(self, request, user, **kwargs):
        from employees.sso.login_policy import password_login_done

        password_login_done(request, user)
        return super().post_login(request, user, **kwargs)
