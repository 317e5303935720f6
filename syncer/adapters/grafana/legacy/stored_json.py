"""A live dashboard's content kept as the compressed bytes Grafana sent, parsed only when someone looks.

Who uses it: the legacy adapter wraps every fetched dashboard's content in `StoredDashboardJSON`.
Why: a pass reads every desired dashboard from Grafana, but for the usual in-sync dashboard only
its checksum (computed once, at fetch time) is ever needed; keeping the parsed JSON, or even the raw
text, of 10,000 dashboards alive multiplied the process's memory several times over. The response
is kept compressed (`model.packing`, about a fifteenth of its size) and parsed on access (drift
reasons, diffs, pull); only a few recently read ones stay parsed (see `LazyJSONObject`). Read-only;
no I/O.
"""

from __future__ import annotations

from typing import Any

from syncer.model import jsontext, packing
from syncer.model.state import JSON, LazyJSONObject


class StoredDashboardJSON(LazyJSONObject):
    """`body["dashboard"]` of a `GET /api/dashboards/uid/:uid` response, minus the key `drop`."""

    __slots__ = ("_blob", "_drop")

    def __init__(self, body: bytes, *, drop: str) -> None:
        super().__init__()
        self._blob = packing.pack(body)
        self._drop = drop

    def _parse(self) -> dict[str, JSON]:
        dashboard: dict[str, Any] = jsontext.loads(packing.unpack(self._blob))["dashboard"]
        dashboard.pop(self._drop, None)
        return dashboard

    def __repr__(self) -> str:
        state = "parsed" if self._parsed is not None else f"{len(self._blob)} compressed bytes"
        return f"StoredDashboardJSON({state})"
