"""Retry decisions for Grafana requests: which failures to retry and how long to wait.

Who calls it: `syncer.adapters.grafana.http.session`. Exponential backoff with full jitter
(delay = random(0, min(cap, base * 2**attempt))), raised to the server's `Retry-After` when given.
It must not sleep itself (the caller owns the interruptible sleep) and does no I/O.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from syncer.model.errors import GrafanaError

MAX_RETRY_AFTER_S = 60.0  # never let a server park us for longer than this per attempt


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 4
    base_s: float = 0.25
    cap_s: float = 8.0
    rand: Callable[[], float] = field(default=random.random)

    def should_retry(self, error: GrafanaError, attempt: int) -> bool:
        """Only what the error's `FailureClass` says may be resent: 429, 5xx and transport errors.
        Conflicts (412/409) go to the executor (re-read, re-plan); permanent 4xx must not be hammered."""
        if attempt >= self.retries:
            return False
        return error.failure_class.resend

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `attempt + 1`; `retry_after` from the response, if any."""
        jittered = self.rand() * min(self.cap_s, self.base_s * (2.0**attempt))
        if retry_after is not None:
            return max(min(float(retry_after), MAX_RETRY_AFTER_S), jittered)
        return jittered
