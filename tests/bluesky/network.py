"""The local Bluesky network lives in the process harness (harness/bluesky.py); the
tests import it from here as before."""

from harness.bluesky import (
    HANDLE_DOMAIN,
    Account,
    BlueskyNetworkError,
    LocalBlueskyNetwork,
    new_tid,
    unique_handle,
)

__all__ = ["HANDLE_DOMAIN", "Account", "BlueskyNetworkError", "LocalBlueskyNetwork", "new_tid", "unique_handle"]
