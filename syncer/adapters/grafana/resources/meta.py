"""Ownership on the k8s-style API: syncer's marker <-> Grafana's manager/source annotations.

Who calls it: `codec` (reading) and `adapter`/`folders` (writing).
Pure: no I/O, no clock. It must not decide policy (who may overwrite what); it only encodes what
the executor asks to stamp and decodes what Grafana holds, so the planner can read *base* from it.

Why `managedBy: kubectl`: Grafana parses `grafana.app/managedBy` into a closed set of manager kinds
(pkg/apimachinery/utils/manager.go). An unknown value such as `syncer` parses as "unknown" and the
server then treats the object as unmanaged, so `managerAllowsEdits` would mean nothing. `repo` is
reserved to the provisioning service identity (writes by anyone else are refused or re-routed into a
Git repository), `plugin`/`grafana`/`classic-*` describe Grafana-internal origins, and `terraform`
carries Terraform-specific identity migration rules. `kubectl` is the kind Grafana itself uses for
generic declarative API clients (grafanactl stamps it too, and Grafana's own tests use it for
file-sourced dashboards); its identity (`managerId`) is immutable once set, which is exactly the
protection syncer wants against another instance taking over.
"""

from __future__ import annotations

from collections.abc import Mapping

from syncer.model.state import OwnershipMarker

MANAGED_BY = "kubectl"

ANN_FOLDER = "grafana.app/folder"
ANN_MESSAGE = "grafana.app/message"
ANN_MANAGED_BY = "grafana.app/managedBy"
ANN_MANAGER_ID = "grafana.app/managerId"
ANN_ALLOWS_EDITS = "grafana.app/managerAllowsEdits"
# Set by a person (or another tool) to pause the manager on one object; syncer reads it and never
# writes it, so it is not among OWNED_KEYS: an update that is allowed carries it over unchanged.
ANN_SUSPENDED = "grafana.app/managerSuspended"
ANN_SOURCE_PATH = "grafana.app/sourcePath"
ANN_SOURCE_CHECKSUM = "grafana.app/sourceChecksum"
ANN_SOURCE_TIMESTAMP = "grafana.app/sourceTimestamp"
ANN_UPDATED_BY = "grafana.app/updatedBy"
ANN_CREATED_BY = "grafana.app/createdBy"
ANN_UPDATED_TIMESTAMP = "grafana.app/updatedTimestamp"
ANN_BLOB = "grafana.app/blob"  # a large spec stored apart; listings may carry a reduced spec
# syncer's own keys. Grafana keeps custom annotations where supported and may drop them elsewhere;
# without them syncer stays safe and correct, it only loses the no-op detection for dashboards a
# migrating version (v1beta1/v1) rewrote (see docs/resources-api.md).
ANN_COMMIT = "syncer/commit"
ANN_STORED_CHECKSUM = "syncer/storedChecksum"

OWNED_KEYS = frozenset(
    {
        ANN_MANAGED_BY,
        ANN_MANAGER_ID,
        ANN_ALLOWS_EDITS,
        ANN_SOURCE_PATH,
        ANN_SOURCE_CHECKSUM,
        ANN_SOURCE_TIMESTAMP,
        ANN_COMMIT,
        ANN_STORED_CHECKSUM,
        ANN_FOLDER,
        ANN_MESSAGE,
    }
)
SERVER_KEYS = frozenset({ANN_UPDATED_BY, ANN_CREATED_BY, ANN_UPDATED_TIMESTAMP, ANN_BLOB})
MAX_MESSAGE = 500  # Grafana rejects longer version-history messages


def marker_annotations(marker: OwnershipMarker, *, allow_edits: bool, now_ms: int) -> dict[str, str]:
    """The annotations syncer stamps on every object it writes."""
    annotations = {
        ANN_MANAGED_BY: MANAGED_BY,
        ANN_MANAGER_ID: marker.manager_id,
        ANN_ALLOWS_EDITS: "true" if allow_edits else "false",
        ANN_SOURCE_PATH: marker.source_path,
        ANN_SOURCE_TIMESTAMP: str(marker.timestamp_ms if marker.timestamp_ms is not None else now_ms),
    }
    if marker.checksum:
        annotations[ANN_SOURCE_CHECKSUM] = marker.checksum
    if marker.commit:
        annotations[ANN_COMMIT] = marker.commit
    return annotations


def object_annotations(
    kept: Mapping[str, str],
    marker: OwnershipMarker,
    *,
    folder_uid: str | None,
    message: str,
    allow_edits: bool,
    now_ms: int,
) -> dict[str, str]:
    """All annotations of an object syncer writes: other people's (`kept`, from the last read), the
    ownership marker, the parent folder (absent for the root) and the commit message."""
    result = foreign_annotations(kept)
    result.update(marker_annotations(marker, allow_edits=allow_edits, now_ms=now_ms))
    if folder_uid:
        result[ANN_FOLDER] = folder_uid
    if message:
        result[ANN_MESSAGE] = message[:MAX_MESSAGE]
    return result


def marker_from_annotations(annotations: Mapping[str, str]) -> OwnershipMarker | None:
    """Read the manager annotations. Like Grafana, an object counts as managed only when
    `managerId` is non-empty. A manager of another kind gets a `kind:id` manager id, so it can never
    be mistaken for a syncer instance that happens to use the same id. `managerSuspended: "true"`
    marks the object as paused (`OwnershipMarker.suspended`)."""
    manager_id = annotations.get(ANN_MANAGER_ID, "")
    if not manager_id:
        return None
    kind = annotations.get(ANN_MANAGED_BY, "")
    return OwnershipMarker(
        manager_id=manager_id if kind == MANAGED_BY else f"{kind or 'unknown'}:{manager_id}",
        source_path=annotations.get(ANN_SOURCE_PATH, ""),
        checksum=annotations.get(ANN_SOURCE_CHECKSUM, ""),
        commit=annotations.get(ANN_COMMIT) or None,
        timestamp_ms=_int_or_none(annotations.get(ANN_SOURCE_TIMESTAMP)),
        suspended=is_true(annotations.get(ANN_SUSPENDED)),
    )


def is_true(value: str | None) -> bool:
    """Grafana's reading of a boolean annotation: "true" (any case, spaces trimmed) is true;
    anything else, and absence, is false."""
    return value is not None and value.strip().lower() == "true"


def foreign_annotations(annotations: Mapping[str, str]) -> dict[str, str]:
    """Annotations that belong to someone else (other tools, users): kept on every update,
    because a PUT replaces the whole object."""
    return {k: v for k, v in annotations.items() if k not in OWNED_KEYS and k not in SERVER_KEYS}


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None  # older Grafana wrote RFC3339 timestamps; they carry nothing syncer needs
