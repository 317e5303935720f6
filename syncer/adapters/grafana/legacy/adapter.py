"""`GrafanaPort` on Grafana's classic HTTP API (`/api/...`), for Grafana 9 through 13.

Who calls it: the engine (reconcile, execute, pull) through `GrafanaPort`; built by `syncer.app`.
Reads: the folder tree by listing `/api/folders?parentUid=` level by level (correct for nested
folders), dashboards by paging `/api/search?type=dash-db`, then concurrent
`GET /api/dashboards/uid/:uid`. A scoped read (the daemon's incremental passes) reuses the folder
tree of the last full read, kept current by this adapter's own folder writes and dropped on any
write error, so one edited file costs a GET and a POST rather than one request per folder.
Writes: `POST /api/dashboards/db` with the live version and `overwrite: false` (never a blind
overwrite), always with `folderUid`.

It must not decide what to do (that is the planner's job) nor retry conflicts (the executor's).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from typing import Any, TypeVar

from syncer.adapters.grafana.datasources import list_datasources as read_datasources
from syncer.adapters.grafana.http.session import GrafanaHttp
from syncer.adapters.grafana.legacy.body import save_body
from syncer.adapters.grafana.legacy.stored_json import StoredDashboardJSON
from syncer.adapters.grafana.marker import (
    DASHBOARD_KEY,
    decode_folder_marker,
    encode_folder_marker,
    split_dashboard,
)
from syncer.core.essence import checksums_by_folder
from syncer.model import jsontext
from syncer.model.errors import (
    AlreadyExists,
    Forbidden,
    GrafanaError,
    Invalid,
    NotFound,
    ServerError,
    VersionConflict,
)
from syncer.model.state import (
    DesiredDashboard,
    DesiredFolder,
    LiveDashboard,
    LiveFolder,
    LiveState,
    OwnershipMarker,
)
from syncer.ports import DataSource, SaveResult, ServerInfo

log = logging.getLogger(__name__)

SEARCH_PAGE = 5000  # Grafana's maximum search page size
FOLDER_PAGE = 1000


T = TypeVar("T")
R = TypeVar("R")


class LegacyGrafana:
    """One Grafana organisation through `/api`."""

    api = "legacy"

    def __init__(self, http: GrafanaHttp, *, concurrency: int = 8) -> None:
        self._http = http
        self._limit = asyncio.Semaphore(concurrency)
        # the folder tree of the last full read, updated by our own folder writes; None = re-list
        self._known_folders: dict[str, LiveFolder] | None = None

    @property
    def request_count(self) -> int:
        return self._http.request_count

    async def aclose(self) -> None:
        await self._http.aclose()

    async def server_info(self) -> ServerInfo:
        health = await self._http.get_json("/api/health", route="/api/health")
        # /api/health needs no credentials; a cheap authenticated read proves they work
        await self._http.get_json("/api/folders", route="/api/folders", params={"limit": 1})
        version = str(health.get("version", "")) if isinstance(health, dict) else ""
        return ServerInfo(version=version or "unknown", api=self.api)

    # ---- reads -------------------------------------------------------------------------------

    async def fetch_live(self, dashboard_uids: Collection[str] | None) -> LiveState:
        if dashboard_uids is not None and self._known_folders is not None:
            return await self._fetch_scoped(dashboard_uids, dict(self._known_folders))
        folders, hits = await asyncio.gather(self._all_folders(), self._search_dashboard_uids())
        self._known_folders = dict(folders)
        if dashboard_uids is None:
            wanted = hits
        else:
            asked = frozenset(dashboard_uids)
            wanted = [uid for uid in hits if uid in asked]
        fetched = await self._gather(self._read_tolerantly, wanted)
        dashboards = {d.uid: d for d in fetched if d is not None}
        return LiveState(
            folders=folders,
            dashboards=dashboards,
            complete=dashboard_uids is None,
            other_dashboard_uids=frozenset(hits) - set(dashboards),
        )

    async def _fetch_scoped(self, uids: Collection[str], folders: dict[str, LiveFolder]) -> LiveState:
        """Only the dashboards asked for (a 404 means absent), with the remembered folder tree.
        A folder changed by someone else since the last full read shows up as a failed write,
        which drops the remembered tree; the next pass lists it again."""
        fetched = await self._gather(self._read_tolerantly, list(dict.fromkeys(uids)))
        dashboards = {d.uid: d for d in fetched if d is not None}
        return LiveState(folders=folders, dashboards=dashboards, complete=False)

    def _forget_folders(self) -> None:
        self._known_folders = None

    def _remember_folder(self, folder: LiveFolder) -> None:
        if self._known_folders is not None:
            self._known_folders[folder.uid] = folder

    async def get_dashboard(self, uid: str) -> LiveDashboard | None:
        try:
            response = await self._http.request(
                "GET", f"/api/dashboards/uid/{uid}", route="/api/dashboards/uid/:uid"
            )
        except NotFound:
            return None
        return _live_dashboard(uid, response.content)

    async def _read_tolerantly(self, uid: str) -> LiveDashboard | None:
        """One unreadable dashboard (no permission, corrupt stored JSON -> 500) must not stop the
        whole pass: it is left out, so it counts as "could not be read" (prune stays off for its
        folder) and a write to it fails alone. Lost credentials or connectivity still stop the pass."""
        try:
            return await self.get_dashboard(uid)
        except (Forbidden, Invalid, ServerError) as exc:
            log.warning("dashboard %s could not be read and is left out of this pass: %s", uid, exc)
            return None

    async def _search_dashboard_uids(self) -> list[str]:
        uids: list[str] = []
        page = 1
        while True:
            params: dict[str, str | int | list[str]] = {"type": "dash-db", "limit": SEARCH_PAGE, "page": page}
            hits = await self._get_list("/api/search", params)
            uids.extend(str(h["uid"]) for h in hits if isinstance(h, dict) and h.get("uid"))
            if len(hits) < SEARCH_PAGE:
                return list(dict.fromkeys(uids))
            page += 1

    async def _all_folders(self) -> dict[str, LiveFolder]:
        """Breadth-first over `parentUid`, one level at a time, children listed concurrently."""
        found: dict[str, LiveFolder] = {}
        level: list[str | None] = [None]
        while level:
            listings = await self._gather(self._child_folders, level)
            fresh: dict[str, tuple[Mapping[str, Any], str | None]] = {}
            for parent, items in zip(level, listings, strict=True):
                for item in items:
                    uid = str(item.get("uid", ""))
                    # why: servers without nested folders ignore parentUid and repeat the root list
                    if uid and uid not in found and uid not in fresh:
                        fresh[uid] = (item, parent)
            found.update((uid, _live_folder(item, parent)) for uid, (item, parent) in fresh.items())
            level = list(fresh)
        return found

    async def _child_folders(self, parent: str | None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            params: dict[str, str | int | list[str]] = {"limit": FOLDER_PAGE, "page": page}
            if parent:
                params["parentUid"] = parent
            batch = await self._get_list("/api/folders", params)
            items.extend(i for i in batch if isinstance(i, dict))
            if len(batch) < FOLDER_PAGE:
                return items
            page += 1

    async def _get_list(self, route: str, params: dict[str, str | int | list[str]]) -> list[Any]:
        try:
            body = await self._http.get_json(route, route=route, params=params)
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
            ) from None
        return _listing(body, route)

    async def _gather(self, fn: Callable[[T], Awaitable[R]], items: Iterable[T]) -> list[R]:
        async def bounded(item: T) -> R:
            async with self._limit:
                return await fn(item)

        return list(await asyncio.gather(*(bounded(i) for i in items)))

    # ---- dashboard writes ----------------------------------------------------------------------

    async def save_dashboard(
        self,
        desired: DesiredDashboard,
        live: LiveDashboard | None,
        marker: OwnershipMarker,
        message: str,
    ) -> SaveResult:
        body = save_body(desired, live, marker, message)
        try:
            data = await self._http.request_json(
                "POST", "/api/dashboards/db", route="/api/dashboards/db", json=body
            )
        except AlreadyExists as exc:
            # Grafana 13 (k8s-routed legacy API) answers a stale version with 409 instead of 412
            raise VersionConflict(str(exc), status=exc.status, method=exc.method, route=exc.route) from None
        except GrafanaError:
            self._forget_folders()  # e.g. "folder not found": the remembered tree may be stale
            raise
        version = data.get("version") if isinstance(data, dict) else None
        if not isinstance(version, int) or isinstance(version, bool):
            # why: a proxy or WAF answering 200 with its own JSON has saved nothing; never report success
            raise ServerError(
                "POST /api/dashboards/db: HTTP 200 but the body is not a save result (no version)",
                status=200,
                method="POST",
                route="/api/dashboards/db",
            )
        return SaveResult(uid=str(data.get("uid") or desired.uid), version=version)

    async def delete_dashboard(self, live: LiveDashboard) -> None:
        try:
            await self._http.request(
                "DELETE", f"/api/dashboards/uid/{live.uid}", route="/api/dashboards/uid/:uid"
            )
        except NotFound:
            return  # already gone: the goal is reached

    # ---- folder writes -------------------------------------------------------------------------

    async def create_folder(self, folder: DesiredFolder, marker: OwnershipMarker) -> LiveFolder:
        try:
            created = await self._create_folder(folder, marker)
        except GrafanaError:
            self._forget_folders()
            raise
        self._remember_folder(created)
        return created

    async def _create_folder(self, folder: DesiredFolder, marker: OwnershipMarker) -> LiveFolder:
        body: dict[str, Any] = {
            "uid": folder.uid,
            "title": folder.title,
            "description": encode_folder_marker(marker),
        }
        if folder.parent_uid:
            body["parentUid"] = folder.parent_uid
        try:
            created = await self._http.request_json("POST", "/api/folders", route="/api/folders", json=body)
        except (AlreadyExists, VersionConflict):
            # a retried POST whose first attempt landed, or a concurrent creator: read what is there
            existing = await self.get_folder(folder.uid)
            if existing is None or existing.title != folder.title or existing.parent_uid != folder.parent_uid:
                raise
            return existing
        return _live_folder(_folder_body(created, "POST", "/api/folders"), folder.parent_uid)

    async def get_folder(self, uid: str) -> LiveFolder | None:
        try:
            item = await self._http.get_json(f"/api/folders/{uid}", route="/api/folders/:uid")
        except NotFound:
            return None
        item = _folder_body(item, "GET", "/api/folders/:uid")
        return _live_folder(item, item.get("parentUid") or None)

    async def update_folder(
        self, folder: DesiredFolder, live: LiveFolder, marker: OwnershipMarker
    ) -> LiveFolder:
        try:
            updated = await self._update_folder(folder, live, marker)
        except GrafanaError:
            self._forget_folders()
            raise
        self._remember_folder(updated)
        return updated

    async def _update_folder(
        self, folder: DesiredFolder, live: LiveFolder, marker: OwnershipMarker
    ) -> LiveFolder:
        version = live.version
        description = encode_folder_marker(marker)
        if folder.title != live.title or live.marker != decode_folder_marker(description):
            # why: folder list items carry no version, and a PUT without the current one is a 412
            fresh = await self.get_folder(folder.uid)
            version = fresh.version if fresh is not None else version
            body: dict[str, Any] = {"title": folder.title, "description": description, "overwrite": False}
            if version is not None:
                body["version"] = version
            updated = await self._http.request_json(
                "PUT", f"/api/folders/{folder.uid}", route="/api/folders/:uid", json=body
            )
            version = updated.get("version", version) if isinstance(updated, dict) else version
        if folder.parent_uid != live.parent_uid:
            await self._http.request(
                "POST",
                f"/api/folders/{folder.uid}/move",
                route="/api/folders/:uid/move",
                json={"parentUid": folder.parent_uid or ""},
            )
        return LiveFolder(
            uid=folder.uid,
            title=folder.title,
            parent_uid=folder.parent_uid,
            version=version,
            marker=decode_folder_marker(description),
        )

    async def delete_folder(self, live: LiveFolder) -> None:
        # why: Grafana deletes a folder's whole subtree; re-check emptiness right before, so a
        # dashboard someone added since we read the server is never deleted with it
        if await self._folder_has_content(live.uid):
            raise Invalid(
                f"folder {live.uid} is not empty any more; not deleting it",
                method="DELETE",
                route="/api/folders/:uid",
            )
        self._forget_folders()  # a delete removes a whole subtree: re-list on the next pass
        try:
            await self._http.request("DELETE", f"/api/folders/{live.uid}", route="/api/folders/:uid")
        except NotFound:
            return

    async def _folder_has_content(self, uid: str) -> bool:
        children = await self._http.get_json(
            "/api/folders", route="/api/folders", params={"parentUid": uid, "limit": 1}
        )
        dashboards = await self._http.get_json(
            "/api/search",
            route="/api/search",
            params={"type": "dash-db", "folderUIDs": uid, "limit": 1},
        )
        return bool(children) or bool(dashboards)

    # ---- data sources --------------------------------------------------------------------------

    async def list_datasources(self) -> list[DataSource]:
        return await read_datasources(self._http)


def _listing(body: Any, route: str) -> list[Any]:
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


def _folder_body(body: Any, method: str, route: str) -> Mapping[str, Any]:
    """A folder DTO, or a failure that says it is not one (a gateway's 200 page used to crash the run)."""
    if not isinstance(body, dict) or not isinstance(body.get("uid"), str):
        raise ServerError(
            f"{method} {route}: HTTP 200 but the body is not a folder (no uid)",
            status=200,
            method=method,
            route=route,
        )
    return body


def _live_folder(item: Mapping[str, Any], parent: str | None) -> LiveFolder:
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


def _live_dashboard(uid: str, raw: bytes) -> LiveDashboard:
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
