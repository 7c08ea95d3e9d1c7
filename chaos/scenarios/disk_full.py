"""disk-full: the media folder on a small filesystem of its own (an 8 MB tmpfs, mounted
as MEDIA_ROOT for gunicorn, the worker and this process), filled to the last byte
while communications staff save posts with images through the editor, employees share
posts whose images were stored before to the local Bluesky network, and a signed-in
manager keeps loading pages; then the room is given back.

Proves: a full media disk costs no server error: saving a post with an image answers
the form again (400) saying the media store is full and that nothing was saved, never
a 500 or a redirect; pages keep loading; `/healthz` stays up while `/health/` reports
the file storage failing; shares whose images were stored before keep
going out (reading needs no room) and are posted once each; once space is freed the
very same form saves, with nothing restarted.
"""

from __future__ import annotations

import httpx
from django.core.files.storage import default_storage
from django.urls import reverse

from chaos.bluesky import Bluesky, count_on_network
from chaos.pages import PLAIN_HTTP, PagePoller, signed_in, viewer_prepare
from chaos.platform import organization_create, share_create, shares_settle, status_counts
from chaos.processes import MediaVolume, log_dir, start_gunicorn, start_worker
from chaos.result import Result
from content.models import Post, PostImage
from tests import images

NAME = "disk-full"
ACCOUNTS = 3
POSTS_BEFORE = 3
SAVES_WHILE_FULL = 4
# What the editor says, in English (the editor's language here), when the store has no room.
FULL_MESSAGE = "the media store is full, so nothing was saved"


def run(prepared: dict) -> Result:
    result = Result(NAME, logs=str(log_dir(NAME)))
    volume: MediaVolume = prepared["media"]
    if not volume.mounted:
        result.skipped = f"no filesystem of its own for the media folder: {volume.problem}"
        return result
    bluesky = Bluesky(NAME).start()
    worker = web = None
    try:
        organization, members = organization_create("Chaos disk full", people=1 + ACCOUNTS)
        editor = viewer_prepare(members[0], comms=True)
        sharers = members[1:]
        connected = [bluesky.connect(member, "df") for member in sharers]
        web, base = start_gunicorn(NAME, workers=2, env=PLAIN_HTTP)
        worker = start_worker(NAME, "1", concurrency=2)
        client = signed_in(base, editor.user.email)

        before = [_save(client, base, f"Before the disk filled {n}", action="publish") for n in range(POSTS_BEFORE)]
        result.check(all(code == 302 for code, _page in before), f"saves before the fault: {[c for c, _ in before]}")
        posts = list(Post.objects.filter(organization=organization, title__startswith="Before").order_by("id"))
        result.check(
            len(posts) == POSTS_BEFORE and all(post.images.count() == 1 for post in posts),
            "the posts saved before the fault do not each have their image",
        )

        with PagePoller(
            base, editor.user.email, urls=("analytics:dashboard", "advocacy:feed", "content:library"), pause=0.2
        ) as poller:
            filled = volume.fill()
            room = volume.available()
            share_ids, number = [], 0
            for post in posts:
                for member, (_account, profile) in zip(sharers, connected, strict=True):
                    number += 1
                    share_ids.append(
                        share_create(member=member, post=post, profile=profile, tag=NAME, number=number).id
                    )
            titles = [f"While the disk was full {n}" for n in range(SAVES_WHILE_FULL)]
            refused = [_save(client, base, title) for title in titles]
            # Liveness must not fail over a full disk (an orchestrator would restart the
            # containers for nothing); the full check must, so that a monitor learns of it.
            alive = client.get("/healthz").status_code
            health = client.get("/health/", params={"format": "json"})
            storage_reported = health.status_code == 503 and _failing(health, "Storage")
            saved_while_full = Post.objects.filter(organization=organization, title__in=titles).count()
            result.figures |= shares_settle(share_ids, timeout=300)
            room_after_shares = volume.available()

            volume.free()
            again = [_save(client, base, title) for title in titles]
            errors = poller.errors()
            pages = poller.pages
        client.close()

        counts = count_on_network(bluesky, [account for account, _profile in connected], share_ids, NAME)
        result.shares = len(share_ids)
        result.posted, result.duplicates, result.lost = counts["posted"], counts["duplicates"], counts["lost"]
        stored = [
            image
            for image in PostImage.objects.filter(post__organization=organization, post__title__in=titles)
            if default_storage.exists(image.image.name) and default_storage.size(image.image.name) > 0
        ]
        refused_clearly = sum(1 for code, page in refused if code == 400 and FULL_MESSAGE in page)
        result.figures |= {
            "filled": f"{filled // 1024}KiB",
            "saves_refused": refused_clearly,
            "saves_after": sum(1 for code, _page in again if code == 302),
            "healthz_when_full": alive,
            "health_when_full": health.status_code,
            "pages": pages,
            "server_errors": errors + sum(1 for code, _page in refused + again if code >= 500),
        }
        result.check(room == 0 and room_after_shares == 0, f"the disk was not full ({room}, {room_after_shares} left)")
        result.check(
            refused_clearly == SAVES_WHILE_FULL,
            f"saves while full answered {[code for code, _page in refused]}, "
            f"{refused_clearly} of {SAVES_WHILE_FULL} with the message",
        )
        result.check(saved_while_full == 0, f"{saved_while_full} posts saved without their images while full")
        result.check(
            [code for code, _page in again] == [302] * SAVES_WHILE_FULL and len(stored) == SAVES_WHILE_FULL,
            f"saves once space was freed answered {[code for code, _page in again]}, {len(stored)} images stored",
        )
        result.check(result.figures["server_errors"] == 0, f"{result.figures['server_errors']} answers were 5xx")
        result.check(pages > 0, "no page was loaded during the fault")
        result.check(alive == 200, f"/healthz answered {alive} while the disk was full")
        result.check(storage_reported, f"/health/ did not report the storage while full: {health.text[:300]}")
        statuses = status_counts(share_ids)
        result.check(statuses == {"posted": len(share_ids)}, f"share statuses {statuses}")
        result.check(result.posted == result.shares, f"{result.shares - result.posted} shares not posted once")
        result.check(result.duplicates == 0, f"{result.duplicates} duplicate records on the PDS")
        result.check(result.lost == 0, f"{result.lost} shares missing on the PDS")
    finally:
        if worker is not None:
            worker.stop()
        if web is not None:
            web.stop()
        bluesky.stop()
        volume.free()
    return result


def _failing(health: httpx.Response, check: str) -> bool:
    """Whether /health/'s JSON (`{check: "OK" or the error}`) names `check` as failing."""
    try:
        report = health.json()
    except ValueError:
        return False
    return any(check in name and value != "OK" for name, value in report.items())


def _save(client: httpx.Client, base: str, title: str, *, action: str = "save") -> tuple[int, str]:
    """The editor's form with one image, sent as the browser sends it: (status, page)."""
    url = reverse("content:post_create")
    client.get(url)
    data = {
        "csrfmiddlewaretoken": client.cookies.get("csrftoken", ""),
        "title": title,
        "body": "Pictures from the day.",
        "link_url": "",
        "internal_notes": "",
        "captions-TOTAL_FORMS": "0",
        "captions-INITIAL_FORMS": "0",
        "captions-MIN_NUM_FORMS": "0",
        "captions-MAX_NUM_FORMS": "10",
        "action": action,
        "image_places": "1",
        "alt_1": "The team on the roof",
    }
    files = {"image_1": ("roof.png", images.png(size=(320, 240), colour="teal"), "image/png")}
    answer = client.post(url, data=data, files=files, headers={"Referer": base + url})
    return answer.status_code, answer.text
