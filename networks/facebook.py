"""Facebook: share dialog only.

Meta removed `publish_actions` in 2018: no app may post to a personal profile,
and the share dialog may not be pre-filled with text. An employee shares the
tracked link through the dialog; such shares are measured by clicks only and
reported as unverified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from networks.base import (
    Adapter,
    Audience,
    ConnectKind,
    Credentials,
    PostMetrics,
    PublishResult,
    Unsupported,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from networks.media import MediaImage

SHARER_URL = "https://www.facebook.com/sharer/sharer.php"


HOME_URL = "https://www.facebook.com/"


def share_dialog_url(link: str | None) -> str:
    """The sharer URL for `link` (the tracked link); nothing else may be passed.

    Without a link the dialog has nothing to share: the sharer writes the post on
    Facebook itself, pasting the text they copied.
    """
    if not link:
        return HOME_URL
    return f"{SHARER_URL}?{urlencode({'u': link})}"


class FacebookAdapter(Adapter):
    name = "facebook"
    label = "Facebook"
    metrics_batch_size = 0
    can_publish = False
    measured = False
    connect_kind = ConnectKind.SHARE_DIALOG
    reports_followers = False

    share_dialog_url = staticmethod(share_dialog_url)

    def publish(
        self,
        *,
        text: str,
        link: str | None,
        images: Sequence[MediaImage] = (),
        idempotency_key: str,
        link_title: str = "",
        link_description: str = "",
    ) -> PublishResult:
        raise Unsupported(
            "Facebook allows no app to post to a personal profile (Meta removed "
            "publish_actions in 2018); share through the share dialog instead"
        )

    def fetch_metrics(self, remote_ids: list[str]) -> list[PostMetrics]:
        raise Unsupported("Facebook shares are measured by link clicks only")

    def fetch_audience(self) -> Audience:
        raise Unsupported("Facebook gives no follower count for personal profiles")

    def refresh(self) -> Credentials:
        # Nothing is held for Facebook: sharing needs no token.
        return self.credentials
