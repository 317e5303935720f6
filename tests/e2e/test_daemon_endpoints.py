"""The daemon's HTTP endpoints, read from outside the real process: /healthz /readyz /metrics POST /sync."""

from __future__ import annotations

import json
import time
from pathlib import Path

from support.daemon import running_daemon, wait_until
from support.emulator import Emulator

DOCUMENTED_METRICS = {
    "syncer_build_info",
    "syncer_reconcile_total",
    "syncer_reconcile_duration_seconds_bucket",
    "syncer_actions_total",
    "syncer_triggers_total",
    "syncer_grafana_requests_total",
    "syncer_up",
    "syncer_ready",
    "syncer_watcher_up",
    "syncer_last_success_timestamp_seconds",
    "syncer_managed_dashboards",
    "syncer_drifted_dashboards",
    "syncer_source_problems",
}


def write(root: Path, name: str, uid: str, title: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(json.dumps({"uid": uid, "title": title, "panels": []}), encoding="utf-8")


def test_health_readiness_and_metrics_tell_the_truth(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(4):
        write(src / "team", f"d{i}.json", f"d{i}", f"D{i}")
    with running_daemon(emulator, src) as daemon:
        health = daemon.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        wait_until(daemon.ready)

        ready = daemon.get("/readyz").json()
        target = ready["targets"]["default"]
        assert ready["ready"] is True
        assert target["completed_reconcile"] is True and target["grafana_ok"] is True

        response = daemon.get("/metrics")
        assert response.headers["content-type"].startswith("text/plain")
        names = {name for name, _labels, _value in daemon.metrics()}
        missing = DOCUMENTED_METRICS - names
        assert not missing, f"metrics missing from /metrics: {missing}"
        assert daemon.metric("syncer_managed_dashboards", target="default") == 4
        assert daemon.metric("syncer_ready", target="default") == 1
        assert daemon.metric("syncer_up", target="default") == 1
        assert daemon.metric("syncer_reconcile_total", target="default", result="ok") >= 1
        assert daemon.metric("syncer_actions_total", target="default", action="create", result="ok") == 4
        assert abs(daemon.metric("syncer_last_success_timestamp_seconds") - time.time()) < 60
        posts = daemon.metric(
            "syncer_grafana_requests_total",
            target="default",
            method="POST",
            route="/api/dashboards/db",
            status="200",
        )
        assert posts == 4 == emulator.requests()["by_route"]["POST /api/dashboards/db"]
        assert "glsa_" not in response.text

        assert daemon.get("/nope").status_code == 404
        assert daemon.get("/sync").status_code == 405


def test_post_sync_runs_a_full_resync_that_reverts_an_edit_made_in_grafana(
    emulator: Emulator, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    write(src, "d.json", "d", "From git")
    with running_daemon(emulator, src, "--interval", "3600") as daemon:
        wait_until(daemon.ready)
        live = emulator.api("GET", "/api/dashboards/uid/d").json()
        edited = {**live["dashboard"], "title": "Edited in the UI"}
        saved = emulator.api(
            "POST",
            "/api/dashboards/db",
            json={"dashboard": edited, "folderUid": "", "overwrite": True},
            auth="admin",
        )
        assert saved.status_code == 200
        runs = daemon.metric("syncer_reconcile_total")
        accepted = daemon.sync()
        assert accepted.status_code == 202
        assert accepted.json() == {"accepted": ["default"]}
        wait_until(
            lambda: emulator.api("GET", "/api/dashboards/uid/d").json()["dashboard"]["title"] == "From git"
        )
        assert daemon.metric("syncer_reconcile_total") == runs + 1
        assert daemon.metric("syncer_triggers_total", source="http") == 1
        assert daemon.metric("syncer_drift_total", target="default") == 1
        # issue 18: the gauge tells what is left after the pass; the revert left no drift (it used to say 1)
        passes = [r for r in daemon.logs("reconcile") if r.get("drift") == 1]
        assert passes and passes[-1]["result"] == "ok" and passes[-1]["exit_code"] == 0
        assert daemon.metric("syncer_drifted_dashboards", target="default") == 0
        reverted = [r for r in daemon.logs("action") if r["uid"] == "d" and r["action"] == "update"]
        assert reverted and {"target", "uid", "path", "folder", "action", "result"} <= reverted[-1].keys()
        assert daemon.sync(target="unknown").status_code == 404


def test_post_sync_requires_the_token_from_the_token_file(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "d.json", "d", "D")
    token_file = tmp_path / "sync-token"
    token_file.write_text("s3cret-sync-token\n")
    with running_daemon(emulator, src, "--sync-token-file", str(token_file)) as daemon:
        wait_until(daemon.ready)
        missing = daemon.sync()
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"
        assert daemon.sync(token="wrong").status_code == 401
        assert daemon.sync(token="s3cret-sync-token").status_code == 202
        assert daemon.sync(token="s3cret-sync-token", target="default").json() == {"accepted": ["default"]}
        token_file.write_text("rotated-token")  # re-read on every request
        assert daemon.sync(token="s3cret-sync-token").status_code == 401
        assert daemon.sync(token="rotated-token").status_code == 202
        assert "s3cret-sync-token" not in daemon.output
        assert "rotated-token" not in daemon.output


def test_periodic_resync_reverts_ui_edits_and_restores_a_wiped_grafana(
    emulator: Emulator, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    write(src, "d.json", "d", "From git")
    write(src, "e.json", "e", "Also from git")
    with running_daemon(emulator, src, "--interval", "1.5", "--jitter", "0") as daemon:
        wait_until(daemon.ready)
        live = emulator.api("GET", "/api/dashboards/uid/d").json()["dashboard"]
        emulator.api(
            "POST",
            "/api/dashboards/db",
            json={"dashboard": {**live, "title": "Edited in the UI"}, "folderUid": "", "overwrite": True},
            auth="admin",
        )
        # no file event, no POST /sync: only the timer can bring it back
        wait_until(
            lambda: emulator.api("GET", "/api/dashboards/uid/d").json()["dashboard"]["title"] == "From git"
        )
        emulator.reset()  # Grafana comes back empty (restored from an old backup, wiped database...)
        wait_until(lambda: emulator.api("GET", "/api/dashboards/uid/e").status_code == 200)
        assert daemon.metric("syncer_triggers_total", source="timer") >= 2
