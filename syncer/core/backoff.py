"""The one backoff formula: HTTP request retries (`adapters.grafana.retry`) and the daemon's pause after
a failed pass (`engine.daemon.backoff`) both wait `backoff_delay(...)`, so they cannot disagree.

Pure: the random draw is passed in (callers own their `random`), nothing sleeps here.
"""

from __future__ import annotations

MAX_RETRY_AFTER_S = 60.0  # a server's Retry-After is honoured up to this (or the backoff cap, if longer)


def backoff_delay(
    attempt: int, *, base_s: float, cap_s: float, rand: float, retry_after: float | None = None
) -> float:
    """Seconds to wait after failure number `attempt` (0-based), with `rand` drawn from [0, 1).

    d = min(cap, base * 2**attempt); delay = d/2 + rand * d/2 ("equal jitter": spread out so many
    clients do not retry in lock-step, yet never zero and never above the cap). A `retry_after`
    from the server lengthens the wait, never shortens it, bounded so a hostile value cannot park us.
    """
    ceiling = min(cap_s, base_s * 2.0 ** min(attempt, 32))
    delay = ceiling / 2 + rand * ceiling / 2
    if retry_after is not None:
        delay = max(delay, min(float(retry_after), max(MAX_RETRY_AFTER_S, cap_s)))
    return delay
