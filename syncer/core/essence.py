"""The essence of a dashboard and its checksum: what syncer compares and hashes (design.md).

Called by the loader (desired checksums), the Grafana adapters (live checksums), the planner and
inputs resolution. Two dashboards with the same essence are "the same" for syncer, so everything a
Grafana server rewrites or owns on its own must be normalised away here, and nothing else: an
essence that hides a real difference would make syncer miss an edit. Pure; no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from syncer.core.jsonvalues import normalise_numbers
from syncer.model.state import JSON

MARKER_KEY = "__syncer"
"""Top-level key of the ownership marker in legacy dashboard JSON (the adapter owns its codec)."""

SERVER_OWNED_KEYS = frozenset({"id", "version", "uid", MARKER_KEY})
"""Removed from the essence: `id`/`version` are assigned by Grafana, `uid` is identity (compared
separately), and the marker records syncer's own bookkeeping, not content."""


def canonical_json(value: JSON) -> str:
    """One spelling per JSON value: sorted keys, no whitespace, UTF-8 text kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def essence(content: Mapping[str, JSON]) -> dict[str, JSON]:
    """Normalised content for comparison: server-owned keys dropped, numbers as a Go float64
    round trip leaves them, title trimmed (Grafana trims it on save)."""
    kept = {key: value for key, value in content.items() if key not in SERVER_OWNED_KEYS}
    result: dict[str, JSON] = normalise_numbers(kept)
    title = result.get("title")
    if isinstance(title, str):
        result["title"] = title.strip()
    return result


def checksum(content: Mapping[str, JSON], folder_uid: str | None) -> str:
    """`sha256:<hex>` of the canonical essence together with the folder, so a move is a change."""
    payload = canonical_json({"dashboard": essence(content), "folderUid": folder_uid or ""})
    return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()
