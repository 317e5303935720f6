"""Transient Grafana faults during `syncer apply`: 5xx bursts, 429 with Retry-After, slow responses
past the client timeout, dropped connections, a "down" period.

Each test injects the fault through the emulator's control API, runs the real `syncer apply`
executable, and then checks the server: every dashboard exactly once with the file's content, the
hand-made dashboards untouched, and a further apply writes nothing (converged, not just "exit 0").
When a fault outlasts syncer's retries, the run may fail, but a rerun once the fault is gone must
converge with no duplicate and no loss.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.emulator import Emulator

from fault.kit import Tree, Unmanaged, apply, assert_server_has, write_tree

pytestmark = pytest.mark.fault

SAVE = "POST /api/dashboards/db"


def converge_and_check(emulator: Emulator, source: Path, expected: Tree, hand_made: Unmanaged) -> None:
    """The server holds `expected`, nothing else was touched, and another apply writes nothing."""
    emulator.clear_faults()  # rules the run did not consume must not hit the checks
    assert_server_has(emulator, expected)
    hand_made.assert_untouched(emulator)
    before = emulator.writes()
    again = apply(emulator, source)
    assert again.returncode == 0, again.stderr
    assert emulator.writes() == before, "a converged tree must cost zero writes"


@pytest.mark.parametrize("status", [500, 503])
def test_burst_of_server_errors_on_saves_is_retried(emulator: Emulator, tmp_path: Path, status: int) -> None:
    hand_made = Unmanaged.seed(emulator)
    expected = write_tree(tmp_path / "src", 6)
    emulator.fault(route=SAVE, status=status, count=3)

    done = apply(emulator, tmp_path / "src")

    assert done.returncode == 0, done.stderr
    saves = emulator.requests()["by_route"].get(SAVE, 0)
    assert saves >= 6 + 3, "the three failed saves must have been retried"
    converge_and_check(emulator, tmp_path / "src", expected, hand_made)


def test_server_errors_on_reads_are_retried(emulator: Emulator, tmp_path: Path) -> None:
    hand_made = Unmanaged.seed(emulator)
    expected = write_tree(tmp_path / "src", 4)
    emulator.fault(route="GET /api/search", status=503, count=2)
    emulator.fault(route="GET /api/folders", status=502, count=1)

    done = apply(emulator, tmp_path / "src")

    assert done.returncode == 0, done.stderr
    converge_and_check(emulator, tmp_path / "src", expected, hand_made)


def test_429_with_retry_after_is_honoured(emulator: Emulator, tmp_path: Path) -> None:
    hand_made = Unmanaged.seed(emulator)
    expected = write_tree(tmp_path / "src", 4)
    emulator.fault(route=SAVE, status=429, count=2, retry_after=1)

    done = apply(emulator, tmp_path / "src")

    assert done.returncode == 0, done.stderr
    converge_and_check(emulator, tmp_path / "src", expected, hand_made)


def test_slow_responses_past_the_client_timeout(emulator: Emulator, tmp_path: Path) -> None:
    """Two saves take longer than the client timeout; the client gives up on them and retries.
    A save that completed server-side after the client gave up must not lead to a duplicate."""
    hand_made = Unmanaged.seed(emulator)
    expected = write_tree(tmp_path / "src", 4)
    emulator.fault(route=SAVE, latency_ms=2500, count=2)

    done = apply(emulator, tmp_path / "src", "--timeout", "1")

    if done.returncode != 0:  # the retries may run out; a rerun must then converge
        emulator.clear_faults()
        done = apply(emulator, tmp_path / "src", "--timeout", "1")
    assert done.returncode == 0, done.stderr
    converge_and_check(emulator, tmp_path / "src", expected, hand_made)


def test_dropped_connections_are_retried(emulator: Emulator, tmp_path: Path) -> None:
    hand_made = Unmanaged.seed(emulator)
    expected = write_tree(tmp_path / "src", 6)
    emulator.fault(route=SAVE, drop=True, count=2)
    emulator.fault(route="GET /api/dashboards/uid/:uid", drop=True, count=1)

    done = apply(emulator, tmp_path / "src")

    if done.returncode != 0:  # a dropped POST is ambiguous; syncer may report it, then converge on rerun
        emulator.clear_faults()
        done = apply(emulator, tmp_path / "src")
    assert done.returncode == 0, done.stderr
    converge_and_check(emulator, tmp_path / "src", expected, hand_made)


def test_server_down_for_a_while(emulator: Emulator, tmp_path: Path) -> None:
    """Grafana refuses every request for 3 s while an apply starts; syncer fails clearly or waits,
    never half-applies in a way a rerun cannot fix."""
    hand_made = Unmanaged.seed(emulator)
    expected = write_tree(tmp_path / "src", 5)
    emulator.fault(down_for_s=3)

    first = apply(emulator, tmp_path / "src")

    if first.returncode != 0:
        assert "Traceback" not in first.stderr, first.stderr
        emulator.clear_faults()
        second = apply(emulator, tmp_path / "src")
        assert second.returncode == 0, second.stderr
    converge_and_check(emulator, tmp_path / "src", expected, hand_made)


def test_faults_while_editing_an_applied_tree(emulator: Emulator, tmp_path: Path) -> None:
    """Updates (not only creates) under 5xx: each edited dashboard ends with exactly the new content."""
    hand_made = Unmanaged.seed(emulator)
    first = write_tree(tmp_path / "src", 6)
    assert apply(emulator, tmp_path / "src").returncode == 0
    edited = write_tree(tmp_path / "src", 6, note="v2")
    assert edited.keys() == first.keys()
    emulator.fault(route=SAVE, status=503, count=4)

    done = apply(emulator, tmp_path / "src")

    assert done.returncode == 0, done.stderr
    converge_and_check(emulator, tmp_path / "src", edited, hand_made)
