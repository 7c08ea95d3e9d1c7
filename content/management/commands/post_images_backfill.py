"""Make thumbnails (and record sizes) for images kept from before they were made on upload."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from content.images import post_images_backfill


class Command(BaseCommand):
    help = "Make the missing thumbnails of post images, reading and writing through the media storage."

    def handle(self, *args, **options) -> None:
        done, failed = post_images_backfill()
        self.stdout.write(f"thumbnails made: {done}, images that could not be read: {failed}")
