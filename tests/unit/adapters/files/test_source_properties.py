"""Property tests from real files: random directory trees are loaded, planned against an empty
Grafana, "applied" through a model of Grafana's save-time rewrites, and re-planned: the second plan
must write nothing, and a re-load of the unchanged tree must give identical checksums."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncer.adapters.files.loader import DirectorySource
from syncer.core.essence import checksum
from syncer.core.planner import plan
from syncer.model.plan import ActionKind, Policy
from syncer.model.state import DesiredState, LiveDashboard, LiveFolder, LiveState, OwnershipMarker
from unit.core_factories import ME

NAMES = st.sampled_from(["ops", "Team A", "db", "x", "é", "a.b"])
DIRS = st.lists(NAMES, max_size=5).map("/".join)
TITLES = st.sampled_from(["Overview", "  Padded  ", "Über", "CPU / Memory", "t"])
REFRESH = st.sampled_from(["1s", "5s", "1m", "", "auto", False, "nonsense"])
NUMBER = st.sampled_from([1, 1.0, 2.5, 12.0, 2**60 + 1, -0.0])


@st.composite
def dashboards(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": draw(TITLES),
        "refresh": draw(REFRESH),
        "panels": [
            {"id": i, "w": draw(NUMBER), "title": draw(TITLES)} for i in range(draw(st.integers(0, 3)))
        ],
    }
    if draw(st.booleans()):
        body["id"] = draw(st.sampled_from([None, 17]))
    if draw(st.booleans()):
        body["version"] = 4
    return body


@st.composite
def trees(draw: st.DrawFn) -> dict[str, Any]:
    files: dict[str, Any] = {}
    for index in range(draw(st.integers(1, 6))):
        directory = draw(DIRS)
        body = draw(dashboards())
        if draw(st.booleans()):
            body["uid"] = f"uid-{index}"
        name = f"{directory}/d{index}.json" if directory else f"d{index}.json"
        files[name] = body if draw(st.booleans()) else {"dashboard": body}
    for directory in draw(st.lists(DIRS.filter(bool), max_size=2, unique=True)):
        files[f"{directory}/_folder.json"] = {"title": f"Folder {directory}"}
    return files


def grafana_stores(sent: dict[str, Any], marker: dict[str, Any], version: int) -> dict[str, Any]:
    """Legacy API save + read: ids and versions assigned, title trimmed, numbers through float64,
    keys in another order, the marker kept as an unknown top-level key."""
    stored = json.loads(json.dumps({**sent, "__syncer": marker}), parse_float=float)
    stored = _float64(stored)
    stored.update(id=99, version=version)
    if isinstance(stored.get("title"), str):
        stored["title"] = stored["title"].strip()
    items = list(stored.items())
    random.Random(version).shuffle(items)
    return dict(items)


def _float64(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _float64(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_float64(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value) if abs(value) > 2**53 else value
    return value


def apply_to_grafana(state: DesiredState, result_plan: Any) -> LiveState:
    folders = {
        a.uid: LiveFolder(
            a.uid, a.desired.title, a.desired.parent_uid, 1, OwnershipMarker(ME, a.desired.path, "")
        )
        for a in result_plan.folder_actions
        if a.kind is ActionKind.CREATE_FOLDER
    }
    dashboards = {}
    for action in result_plan.dashboard_actions:
        assert action.kind is ActionKind.CREATE
        d = action.desired
        stored = grafana_stores(dict(d.content), {"managerId": ME, "sourceChecksum": d.checksum}, 1)
        content = {k: v for k, v in stored.items() if k != "__syncer"}
        marker = OwnershipMarker(ME, d.path, stored["__syncer"]["sourceChecksum"])
        live_sum = checksum(content, d.folder_uid)
        dashboards[d.uid] = LiveDashboard(d.uid, content["title"], d.folder_uid, 1, content, live_sum, marker)
    return LiveState(folders, dashboards)


def write_tree(root: Path, files: dict[str, Any]) -> None:
    for rel, value in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_loaded_tree_applies_once_and_then_is_in_sync(files: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory(prefix="syncer-core-prop-") as tmp:
        root = Path(tmp)
        write_tree(root, files)
        state = DirectorySource(root).load()
        if state.errors:  # only depth > 4 can fail here
            assert all("nested 5 deep" in e.message or "deep;" in e.message for e in state.errors), (
                state.errors
            )
            return
        assert len(state.dashboards) == state.files_seen
        first = plan(state, LiveState({}, {}), Policy(prune=True))
        after = apply_to_grafana(state, first)
        second = plan(state, after, Policy(prune=True))
        assert second.writes == 0, [
            (a.uid, a.reason) for a in second.dashboard_actions if a.kind is not ActionKind.NOOP
        ]
        again = DirectorySource(root).load()
        assert {u: d.checksum for u, d in again.dashboards.items()} == {
            u: d.checksum for u, d in state.dashboards.items()
        }
