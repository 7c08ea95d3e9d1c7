"""Make a VAPID key pair for web push and print it as environment lines."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def vapid_key_pair() -> tuple[str, str]:
    """(public, private): the uncompressed P-256 point and the raw private scalar, base64url."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    public = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    scalar = private_key.private_numbers().private_value.to_bytes(32, "big")
    return _b64url(public), _b64url(scalar)


class Command(BaseCommand):
    help = "Print a new VAPID key pair for web push (VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--subject", default="mailto:admin@example.com", help="VAPID_SUBJECT to print with them")

    def handle(self, *args, subject: str, **options) -> None:
        public, private = vapid_key_pair()
        # Printed, never stored: the operator puts them in the environment (or *_FILE secrets).
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}\nVAPID_PRIVATE_KEY={private}\nVAPID_SUBJECT={subject}\n")
