from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Invite-only: people join through an invitation, never through open sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False
