"""What sharing tells the rest of the platform, without knowing who listens.

Analytics listens (analytics/apps.py) to bring new shares and clicks into the figures
soon instead of on beat's next run.
"""

from __future__ import annotations

from django.dispatch import Signal

# A share went out to its network (sent after the update, inside the push's transaction, if any).
share_posted = Signal()
# A person (not a crawler) followed a tracked link; the click is stored already.
link_followed = Signal()
