"""Posts saved with the single image field keep their picture as their first image row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("content", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_posts_single_image_becomes_its_first_image_and_back():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate(BEFORE)
        organization = old.get_model("employees", "Organization").objects.create(name="Acme", slug="acme")
        Post = old.get_model("content", "Post")
        with_image = Post.objects.create(organization=organization, title="Photo", image="posts/2024/05/roof.jpg")
        Post.objects.create(organization=organization, title="Text only")

        new = _migrate(latest)
        rows = list(
            new.get_model("content", "PostImage").objects.values_list("post_id", "image", "position", "alt_text")
        )
        assert rows == [(with_image.id, "posts/2024/05/roof.jpg", 0, "")]

        back = _migrate(BEFORE)
        assert back.get_model("content", "Post").objects.get(pk=with_image.id).image.name == "posts/2024/05/roof.jpg"
    finally:
        _migrate(latest)
