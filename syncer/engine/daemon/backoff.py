"""Exponential backoff with a cap and jitter, for a daemon target whose Grafana is unreachable or failing.

Who calls it: `syncer.engine.daemon.target.TargetRunner` after a failed reconcile. The jitter keeps many
daemons (or many targets) from retrying in lock-step against a Grafana that just came back.
It must not sleep itself: it only says how long to wait.
"""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    """delay(n) = d/2 + U(0, d/2), d = min(cap, initial * 2**n): "equal jitter", never zero, never > cap."""

    def __init__(
        self,
        *,
        initial_s: float = 1.0,
        max_s: float = 30.0,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._initial_s = initial_s
        self._max_s = max(max_s, initial_s)
        self._rng = rng
        self.attempts = 0

    def next_delay(self, *, at_least: float | None = None) -> float:
        """The wait before the next attempt; `at_least` honours a server's Retry-After."""
        ceiling = min(self._max_s, self._initial_s * 2.0 ** min(self.attempts, 32))
        self.attempts += 1
        delay = ceiling / 2 + self._rng() * ceiling / 2
        if at_least is not None:
            delay = max(delay, min(at_least, self._max_s * 4))
        return delay

    def reset(self) -> None:
        self.attempts = 0
