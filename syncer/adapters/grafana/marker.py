"""Ownership marker codec for the legacy `/api` (documented in docs/cli.md, "Ownership markers").

Dashboards carry a top-level JSON object `"__syncer"` (Grafana keeps unknown top-level keys):

    {"managedBy": "syncer", "managerId": "...", "sourcePath": "...", "sourceChecksum": "sha256:...",
     "commit": "<git sha or null>", "timestamp": <unix ms>, "version": <the version this save makes>}

Folders have no free-form JSON, so theirs is one line of the folder `description`:

    managed-by: syncer/<managerId> source: <relative directory>

Who calls it: the legacy adapter when it reads and writes. Pure functions, no I/O; a malformed
marker decodes as None (treated as unmanaged, which is the safe reading: never pruned).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from syncer.core.essence import MARKER_KEY
from syncer.model.state import JSON, OwnershipMarker

DASHBOARD_KEY = MARKER_KEY
MANAGED_BY = "syncer"
_FOLDER_LINE = re.compile(r"^managed-by: syncer/(?P<manager>[^\s]+) source: (?P<path>.*)$", re.MULTILINE)


def encode_dashboard_marker(marker: OwnershipMarker) -> dict[str, JSON]:
    return {
        "managedBy": MANAGED_BY,
        "managerId": marker.manager_id,
        "sourcePath": marker.source_path,
        "sourceChecksum": marker.checksum,
        "commit": marker.commit,
        "timestamp": marker.timestamp_ms,
        **({"version": marker.version} if marker.version is not None else {}),
    }


def decode_dashboard_marker(raw: JSON) -> OwnershipMarker | None:
    if not isinstance(raw, Mapping) or raw.get("managedBy") != MANAGED_BY:
        return None
    manager, path, checksum = raw.get("managerId"), raw.get("sourcePath"), raw.get("sourceChecksum")
    if not (isinstance(manager, str) and manager and isinstance(path, str) and isinstance(checksum, str)):
        return None
    commit = raw.get("commit")
    timestamp = raw.get("timestamp")
    version = raw.get("version")
    return OwnershipMarker(
        manager_id=manager,
        source_path=path,
        checksum=checksum,
        commit=commit if isinstance(commit, str) else None,
        timestamp_ms=int(timestamp) if isinstance(timestamp, int | float) else None,
        version=version if isinstance(version, int) and not isinstance(version, bool) else None,
    )


def split_dashboard(stored: Mapping[str, JSON]) -> tuple[dict[str, JSON], OwnershipMarker | None]:
    """Stored dashboard JSON -> (content without the marker, marker)."""
    content = {k: v for k, v in stored.items() if k != DASHBOARD_KEY}
    return content, decode_dashboard_marker(stored.get(DASHBOARD_KEY))


def encode_folder_marker(marker: OwnershipMarker) -> str:
    # why: a newline or a control character in a directory name must not break the one-line format
    path = " ".join(marker.source_path.split())
    return f"managed-by: {MANAGED_BY}/{marker.manager_id} source: {path}"


def decode_folder_marker(description: str | None) -> OwnershipMarker | None:
    if not description:
        return None
    match = _FOLDER_LINE.search(description)
    if match is None:
        return None
    return OwnershipMarker(manager_id=match["manager"], source_path=match["path"].strip(), checksum="")
