"""Request counters by route template and method, for tests and benchmarks.

Role: `app/server.py` records every API request (not control requests); `control/routes.py` reports and
resets them. Thread-safe.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RequestCounters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_route: Counter[str] = Counter()
        self._by_method: Counter[str] = Counter()
        self._by_status: Counter[str] = Counter()

    def record(self, method: str, route_key: str) -> None:
        with self._lock:
            self._by_route[route_key] += 1
            self._by_method[method] += 1

    def record_status(self, outcome: str) -> None:
        """`outcome` is the status code as text, or "dropped" for a dropped connection."""
        with self._lock:
            self._by_status[outcome] += 1

    def reset(self) -> None:
        with self._lock:
            self._by_route.clear()
            self._by_method.clear()
            self._by_status.clear()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            reads = sum(n for method, n in self._by_method.items() if method in READ_METHODS)
            total = sum(self._by_method.values())
            return {
                "total": total,
                "reads": reads,
                "writes": total - reads,
                "by_method": dict(sorted(self._by_method.items())),
                "by_route": dict(sorted(self._by_route.items())),
                "by_status": dict(sorted(self._by_status.items())),
            }
