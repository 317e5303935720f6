"""Lazily parsed dashboard contents (`syncer.model.state`): same values as the JSON they encode,
and never more than a bounded number parsed at once."""

from __future__ import annotations

import gc
import hashlib
import json
import weakref
from typing import Any

import pytest

from syncer.adapters.grafana.legacy.stored_json import StoredDashboardJSON
from syncer.adapters.grafana.resources.codec import live_dashboard
from syncer.core.essence import canonical_json, checksum, checksums_by_folder, essence
from syncer.model.state import RECENTLY_PARSED, CompactJSON, LazyJSONObject

AWKWARD: dict[str, Any] = {
    "title": "Zürich ☃ \U0001f600",
    "floats": [0.1, -0.0, 1e300, 5e-324, 3.0],
    "big": 2**70,
    "nested": {"z": 1, "a": [None, True, False, {"": ""}]},
    "quote": 'a "quoted" \\ back\nslash',
}


LONE_SURROGATE = {"lone": "\ud800 half a surrogate pair"}  # json.loads makes these from a "\\ud800" escape


class CountingJSON(LazyJSONObject):
    """Counts its parses, so tests can see when a content was parsed again."""

    __slots__ = ("_text", "parses")

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text
        self.parses = 0

    def _parse(self) -> dict[str, Any]:
        self.parses += 1
        value: dict[str, Any] = json.loads(self._text)
        return value


def test_compact_content_equals_its_value_with_key_order_kept() -> None:
    compact = CompactJSON.of(AWKWARD)
    assert compact == AWKWARD and dict(compact) == AWKWARD
    assert list(compact) == list(AWKWARD)
    assert json.dumps(dict(compact)) == json.dumps(AWKWARD)
    assert compact.get("missing") is None and "title" in compact and len(compact) == len(AWKWARD)


def test_compact_content_round_trips_a_lone_surrogate() -> None:
    assert dict(CompactJSON.of(LONE_SURROGATE)) == LONE_SURROGATE


def test_compact_content_is_much_smaller_than_its_text() -> None:
    panels = [
        {"id": i, "type": "timeseries", "targets": [{"expr": f"rate(x{{job='a{i}'}}[5m])"}]}
        for i in range(200)
    ]
    value = {"title": "Big", "panels": panels}
    assert CompactJSON.of(value).compact_size * 4 < len(json.dumps(value))


def test_checksum_by_folder_matches_the_canonical_payload() -> None:
    by_folder = checksums_by_folder(AWKWARD)
    for folder in (None, "", "team-a", "dossier-é", 'odd"uid'):
        payload = canonical_json({"dashboard": essence(AWKWARD), "folderUid": folder or ""})
        expected = "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()
        assert by_folder(folder) == expected == checksum(AWKWARD, folder)
    assert checksum(CompactJSON.of(AWKWARD), "f") == checksum(AWKWARD, "f")


def test_a_content_is_parsed_once_while_in_use() -> None:
    item = CountingJSON('{"a": 1, "b": 2, "c": 3}')
    assert dict(item) == {"a": 1, "b": 2, "c": 3}
    assert item["a"] == 1 and list(item.items()) == [("a", 1), ("b", 2), ("c", 3)]
    assert item.parses == 1


def test_only_a_bounded_number_of_contents_stay_parsed() -> None:
    items = [CountingJSON(f'{{"n": {i}}}') for i in range(RECENTLY_PARSED + 10)]
    for item in items:
        assert item["n"] >= 0
    assert [i.parses for i in items] == [1] * len(items)
    assert items[0]["n"] == 0 and items[0].parses == 2  # forgotten, parsed again with the same value
    assert items[-1]["n"] == len(items) - 1 and items[-1].parses == 1  # still recent


def test_being_recently_parsed_does_not_keep_a_content_alive() -> None:
    item = CountingJSON('{"big": "' + "x" * 1000 + '"}')
    assert len(item["big"]) == 1000
    ref = weakref.ref(item)
    del item
    gc.collect()
    assert ref() is None


def test_stored_legacy_content_is_compressed_and_drops_the_marker() -> None:
    dashboard = {
        "title": "T",
        "panels": [{"id": i, "title": f"panel {i}"} for i in range(300)],
        "__syncer": {},
    }
    raw = json.dumps({"dashboard": dashboard, "meta": {"version": 3}}).encode()
    stored = StoredDashboardJSON(raw, drop="__syncer")
    compressed = int(repr(stored).split("(")[1].split()[0])
    assert compressed * 4 < len(raw)
    expected = {k: v for k, v in dashboard.items() if k != "__syncer"}
    assert dict(stored) == expected and "parsed" in repr(stored)


def test_resource_live_content_is_lazy_and_equal_to_the_spec() -> None:
    obj = {
        "apiVersion": "dashboard.grafana.app/v1beta1",
        "kind": "Dashboard",
        "metadata": {"name": "u1", "generation": 4, "annotations": {"grafana.app/folder": "f"}},
        "spec": {"title": "T", "uid": "ignored", "version": 9, "panels": [{"id": 1}]},
    }
    live = live_dashboard(obj)
    assert isinstance(live.content, LazyJSONObject)
    assert dict(live.content) == {"title": "T", "panels": [{"id": 1}], "uid": "u1"}
    assert live.checksum == checksum({"title": "T", "panels": [{"id": 1}], "uid": "u1"}, "f")


@pytest.mark.parametrize("value", [{}, {"a": []}, AWKWARD])
def test_compact_round_trip_keeps_the_checksum(value: dict[str, Any]) -> None:
    assert checksum(CompactJSON.of(value), None) == checksum(value, None)
