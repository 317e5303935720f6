"""`syncer apply` killed with SIGKILL mid-apply, and two instances on the same tree at once.

A killed run leaves whatever single POSTs had completed; the next run must finish the job with no
duplicate. Two concurrent runs race on the same dashboards; optimistic versions mean each write is
either applied or refused with a conflict that is re-read and re-planned, never a lost update; the
end state is the files' content, and the runs settle (a third run writes nothing: no flapping).
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest
from support.emulator import Emulator

from fault.kit import (
    SYNCER,
    Unmanaged,
    apply,
    assert_no_duplicates,
    assert_server_has,
    connection,
    get_dashboard,
    strip_server_owned,
    wait_for,
    write_tree,
)

pytestmark = pytest.mark.fault

SAVE = "POST /api/dashboards/db"


def saves(emulator: Emulator) -> int:
    return int(emulator.requests()["by_route"].get(SAVE, 0))


def test_sigkill_mid_apply_then_rerun_converges(emulator: Emulator, tmp_path: Path) -> None:
    hand_made = Unmanaged.seed(emulator)
    expected = write_tree(tmp_path / "src", 24)
    emulator.fault(route=SAVE, latency_ms=150)  # slow saves so the kill lands mid-apply
    process = subprocess.Popen(
        [*SYNCER, "apply", str(tmp_path / "src"), *connection(emulator), "--concurrency", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: saves(emulator) >= 4, timeout=60, what="some saves to start")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    written_before_kill = saves(emulator)
    assert written_before_kill < 24, "the kill must land before the apply finished"
    emulator.clear_faults()

    rerun = apply(emulator, tmp_path / "src")

    assert rerun.returncode == 0, rerun.stderr
    assert_server_has(emulator, expected)
    hand_made.assert_untouched(emulator)
    before = emulator.writes()
    assert apply(emulator, tmp_path / "src").returncode == 0
    assert emulator.writes() == before


def test_sigkill_mid_update_then_rerun_converges(emulator: Emulator, tmp_path: Path) -> None:
    """Killed while updating an applied tree (a mix of old and new content on the server)."""
    write_tree(tmp_path / "src", 16)
    assert apply(emulator, tmp_path / "src").returncode == 0
    expected = write_tree(tmp_path / "src", 16, note="v2")
    emulator.fault(route=SAVE, latency_ms=200)
    process = subprocess.Popen(
        [*SYNCER, "apply", str(tmp_path / "src"), *connection(emulator), "--concurrency", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    start = saves(emulator)
    try:
        wait_for(lambda: saves(emulator) >= start + 3, timeout=60, what="some updates")
    finally:
        process.kill()
        process.wait(timeout=10)
    emulator.clear_faults()

    rerun = apply(emulator, tmp_path / "src")

    assert rerun.returncode == 0, rerun.stderr
    assert_server_has(emulator, expected)


def test_two_applies_at_once_converge_without_duplicates(emulator: Emulator, tmp_path: Path) -> None:
    hand_made = Unmanaged.seed(emulator)
    expected = write_tree(tmp_path / "src", 20)
    emulator.fault(route=SAVE, latency_ms=30)  # widen the race window
    argv = [*SYNCER, "apply", str(tmp_path / "src"), *connection(emulator)]
    first = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, err1 = first.communicate(timeout=120)
    _, err2 = second.communicate(timeout=120)
    emulator.clear_faults()

    # Both runs must end cleanly: creating a dashboard the other run just created is a conflict
    # on identical content, which is convergence, not an error.
    assert first.returncode in (0, 3), err1
    assert second.returncode in (0, 3), err2
    assert_server_has(emulator, expected)
    hand_made.assert_untouched(emulator)
    assert saves(emulator) <= 2 * len(expected) + 10, "racing runs must not keep rewriting each other"
    before = emulator.writes()
    third = apply(emulator, tmp_path / "src")
    assert third.returncode == 0, third.stderr
    assert emulator.writes() == before, "after the race the tree is in sync"


def test_two_applies_of_different_content_end_with_one_of_them(emulator: Emulator, tmp_path: Path) -> None:
    """Two checkouts of the same repo at different commits race: every dashboard ends with the
    content of one of the two, never a mix inside a dashboard, and still once per uid."""
    old = write_tree(tmp_path / "a", 10, note="old")
    new = write_tree(tmp_path / "b", 10, note="new")
    p1 = subprocess.Popen(
        [*SYNCER, "apply", str(tmp_path / "a"), *connection(emulator)], stderr=subprocess.PIPE
    )
    time.sleep(0.05)
    p2 = subprocess.Popen(
        [*SYNCER, "apply", str(tmp_path / "b"), *connection(emulator)], stderr=subprocess.PIPE
    )
    p1.communicate(timeout=120)
    p2.communicate(timeout=120)

    hits = assert_no_duplicates(emulator)
    assert {h["uid"] for h in hits} >= set(old)
    for uid in old:
        found = get_dashboard(emulator, uid)
        assert found is not None
        content = strip_server_owned(found["dashboard"])
        assert content in (strip_server_owned(old[uid]), strip_server_owned(new[uid]))
