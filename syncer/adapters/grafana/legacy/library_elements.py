"""`LibraryPort` over `/api/library-elements`, for both API flavours.

Why one adapter for both: every Grafana version up to 13 serves library elements through
`/api/library-elements` (grafana/grafana `pkg/services/libraryelements/api.go`); the k8s
`librarypanels` resource of 12+ sits behind a feature flag and the legacy routes forward to it
when it is on. So the resources adapter's runs use this one too, on the same `GrafanaHttp`.

Reads page through `GET /api/library-elements?kind=1`. Writes: `POST` to create, `PATCH /:uid`
with the version read (Grafana answers 412 when it changed: `VersionConflict`, never a blind
overwrite), `DELETE /:uid` (Grafana refuses while a dashboard uses the element). The ownership
marker is a `__syncer` object in the model, as in a legacy dashboard (`marker.py`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from syncer.adapters.grafana.http.session import GrafanaHttp
from syncer.adapters.grafana.marker import decode_dashboard_marker, encode_dashboard_marker
from syncer.core.library import LIBRARY_MARKER_KEY, library_checksum
from syncer.model.errors import NotFound, ServerError
from syncer.model.state import DesiredDashboard, LiveDashboard, OwnershipMarker
from syncer.ports import SaveResult

ROUTE = "/api/library-elements"
ONE = "/api/library-elements/:uid"
PAGE = 500
PANEL_KIND = 1


class LibraryElements:
    """One organisation's library panels."""

    def __init__(self, http: GrafanaHttp) -> None:
        self._http = http

    async def fetch_library_panels(self) -> dict[str, LiveDashboard]:
        found: dict[str, LiveDashboard] = {}
        page = 1
        while True:
            params: dict[str, str | int | list[str]] = {"kind": PANEL_KIND, "perPage": PAGE, "page": page}
            body = await self._http.get_json(ROUTE, route=ROUTE, params=params)
            result = body.get("result") if isinstance(body, dict) else None
            elements = result.get("elements") if isinstance(result, dict) else None
            if not isinstance(elements, list):
                raise ServerError(
                    f"GET {ROUTE}: HTTP 200 but the body is not a library element search result",
                    status=200,
                    method="GET",
                    route=ROUTE,
                )
            for element in elements:
                if isinstance(element, dict) and element.get("uid"):
                    live = live_panel(element)
                    found[live.uid] = live
            if len(elements) < PAGE:
                return found
            page += 1

    async def get_library_panel(self, uid: str) -> LiveDashboard | None:
        try:
            body = await self._http.get_json(f"{ROUTE}/{uid}", route=ONE)
        except NotFound:
            return None
        return live_panel(_result(body, "GET", ONE))

    async def save_library_panel(
        self, desired: DesiredDashboard, live: LiveDashboard | None, marker: OwnershipMarker
    ) -> SaveResult:
        # why no version in the marker (unlike a dashboard's): library elements have no history to
        # restore from, so a re-save with the same content in Grafana is no change at all
        marker = replace(marker, version=None)
        model = {**dict(desired.content), LIBRARY_MARKER_KEY: encode_dashboard_marker(marker)}
        body: dict[str, Any] = {
            "name": desired.title,
            "model": model,
            "kind": PANEL_KIND,
            "folderUid": desired.folder_uid or "",
        }
        if live is None:
            body["uid"] = desired.uid
            answer = await self._http.request_json("POST", ROUTE, route=ROUTE, json=body)
            saved = _result(answer, "POST", ROUTE)
        else:
            body["version"] = live.version
            answer = await self._http.request_json("PATCH", f"{ROUTE}/{desired.uid}", route=ONE, json=body)
            saved = _result(answer, "PATCH", ONE)
        version = saved.get("version")
        return SaveResult(uid=desired.uid, version=version if isinstance(version, int) else 0)

    async def delete_library_panel(self, live: LiveDashboard) -> None:
        try:
            await self._http.request("DELETE", f"{ROUTE}/{live.uid}", route=ONE)
        except NotFound:
            return  # already gone: the goal is reached


def _result(body: Any, method: str, route: str) -> dict[str, Any]:
    """The element in `{"result": {...}}`; anything else (a proxy's 200 page) saved or read nothing."""
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, dict) or not isinstance(result.get("uid"), str):
        raise ServerError(
            f"{method} {route}: HTTP 200 but the body is not a library element",
            status=200,
            method=method,
            route=route,
        )
    return result


def live_panel(element: dict[str, Any]) -> LiveDashboard:
    """A library element DTO in the dashboards' live type (model without its marker)."""
    raw_model = element.get("model")
    stored: dict[str, Any] = raw_model if isinstance(raw_model, dict) else {}
    model = {k: v for k, v in stored.items() if k != LIBRARY_MARKER_KEY}
    folder = element.get("folderUid")
    folder_uid = folder if isinstance(folder, str) and folder not in ("", "general") else None
    name = str(element.get("name", ""))
    version = element.get("version")
    meta = element.get("meta")
    updated_by = meta.get("updatedBy") if isinstance(meta, dict) else None
    who = updated_by.get("name") if isinstance(updated_by, dict) else None
    return LiveDashboard(
        uid=str(element["uid"]),
        title=name,
        folder_uid=folder_uid,
        version=version if isinstance(version, int) and not isinstance(version, bool) else 0,
        content=model,
        checksum=library_checksum(name, model, folder_uid),
        marker=decode_dashboard_marker(stored.get(LIBRARY_MARKER_KEY)),
        updated_by=str(who) if who else None,
    )
