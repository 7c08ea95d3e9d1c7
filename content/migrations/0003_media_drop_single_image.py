"""The single image field, copied to image rows by 0002, goes.

A migration of its own: PostgreSQL will not alter a table in the transaction that
just wrote rows pointing at it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0002_media_post_images"),
    ]

    operations = [
        migrations.RemoveField(model_name="post", name="image"),
    ]
