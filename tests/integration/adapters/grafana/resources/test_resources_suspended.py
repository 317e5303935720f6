"""`grafana.app/managerSuspended: "true"` over real HTTP against the emulator (profile 12, `/apis`).

A person pauses syncer on one dashboard or folder by setting the annotation (kubectl, grafanactl, a
`PUT` like the ones below). While it is set, syncer neither writes nor deletes that object: the plan
shows a SKIP naming the annotation and what would otherwise have happened; everything else in the
same pass is applied as usual. Removing the annotation (or setting it to anything but "true")
resumes management on the next pass.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from support.cli import connection, syncer
from support.emulator import Emulator

from syncer.adapters.grafana.resources.meta import marker_from_annotations
from syncer.app import open_target
from syncer.core.planner import plan as make_plan
from syncer.engine.execute import ExecuteContext, execute
from syncer.engine.reconcile import reconcile_once
from syncer.model.plan import ActionKind
from syncer.model.results import ActionResult, Outcome, RunReport
from syncer.settings.model import ApiFlavour, GrafanaSettings, SyncSettings, TargetSettings

DASHBOARDS = "/apis/dashboard.grafana.app/v0alpha1/namespaces/default/dashboards"
FOLDERS = "/apis/folder.grafana.app/v1beta1/namespaces/default/folders"
SUSPENDED = "grafana.app/managerSuspended"


def dashboard(uid: str, title: str, *, panels: int = 1) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "schemaVersion": 39,
        "panels": [{"id": i + 1, "type": "stat", "title": f"p{i}"} for i in range(panels)],
    }


def write(root: Path, rel: str, document: Any) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def tree(root: Path) -> None:
    write(root, "ops/_folder.json", {"uid": "sus-ops", "title": "Operations"})
    write(root, "ops/paused.json", dashboard("sus-paused", "Paused"))
    write(root, "ops/other.json", dashboard("sus-other", "Other"))
    write(root, "home.json", dashboard("sus-home", "Home"))


def settings_for(emulator: Emulator, root: Path, **sync: Any) -> TargetSettings:
    return TargetSettings(
        grafana=GrafanaSettings(url=emulator.url, token=SecretStr(emulator.token), api=ApiFlavour.RESOURCES),
        sync=SyncSettings(dir=root, **sync),
    )


def apply(emulator: Emulator, root: Path, *, dry_run: bool = False, **sync: Any) -> RunReport:
    settings = settings_for(emulator, root, **sync)

    async def run() -> RunReport:
        async with open_target(settings) as target:
            return await reconcile_once(target, dry_run=dry_run)

    report = asyncio.run(run())
    assert report.fatal is None, report.fatal
    assert not report.failures, [(r.uid, r.detail) for r in report.failures]
    return report


def get(emulator: Emulator, path: str) -> dict[str, Any]:
    response = emulator.api("GET", path)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def annotate(emulator: Emulator, path: str, value: str | None, **spec: Any) -> dict[str, Any]:
    """Set (or, with None, remove) the suspension on an object, as a person would with a PUT, optionally
    editing its spec at the same time; returns the stored object."""
    obj = get(emulator, path)
    annotations = obj["metadata"]["annotations"]
    if value is None:
        annotations.pop(SUSPENDED, None)
    else:
        annotations[SUSPENDED] = value
    obj["spec"].update(spec)
    response = emulator.api("PUT", path, json=obj, auth="admin")
    assert response.status_code == 200, response.text
    stored: dict[str, Any] = response.json()
    return stored


def actions(report: RunReport) -> dict[str, tuple[ActionKind, str]]:
    plan = report.plan
    found = {a.uid: (a.kind, a.reason) for a in plan.dashboard_actions}
    found.update({f"folder:{a.uid}": (a.kind, a.reason) for a in plan.folder_actions})
    return found


def written(report: RunReport) -> dict[str, str]:
    return {r.uid: r.kind.value for r in report.results if r.outcome is Outcome.OK}


@pytest.fixture
def managed(emulator: Emulator, tmp_path: Path) -> Path:
    """The tree applied once: every object carries syncer's annotations."""
    tree(tmp_path)
    apply(emulator, tmp_path)
    return tmp_path


def test_a_suspended_dashboard_is_not_updated_and_the_plan_says_why(
    emulator: Emulator, managed: Path
) -> None:
    stored = annotate(emulator, f"{DASHBOARDS}/sus-paused", "true")
    write(managed, "ops/paused.json", dashboard("sus-paused", "Paused", panels=3))
    write(managed, "ops/other.json", dashboard("sus-other", "Other", panels=3))
    writes = emulator.writes()

    report = apply(emulator, managed)

    kind, reason = actions(report)["sus-paused"]
    assert kind is ActionKind.SKIP
    assert "grafana.app/managerSuspended=true" in reason and "content changed in git" in reason
    assert written(report) == {"sus-other": "update"}  # the rest of the pass is applied
    assert emulator.writes() == writes + 1
    after = get(emulator, f"{DASHBOARDS}/sus-paused")
    assert after["metadata"]["resourceVersion"] == stored["metadata"]["resourceVersion"]
    assert len(after["spec"]["panels"]) == 1
    skipped = next(r for r in report.results if r.uid == "sus-paused")
    assert skipped.outcome is Outcome.SKIPPED


def test_a_grafana_edit_to_a_suspended_dashboard_is_not_reverted(emulator: Emulator, managed: Path) -> None:
    annotate(emulator, f"{DASHBOARDS}/sus-paused", "true", title="Fixed by hand during an incident")

    report = apply(emulator, managed, on_drift="revert")

    kind, reason = actions(report)["sus-paused"]
    assert kind is ActionKind.SKIP and "revert drift" in reason
    assert get(emulator, f"{DASHBOARDS}/sus-paused")["spec"]["title"] == "Fixed by hand during an incident"
    assert written(report) == {}


def test_an_in_sync_suspended_dashboard_stays_a_noop(emulator: Emulator, managed: Path) -> None:
    annotate(emulator, f"{DASHBOARDS}/sus-paused", "true")
    report = apply(emulator, managed)
    assert actions(report)["sus-paused"][0] is ActionKind.NOOP
    assert report.plan.in_sync


def test_prune_does_not_delete_a_suspended_dashboard_nor_its_folder(
    emulator: Emulator, managed: Path
) -> None:
    annotate(emulator, f"{DASHBOARDS}/sus-paused", "true")
    for name in ("ops/paused.json", "ops/other.json", "ops/_folder.json"):
        (managed / name).unlink()

    report = apply(emulator, managed, prune=True)

    kind, reason = actions(report)["sus-paused"]
    assert kind is ActionKind.SKIP and "not deleted" in reason and "ops/paused.json" in reason
    assert written(report) == {"sus-other": "delete"}  # the folder still holds the paused dashboard
    assert emulator.api("GET", f"{DASHBOARDS}/sus-paused").status_code == 200
    assert emulator.api("GET", f"{DASHBOARDS}/sus-other").status_code == 404
    assert emulator.api("GET", f"{FOLDERS}/sus-ops").status_code == 200


def test_a_suspended_folder_is_neither_renamed_nor_pruned(emulator: Emulator, managed: Path) -> None:
    annotate(emulator, f"{FOLDERS}/sus-ops", "true")
    write(managed, "ops/_folder.json", {"uid": "sus-ops", "title": "Renamed"})

    renamed = apply(emulator, managed)
    kind, reason = actions(renamed)["folder:sus-ops"]
    assert kind is ActionKind.SKIP and "managerSuspended" in reason and "renamed" in reason
    assert get(emulator, f"{FOLDERS}/sus-ops")["spec"]["title"] == "Operations"

    for name in ("ops/paused.json", "ops/other.json", "ops/_folder.json"):
        (managed / name).unlink()
    pruned = apply(emulator, managed, prune=True)
    assert actions(pruned)["folder:sus-ops"][0] is ActionKind.SKIP
    assert written(pruned) == {"sus-paused": "delete", "sus-other": "delete"}
    assert emulator.api("GET", f"{FOLDERS}/sus-ops").status_code == 200


@pytest.mark.parametrize("value", [None, "false"])
def test_lifting_the_suspension_resumes_management(
    emulator: Emulator, managed: Path, value: str | None
) -> None:
    annotate(emulator, f"{DASHBOARDS}/sus-paused", "true")
    write(managed, "ops/paused.json", dashboard("sus-paused", "Paused", panels=2))
    assert written(apply(emulator, managed)) == {}

    annotate(emulator, f"{DASHBOARDS}/sus-paused", value)
    assert written(apply(emulator, managed)) == {"sus-paused": "update"}
    after = get(emulator, f"{DASHBOARDS}/sus-paused")
    assert len(after["spec"]["panels"]) == 2
    assert after["metadata"]["annotations"].get(SUSPENDED) == value  # someone else's annotation, kept


def test_a_suspension_between_read_and_write_is_honoured(emulator: Emulator, managed: Path) -> None:
    """The plan was made before the suspension: the write's stale resourceVersion gets a 409, the
    executor re-reads, re-plans, and then skips instead of writing."""
    write(managed, "ops/paused.json", dashboard("sus-paused", "Paused", panels=2))

    async def run() -> list[ActionResult]:
        async with open_target(settings_for(emulator, managed)) as target:
            desired = target.source.load()
            live = await target.grafana.fetch_live(None)
            plan = make_plan(desired, live, target.policy)
            assert {a.uid: a.kind for a in plan.dashboard_actions}["sus-paused"] is ActionKind.UPDATE
            annotate(emulator, f"{DASHBOARDS}/sus-paused", "true")  # someone pauses it now
            ctx = ExecuteContext(grafana=target.grafana, policy=target.policy, desired=desired, live=live)
            return await execute(plan, ctx)

    (result,) = [r for r in asyncio.run(run()) if r.uid == "sus-paused"]
    assert result.outcome is Outcome.SKIPPED and result.retries == 1
    assert "managerSuspended" in result.detail
    assert len(get(emulator, f"{DASHBOARDS}/sus-paused")["spec"]["panels"]) == 1


def test_syncer_plan_shows_the_skip_and_its_reason(emulator: Emulator, managed: Path) -> None:
    annotate(emulator, f"{DASHBOARDS}/sus-paused", "true")
    write(managed, "ops/paused.json", dashboard("sus-paused", "Paused", panels=2))
    planned = syncer("plan", str(managed), "--exit-code", *connection(emulator, api="auto"))
    # issue 18: nothing will be written, but Grafana differs from the source: not "in sync" (exit 2)
    assert planned.returncode == 2, planned.stderr
    assert "In sync" not in planned.stdout and "1 skipped" in planned.stdout
    line = next(
        line for line in planned.stdout.splitlines() if "ops/paused.json" in line or "sus-paused" in line
    )
    assert "grafana.app/managerSuspended=true" in line, planned.stdout


@pytest.mark.parametrize(
    ("value", "suspended"), [("true", True), ("True", True), (" true ", True), ("false", False), ("", False)]
)
def test_the_annotation_is_read_like_grafana_reads_booleans(value: str, suspended: bool) -> None:
    marker = marker_from_annotations({"grafana.app/managerId": "syncer", SUSPENDED: value})
    assert marker is not None and marker.suspended is suspended


def test_suspension_without_a_manager_means_nothing() -> None:
    assert marker_from_annotations({SUSPENDED: "true"}) is None  # not managed at all, as in Grafana
