"""Create, nested folders, idempotency, one edit -> one write, moves, version messages.

Real files, the real engine, real HTTP to the emulator; server state is checked through the API.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from support.emulator import Emulator

from integration.engine_helpers import dashboard, live_dashboard, run, settings_for, write
from syncer.app import open_target
from syncer.engine.reconcile import reconcile_once
from syncer.model.plan import ActionKind
from syncer.model.results import Outcome, RunReport


def test_creates_nested_folders_parent_first_and_places_dashboards(
    emulator: Emulator, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    write(src, "platform/_folder.json", {"uid": "platform", "title": "Platform"})
    write(src, "platform/k8s/nodes/disks/disk-io.json", dashboard("Disk IO", "disk-io"))
    write(src, "platform/k8s/cluster.json", dashboard("Cluster", "cluster"))
    write(src, "overview.json", dashboard("Overview", "overview"))

    report = run(emulator, src)

    assert not report.failures and report.fatal is None
    folders = {f["uid"]: f for f in emulator.api("GET", "/api/folders").json()}
    assert folders["platform"]["title"] == "Platform"
    disk = live_dashboard(emulator, "disk-io")
    chain = []
    folder_uid = disk["meta"]["folderUid"]
    while folder_uid:
        folder = emulator.api("GET", f"/api/folders/{folder_uid}").json()
        chain.append(folder["title"])
        folder_uid = folder.get("parentUid", "")
    assert chain == ["disks", "nodes", "k8s", "Platform"]
    assert live_dashboard(emulator, "overview")["meta"]["folderUid"] == ""
    cluster = live_dashboard(emulator, "cluster")
    assert cluster["meta"]["folderTitle"] == "k8s"


def test_second_apply_makes_zero_writes_despite_grafana_rewrites(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    # id, version, untrimmed title, a refresh below the server minimum, float-looking ints, odd key order
    body = {"version": 12, "id": 99, **dashboard("  Spaced title  ", "rewrites", refresh="1s")}
    body["panels"][0]["gridPos"] = {"y": 0.0, "x": 0, "w": 12.0, "h": 8}
    write(src, "team/rewrites.json", body)
    write(src, "team/plain.json", dashboard("Plain", "plain"))

    first = run(emulator, src)
    assert not first.failures
    emulator.reset(counters_only=True)

    second = run(emulator, src)

    assert emulator.writes() == 0
    assert second.plan.in_sync
    assert all(a.kind is ActionKind.NOOP for a in second.plan.dashboard_actions)
    stored = live_dashboard(emulator, "rewrites")["dashboard"]
    assert stored["title"] == "Spaced title"
    assert stored["refresh"] == "5s"


def test_one_edited_file_is_exactly_one_write(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(6):
        write(src, f"f{i % 2}/d{i}.json", dashboard(f"Dash {i}", f"d{i}"))
    run(emulator, src)
    write(src, "f1/d3.json", dashboard("Dash 3", "d3", description="now with a description"))
    emulator.reset(counters_only=True)

    report = run(emulator, src)

    assert emulator.writes() == 1
    assert [(r.kind, r.uid, r.outcome) for r in report.results] == [(ActionKind.UPDATE, "d3", Outcome.OK)]
    assert live_dashboard(emulator, "d3")["dashboard"]["description"] == "now with a description"


def test_moving_a_file_moves_the_dashboard_without_duplicate(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "old/movable.json", dashboard("Movable", "movable"))
    write(src, "new/other.json", dashboard("Other", "other"))
    run(emulator, src)
    old_folder = live_dashboard(emulator, "movable")["meta"]["folderUid"]
    (src / "old" / "movable.json").rename(src / "new" / "movable.json")
    emulator.reset(counters_only=True)

    report = run(emulator, src)

    moved = live_dashboard(emulator, "movable")
    assert moved["meta"]["folderUid"] != old_folder
    assert moved["meta"]["folderUid"] == live_dashboard(emulator, "other")["meta"]["folderUid"]
    assert [r.kind for r in report.results] == [ActionKind.MOVE]
    hits = emulator.api("GET", "/api/search", params={"query": "Movable", "type": "dash-db"}).json()
    assert len(hits) == 1


def test_version_message_names_path_and_commit(emulator: Emulator, tmp_path: Path) -> None:
    import subprocess

    src = tmp_path / "repo"
    write(src, "dash/msg.json", dashboard("Message", "msg"))
    git = ["git", "-C", str(src), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "init"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()

    run(emulator, src)  # Grafana lists a first version as "Initial save", so check an update
    write(src, "dash/msg.json", dashboard("Message", "msg", description="changed"))
    subprocess.run([*git, "commit", "-q", "-am", "change"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    run(emulator, src)

    versions = emulator.api("GET", "/api/dashboards/uid/msg/versions").json()
    entries = versions["versions"] if isinstance(versions, dict) else versions
    messages = [v.get("message", "") for v in entries]
    assert any(m.startswith("syncer: dash/msg.json @ " + head[:12]) for m in messages), messages
    marker = live_dashboard(emulator, "msg")["dashboard"]["__syncer"]
    assert marker["managedBy"] == "syncer" and marker["sourcePath"] == "dash/msg.json"
    assert marker["commit"] == head


def test_inputs_resolved_from_server_datasources(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    exported = dashboard("Exported", "exported")
    exported["__inputs"] = [
        {"name": "DS_PROM", "label": "Prometheus", "type": "datasource", "pluginId": "prometheus"}
    ]
    exported["panels"][0]["datasource"] = {"type": "prometheus", "uid": "${DS_PROM}"}
    write(src, "exported.json", exported)

    report = run(emulator, src)

    assert not report.failures and not report.source_errors
    stored = live_dashboard(emulator, "exported")["dashboard"]
    assert stored["panels"][0]["datasource"]["uid"] == "prometheus"
    assert "__inputs" not in stored
    emulator.reset(counters_only=True)
    run(emulator, src)
    assert emulator.writes() == 0


def test_broken_file_is_reported_and_others_still_apply(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "good.json", dashboard("Good", "good"))
    write(src, "bad.json", '{"title": "Bad", "panels": [,]}')

    report = run(emulator, src)

    assert any("bad.json:1:" in e for e in report.source_errors)
    assert live_dashboard(emulator, "good")["dashboard"]["title"] == "Good"


def test_org_id_selects_the_organisation(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "team/org2.json", dashboard("Org two", "org2-dash"))
    settings = settings_for(emulator, src)
    settings = settings.model_copy(update={"grafana": settings.grafana.model_copy(update={"org_id": 2})})

    async def go() -> RunReport:
        async with open_target(settings) as target:
            return await reconcile_once(target)

    report = asyncio.run(go())

    assert not report.failures
    in_org2 = emulator.api("GET", "/api/dashboards/uid/org2-dash", headers={"X-Grafana-Org-Id": "2"})
    assert in_org2.status_code == 200
    assert emulator.api("GET", "/api/dashboards/uid/org2-dash").status_code == 404  # org 1 untouched
