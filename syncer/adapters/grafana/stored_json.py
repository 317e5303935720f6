"""A live dashboard's content kept as the bytes Grafana sent, parsed only when someone looks.

Who uses it: the legacy adapter wraps every fetched dashboard's content in `StoredDashboardJSON`.
Why: a pass reads every desired dashboard from Grafana, but for the usual in-sync dashboard only
its checksum (computed once, at fetch time) is ever needed; keeping the parsed JSON of thousands
of dashboards alive multiplied the process's memory several times over. Content is parsed on first
access (drift reasons, diffs, pull) and kept from then on. Read-only; no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from syncer.model.state import JSON


class StoredDashboardJSON(Mapping[str, JSON]):
    """`body["dashboard"]` of a `GET /api/dashboards/uid/:uid` response, minus the key `drop`."""

    __slots__ = ("_body", "_drop", "_parsed")

    def __init__(self, body: bytes, *, drop: str) -> None:
        self._body = body
        self._drop = drop
        self._parsed: dict[str, JSON] | None = None

    def _content(self) -> dict[str, JSON]:
        if self._parsed is None:
            dashboard: dict[str, Any] = json.loads(self._body)["dashboard"]
            dashboard.pop(self._drop, None)
            self._parsed = dashboard
            self._body = b""  # parsed now; the bytes are no longer needed
        return self._parsed

    def __getitem__(self, key: str) -> JSON:
        return self._content()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._content())

    def __len__(self) -> int:
        return len(self._content())

    def __repr__(self) -> str:
        state = "parsed" if self._parsed is not None else f"{len(self._body)} bytes"
        return f"StoredDashboardJSON({state})"
