"""k8s-style Grafana objects <-> syncer's live state and write payloads.

Who calls it: `syncer.adapters.grafana.resources.adapter` for every read and write. Pure: no I/O, no clock.
It must not choose endpoints or versions (the adapter does) nor decide policy (the planner does).

Reading: `metadata.name` is the uid, `metadata.generation` the version, `grafana.app/folder` the
parent, the manager annotations the ownership marker. Dashboards written by an older syncer through
the legacy API carry their marker inside the JSON (`"__syncer"`); it is read as a fallback so those
dashboards are recognised (adopted, not duplicated), and it is never written back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from syncer.adapters.grafana.kept_text import without_identity
from syncer.adapters.grafana.marker import decode_folder_marker, split_dashboard
from syncer.adapters.grafana.resources.meta import (
    ANN_FOLDER,
    ANN_STORED_CHECKSUM,
    ANN_UPDATED_BY,
    marker_from_annotations,
)
from syncer.core.essence import checksum, checksums_by_folder
from syncer.model.jsontext import Encoded
from syncer.model.state import JSON, CompactJSON, LiveDashboard, LiveFolder

# Keys Grafana moves from the spec into metadata (uid -> name, version -> generation, id -> label).
SPEC_IDENTITY_KEYS = ("uid", "id", "version")


def metadata_of(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def annotations_of(obj: Mapping[str, Any]) -> dict[str, str]:
    raw = metadata_of(obj).get("annotations")
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}


def labels_of(obj: Mapping[str, Any]) -> dict[str, str]:
    raw = metadata_of(obj).get("labels")
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}


def spec_of(obj: Mapping[str, Any]) -> dict[str, JSON]:
    raw = obj.get("spec")
    return dict(raw) if isinstance(raw, Mapping) else {}


def version_of(api_version: str | None) -> str:
    """`dashboard.grafana.app/v2beta1` -> `v2beta1`."""
    return (api_version or "").rpartition("/")[2]


def is_v2(version: str) -> bool:
    return version.startswith("v2")


def stored_version(obj: Mapping[str, Any]) -> str | None:
    """The version a dashboard is stored in, when the server says it differs from the one read
    (`status.conversion.storedVersion`)."""
    status = obj.get("status")
    conversion = status.get("conversion") if isinstance(status, Mapping) else None
    stored = conversion.get("storedVersion") if isinstance(conversion, Mapping) else None
    return version_of(str(stored)) if stored else None


def folder_of(obj: Mapping[str, Any]) -> str | None:
    return annotations_of(obj).get(ANN_FOLDER) or None


def generation(obj: Mapping[str, Any]) -> int:
    value = metadata_of(obj).get("generation")
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def resource_version(obj: Mapping[str, Any]) -> str | None:
    value = metadata_of(obj).get("resourceVersion")
    return str(value) if value not in (None, "") else None


def dashboard_content(obj: Mapping[str, Any]) -> tuple[dict[str, JSON], bool]:
    """(content as syncer compares it, is_v2). Classic content gets its uid back (like the
    legacy API returns it); identity keys and the in-JSON marker are removed."""
    version = version_of(obj.get("apiVersion"))
    raw = spec_of(obj)
    if is_v2(version):
        return raw, True
    content, _ = split_dashboard(raw)
    for key in SPEC_IDENTITY_KEYS:
        content.pop(key, None)
    content["uid"] = str(metadata_of(obj).get("name", ""))
    return content, False


def live_dashboard(obj: Mapping[str, Any], *, numbers_normal: bool = False) -> LiveDashboard:
    """`numbers_normal`: `obj`'s numbers are already as a float64 round trip leaves them (a listing
    decodes them so), so the checksum skips that walk."""
    meta_annotations = annotations_of(obj)
    content, v2 = dashboard_content(obj)
    folder = folder_of(obj)
    marker = marker_from_annotations(meta_annotations)
    if marker is None and not v2:
        _, marker = split_dashboard(spec_of(obj))  # written by an older syncer through /api
        # why: that marker's version counts legacy versions, which need not be this API's generations
        marker = replace(marker, version=None) if marker is not None else None
    computed = checksums_by_folder(content, numbers_normal=numbers_normal)(folder)
    # why: v1beta1/v1 migrate the spec on write, so the read-back essence differs from the file's.
    # The adapter records the checksum of what the server stored right after its own write; while
    # the object still matches it, it is untouched since syncer wrote it, i.e. equal to base.
    untouched = (
        marker is not None and marker.checksum and meta_annotations.get(ANN_STORED_CHECKSUM) == computed
    )
    return LiveDashboard(
        uid=str(metadata_of(obj).get("name", "")),
        title=str(content.get("title", "")),
        folder_uid=folder,
        version=generation(obj),
        content=CompactJSON.of(content),  # why: a pass holds every live dashboard; few are ever read
        checksum=marker.checksum if untouched and marker is not None else computed,
        marker=marker,
        updated_by=meta_annotations.get(ANN_UPDATED_BY),
        resource_version=resource_version(obj),
        api_version=str(obj.get("apiVersion")) if v2 else None,
    )


def stored_checksum(obj: Mapping[str, Any]) -> str:
    """Checksum of a dashboard object exactly as `live_dashboard` computes it from content."""
    content, _ = dashboard_content(obj)
    return checksum(content, folder_of(obj))


def live_folder(obj: Mapping[str, Any]) -> LiveFolder:
    body = spec_of(obj)
    marker = marker_from_annotations(annotations_of(obj))
    if marker is None:
        description = body.get("description")
        marker = decode_folder_marker(description if isinstance(description, str) else None)
    return LiveFolder(
        uid=str(metadata_of(obj).get("name", "")),
        title=str(body.get("title", "")),
        parent_uid=folder_of(obj),
        version=generation(obj),
        marker=marker,
        resource_version=resource_version(obj),
    )


def dashboard_spec(content: Mapping[str, JSON], uid: str | None = None) -> dict[str, JSON] | Encoded:
    """What goes into `spec`: the content minus identity keys (they live in metadata) and any in-JSON
    marker (ownership lives in annotations). Neither belongs in a v2 spec either. With the `uid` of a
    desired dashboard, the kept text without its identity when it can (kept_text.py)."""
    kept = without_identity(content, uid) if uid is not None else None
    if kept is not None:
        return Encoded(kept[0])
    body, _ = split_dashboard(content)
    for key in SPEC_IDENTITY_KEYS:
        body.pop(key, None)
    return body


def k8s_object(
    *,
    api_version: str,
    kind: str,
    name: str,
    spec_body: Mapping[str, JSON] | Encoded,
    meta_annotations: Mapping[str, str],
    meta_labels: Mapping[str, str],
    resource_version: str | None,
) -> dict[str, JSON]:
    meta: dict[str, JSON] = {"name": name, "annotations": dict(meta_annotations)}
    if meta_labels:
        meta["labels"] = dict(meta_labels)
    if resource_version is not None:
        meta["resourceVersion"] = resource_version
    spec = spec_body if isinstance(spec_body, Encoded) else dict(spec_body)
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, "spec": spec}
