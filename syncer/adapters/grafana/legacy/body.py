"""The body of a legacy dashboard save (`POST /api/dashboards/db`).

Who calls it: `LegacyGrafana.save_dashboard`. The dashboard is the desired content with the ownership
marker, `uid`, `"id": null` and (for an update) the version read, without any other `version`. Built
from the kept text when it can (kept_text.py: no parse and re-encode per dashboard), else from the
parsed content; both give the same JSON value (tested).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from syncer.adapters.grafana.kept_text import without_identity
from syncer.adapters.grafana.marker import DASHBOARD_KEY, encode_dashboard_marker
from syncer.model import jsontext
from syncer.model.state import DesiredDashboard, LiveDashboard, OwnershipMarker

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
    added: dict[str, Any] = {DASHBOARD_KEY: encode_dashboard_marker(marker), "uid": desired.uid, "id": None}
    if live is not None:
        added["version"] = live.version
    kept = without_identity(desired.content, desired.uid)
    if kept is not None:
        dashboard = jsontext.extend_object(kept[0], added)
        return b'{"dashboard":' + dashboard + b"," + jsontext.dumps(rest)[1:]
    parsed: dict[str, Any] = dict(desired.content)
    parsed.pop("version", None)
    parsed.update(added)
    return {"dashboard": parsed, **rest}
