"""The essence of a dashboard and its checksum: what syncer compares and hashes (design.md).

Called by the loader (desired checksums), the Grafana adapters (live checksums), the planner and
inputs resolution. Two dashboards with the same essence are "the same" for syncer, so everything a
Grafana server rewrites or owns on its own must be normalised away here, and nothing else: an
essence that hides a real difference would make syncer miss an edit. Pure; no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

from syncer.core.jsonvalues import normalise_numbers
from syncer.model import jsontext
from syncer.model.state import JSON

MARKER_KEY = "__syncer"
"""Top-level key of the ownership marker in legacy dashboard JSON (the adapter owns its codec)."""

SERVER_OWNED_KEYS = frozenset({"id", "version", "uid", MARKER_KEY})
"""Removed from the essence: `id`/`version` are assigned by Grafana, `uid` is identity (compared
separately), and the marker records syncer's own bookkeeping, not content."""


def canonical_json(value: JSON) -> str:
    """One spelling per JSON value: sorted keys, no whitespace, UTF-8 text kept as is (the spelling
    of `json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False)`, made faster)."""
    return jsontext.dumps_canonical(value)


def essence(content: Mapping[str, JSON], *, numbers_normal: bool = False) -> dict[str, JSON]:
    """Normalised content for comparison: server-owned keys dropped, numbers as a Go float64
    round trip leaves them, title trimmed (Grafana trims it on save).

    `numbers_normal`: the caller has already normalised the numbers (the loader's content went
    through `normalise_for_grafana`), so the walk over every value is skipped; the result is the
    same."""
    kept = {key: value for key, value in content.items() if key not in SERVER_OWNED_KEYS}
    result: dict[str, JSON] = kept if numbers_normal else normalise_numbers(kept)
    title = result.get("title")
    if isinstance(title, str):
        result["title"] = title.strip()
    return result


def checksum(content: Mapping[str, JSON], folder_uid: str | None) -> str:
    """`sha256:<hex>` of the canonical essence together with the folder, so a move is a change."""
    return checksums_by_folder(content)(folder_uid)


def checksums_by_folder(
    content: Mapping[str, JSON], *, numbers_normal: bool = False
) -> Callable[[str | None], str]:
    """`folder_uid -> checksum(content, folder_uid)`, with the essence serialised and hashed once.

    The payload is `canonical_json({"dashboard": essence, "folderUid": folder})`; with sorted keys
    that is the essence's text between a fixed head and the folder's tail, so the hash state after
    the essence is kept (a few hundred bytes) and only the tail is hashed per folder. The loader
    keeps this for every file instead of the content."""
    head = '{"dashboard":' + canonical_json(essence(content, numbers_normal=numbers_normal)) + ',"folderUid":'
    hashed = hashlib.sha256(head.encode("utf-8"))

    def for_folder(folder_uid: str | None) -> str:
        digest = hashed.copy()
        digest.update((canonical_json(folder_uid or "") + "}").encode("utf-8"))
        return "sha256:" + digest.hexdigest()

    return for_folder
