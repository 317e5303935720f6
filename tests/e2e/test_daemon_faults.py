"""The daemon under trouble: Grafana down at start and later, token rotation, a dead second target,
and SIGTERM in the middle of a reconcile. All through the emulator's fault injection and real signals."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import httpx
import yaml
from support.daemon import DaemonProcess, running_daemon, wait_until
from support.emulator import Emulator
from support.inprocess import InProcessEmulator


def write(root: Path, name: str, uid: str, title: str, panels: int = 1) -> None:
    root.mkdir(parents=True, exist_ok=True)
    body = {"uid": uid, "title": title, "panels": [{"id": i + 1, "type": "text"} for i in range(panels)]}
    (root / name).write_text(json.dumps(body), encoding="utf-8")


def title(emulator: Emulator, uid: str) -> str | None:
    try:
        response = emulator.api("GET", f"/api/dashboards/uid/{uid}")
    except httpx.TransportError:  # the emulator is "down" for us too during an outage
        return None
    return response.json()["dashboard"]["title"] if response.status_code == 200 else None


def test_grafana_down_at_start_reports_not_ready_then_recovers(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "d.json", "d", "D")
    emulator.fault(down_for_s=4)
    started = time.monotonic()
    with running_daemon(emulator, src) as daemon:
        not_ready = daemon.get("/readyz")
        assert not_ready.status_code == 503
        body = not_ready.json()
        assert body["ready"] is False and body["targets"]["default"]["completed_reconcile"] is False
        assert daemon.get("/healthz").status_code == 200  # alive, just not ready: no restart wanted
        assert daemon.metric("syncer_up", target="default") == 0
        wait_until(daemon.ready, timeout=40)
        print(f"outage at start: ready {time.monotonic() - started:.1f} s after start (Grafana down 4 s)")
        assert time.monotonic() - started > 3, "it cannot have been ready while Grafana was down"
        assert title(emulator, "d") == "D"
        assert daemon.metric("syncer_up", target="default") == 1
        assert daemon.process.poll() is None


def test_outage_while_running_backs_off_and_applies_the_change_afterwards(
    emulator: Emulator, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    write(src, "d.json", "d", "D1")
    with running_daemon(emulator, src, "--probe-interval", "0.5") as daemon:
        wait_until(daemon.ready)
        # longer than the HTTP layer's own retries (at most ~4 s), so the probe does see the outage
        emulator.fault(down_for_s=8)
        outage = time.monotonic()
        # nothing changed and no resync is due: the idle probe alone must notice
        wait_until(lambda: not daemon.ready(), timeout=15)
        print(f"outage while running: not ready {time.monotonic() - outage:.1f} s after Grafana went down")
        write(src, "d.json", "d", "D2")
        wait_until(lambda: title(emulator, "d") == "D2", timeout=30)
        print(f"outage while running: applied {time.monotonic() - outage:.1f} s after the 8 s outage began")
        wait_until(daemon.ready)
        assert daemon.metric("syncer_reconcile_total", result="error") >= 1
        assert daemon.metric("syncer_triggers_total", source="retry") >= 1


def test_rotated_token_in_the_token_file_is_used_without_a_restart(
    emulator: Emulator, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    write(src, "d.json", "d", "D")
    token_file = tmp_path / "token"
    token_file.write_text("glsa_revoked_token_value\n")
    with running_daemon(emulator, src, token_file=token_file) as daemon:
        wait_until(lambda: "401" in daemon.get("/readyz").json()["targets"]["default"]["reason"])
        assert not daemon.ready()
        token_file.write_text(emulator.token + "\n")  # the secret is rotated under the running process
        wait_until(daemon.ready, timeout=15)
        assert title(emulator, "d") == "D"
        assert daemon.metric("syncer_triggers_total", source="credentials") >= 1
        assert "glsa_revoked_token_value" not in daemon.output
        assert emulator.token not in daemon.output


def test_token_rotation_between_two_valid_tokens_takes_effect_on_the_next_request(tmp_path: Path) -> None:
    second = "glsa_rotated_second_token"
    emulator = InProcessEmulator.start("--token", f"second={second}")  # two admin tokens: ci and second
    try:
        src = tmp_path / "src"
        write(src, "d.json", "d", "v1")
        token_file = tmp_path / "token"
        token_file.write_text(emulator.token)
        with running_daemon(emulator, src, token_file=token_file) as daemon:
            wait_until(daemon.ready)
            meta = emulator.api("GET", "/api/dashboards/uid/d").json()["meta"]
            assert meta["updatedBy"] == "sa-ci"
            token_file.write_text(second)  # rotated in place, no restart, no signal
            write(src, "d.json", "d", "v2")
            wait_until(lambda: title(emulator, "d") == "v2")
            meta = emulator.api("GET", "/api/dashboards/uid/d").json()["meta"]
            assert meta["updatedBy"] == "sa-second"
            assert second not in daemon.output and emulator.token not in daemon.output
    finally:
        emulator.stop()


def test_one_dead_target_never_stalls_another(emulator: Emulator, tmp_path: Path) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    write(good, "g.json", "g", "Good")
    write(bad, "b.json", "b", "Bad")
    config = tmp_path / "syncer.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "targets": [
                    {
                        "name": "good",
                        "grafana": {"url": emulator.url, "token": emulator.token, "api": "legacy"},
                        "sync": {"dir": str(good)},
                    },
                    {
                        "name": "bad",
                        "grafana": {
                            "url": "http://127.0.0.1:9",
                            "token": "x" * 10,
                            "api": "legacy",
                            "retries": 0,
                        },
                        "sync": {"dir": str(bad)},
                    },
                ]
            }
        )
    )
    with running_daemon(None, None, "--config", str(config)) as daemon:
        wait_until(lambda: title(emulator, "g") == "Good")
        write(good, "g.json", "g", "Good v2")
        wait_until(lambda: title(emulator, "g") == "Good v2")
        readiness = daemon.get("/readyz")
        assert readiness.status_code == 503
        targets = readiness.json()["targets"]
        assert targets["good"]["ready"] is True
        assert targets["bad"]["ready"] is False and "grafana" in targets["bad"]["reason"]
        assert daemon.metric("syncer_ready", target="good") == 1
        assert daemon.metric("syncer_ready", target="bad") == 0
        assert title(emulator, "b") is None


def test_sigterm_mid_reconcile_exits_zero_and_leaves_no_half_written_dashboard(
    emulator: Emulator, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    count = 40
    for i in range(count):
        write(src, f"d{i}.json", f"d{i}", f"Dashboard {i}", panels=5)
    emulator.fault(route="POST /api/dashboards/db", latency_ms=150)
    daemon = DaemonProcess.start(emulator, src, "--concurrency", "2")
    try:
        wait_until(lambda: emulator.requests()["by_route"].get("POST /api/dashboards/db", 0) >= 4)
        stopping = time.monotonic()
        daemon.process.send_signal(signal.SIGTERM)
        code = daemon.process.wait(timeout=30)
        print(f"SIGTERM mid-reconcile: exited {code} after {time.monotonic() - stopping:.2f} s")
    finally:
        if daemon.process.poll() is None:
            daemon.process.kill()
    assert code == 0
    assert "shutting down" in daemon.output
    emulator.clear_faults()
    saved = {hit["uid"] for hit in emulator.api("GET", "/api/search", params={"type": "dash-db"}).json()}
    assert 0 < len(saved) < count, "writes queued behind the concurrency limit must not start after SIGTERM"
    for uid in saved:  # every dashboard that exists is complete: a save is all or nothing
        dashboard = emulator.api("GET", f"/api/dashboards/uid/{uid}").json()["dashboard"]
        assert dashboard["title"] == f"Dashboard {int(uid[1:])}"
        assert len(dashboard["panels"]) == 5
