"""Journey 11: comms publish a post with a photo and its description and no link; an
employee shares it to Bluesky, and the record on the PDS carries the photo as an image
blob with the description as its alt text (the photo re-encoded, nothing else of it)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from advocacy.models import Share
from e2e.tests.support import COMMS, TEAM, login, pds_posts, shot, wait_for

TITLE = "Herbs on the office roof"
ALT = "Four colleagues planting basil and thyme in raised beds on the roof"
COMMENT = "Our rooftop garden is growing, and so is the lunch menu"


def _photo(path) -> None:
    picture = Image.new("RGB", (1600, 1200), (80, 140, 60))
    for x in range(0, 1600, 40):
        picture.paste((200, 180, 90), (x, 0, x + 20, 1200))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    path.write_bytes(buffer.getvalue())


def test_comms_publish_a_photo_and_an_employee_shares_it_to_bluesky(open_page, story, network, accounts, tmp_path):
    if not hasattr(story, "emil_state"):
        pytest.fail("the earlier journeys did not connect the employee's Bluesky profile")
    photo = tmp_path / "rooftop.jpg"
    _photo(photo)

    page = open_page()
    login(page, COMMS)
    page.goto("/content/")
    page.locator(".page-header").get_by_role("link", name="New post").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Context for employees").fill("The rooftop garden has its first harvest.")
    place = page.get_by_role("group", name="Image 1")
    place.get_by_label("Image 1").set_input_files(str(photo))
    place.get_by_label("Description (alt text)").fill(ALT)
    page.get_by_role("group", name="Audience").get_by_label(TEAM).check()
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".page-header .status")).to_have_text("Published")
    expect(page.get_by_role("img", name=ALT)).to_be_visible()
    shot(page, "journeys/11-editor-photo")

    page = open_page(state=story.emil_state)
    page.goto("/")
    page.get_by_role("link", name="My feed").click()
    card = page.get_by_role("article", name=TITLE)
    expect(card.get_by_role("img", name=ALT)).to_be_visible()
    card.get_by_role("link", name="Share", exact=True).click()
    composer = page.locator("#composer")
    composer.get_by_label(f"Bluesky · {accounts.emil.handle}").check()
    composer.get_by_label("Your comment").fill(COMMENT)
    preview = composer.locator("#share-preview")
    # Until a profile is ticked the preview shows every profile; then only the chosen one.
    expect(preview.locator(".counter")).to_have_count(1)
    expect(preview.locator(".preview-text")).to_contain_text(COMMENT)
    shot(page, "journeys/11-composer-photo")
    composer.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_role("heading", name="My shares")).to_be_visible()
    share = wait_for(
        lambda: Share.objects.filter(post__title=TITLE, status="posted").first(),
        timeout=120,
        what="the photo share posted",
    )

    records = {record.uri: record for record in pds_posts(network.pds_url, accounts.emil.did)}
    record = records[share.remote_id]
    assert record.value.text.startswith(COMMENT), record.value.text
    images = record.value.embed.images
    assert len(images) == 1
    assert images[0].alt == ALT
    assert images[0].image.mime_type == "image/jpeg"
    assert 0 < images[0].image.size <= 1_000_000
    # A post without a link goes out without a tracked link.
    assert "/l/" not in record.value.text
