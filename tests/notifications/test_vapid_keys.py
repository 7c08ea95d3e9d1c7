"""`manage.py vapid_keys` prints a pair that signs and verifies, in the environment's format."""

from __future__ import annotations

import base64
import io

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command


def _bytes(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def test_the_command_prints_a_matching_p256_key_pair_and_the_subject():
    out = io.StringIO()
    call_command("vapid_keys", "--subject", "mailto:ops@acme.test", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    assert lines["VAPID_SUBJECT"] == "mailto:ops@acme.test"
    private = ec.derive_private_key(int.from_bytes(_bytes(lines["VAPID_PRIVATE_KEY"]), "big"), ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert _bytes(lines["VAPID_PUBLIC_KEY"]) == public
    assert len(public) == 65


def test_each_run_makes_a_new_pair():
    first, second = io.StringIO(), io.StringIO()
    call_command("vapid_keys", stdout=first)
    call_command("vapid_keys", stdout=second)
    assert first.getvalue() != second.getvalue()
