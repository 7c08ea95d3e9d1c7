"""A post's one image becomes the first of up to four image rows (the old field goes in 0003)."""

import django.db.models.deletion
from django.db import migrations, models


def copy_single_images(apps, schema_editor):
    # The file stays where it is: the new row points at the same stored name.
    Post = apps.get_model("content", "Post")
    PostImage = apps.get_model("content", "PostImage")
    rows = [
        PostImage(post_id=post_id, image=name, position=0)
        for post_id, name in Post.objects.exclude(image="").values_list("id", "image").iterator()
    ]
    PostImage.objects.bulk_create(rows, batch_size=500)


def restore_single_images(apps, schema_editor):
    Post = apps.get_model("content", "Post")
    PostImage = apps.get_model("content", "PostImage")
    restored = set()
    for post_id, name in PostImage.objects.order_by("post_id", "position", "id").values_list("post_id", "image"):
        if post_id not in restored:
            restored.add(post_id)
            Post.objects.filter(pk=post_id).update(image=name)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="compliancesettings",
            name="alt_text_required",
            field=models.BooleanField(
                default=True,
                help_text="Every image of a post must have alt text, for people who use a screen reader.",
                verbose_name="images need a description",
            ),
        ),
        migrations.CreateModel(
            name="PostImage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("image", models.FileField(max_length=300, upload_to="posts/%Y/%m/", verbose_name="image")),
                ("thumbnail", models.FileField(blank=True, max_length=300, upload_to="posts/thumbs/%Y/%m/")),
                (
                    "alt_text",
                    models.TextField(
                        blank=True,
                        help_text="What the picture shows, for people who cannot see it.",
                        verbose_name="description (alt text)",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("width", models.PositiveIntegerField(blank=True, null=True)),
                ("height", models.PositiveIntegerField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="images", to="content.post"
                    ),
                ),
            ],
            options={
                "verbose_name": "post image",
                "verbose_name_plural": "post images",
                "ordering": ["position", "id"],
            },
        ),
        migrations.RunPython(copy_single_images, restore_single_images),
    ]
