"""The one backoff formula (`core.backoff`), and both of its users giving exactly its answers."""

from __future__ import annotations

import pytest

from syncer.adapters.grafana.retry import RetryPolicy
from syncer.core.backoff import MAX_RETRY_AFTER_S, backoff_delay
from syncer.engine.daemon.backoff import Backoff

TABLE = [
    # attempt, base, cap, rand, retry_after, expected
    (0, 1.0, 30.0, 0.0, None, 0.5),  # never zero: d/2 at least
    (0, 1.0, 30.0, 1.0, None, 1.0),
    (3, 1.0, 30.0, 0.5, None, 6.0),  # d = 8: 4 + 0.5 * 4
    (10, 1.0, 30.0, 1.0, None, 30.0),  # capped
    (10, 1.0, 30.0, 0.0, None, 15.0),
    (0, 0.25, 8.0, 0.0, 3.0, 3.0),  # Retry-After lengthens the wait
    (10, 0.25, 8.0, 1.0, 1.0, 8.0),  # ... never shortens it
    (0, 0.25, 8.0, 0.0, 10_000.0, MAX_RETRY_AFTER_S),  # a hostile value is bounded
    (0, 1.0, 300.0, 0.0, 10_000.0, 300.0),  # ... by the backoff cap when that is longer
    (1_000, 1.0, 30.0, 1.0, None, 30.0),  # a huge attempt count does not overflow
]


Row = tuple[int, float, float, float, float | None, float]


@pytest.mark.parametrize("row", TABLE)
def test_formula(row: Row) -> None:
    attempt, base, cap, rand, retry_after, expected = row
    delay = backoff_delay(attempt, base_s=base, cap_s=cap, rand=rand, retry_after=retry_after)
    assert delay == pytest.approx(expected)


@pytest.mark.parametrize("row", TABLE)
def test_request_retries_and_daemon_use_the_same_formula(row: Row) -> None:
    attempt, base, cap, rand, retry_after, expected = row
    policy = RetryPolicy(base_s=base, cap_s=cap, rand=lambda: rand)
    assert policy.delay(attempt, retry_after) == pytest.approx(expected)
    backoff = Backoff(initial_s=base, max_s=cap, rng=lambda: rand)
    backoff.attempts = attempt
    assert backoff.next_delay(at_least=retry_after) == pytest.approx(expected)
