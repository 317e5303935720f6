"""The body of a legacy dashboard save (`POST /api/dashboards/db`), built from the kept text when it can.

Who calls it: `LegacyGrafana.save_dashboard`. Why: a pass keeps every desired dashboard as compressed
compact JSON; parsing it again only to add the ownership marker and the version, then encoding it
again, cost more CPU on a cold apply than the HTTP exchange itself (docs/benchmarks.md). The loader
keeps `uid` (and `id`, when the file had one) as the last members of that text and never keeps
`version` or the marker, so the body is the kept text with those members appended. Whenever the text
does not end as expected (contents resolved from `__inputs`, say), the body is built from the parsed
content instead, as before; both give the same JSON value (tested).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from syncer.adapters.grafana.marker import DASHBOARD_KEY, encode_dashboard_marker
from syncer.model import jsontext
from syncer.model.state import CompactJSON, DesiredDashboard, LiveDashboard, OwnershipMarker

MAX_MESSAGE = 500  # Grafana rejects longer version-history messages


def save_body(
    desired: DesiredDashboard, live: LiveDashboard | None, marker: OwnershipMarker, message: str
) -> Any:
    """The JSON value to send (bytes: already encoded)."""
    # why: Grafana makes the next version of exactly this number (or refuses the save), so a
    # later read can tell a save made after ours (a restore) from our own
    marker = replace(marker, version=live.version + 1 if live is not None else 1)
    rest = {
        "folderUid": desired.folder_uid or "",  # always sent: omitting it moves to General
        "overwrite": False,
        "message": message[:MAX_MESSAGE],
    }
    spliced = _from_kept_text(desired, live, marker)
    if spliced is not None:
        return b'{"dashboard":' + spliced + b"," + jsontext.dumps(rest)[1:]
    dashboard: dict[str, Any] = dict(desired.content)
    dashboard.update({DASHBOARD_KEY: encode_dashboard_marker(marker), "uid": desired.uid, "id": None})
    dashboard.pop("version", None)
    if live is not None:
        dashboard["version"] = live.version
    return {"dashboard": dashboard, **rest}


def _from_kept_text(
    desired: DesiredDashboard, live: LiveDashboard | None, marker: OwnershipMarker
) -> bytes | None:
    content = desired.content
    if not isinstance(content, CompactJSON):
        return None
    text = content.json_bytes()
    uid = b',"uid":' + jsontext.dumps(desired.uid)
    added: dict[str, Any] = {DASHBOARD_KEY: encode_dashboard_marker(marker)}
    # A compact object's text ending in `,"uid":U}` or `,"uid":U,"id":null}` holds them as its last
    # top-level members (one closing brace: nothing nested ends there); keys of an object are unique
    if text.endswith(uid + b"}"):
        added["id"] = None
    elif not text.endswith(uid + b',"id":null}'):
        return None
    if live is not None:
        added["version"] = live.version
    return jsontext.extend_object(text, added)
