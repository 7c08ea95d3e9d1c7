"""The local Bluesky network on its own, for trying a real share with `make run`.

    make bluesky-up          # or: .venv/bin/python -m tests.bluesky.serve [HANDLE]

Starts the PLC directory, a PDS and the AppView (tests/bluesky/start.mjs, on
PostgreSQL at BSKY_DB_URL and Redis), makes an account with an app password, prints
what to type into *My profiles → Connect Bluesky* (handle, app password, and the PDS
address under "Advanced") and keeps the network up until Ctrl-C. The platform must be
allowed to reach loopback: start it with `NETWORKS_ALLOW_PRIVATE_HOSTS=1 make run`.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading

from harness.bluesky import LocalBlueskyNetwork


def main(handle: str = "me") -> None:
    network = LocalBlueskyNetwork().start()
    try:
        account = network.create_account(handle)
        print(
            "The local Bluesky network is up. In Chorus, My profiles → Connect Bluesky:\n"
            f"  Handle        {account.handle}\n"
            f"  App password  {account.password}\n"
            f"  PDS address   {network.pds_url}   (under Advanced)\n"
            "Ctrl-C stops it.",
            flush=True,
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    finally:
        network.stop()


if __name__ == "__main__":
    main(*sys.argv[1:2])
