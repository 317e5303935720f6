"""The loader keeps no parsed dashboard JSON: contents are compact and parsed on access, its reload
cache holds only compact contents and checksums, and input resolution skips what cannot need it."""

from __future__ import annotations

import gc
import json
import os
import types
from pathlib import Path
from typing import Any

import pytest

from syncer.adapters.files.loader import DirectorySource
from syncer.core.essence import checksum
from syncer.core.inputs import needs_datasources, resolve_inputs
from syncer.core.normalise import normalise_for_grafana
from syncer.model.state import CompactJSON, DesiredDashboard, DesiredState, LazyJSONObject


def dashboard(uid: str, panels: int = 30, **extra: Any) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": f"Dashboard {uid}",
        "refresh": "1s",  # normalised to the minimum: the content kept is what will be sent
        "panels": [
            {"id": i, "type": "timeseries", "targets": [{"refId": "A", "expr": f"up{{i='{i}'}}"}]}
            for i in range(panels)
        ],
        **extra,
    }


def write(root: Path, rel: str, value: dict[str, Any]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")


def reachable_dicts_with(start: object, key: str, limit: int = 200_000) -> int:
    """How many dicts holding `key` can be reached from `start` through object references (of
    functions only their closures: their globals lead to every module)."""
    seen: set[int] = set()
    stack = [start]
    found = 0
    while stack and len(seen) < limit:
        item = stack.pop()
        if id(item) in seen or isinstance(item, type):
            continue
        seen.add(id(item))
        if isinstance(item, dict) and key in item:
            found += 1
        if isinstance(item, types.FunctionType):
            stack.extend(item.__closure__ or ())
        elif not isinstance(item, types.ModuleType):
            stack.extend(gc.get_referents(item))
    return found


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    write(tmp_path, "a/one.json", dashboard("one"))
    write(tmp_path, "a/b/two.json", dashboard("two", tags=["x"]))
    write(tmp_path, "three.json", dashboard("three"))
    return tmp_path


def test_contents_are_compact_and_equal_to_the_normalised_files(tree: Path) -> None:
    state = DirectorySource(tree).load()
    assert sorted(state.dashboards) == ["one", "three", "two"]
    for uid, rel in (("one", "a/one.json"), ("two", "a/b/two.json"), ("three", "three.json")):
        loaded = state.dashboards[uid]
        assert isinstance(loaded.content, CompactJSON)
        expected = normalise_for_grafana(json.loads((tree / rel).read_text()), min_refresh="5s")
        assert dict(loaded.content) == expected and expected["refresh"] == "5s"
        assert loaded.checksum == checksum(expected, loaded.folder_uid)
        assert loaded.title == f"Dashboard {uid}" and not loaded.may_have_inputs


def test_the_reload_cache_holds_no_parsed_dashboard(tree: Path) -> None:
    source = DirectorySource(tree)
    for _ in range(2):  # the second load is served from the cache
        state = source.load()
        assert {uid: len(d.content["panels"]) for uid, d in state.dashboards.items()} == {
            "one": 30,
            "two": 30,
            "three": 30,
        }
    del state
    gc.collect()
    assert reachable_dicts_with(source, "panels") == 0
    assert reachable_dicts_with(source, "targets") == 0


def test_a_cached_file_edited_in_place_is_read_again(tree: Path) -> None:
    source = DirectorySource(tree)
    before = source.load().dashboards["one"]
    write(tree, "a/one.json", dashboard("one", panels=2))
    os.utime(tree / "a/one.json", ns=(1, 1))  # a different mtime even on coarse clocks
    after = source.load().dashboards["one"]
    assert len(after.content["panels"]) == 2 and after.checksum != before.checksum
    assert len(before.content["panels"]) == 30  # an earlier pass's content is not disturbed


def test_only_dashboards_that_may_have_inputs_are_flagged(tmp_path: Path) -> None:
    declared = [{"name": "DS_PROM", "type": "datasource", "pluginId": "prometheus", "label": "Prom"}]
    write(tmp_path, "plain.json", dashboard("plain"))
    write(tmp_path, "variables.json", dashboard("variables", description="uses ${job} and ${__from}"))
    write(tmp_path, "exported.json", dashboard("exported", __inputs=declared))
    write(tmp_path, "undeclared.json", dashboard("undeclared", description="${DS_LOKI}"))
    state = DirectorySource(tmp_path, inputs={"DS_LOKI": "loki-uid"}).load()
    flags = {uid: d.may_have_inputs for uid, d in state.dashboards.items()}
    assert flags == {"plain": False, "variables": False, "exported": True, "undeclared": True}
    assert state.dashboards["undeclared"].content["description"] == "loki-uid"
    assert needs_datasources(state)


class Unparseable(LazyJSONObject):
    def _parse(self) -> dict[str, Any]:
        raise AssertionError("input resolution parsed a dashboard it had no reason to look at")


def test_input_resolution_does_not_parse_dashboards_without_inputs() -> None:
    lazy = DesiredDashboard(
        uid="u",
        title="T",
        folder_uid=None,
        path="u.json",
        content=Unparseable(),
        checksum="sha256:x",
        may_have_inputs=False,
    )
    state = DesiredState(folders={}, dashboards={"u": lazy})
    assert not needs_datasources(state)
    assert resolve_inputs(state, {}, None).dashboards["u"] is lazy
    assert resolve_inputs(state, {}, []).dashboards["u"] is lazy
