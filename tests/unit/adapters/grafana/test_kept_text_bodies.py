"""Bodies built from the kept text (legacy save body, resources `spec`) equal those built from the
parsed content.

Real files through the real loader (which keeps `uid`/`id` last); the parsed path is forced by handing
the same dashboard over as a plain dict.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from syncer.adapters.files.loader import DirectorySource
from syncer.adapters.grafana.legacy.body import save_body
from syncer.adapters.grafana.resources.codec import dashboard_spec, k8s_object
from syncer.model import jsontext
from syncer.model.state import CompactJSON, DesiredDashboard, OwnershipMarker
from unit.core_factories import have

MARKER = OwnershipMarker("mgr", "a.json", "sha256:abc", commit="c0ffee", timestamp_ms=5)
PANELS = [{"id": 1, "uid": "inner", "type": "stat", "targets": [{"expr": 'up{job="x"}', "refId": "A"}]}]


def loaded(tmp_path: Path, document: dict[str, Any]) -> DesiredDashboard:
    (tmp_path / "a.json").write_text(json.dumps(document, indent=2))
    state = DirectorySource(tmp_path).load()
    assert not state.errors
    (dashboard,) = state.dashboards.values()
    return dashboard


def parsed_path(desired: DesiredDashboard) -> DesiredDashboard:
    return dataclasses.replace(desired, content=dict(desired.content))


DOCUMENTS = [
    {"uid": "a", "title": " A ", "panels": PANELS, "version": 7, "id": 42},
    {"title": "no id", "uid": "a", "panels": PANELS, "refresh": "1s"},
    {"panels": PANELS, "title": "uid derived from the path"},
    {"uid": "a", "title": "t", "__syncer": {"managerId": "old"}, "tags": ["x"], "id": None},
]


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("live_version", [None, 3])
def test_kept_text_and_parsed_content_give_the_same_body(
    tmp_path: Path, document: dict[str, Any], live_version: int | None
) -> None:
    desired = loaded(tmp_path, document)
    live = have(desired.uid, version=live_version) if live_version is not None else None
    spliced = save_body(desired, live, MARKER, "a message")
    assert isinstance(spliced, bytes)  # the loader's text allows the cheap path
    expected = save_body(parsed_path(desired), live, MARKER, "a message")
    assert isinstance(expected, dict)
    assert json.loads(spliced) == expected
    assert expected["dashboard"]["id"] is None and expected["dashboard"]["uid"] == desired.uid
    assert ("version" in expected["dashboard"]) == (live_version is not None)


def test_text_not_ending_in_the_identity_falls_back_to_the_parsed_content(tmp_path: Path) -> None:
    desired = loaded(tmp_path, {"uid": "a", "title": "t"})
    reordered = dataclasses.replace(desired, content=CompactJSON.of({"uid": "a", "title": "t"}))  # uid first
    body = save_body(reordered, None, MARKER, "m")
    assert isinstance(body, dict) and body["dashboard"]["uid"] == "a"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_resources_spec_from_kept_text_is_the_parsed_one(tmp_path: Path, document: dict[str, Any]) -> None:
    desired = loaded(tmp_path, document)
    spec = dashboard_spec(desired.content, desired.uid)
    assert isinstance(spec, jsontext.Encoded)
    expected = dashboard_spec(dict(desired.content))
    assert json.loads(spec.text) == expected
    body = k8s_object(
        api_version="dashboard.grafana.app/v1beta1",
        kind="Dashboard",
        name=desired.uid,
        spec_body=spec,
        meta_annotations={"a": "\udcff"},  # a lone surrogate: the standard library's path encodes it
        meta_labels={},
        resource_version=None,
    )
    assert json.loads(jsontext.dumps(body))["spec"] == expected
    assert json.loads(jsontext.dumps({**body, "metadata": {}}))["spec"] == expected
