"""Tokens are encrypted at rest, never shown, and survive a key rotation."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from employees import crypto
from employees.models import NetworkApp, SocialProfile
from tests.employees.profiles.conftest import make_profile

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def raw_row(profile_id: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM employees_socialprofile WHERE id = %s", [profile_id])
        return cursor.fetchone()


def test_the_database_holds_only_ciphertext_and_reading_gives_the_token_back(cast):
    profile = make_profile(cast.emma)

    access, refresh = raw_row(profile.id)

    assert "x-access-token-1" not in access and "x-refresh-token-1" not in refresh
    assert crypto.decrypt(access) == "x-access-token-1"
    fresh = SocialProfile.objects.get(pk=profile.pk)
    assert (fresh.access_token, fresh.refresh_token) == ("x-access-token-1", "x-refresh-token-1")


def test_a_token_never_shows_in_a_repr(cast):
    profile = SocialProfile.objects.get(pk=make_profile(cast.emma).pk)

    assert "x-access-token-1" not in repr(profile.access_token)
    assert "x-access-token-1" not in repr(vars(profile))
    assert "x-refresh-token-1" not in repr(profile.get_credentials())


def test_the_same_token_encrypts_differently_each_time():
    assert crypto.encrypt("token") != crypto.encrypt("token")


def test_a_value_no_key_can_read_is_an_error_without_the_value(settings):
    token = crypto.encrypt("secret-value")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(crypto.DecryptionError) as error:
        crypto.decrypt(token)

    assert token not in str(error.value)


def test_rotation_re_encrypts_every_column_with_the_newest_key(cast, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    profile = make_profile(cast.emma)
    app = NetworkApp.objects.create(organization=cast.org, network="x", client_id="id", client_secret="app-secret")
    old_access, _old_refresh = raw_row(profile.id)

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    # Before rotating, data under the old key still reads.
    assert SocialProfile.objects.get(pk=profile.pk).access_token == "x-access-token-1"
    out = io.StringIO()
    call_command("rotate_encryption_keys", "--batch-size", "1", stdout=out)

    assert "employees.SocialProfile.access_token: 1 re-encrypted" in out.getvalue()
    assert "employees.NetworkApp.client_secret: 1 re-encrypted" in out.getvalue()
    new_access, new_refresh = raw_row(profile.id)
    assert new_access != old_access
    assert Fernet(NEW_KEY).decrypt(new_access.encode()) == b"x-access-token-1"
    assert Fernet(NEW_KEY).decrypt(new_refresh.encode()) == b"x-refresh-token-1"
    # The old key can go now.
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert SocialProfile.objects.get(pk=profile.pk).refresh_token == "x-refresh-token-1"
    assert NetworkApp.objects.get(pk=app.pk).client_secret == "app-secret"


def test_running_the_rotation_again_changes_nothing(cast, settings):
    make_profile(cast.emma)
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    out = io.StringIO()

    call_command("rotate_encryption_keys", stdout=out)

    assert "employees.SocialProfile.access_token: 0 re-encrypted, 1 already under the newest key" in out.getvalue()


def test_rotation_fails_loudly_when_a_needed_old_key_was_dropped(cast, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    make_profile(cast.emma)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(CommandError, match="could not be decrypted"):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
