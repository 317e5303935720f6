"""The three file shapes a source file may have, unwrapped to one dashboard body:

- a bare dashboard (what Grafana's "Export" gives);
- the `/api/dashboards/db` envelope `{"dashboard": {...}, "folderUid": "...", ...}` (also the
  `GET /api/dashboards/uid/:uid` response, whose `meta` is ignored);
- a Kubernetes-style resource `dashboard.grafana.app/<version>` (`metadata.name` = uid,
  annotation `grafana.app/folder` = folder, `spec` = dashboard). `v2*` specs are kept as they are and
  flagged with their apiVersion so a resources adapter can route them; v0/v1 specs are classic JSON.
  A grafana-operator `GrafanaDashboard` with an inline `spec.json` is accepted too.

Called by the loader. It judges shape only; content rules live in `syncer.core.rules`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from syncer.model.state import JSON, Severity, SourceProblem

DASHBOARD_GROUP = "dashboard.grafana.app"
OPERATOR_GROUP = "grafana.integreatly.org"
FOLDER_ANNOTATION = "grafana.app/folder"
ROOT_ALIASES = frozenset({"general"})
_V2_ONLY_KEYS = frozenset({"elements", "layout"})


@dataclass
class Unwrapped:
    dashboard: dict[str, JSON] | None = None
    uid: str | None = None  # from resource metadata; None -> the body's own "uid"
    folder_uid: str | None = None
    folder_given: bool = False  # the file names its folder (folder_uid None then means the root)
    api_version: str | None = None  # set for v2 resources only
    problems: list[SourceProblem] = field(default_factory=list)


def unwrap(document: JSON, rel: str) -> Unwrapped:
    if not isinstance(document, dict):
        return _error(rel, f"top level must be an object, got {_kind(document)}")
    if isinstance(document.get("apiVersion"), str):
        return _resource(document, rel)
    if "spec" in document and ("metadata" in document or document.get("kind") == "Dashboard"):
        return _error(rel, "looks like a Kubernetes-style resource but has no apiVersion")
    if isinstance(document.get("dashboard"), dict) and "title" not in document and "panels" not in document:
        return _envelope(document, rel)
    if document.keys() >= _V2_ONLY_KEYS:
        return _error(
            rel,
            f"looks like a v2 dashboard spec; wrap it in a {DASHBOARD_GROUP}/v2beta1 resource "
            "(apiVersion, metadata, spec)",
        )
    return Unwrapped(dashboard=document)


def _envelope(document: dict[str, JSON], rel: str) -> Unwrapped:
    result = Unwrapped(dashboard=document["dashboard"])
    folder = document.get("folderUid")
    if isinstance(folder, str) and folder.strip():
        _set_folder(result, folder)
    elif folder is not None and not isinstance(folder, str):
        result.problems.append(SourceProblem(rel, f"folderUid must be a string, got {_kind(folder)}"))
    if document.get("folderId") not in (None, 0) and not result.folder_given:
        result.problems.append(
            _warning(rel, "folderId is ignored (ids differ between servers); use folderUid")
        )
    if document.get("overwrite") is True:
        result.problems.append(
            _warning(rel, "overwrite is ignored: syncer always writes with the live version")
        )
    return result


def _resource(document: dict[str, JSON], rel: str) -> Unwrapped:
    api_version = str(document["apiVersion"])
    group, _, version = api_version.partition("/")
    kind = document.get("kind")
    if group == OPERATOR_GROUP and kind == "GrafanaDashboard":
        return _operator_resource(document, rel)
    if group != DASHBOARD_GROUP or kind not in (None, "Dashboard"):
        return _error(rel, f"a {kind or 'resource'} of apiVersion {api_version!r} is not a dashboard")
    spec, metadata = document.get("spec"), document.get("metadata") or {}
    if not isinstance(spec, dict):
        return _error(rel, f"spec must be an object, got {_kind(spec)}")
    if not isinstance(metadata, dict):
        return _error(rel, f"metadata must be an object, got {_kind(metadata)}")
    result = Unwrapped(dashboard=spec, api_version=api_version if version.startswith("v2") else None)
    name = metadata.get("name")
    if isinstance(name, str) and name.strip():
        result.uid = name.strip()
    annotations = metadata.get("annotations")
    folder = annotations.get(FOLDER_ANNOTATION) if isinstance(annotations, dict) else None
    if isinstance(folder, str) and folder.strip():
        _set_folder(result, folder)
    return result


def _operator_resource(document: dict[str, JSON], rel: str) -> Unwrapped:
    spec = document.get("spec")
    raw = spec.get("json") if isinstance(spec, dict) else None
    if not isinstance(spec, dict) or not isinstance(raw, str):
        return _error(
            rel, "GrafanaDashboard without an inline spec.json is not supported (url, configMapRef, …)"
        )
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as exc:
        return _error(rel, f"spec.json is not valid JSON: {exc}")
    if not isinstance(body, dict):
        return _error(rel, f"spec.json must hold an object, got {_kind(body)}")
    result = Unwrapped(dashboard=body)
    uid = spec.get("uid")
    if isinstance(uid, str) and uid.strip():
        result.uid = uid.strip()
    folder = spec.get("folderUID")
    if isinstance(folder, str) and folder.strip():
        _set_folder(result, folder)
    return result


def _set_folder(result: Unwrapped, folder: str) -> None:
    clean = folder.strip()
    result.folder_given = True
    result.folder_uid = None if clean.lower() in ROOT_ALIASES else clean


def _error(rel: str, message: str) -> Unwrapped:
    return Unwrapped(problems=[SourceProblem(rel, message)])


def _warning(rel: str, message: str) -> SourceProblem:
    return SourceProblem(rel, message, Severity.WARNING)


def _kind(value: JSON) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
