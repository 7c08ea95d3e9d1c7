"""A small in-process cache bounded by entries and by bytes.

For values a process keeps for itself under keys that never go stale (a digest of
the content, or a version that changes with it): the least recently used entries
go first once either bound is reached, so no entry, however large, can make the
process grow without limit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class BoundedCache:
    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._data: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return default
            self._data.move_to_end(key)
            return entry[0]

    def set(self, key: Any, value: Any, *, size: int) -> None:
        """Keep ``value`` (about ``size`` bytes); a value larger than the bound is not kept."""
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            if size > self.max_bytes:
                return
            self._data[key] = (value, size)
            self.bytes += size
            while len(self._data) > self.max_entries or self.bytes > self.max_bytes:
                _key, (_value, dropped) = self._data.popitem(last=False)
                self.bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0
