"""A running `syncer run` under Grafana faults, restarts, a second instance, and a storm of edits.

- Grafana restarted with its state kept (`--state`), and down meanwhile: edits made during the
  outage land once it is back; nothing is lost or duplicated; the daemon never exits.
- A 5xx burst and a "down" period injected while files change: converges afterwards.
- Two daemons on the same directory and server: converge, then no flapping (zero writes over
  several periodic resyncs) and no duplicate.
- Hundreds of file changes per second: reconciles coalesce (far fewer reconciles than changes,
  read from /metrics), the final content wins, and memory stays bounded (no unbounded queue).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.emulator import Emulator

from fault.kit import (
    Unmanaged,
    apply,
    assert_server_has,
    dashboard,
    get_dashboard,
    running_daemon,
    wait_for,
    write_json,
    write_tree,
)

pytestmark = pytest.mark.fault

SAVE = "POST /api/dashboards/db"


def has_content(emulator: Emulator, uid: str, note: str) -> bool:
    found = get_dashboard(emulator, uid)
    return found is not None and found["dashboard"].get("description") == note


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_cli_apply_after_grafana_restart_with_state_writes_nothing(tmp_path: Path) -> None:
    """State kept across a restart includes syncer's ownership markers: the next apply is a no-op."""
    state = tmp_path / "grafana-state.json"
    expected = write_tree(tmp_path / "src", 6)
    first = Emulator.start(state_file=state)
    try:
        assert apply(first, tmp_path / "src").returncode == 0
    finally:
        assert first.stop() == 0
    second = Emulator.start(state_file=state)
    try:
        done = apply(second, tmp_path / "src")
        assert done.returncode == 0, done.stderr
        assert second.writes() == 0, "a restarted Grafana with its state kept needs no write"
        assert_server_has(second, expected)
    finally:
        second.stop()


def test_daemon_rides_out_a_grafana_restart_with_state(tmp_path: Path) -> None:
    state = tmp_path / "grafana-state.json"
    source = tmp_path / "src"
    expected = write_tree(source, 6)
    grafana = Emulator.start(state_file=state)
    port = grafana.url.rsplit(":", 1)[1]
    try:
        with running_daemon(grafana, source, tmp_path / "daemon.log", "--interval", "1") as daemon:
            wait_for(daemon.ready, timeout=60, what="daemon ready")
            hand_made = Unmanaged.seed(grafana)
            assert grafana.stop() == 0  # Grafana goes away, state saved

            edited = dashboard("d-0001", "D dashboard 1", note="edited during the outage")
            write_json(source / "team-1" / "service-1" / "d-0001.json", edited)
            added = dashboard("added-1", "Added during the outage")
            write_json(source / "team-2" / "added-1.json", added)
            wait_for(lambda: not daemon.ready(), timeout=30, what="readiness to drop")
            daemon.wait_for_passes(1, what="a pass that fails while Grafana is away")
            assert daemon.alive(), daemon.output()[-3000:]

            grafana = Emulator.start("--port", port, state_file=state)  # back, same address
            wait_for(lambda: has_content(grafana, "d-0001", "edited during the outage"), 60, "the edit")
            wait_for(lambda: get_dashboard(grafana, "added-1") is not None, 30, "the new file")
            wait_for(daemon.ready, timeout=30, what="readiness to return")
            assert_server_has(grafana, {**expected, "d-0001": edited, "added-1": added})
            hand_made.assert_untouched(grafana)
    finally:
        grafana.stop()


def test_daemon_converges_after_5xx_burst_and_down_period(emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_tree(source, 6)
    hand_made = Unmanaged.seed(emulator)
    with running_daemon(emulator, source, tmp_path / "daemon.log", "--interval", "2") as daemon:
        wait_for(daemon.ready, timeout=60, what="daemon ready")
        emulator.fault(route=SAVE, status=503, count=6)
        expected = write_tree(source, 6, note="v2")
        wait_for(lambda: all(has_content(emulator, u, "v2") for u in expected), 60, "v2 through 5xx")

        emulator.fault(down_for_s=3)
        expected = write_tree(source, 6, note="v3")
        wait_for(lambda: not emulator.faults(), timeout=10, what="the down period to pass")
        wait_for(lambda: all(has_content(emulator, u, "v3") for u in expected), 60, "v3 after the outage")
        assert daemon.alive()
    emulator.clear_faults()
    assert_server_has(emulator, expected)
    hand_made.assert_untouched(emulator)


def test_two_daemons_on_one_tree_converge_without_flapping(emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_tree(source, 8)
    hand_made = Unmanaged.seed(emulator)
    extra = ("--interval", "1")
    with (
        running_daemon(emulator, source, tmp_path / "a.log", *extra) as first,
        running_daemon(emulator, source, tmp_path / "b.log", *extra) as second,
    ):
        wait_for(lambda: first.ready() and second.ready(), timeout=60, what="both ready")
        expected = write_tree(source, 8, note="v2")
        wait_for(lambda: all(has_content(emulator, u, "v2") for u in expected), 60, "both see v2")
        for each in (first, second):  # let in-flight reconciles of both finish
            each.wait_for_passes(1)
        settled = emulator.writes()
        for each in (first, second):  # several periodic resyncs of each daemon
            each.wait_for_passes(3)
        assert emulator.writes() == settled, "two instances keep rewriting each other (flapping)"
        assert first.alive() and second.alive()
    assert_server_has(emulator, expected)
    hand_made.assert_untouched(emulator)


def test_storm_of_file_changes_coalesces(emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "src"
    files = 20
    write_tree(source, files)
    with running_daemon(emulator, source, tmp_path / "daemon.log", "--interval", "3600") as daemon:
        wait_for(daemon.ready, timeout=60, what="daemon ready")
        runs_before = daemon.metric_sum("syncer_reconcile_total")
        saves_before = emulator.requests()["by_route"].get(SAVE, 0)
        rounds = 25
        started = time.monotonic()
        for round_ in range(rounds):
            expected = write_tree(source, files, note=f"round {round_}")
        changes = rounds * files
        rate = changes / (time.monotonic() - started)
        wait_for(
            lambda: all(has_content(emulator, u, f"round {rounds - 1}") for u in expected),
            timeout=60,
            what="the last round on the server",
        )
        time.sleep(1.0)
        runs = daemon.metric_sum("syncer_reconcile_total") - runs_before
        saves = emulator.requests()["by_route"].get(SAVE, 0) - saves_before
        memory = rss_mb(daemon.process.pid)
        assert daemon.alive()
    print(f"{changes} changes at {rate:.0f}/s -> {runs:.0f} reconciles, {saves} saves, rss {memory:.0f} MB")
    assert rate > 100, "the storm was not stormy enough to mean anything"
    assert runs <= changes / 10, "reconciles must coalesce"
    assert saves < changes / 2, "intermediate versions must mostly be skipped"
    assert memory < 300
    assert_server_has(emulator, expected)
