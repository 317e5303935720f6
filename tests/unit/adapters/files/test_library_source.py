"""Library panels in the source: recognition, placement, errors, embedded `__elements`, the pure
plan (three-way rule and prune safety) and the daemon's change detection. Real files, no server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from syncer.adapters.files.loader import DirectorySource, validate_directory
from syncer.core.library import library_checksum, panel_references
from syncer.core.planner import plan
from syncer.engine.daemon.changes import Snapshot, diff
from syncer.model.plan import ActionKind, DriftPolicy, Policy
from syncer.model.state import LiveDashboard, LiveState, OwnershipMarker, Severity

MODEL = {"type": "stat", "title": "Up", "targets": [{"expr": "up", "refId": "A"}]}


def write(root: Path, rel: str, value: Any) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


def user(uid: str, *elements: str) -> dict[str, Any]:
    panels = [{"id": n, "libraryPanel": {"uid": e, "name": e}} for n, e in enumerate(elements)]
    return {"uid": uid, "title": uid, "panels": [{"type": "row", "panels": panels, "id": 99}]}


def test_element_files_are_recognised_in_every_shape_and_placed_by_directory(tmp_path: Path) -> None:
    write(tmp_path, "team/a.json", {"uid": "a", "name": "A", "kind": 1, "model": MODEL})
    write(
        tmp_path,
        "team/b.json",
        {"result": {"uid": "b", "name": "B", "kind": 1, "model": MODEL, "version": 4}},
    )
    write(tmp_path, "c.json", {"uid": "c", "name": "C", "model": MODEL, "folderUid": "elsewhere"})
    resource = {
        "apiVersion": "dashboard.grafana.app/v0alpha1",
        "kind": "LibraryPanel",
        "metadata": {"name": "d", "annotations": {"grafana.app/folder": "general"}},
        "spec": {"title": "D", "panelTitle": "Up", "type": "stat", "targets": MODEL["targets"]},
    }
    write(tmp_path, "team/d.yaml", resource)  # JSON is YAML
    write(tmp_path, "team/dash.json", user("dash", "a", "b", "c", "d"))
    state = DirectorySource(tmp_path).load()
    assert not state.errors, state.errors
    assert set(state.library_panels) == {"a", "b", "c", "d"} and set(state.dashboards) == {"dash"}
    assert state.library_panels["d"].title == "D" and state.library_panels["d"].checksum == library_checksum(
        "D", MODEL, state.library_panels["a"].folder_uid
    )
    team = state.library_panels["a"].folder_uid
    assert team is not None and state.folders[team].path == "team"
    assert state.library_panels["b"].folder_uid == team and state.library_panels["c"].folder_uid is None
    assert state.dashboards["dash"].library_panel_uids == frozenset({"a", "b", "c", "d"})
    (warning,) = state.warnings
    assert warning.path == "c.json" and "folderUid 'elsewhere' is ignored" in warning.message
    # Grafana stores `type` and `description` in every model: the checksum counts them the same way
    assert dict(state.library_panels["a"].content) == {**MODEL, "description": ""}
    assert state.library_panels["a"].checksum == library_checksum("A", {**MODEL, "description": ""}, team)


@pytest.mark.parametrize(
    ("element", "message"),
    [
        ({"uid": "v", "name": "V", "kind": 2, "model": {}}, "library element kind 2 is not supported"),
        ({"uid": "v", "name": " ", "kind": 1, "model": {}}, "a library panel needs a non-empty string name"),
        ({"uid": "bad uid!", "name": "V", "kind": 1, "model": {}}, "uid"),
    ],
)
def test_bad_element_files_are_errors_naming_the_file(
    tmp_path: Path, element: dict[str, Any], message: str
) -> None:
    write(tmp_path, "lib/v.json", element)
    state = DirectorySource(tmp_path).load()
    assert [p.path for p in state.errors] == ["lib/v.json"] and message in state.errors[0].message
    assert not state.library_panels


def test_duplicate_uids_apply_neither(tmp_path: Path) -> None:
    write(tmp_path, "one.json", {"uid": "x", "name": "One", "kind": 1, "model": MODEL})
    write(tmp_path, "two.json", {"uid": "x", "name": "Two", "kind": 1, "model": MODEL})
    state = DirectorySource(tmp_path).load()
    assert sorted(p.path for p in state.errors) == ["one.json", "two.json"] and not state.library_panels


def test_names_are_unique_per_folder(tmp_path: Path) -> None:
    write(tmp_path, "a/one.json", {"uid": "one", "name": "Same", "kind": 1, "model": MODEL})
    write(tmp_path, "a/two.json", {"uid": "two", "name": "Same", "kind": 1, "model": MODEL})
    write(tmp_path, "b/three.json", {"uid": "three", "name": "Same", "kind": 1, "model": MODEL})
    state = DirectorySource(tmp_path).load()
    assert sorted(p.path for p in state.errors) == ["a/one.json", "a/two.json"]
    assert set(state.library_panels) == {"three"}


def test_validate_names_file_and_uid_of_a_reference_missing_from_the_source(tmp_path: Path) -> None:
    write(tmp_path, "ok.json", {"uid": "x", "name": "X", "kind": 1, "model": MODEL})
    write(tmp_path, "dash.json", user("dash", "x", "ghost"))
    state = validate_directory(tmp_path)
    (error,) = state.errors
    assert error.path == "dash.json" and "'ghost'" in error.message and error.severity is Severity.ERROR
    assert "dash" not in state.dashboards


def test_exported_elements_become_library_panels_and_a_file_wins(tmp_path: Path) -> None:
    elements = {
        "e1": {"name": "E1", "uid": "e1", "kind": 1, "model": MODEL},
        "e2": {"name": "E2", "uid": "e2", "kind": 1, "model": {**MODEL, "title": "embedded"}},
        "v": {"name": "Var", "uid": "v", "kind": 2, "model": {}},
    }
    write(tmp_path, "ops/export.json", {**user("exp", "e1", "e2"), "__elements": elements})
    write(
        tmp_path, "ops/e2.json", {"uid": "e2", "name": "E2", "kind": 1, "model": {**MODEL, "title": "file"}}
    )
    state = validate_directory(tmp_path)
    assert not state.errors, state.errors
    assert state.library_panels["e1"].path == "ops/export.json#__elements/e1"
    assert state.library_panels["e1"].folder_uid == state.dashboards["exp"].folder_uid
    assert state.library_panels["e2"].content["title"] == "file"
    assert "v" not in state.library_panels


def test_references_are_found_in_rows_and_v2_elements() -> None:
    v2 = {"elements": {"p": {"kind": "LibraryPanel", "spec": {"libraryPanel": {"uid": "v2", "name": "n"}}}}}
    assert panel_references(user("d", "a", "b")) == {"a", "b"}
    assert panel_references(v2) == {"v2"}
    assert panel_references({"panels": [{"libraryPanel": {"name": "no uid"}}]}) == frozenset()


def _live(uid: str, name: str, manager: str | None, *, edited: bool = False) -> LiveDashboard:
    """A live element; `edited`: changed in Grafana since `manager` wrote it (its marker keeps the base)."""
    base = library_checksum(name, MODEL, None)
    now = library_checksum(name, {**MODEL, "title": "edited"}, None) if edited else base
    marker = OwnershipMarker(manager, f"{uid}.json", base, version=1) if manager else None
    return LiveDashboard(uid, name, None, 1, dict(MODEL), now, marker, updated_by="someone")


def test_plan_follows_the_three_way_rule_and_prunes_only_unused_owned_elements(tmp_path: Path) -> None:
    write(tmp_path, "kept.json", {"uid": "kept", "name": "kept", "kind": 1, "model": MODEL})
    write(tmp_path, "drifted.json", {"uid": "drifted", "name": "drifted", "kind": 1, "model": MODEL})
    write(tmp_path, "dash.json", user("dash", "used-by-source"))
    desired = DirectorySource(tmp_path).load()
    live = LiveState(
        folders={},
        dashboards={},
        library_panels={
            "kept": _live("kept", "kept", "me"),
            "drifted": _live("drifted", "drifted", "me", edited=True),
            "gone": _live("gone", "gone", "me"),
            "used-by-source": _live("used-by-source", "u", "me"),
            "foreign": _live("foreign", "foreign", "someone-else"),
            "unowned": _live("unowned", "unowned", None),
        },
        library_read=True,
    )
    actions = {a.uid: a for a in plan(desired, live, Policy(manager_id="me", prune=True)).library_actions}
    assert actions["kept"].kind is ActionKind.NOOP
    assert actions["drifted"].kind is ActionKind.UPDATE_LIBRARY_PANEL
    assert actions["drifted"].reason.startswith("revert drift: edited in Grafana (version 1 by someone)")
    skip = plan(desired, live, Policy(manager_id="me", on_drift=DriftPolicy.SKIP)).library_actions
    assert {a.uid: a.kind for a in skip}["drifted"] is ActionKind.SKIP
    assert actions["gone"].kind is ActionKind.DELETE_LIBRARY_PANEL
    assert (
        actions["used-by-source"].kind is ActionKind.SKIP and "dash.json" in actions["used-by-source"].reason
    )
    assert "foreign" not in actions and "unowned" not in actions
    unread = plan(desired, LiveState(folders={}, dashboards={}), Policy(manager_id="me", prune=True))
    assert unread.library_actions == ()


def test_the_daemon_sees_a_library_panel_change(tmp_path: Path) -> None:
    write(tmp_path, "a.json", {"uid": "a", "name": "A", "kind": 1, "model": MODEL})
    before = Snapshot.of(DirectorySource(tmp_path).load())
    write(tmp_path, "a.json", {"uid": "a", "name": "A", "kind": 1, "model": {**MODEL, "title": "changed"}})
    changed = diff(before, Snapshot.of(DirectorySource(tmp_path).load()))
    assert changed.folders_changed and not changed.folders_removed
    (tmp_path / "a.json").unlink()
    assert diff(before, Snapshot.of(DirectorySource(tmp_path).load())).folders_removed


def test_jsonnet_sources_may_give_library_panels(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app/lib.jsonnet").write_text(
        "{ uid: 'lib-js', name: 'One', kind: 1, model: { type: 'stat' } }\n"
    )
    (tmp_path / "app/many.jsonnet").write_text(
        "{\n"
        "  'board.json': { uid: 'b', title: 'B', panels: [{ id: 1, libraryPanel: { uid: 'lib-two' } }] },\n"
        "  'two.json': { uid: 'lib-two', name: 'Two', kind: 1, model: { type: 'stat' } },\n"
        "}\n"
    )
    state = validate_directory(tmp_path)
    assert not state.errors, state.errors
    assert {uid: p.path for uid, p in state.library_panels.items()} == {
        "lib-js": "app/lib.jsonnet",
        "lib-two": "app/many.jsonnet#two.json",
    }
    assert state.library_panels["lib-two"].folder_uid == state.dashboards["b"].folder_uid


def test_markdown_plan_lists_library_panels() -> None:
    from syncer.model.plan import Cause, DashboardAction, Plan
    from syncer.model.state import DesiredDashboard
    from syncer.render.markdown import plan_markdown

    panel = DesiredDashboard("lib", "Lib", None, "lib.library-panel.json", {"type": "stat"}, "sha256:x")
    action = DashboardAction(
        ActionKind.CREATE_LIBRARY_PANEL, "lib", "new library panel in General", panel, cause=Cause.GIT
    )
    text = plan_markdown(Plan((), (), library_actions=(action,)))
    assert "; library panels 1 to create**" in text
    assert "| + | create-library-panel | `lib.library-panel.json` | `lib` | Lib |" in text
