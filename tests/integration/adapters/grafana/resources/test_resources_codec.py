"""Pure parts of the resources adapter: discovery choice, namespaces, annotations, object codec, errors.

Table-driven; no server needed. The HTTP behaviour is covered in test_resources_api.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from syncer.adapters.grafana.discovery import (
    ApiCatalogue,
    choose_api,
    namespace_for,
    parse_api_group_list,
)
from syncer.adapters.grafana.resources.codec import dashboard_spec, live_dashboard, live_folder
from syncer.adapters.grafana.resources.errors import refine
from syncer.adapters.grafana.resources.meta import (
    ANN_STORED_CHECKSUM,
    marker_annotations,
    marker_from_annotations,
)
from syncer.core.essence import checksum
from syncer.model.errors import (
    AlreadyExists,
    ConfigError,
    GrafanaError,
    Invalid,
    NotFound,
    VersionConflict,
)
from syncer.model.state import OwnershipMarker
from syncer.settings.model import load_settings


def group_list(groups: dict[str, list[str]], preferred: dict[str, str] | None = None) -> dict[str, Any]:
    preferred = preferred or {}
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {
                "name": name,
                "versions": [{"groupVersion": f"{name}/{v}", "version": v} for v in versions],
                "preferredVersion": {
                    "groupVersion": f"{name}/{preferred.get(name, versions[0])}",
                    "version": preferred.get(name, versions[0]),
                },
            }
            for name, versions in groups.items()
        ],
    }


G12 = {"dashboard.grafana.app": ["v1beta1", "v0alpha1", "v2beta1"], "folder.grafana.app": ["v1beta1"]}
G12_NO_V0 = {"dashboard.grafana.app": ["v1beta1", "v2beta1"], "folder.grafana.app": ["v1beta1"]}
G11 = {"dashboard.grafana.app": ["v0alpha1"], "folder.grafana.app": ["v0alpha1"]}
ONLY_DASHBOARDS = {"dashboard.grafana.app": ["v1beta1"]}


def test_parse_puts_preferred_version_first_and_ignores_junk() -> None:
    doc = group_list(G12, preferred={"dashboard.grafana.app": "v2beta1"})
    doc["groups"].append({"versions": "nonsense"})
    doc["groups"].append("not-a-group")
    catalogue = parse_api_group_list(doc)
    assert catalogue.groups["dashboard.grafana.app"] == ("v2beta1", "v1beta1", "v0alpha1")
    assert catalogue.groups["folder.grafana.app"] == ("v1beta1",)
    assert parse_api_group_list(["not", "a", "dict"]).groups == {}


@pytest.mark.parametrize(
    ("groups", "requested", "flavour", "dashboards", "folders"),
    [
        (G12, "auto", "resources", "v0alpha1", "v1beta1"),
        (G12_NO_V0, "auto", "resources", "v1beta1", "v1beta1"),
        (G12, "resources", "resources", "v0alpha1", "v1beta1"),
        (G12, "legacy", "legacy", None, None),
        (G11, "auto", "legacy", None, None),  # experimental folders only: auto stays legacy
        (G11, "resources", "resources", "v0alpha1", "v0alpha1"),
        (ONLY_DASHBOARDS, "auto", "legacy", None, None),
        ({}, "auto", "legacy", None, None),
    ],
)
def test_choose_api(
    groups: dict[str, list[str]], requested: str, flavour: str, dashboards: str | None, folders: str | None
) -> None:
    choice = choose_api(parse_api_group_list(group_list(groups)), requested)
    assert choice.flavour == flavour
    assert choice.reason
    if dashboards is None:
        assert choice.versions is None
    else:
        assert choice.versions is not None
        assert (choice.versions.classic_dashboards, choice.versions.folders) == (dashboards, folders)


def test_migrating_version_is_flagged() -> None:
    v0 = choose_api(parse_api_group_list(group_list(G12)), "auto").versions
    v1 = choose_api(parse_api_group_list(group_list(G12_NO_V0)), "auto").versions
    assert v0 is not None and not v0.migrates_on_write
    assert v1 is not None and v1.migrates_on_write
    assert v1.offers_dashboard_version("v2beta1") and not v1.offers_dashboard_version("v2alpha1")


def test_resources_requested_but_not_offered_is_a_config_error_naming_what_is_offered() -> None:
    with pytest.raises(ConfigError, match=r"dashboard\.grafana\.app v1beta1"):
        choose_api(parse_api_group_list(group_list(ONLY_DASHBOARDS)), "resources")
    with pytest.raises(ConfigError, match="--api legacy"):
        choose_api(ApiCatalogue({}), "resources")


@pytest.mark.parametrize(
    ("org", "explicit", "expected"),
    [(1, None, "default"), (2, None, "org-2"), (17, None, "org-17"), (1, "stacks-123", "stacks-123")],
)
def test_namespace(org: int, explicit: str | None, expected: str) -> None:
    assert namespace_for(org, explicit) == expected


def test_namespace_from_the_environment() -> None:
    settings = load_settings(None, environ={"GRAFANA_NAMESPACE": "stacks-123", "GRAFANA_ORG_ID": "3"})
    grafana = settings.targets[0].grafana
    assert namespace_for(grafana.org_id, grafana.namespace) == "stacks-123"


MARKER = OwnershipMarker(
    "team-a", "ops/cpu.json", "sha256:abc", commit="0123abcd", timestamp_ms=1700000000123
)


def test_marker_annotations_round_trip() -> None:
    annotations = marker_annotations(MARKER, allow_edits=False, now_ms=5)
    assert annotations["grafana.app/managedBy"] == "kubectl"
    assert annotations["grafana.app/managerId"] == "team-a"
    assert annotations["grafana.app/managerAllowsEdits"] == "false"
    assert annotations["grafana.app/sourcePath"] == "ops/cpu.json"
    assert annotations["grafana.app/sourceChecksum"] == "sha256:abc"
    assert annotations["grafana.app/sourceTimestamp"] == "1700000000123"
    assert marker_from_annotations(annotations) == MARKER


def test_marker_timestamp_falls_back_to_now_and_edits_flag_true() -> None:
    marker = OwnershipMarker("m", "f", "")
    annotations = marker_annotations(marker, allow_edits=True, now_ms=42)
    assert annotations["grafana.app/sourceTimestamp"] == "42"
    assert annotations["grafana.app/managerAllowsEdits"] == "true"
    assert "grafana.app/sourceChecksum" not in annotations  # folders have no content checksum


@pytest.mark.parametrize(
    ("annotations", "manager_id"),
    [
        ({"grafana.app/managedBy": "kubectl", "grafana.app/managerId": "team-a"}, "team-a"),
        ({"grafana.app/managedBy": "terraform", "grafana.app/managerId": "team-a"}, "terraform:team-a"),
        ({"grafana.app/managedBy": "repo", "grafana.app/managerId": "git"}, "repo:git"),
        ({"grafana.app/managerId": "x"}, "unknown:x"),
        ({"grafana.app/managedBy": "kubectl"}, None),  # Grafana: no managerId means not managed
        ({"grafana.app/managedBy": "kubectl", "grafana.app/managerId": ""}, None),
    ],
)
def test_marker_from_annotations_never_confuses_other_managers(
    annotations: dict[str, str], manager_id: str | None
) -> None:
    marker = marker_from_annotations(annotations)
    assert (marker.manager_id if marker else None) == manager_id


def test_rfc3339_source_timestamp_of_older_grafana_is_tolerated() -> None:
    marker = marker_from_annotations(
        {
            "grafana.app/managedBy": "kubectl",
            "grafana.app/managerId": "m",
            "grafana.app/sourceTimestamp": "2024-01-01T00:00:00Z",
        }
    )
    assert marker is not None and marker.timestamp_ms is None


def dashboard_object(
    spec: dict[str, Any], annotations: dict[str, str], *, api_version: str = "v0alpha1", generation: int = 3
) -> dict[str, Any]:
    return {
        "apiVersion": f"dashboard.grafana.app/{api_version}",
        "kind": "Dashboard",
        "metadata": {
            "name": "cpu",
            "resourceVersion": "1700",
            "generation": generation,
            "annotations": annotations,
        },
        "spec": spec,
    }


def test_live_dashboard_reads_metadata_and_strips_identity() -> None:
    annotations = {
        **marker_annotations(MARKER, allow_edits=True, now_ms=1),
        "grafana.app/folder": "ops",
        "grafana.app/updatedBy": "user:jane",
    }
    live = live_dashboard(
        dashboard_object({"title": "CPU", "uid": "cpu", "version": 9, "id": 4, "panels": []}, annotations)
    )
    assert (live.uid, live.title, live.folder_uid, live.version) == ("cpu", "CPU", "ops", 3)
    assert live.resource_version == "1700" and live.updated_by == "user:jane"
    assert live.content == {"title": "CPU", "panels": [], "uid": "cpu"}
    assert live.checksum == checksum({"title": "CPU", "panels": []}, "ops")
    assert live.marker == MARKER
    assert live.api_version is None  # classic JSON, like the legacy adapter reports it


def test_legacy_in_json_marker_is_read_when_annotations_are_absent() -> None:
    legacy = {
        "managedBy": "syncer",
        "managerId": "team-a",
        "sourcePath": "ops/cpu.json",
        "sourceChecksum": "sha256:old",
        "commit": None,
        "timestamp": 1,
    }
    live = live_dashboard(dashboard_object({"title": "CPU", "__syncer": legacy}, {}))
    assert live.marker is not None and live.marker.manager_id == "team-a"
    assert live.marker.checksum == "sha256:old"
    assert "__syncer" not in live.content
    assert live.checksum == checksum({"title": "CPU"}, None)


def test_stored_checksum_annotation_stands_for_base_only_while_content_matches() -> None:
    spec = {"title": "CPU", "schemaVersion": 41}
    stored = checksum({"title": "CPU", "schemaVersion": 41}, None)
    annotations = {**marker_annotations(MARKER, allow_edits=True, now_ms=1), ANN_STORED_CHECKSUM: stored}
    untouched = live_dashboard(dashboard_object(spec, annotations))
    assert untouched.checksum == MARKER.checksum  # migrated by the server, but not edited since
    edited = live_dashboard(dashboard_object({**spec, "title": "CPU (edited)"}, annotations))
    assert edited.checksum == checksum({"title": "CPU (edited)", "schemaVersion": 41}, None)


def test_v2_dashboard_content_is_the_spec_and_keeps_its_api_version() -> None:
    spec = {"title": "V2", "elements": {}, "layout": {"kind": "GridLayout", "spec": {"items": []}}}
    live = live_dashboard(dashboard_object(spec, {}, api_version="v2beta1"))
    assert live.content == spec
    assert live.api_version == "dashboard.grafana.app/v2beta1"


def test_dashboard_spec_drops_identity_and_marker() -> None:
    assert dashboard_spec({"uid": "x", "id": None, "version": 2, "title": "T", "__syncer": {}}) == {
        "title": "T"
    }


def test_live_folder_prefers_annotations_and_falls_back_to_legacy_description() -> None:
    folder = {
        "apiVersion": "folder.grafana.app/v1beta1",
        "kind": "Folder",
        "metadata": {
            "name": "ops",
            "generation": 2,
            "resourceVersion": "9",
            "annotations": {"grafana.app/folder": "root"},
        },
        "spec": {"title": "Ops", "description": "managed-by: syncer/team-a source: ops"},
    }
    live = live_folder(folder)
    assert (live.uid, live.title, live.parent_uid, live.version, live.resource_version) == (
        "ops",
        "Ops",
        "root",
        2,
        "9",
    )
    assert live.marker is not None and live.marker.manager_id == "team-a"


@pytest.mark.parametrize(
    ("error", "creating", "expected"),
    [
        (
            AlreadyExists(
                "PUT x: HTTP 409: Operation cannot be fulfilled on dashboards.dashboard.grafana.app "
                '"a": the object has been modified; please apply your changes',
                status=409,
            ),
            False,
            VersionConflict,
        ),
        (
            AlreadyExists(
                'POST x: HTTP 409: dashboards.dashboard.grafana.app "a" already exists', status=409
            ),
            True,
            VersionConflict,
        ),
        (  # the storage layer's own wording for a stale resourceVersion: the status decides
            AlreadyExists("DELETE x: HTTP 409: optimistic locking failed", status=409),
            False,
            VersionConflict,
        ),
        (NotFound("GET x: HTTP 404", status=404), False, NotFound),
        (Invalid("PUT x: HTTP 422: spec.title: Required value", status=422), False, Invalid),
    ],
)
def test_refine_409(error: GrafanaError, creating: bool, expected: type[Exception]) -> None:
    refined = refine(error, creating=creating)
    assert type(refined) is expected
    assert str(refined).startswith(str(error))
    assert refined.status == error.status
    assert ("re-reading" in str(refined)) == (creating and expected is VersionConflict)
