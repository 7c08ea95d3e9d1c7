from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Invite-only: people join through an invitation, never through open sign-up."""

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
