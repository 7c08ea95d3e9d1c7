"""Encryption at rest for secrets kept in the database (tokens, app secrets).

Fernet tokens under `settings.FIELD_ENCRYPTION_KEYS`, newest key first: the newest
encrypts, every key decrypts. Rotating is adding a new key in front and running
`manage.py rotate_encryption_keys`; the old key can go once that has finished.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.db.models.query_utils import DeferredAttribute

__all__ = [
    "Ciphertext",
    "DecryptionError",
    "EncryptedTextField",
    "Secret",
    "decrypt",
    "encrypt",
    "is_current",
    "rotate",
]


class DecryptionError(ValueError):
    """A stored value no configured key can decrypt (a key was dropped too early)."""


class Secret(str):
    """A decrypted value: a plain string everywhere except in `repr`.

    Tracebacks, error reports and debuggers show locals through `repr`; a token
    must not appear there.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('***')" if self else "Secret('')"


class Ciphertext(str):
    """An already encrypted value: the field stores it as it is (key rotation)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Ciphertext(...)"


@lru_cache(maxsize=4)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    if not keys:
        raise DecryptionError("FIELD_ENCRYPTION_KEYS is empty")
    fernets = [Fernet(key) for key in keys]
    return MultiFernet(fernets), fernets[0]


def _current() -> tuple[MultiFernet, Fernet]:
    # Keyed by the keys themselves, so a changed setting (tests, rotation) is seen.
    return _fernets(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return _current()[0].encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current()[0].decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        # The token itself is not in the message: it would end up in logs.
        raise DecryptionError("a stored secret cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS") from None


def is_current(token: str) -> bool:
    """True when the newest key alone decrypts `token` (nothing to rotate)."""
    try:
        _current()[1].decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeError):
        return False
    return True


def rotate(token: str) -> str:
    """`token` re-encrypted under the newest key (keeps its original timestamp)."""
    try:
        return _current()[0].rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise DecryptionError("a stored secret cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS") from None


def _decrypts(value: str) -> bool:
    try:
        decrypt(value)
    except DecryptionError:
        return False
    return True


class _SecretAttribute(DeferredAttribute):
    """Wraps every value assigned to the field in `Secret`, so its repr never shows it."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        if isinstance(value, str) and not isinstance(value, Secret | Ciphertext):
            value = Secret(value)
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token and decrypted on read.

    The empty string is stored as is (an absent token is not a secret). Lookups
    other than `isnull` and equality with "" are meaningless: every encryption
    of the same text differs.
    """

    descriptor_class = _SecretAttribute

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return Secret(decrypt(value))

    def to_python(self, value: Any) -> Any:
        # Fixtures (loaddata) hold the ciphertext that `value_to_string` wrote.
        if isinstance(value, str) and value and not isinstance(value, Secret | Ciphertext) and _decrypts(value):
            return Ciphertext(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        # Field's, not TextField's: that one would run `to_python` on every save.
        value = models.Field.get_prep_value(self, value)
        if isinstance(value, Ciphertext):
            return str(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def value_to_string(self, obj: models.Model) -> str:
        # Serialization (dumpdata) gets the ciphertext, never the plaintext.
        value = self.value_from_object(obj)
        return "" if not value else encrypt(str(value))
