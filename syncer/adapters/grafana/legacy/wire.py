"""The classic API's answers decoded, or refused with a clear error when they are not Grafana's.

Used by the legacy adapter and its folder tree. Why refuse: a proxy's or gateway's HTTP 200 page read
as "no dashboards" or "a folder" would make an incomplete live state look complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from syncer.adapters.grafana.legacy.stored_json import StoredDashboardJSON
from syncer.adapters.grafana.marker import (
    DASHBOARD_KEY,
    decode_folder_marker,
    split_dashboard,
)
from syncer.core.essence import checksums_by_folder
from syncer.model import jsontext
from syncer.model.errors import (
    GrafanaError,
    NotFound,
    ServerError,
)
from syncer.model.state import (
    LiveDashboard,
    LiveFolder,
)

if TYPE_CHECKING:  # why only then: the workers decode bodies with this module, and need no HTTP stack
    from syncer.adapters.grafana.http.session import GrafanaHttp


async def get_list(http: GrafanaHttp, route: str, params: dict[str, str | int | list[str]]) -> list[Any]:
    try:
        body = await http.get_json(route, route=route, params=params)
    except NotFound as exc:
        if "parentUid" in params:
            raise  # that parent folder may have been deleted meanwhile
        # why: every Grafana serves these listings; a 404 means the URL is not Grafana's base
        raise NotFound(
            f"{exc}; Grafana always serves {route}: is the URL Grafana's base URL "
            "(with its sub-path if it has one, without /api)?",
            status=exc.status,
            method=exc.method,
            route=exc.route,
        ) from exc
    return listing(body, route)


def listing(body: Any, route: str) -> list[Any]:
    """A search or folder listing must be a JSON array. Anything else (a proxy's or a gateway's
    JSON page) would read as "no dashboards / no folders": a silently incomplete live state."""
    if not isinstance(body, list):
        kind = "an object" if isinstance(body, dict) else f"a {type(body).__name__}"
        raise ServerError(
            f"GET {route}: HTTP 200 but the body is {kind}, not a list; is the URL Grafana's API?",
            status=200,
            method="GET",
            route=route,
        )
    return body


def folder_body(body: Any, method: str, route: str) -> Mapping[str, Any]:
    """A folder DTO, or a failure that says it is not one (a gateway's 200 page used to crash the run)."""
    if not isinstance(body, dict) or not isinstance(body.get("uid"), str):
        raise ServerError(
            f"{method} {route}: HTTP 200 but the body is not a folder (no uid)",
            status=200,
            method=method,
            route=route,
        )
    return body


def live_folder(item: Mapping[str, Any], parent: str | None) -> LiveFolder:
    """A folder from a list item. No extra GET per folder for the marker: Grafana's folder DTO has no
    `description` (pkg/api/dtos/folder.go), so where the list omits it a GET would not have it either;
    such folders are simply unmarked and the planner's prune fallback applies (docs/cli.md)."""
    version = item.get("version")
    return LiveFolder(
        uid=str(item["uid"]),
        title=str(item.get("title", "")),
        parent_uid=str(item.get("parentUid") or parent or "") or None,
        version=int(version) if isinstance(version, int) else None,
        marker=decode_folder_marker(item.get("description")),
    )


def live_dashboard(uid: str, raw: bytes) -> LiveDashboard:
    """Parse once for identity, version, marker and checksum; keep the content compressed (stored_json).
    The checksum skips the number-normalising walk when the text shows it would change nothing."""
    try:
        body, plain = jsontext.loads_checked(raw)
    except ValueError:
        body, plain = None, False
    if not isinstance(body, dict) or not isinstance(body.get("dashboard"), dict):
        raise GrafanaError(f"GET /api/dashboards/uid/{uid}: unexpected response shape")
    raw_meta = body.get("meta")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    content, marker = split_dashboard(body["dashboard"])
    folder_uid = str(meta.get("folderUid") or "") or None
    version = meta.get("version", content.get("version", 0))
    return LiveDashboard(
        uid=str(content.get("uid") or uid),
        title=str(content.get("title", "")),
        folder_uid=folder_uid,
        version=int(version) if isinstance(version, int | float) else 0,
        content=StoredDashboardJSON(raw, drop=DASHBOARD_KEY),
        checksum=checksums_by_folder(content, numbers_normal=plain)(folder_uid),
        marker=marker,
        updated_by=str(meta["updatedBy"]) if meta.get("updatedBy") is not None else None,
    )
