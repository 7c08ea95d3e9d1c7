"""Re-encrypt every encrypted column with the newest key of FIELD_ENCRYPTION_KEYS.

Rotation: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after
it), deploy, run this command, then drop the old keys. Safe to run while the site
is up and to run again: a value changed meanwhile is left alone (it was written
with the newest key anyway), and values already under the newest key are skipped.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from employees import crypto


class Command(BaseCommand):
    help = "Re-encrypt every encrypted database column with the newest key in FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        failures = 0
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, crypto.EncryptedTextField):
                    rotated, current, failed = self._rotate_column(model, field.name, batch_size)
                    failures += failed
                    self.stdout.write(
                        f"{model._meta.label}.{field.name}: {rotated} re-encrypted, "
                        f"{current} already under the newest key, {failed} undecryptable"
                    )
        if failures:
            raise CommandError(
                f"{failures} values could not be decrypted with any configured key; "
                "keep every old key in FIELD_ENCRYPTION_KEYS until this reports none"
            )

    def _rotate_column(self, model, field_name: str, batch_size: int) -> tuple[int, int, int]:
        # The raw ciphertext: cast to plain text, so that the field does not decrypt it.
        raw = Cast(field_name, output_field=TextField())
        rows = model._default_manager.exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True})
        rotated = current = failed = 0
        last_pk = None
        while True:
            batch = rows.order_by("pk")
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            values = list(batch.annotate(_raw=raw).values_list("pk", "_raw")[:batch_size])
            if not values:
                return rotated, current, failed
            last_pk = values[-1][0]
            with transaction.atomic():
                for pk, token in values:
                    if crypto.is_current(token):
                        current += 1
                        continue
                    try:
                        new_token = crypto.rotate(token)
                    except crypto.DecryptionError:
                        failed += 1
                        continue
                    # Only where the value is still the one read: a concurrent write wins.
                    updated = (
                        model._default_manager.annotate(_raw=raw)
                        .filter(pk=pk, _raw=token)
                        .update(**{field_name: crypto.Ciphertext(new_token)})
                    )
                    if updated:
                        rotated += 1
                    else:
                        current += 1
