"""The daemon's backoff state for a target whose Grafana is unreachable or failing (`core.backoff` formula).

Who calls it: `syncer.engine.daemon.target.TargetRunner` after a failed reconcile. The jitter keeps many
daemons (or many targets) from retrying in lock-step against a Grafana that just came back.
It must not sleep itself: it only says how long to wait.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from syncer.core.backoff import backoff_delay


class Backoff:
    """Counts attempts; each delay is `core.backoff.backoff_delay` (equal jitter, never zero or > cap)."""

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
        delay = backoff_delay(
            self.attempts, base_s=self._initial_s, cap_s=self._max_s, rand=self._rng(), retry_after=at_least
        )
        self.attempts += 1
        return delay

    def reset(self) -> None:
        self.attempts = 0
