"""Drift (edited only in Grafana) and conflicts (edited on both sides) per policy, decided by a
fresh process with no local state; optimistic writes and 412 races."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.emulator import Emulator

from integration.engine_helpers import (
    dashboard,
    edit_in_grafana,
    execute_stale_plan,
    live_dashboard,
    run,
    write,
)
from syncer.engine.reconcile import exit_code_for_apply
from syncer.engine.source_identity import default_manager_id
from syncer.model.plan import ActionKind
from syncer.model.results import Outcome


def applied(emulator: Emulator, tmp_path: Path) -> Path:
    src = tmp_path / "src"
    write(src, "team/d.json", dashboard("Drifty", "drifty"))
    assert not run(emulator, src).failures
    return src


def test_drift_is_reverted_by_default(emulator: Emulator, tmp_path: Path) -> None:
    src = applied(emulator, tmp_path)
    edit_in_grafana(emulator, "drifty", description="edited in the UI")

    report = run(emulator, src)

    assert [(r.kind, r.outcome) for r in report.results] == [(ActionKind.UPDATE, Outcome.OK)]
    assert "revert drift" in report.plan.dashboard_actions[0].reason
    assert "description" not in live_dashboard(emulator, "drifty")["dashboard"]


def test_drift_skip_leaves_the_edit_and_reports_it(emulator: Emulator, tmp_path: Path) -> None:
    src = applied(emulator, tmp_path)
    edit_in_grafana(emulator, "drifty", description="keep me")
    emulator.reset(counters_only=True)

    report = run(emulator, src, on_drift="skip")

    assert emulator.writes() == 0
    assert [r.outcome for r in report.results] == [Outcome.SKIPPED]
    assert live_dashboard(emulator, "drifty")["dashboard"]["description"] == "keep me"


def test_conflict_overwrite_names_the_version_holding_the_lost_edit(
    emulator: Emulator, tmp_path: Path
) -> None:
    src = applied(emulator, tmp_path)
    edited_version = edit_in_grafana(emulator, "drifty", description="UI edit")
    write(src, "team/d.json", dashboard("Drifty", "drifty", tags=["git-change"]))

    report = run(emulator, src)

    [result] = report.results
    assert result.outcome is Outcome.OK and result.overwrote_version == edited_version
    stored = live_dashboard(emulator, "drifty")["dashboard"]
    assert stored["tags"] == ["git-change"] and "description" not in stored
    old = emulator.api("GET", f"/api/dashboards/uid/drifty/versions/{edited_version}").json()
    assert old["data"]["description"] == "UI edit"  # restorable from Grafana's history
    assert exit_code_for_apply(report) == 0


def test_conflict_skip_and_fail(emulator: Emulator, tmp_path: Path) -> None:
    src = applied(emulator, tmp_path)
    edit_in_grafana(emulator, "drifty", description="UI edit")
    write(src, "team/d.json", dashboard("Drifty", "drifty", tags=["git-change"]))

    skipped = run(emulator, src, on_conflict="skip")
    failed = run(emulator, src, on_conflict="fail")

    assert [r.outcome for r in skipped.results] == [Outcome.SKIPPED]
    assert [r.outcome for r in failed.results] == [Outcome.CONFLICT]
    assert exit_code_for_apply(failed) == 3
    assert live_dashboard(emulator, "drifty")["dashboard"]["description"] == "UI edit"


def test_412_race_rereads_and_replans(emulator: Emulator, tmp_path: Path) -> None:
    src = applied(emulator, tmp_path)
    write(src, "team/d.json", dashboard("Drifty", "drifty", tags=["v2"]))
    emulator.reset(counters_only=True)
    emulator.fault(route="POST /api/dashboards/db", status=412, count=1)

    report = run(emulator, src)

    [result] = report.results
    assert result.outcome is Outcome.OK and result.retries == 1
    assert live_dashboard(emulator, "drifty")["dashboard"]["tags"] == ["v2"]
    assert emulator.requests()["by_route"]["POST /api/dashboards/db"] == 2


def test_unmanaged_dashboard_with_same_content_is_adopted_without_content_change(
    emulator: Emulator, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    write(src, "adopt.json", dashboard("Adopt me", "adopt"))
    body = dashboard("Adopt me", "adopt")
    assert emulator.api("POST", "/api/dashboards/db", json={"dashboard": body}).status_code == 200

    report = run(emulator, src, adopt=True)

    assert [(r.kind, r.outcome) for r in report.results] == [(ActionKind.UPDATE, Outcome.OK)]
    stored = live_dashboard(emulator, "adopt")["dashboard"]
    assert stored["__syncer"]["managerId"] == default_manager_id(src)
    assert {k: v for k, v in stored.items() if k not in ("__syncer", "id", "version")} == body


@pytest.mark.parametrize("same_content", [True, False], ids=["same-content", "different-content"])
def test_unmanaged_dashboard_is_never_taken_over_without_adopt(
    emulator: Emulator, tmp_path: Path, same_content: bool
) -> None:
    """A hand-made dashboard whose uid a file reuses: no write, a conflict (exit 3) naming --adopt;
    and after the file goes, prune does not delete it (it was never ours)."""
    src = tmp_path / "src"
    write(src, "mine.json", dashboard("Mine", "handmade"))
    write(src, "other.json", dashboard("Other", "other"))
    body = dashboard("Mine" if same_content else "Someone's work", "handmade")
    assert emulator.api("POST", "/api/dashboards/db", json={"dashboard": body}).status_code == 200
    emulator.reset(counters_only=True)

    report = run(emulator, src)

    conflicts = [r for r in report.results if r.outcome is Outcome.CONFLICT]
    assert [r.uid for r in conflicts] == ["handmade"]
    assert "pass --adopt" in conflicts[0].detail
    stored = live_dashboard(emulator, "handmade")
    assert stored["meta"]["version"] == 1 and "__syncer" not in stored["dashboard"]

    (src / "mine.json").unlink()
    run(emulator, src, prune=True)
    stored = live_dashboard(emulator, "handmade")
    assert stored["dashboard"]["title"] == body["title"] and stored["meta"]["version"] == 1


def test_foreign_managed_dashboard_is_never_taken_over(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "mine.json", dashboard("Mine", "contested"))
    foreign = {
        **dashboard("Theirs", "contested"),
        "__syncer": {
            "managedBy": "syncer",
            "managerId": "team-b",
            "sourcePath": "b.json",
            "sourceChecksum": "sha256:1",
        },
    }
    assert emulator.api("POST", "/api/dashboards/db", json={"dashboard": foreign}).status_code == 200
    emulator.reset(counters_only=True)

    report = run(emulator, src)

    assert emulator.writes() == 0
    assert [r.outcome for r in report.results] == [Outcome.CONFLICT]
    assert live_dashboard(emulator, "contested")["dashboard"]["title"] == "Theirs"


def test_real_concurrent_edit_between_read_and_write_is_replanned(emulator: Emulator, tmp_path: Path) -> None:
    """Plan against what Grafana held, let someone save in between, then execute that stale plan:
    Grafana answers 412, the executor re-reads, re-plans (now a conflict) and never overwrites blindly."""
    src = applied(emulator, tmp_path)
    write(src, "team/d.json", dashboard("Drifty", "drifty", tags=["from-git"]))
    racing: list[int] = []

    stale, results = execute_stale_plan(
        emulator,
        src,
        lambda: racing.append(edit_in_grafana(emulator, "drifty", description="racing UI edit")),
    )

    assert stale.plan.dashboard_actions[0].kind is ActionKind.UPDATE
    [result] = results
    assert result.outcome is Outcome.OK and result.retries == 1
    assert result.overwrote_version == racing[0]  # the racing edit is named, restorable
    assert live_dashboard(emulator, "drifty")["dashboard"]["tags"] == ["from-git"]


def test_concurrent_edit_under_on_conflict_fail_is_left_alone(emulator: Emulator, tmp_path: Path) -> None:
    src = applied(emulator, tmp_path)
    write(src, "team/d.json", dashboard("Drifty", "drifty", tags=["from-git"]))

    _, results = execute_stale_plan(
        emulator, src, lambda: edit_in_grafana(emulator, "drifty", description="racing"), on_conflict="fail"
    )

    assert [r.outcome for r in results] == [Outcome.CONFLICT]
    assert live_dashboard(emulator, "drifty")["dashboard"]["description"] == "racing"
