"""Retry decisions for Grafana requests: which failures to retry and how long to wait.

Who calls it: `syncer.adapters.grafana.http.session`. The wait is `core.backoff.backoff_delay`, the
formula the daemon uses too (equal jitter, raised to the server's `Retry-After`, bounded).
It must not sleep itself (the caller owns the interruptible sleep) and does no I/O.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from syncer.core.backoff import MAX_RETRY_AFTER_S, backoff_delay
from syncer.model.errors import GrafanaError

__all__ = ["MAX_RETRY_AFTER_S", "RetryPolicy"]


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
        return backoff_delay(
            attempt, base_s=self.base_s, cap_s=self.cap_s, rand=self.rand(), retry_after=retry_after
        )
