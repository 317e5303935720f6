"""`GrafanaPort` on Grafana's classic HTTP API (`/api/...`), for Grafana 9 through 13.

Who calls it: the engine (reconcile, execute, pull) through `GrafanaPort`; built by `syncer.app`.
Reads: one paged `/api/search` (dashboards and folders), the folder tree by listing
`/api/folders?parentUid=` level by level (correct for nested folders; the search's folder hits
spare the listings of leaves), then concurrent `GET /api/dashboards/uid/:uid`. The folder tree
lives in `folders`, answer decoding in `wire`.
A scoped read (the daemon's incremental passes) reuses the folder tree of the last full read,
kept current by this adapter's own folder writes and dropped on any write error, so one edited
file costs a GET and a POST rather than one request per folder.
Writes: `POST /api/dashboards/db` with the live version and `overwrite: false` (never a blind
overwrite), always with `folderUid`.

It must not decide what to do (that is the planner's job) nor retry conflicts (the executor's).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

from syncer.adapters.grafana.datasources import list_datasources as read_datasources
from syncer.adapters.grafana.gather import BoundedGather, together
from syncer.adapters.grafana.http.session import GrafanaHttp
from syncer.adapters.grafana.legacy.body import save_body
from syncer.adapters.grafana.legacy.decode_batches import DecodeBatches
from syncer.adapters.grafana.legacy.folders import LegacyFolders
from syncer.adapters.grafana.legacy.wire import get_list, live_dashboard
from syncer.adapters.workers import Workers
from syncer.logs import get_logger, note
from syncer.model.errors import (
    AlreadyExists,
    Forbidden,
    GrafanaError,
    Invalid,
    NotFound,
    ServerError,
    VersionConflict,
)
from syncer.model.limits import DEFAULT_CONCURRENCY
from syncer.model.state import (
    DesiredDashboard,
    DesiredFolder,
    LiveDashboard,
    LiveFolder,
    LiveState,
    OwnershipMarker,
)
from syncer.ports import DataSource, SaveResult, ServerInfo

log = get_logger(__name__)

SEARCH_PAGE = 5000  # Grafana's maximum search page size


class LegacyGrafana:
    """One Grafana organisation through `/api`."""

    api = "legacy"

    def __init__(
        self, http: GrafanaHttp, *, concurrency: int = DEFAULT_CONCURRENCY, workers: Workers | None = None
    ) -> None:
        self._http = http
        self._gather = BoundedGather(concurrency)
        self._workers = workers  # decode what fetch_live reads in worker processes (decode_batches)
        self._folders = LegacyFolders(http, self._gather)

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
        if dashboard_uids is not None and self._folders.known is not None:
            return await self._fetch_scoped(dashboard_uids, dict(self._folders.known))
        root, (hits, folder_hits) = await together(self._folders.children(None), self._search())
        if dashboard_uids is None:
            wanted = hits
        else:
            asked = frozenset(dashboard_uids)
            wanted = [uid for uid in hits if uid in asked]
        # why together: the folder listings (one level at a time) and the dashboard reads need only
        # the search; one after the other, a pass waited out every level of the tree first
        folders, dashboards = await together(
            self._folders.read_all(root, folder_hits), self._read_all(wanted)
        )
        self._folders.known = dict(folders)
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
        dashboards = await self._read_all(list(dict.fromkeys(uids)))
        return LiveState(folders=folders, dashboards=dashboards, complete=False)

    async def _read_all(self, uids: list[str]) -> dict[str, LiveDashboard]:
        """Every dashboard that can be read, by uid. The bodies are decoded apart from the reads
        (by the workers when the run has them), so a request slot is free as soon as its body is in."""
        batches = DecodeBatches(self._workers) if self._workers is not None else None

        async def read(uid: str) -> asyncio.Future[LiveDashboard] | LiveDashboard | None:
            body = await self._read_tolerantly(uid)
            if body is None or batches is None:
                return None if body is None else live_dashboard(uid, body)
            return batches.decode(uid, body)

        read_or_decoding = await self._gather(read, uids)
        if batches is not None:
            batches.flush()
        fetched = [await d if isinstance(d, asyncio.Future) else d for d in read_or_decoding]
        return {d.uid: d for d in fetched if d is not None}

    async def get_dashboard(self, uid: str) -> LiveDashboard | None:
        body = await self._get_body(uid)
        return None if body is None else live_dashboard(uid, body)

    async def _get_body(self, uid: str) -> bytes | None:
        try:
            response = await self._http.request(
                "GET", f"/api/dashboards/uid/{uid}", route="/api/dashboards/uid/:uid"
            )
        except NotFound:
            return None
        return response.content

    async def _read_tolerantly(self, uid: str) -> bytes | None:
        """The dashboard's body. One unreadable dashboard (no permission, corrupt stored JSON -> 500)
        must not stop the whole pass: it is left out, so it counts as "could not be read" (prune
        stays off for its folder) and a write to it fails alone. Lost credentials or connectivity
        still stop the pass."""
        try:
            return await self._get_body(uid)
        except (Forbidden, Invalid, ServerError) as exc:
            plain = f"dashboard {uid} could not be read and is left out of this pass: {exc}"
            note(log, "warning", "dashboard left out of this pass", uid=uid, error=str(exc), plain=plain)
            return None

    async def _search(self) -> tuple[list[str], list[dict[str, Any]]]:
        """The uids of every dashboard, and every folder hit, all pages: one search serves both the
        dashboards to read and the folder hits that spare the folder tree's leaf listings. Of a
        dashboard hit only the uid is kept: 10,000 whole hits are ~15 MB a pass would hold."""
        uids: list[str] = []
        folders: list[dict[str, Any]] = []
        page = 1
        while True:
            params: dict[str, str | int | list[str]] = {"limit": SEARCH_PAGE, "page": page}
            hits = await get_list(self._http, "/api/search", params)
            for hit in hits:
                if not isinstance(hit, dict) or not hit.get("uid"):
                    continue
                if hit.get("type") == "dash-db":
                    uids.append(str(hit["uid"]))
                elif hit.get("type") == "dash-folder":
                    folders.append(hit)  # few: kept whole
            if len(hits) < SEARCH_PAGE:
                return list(dict.fromkeys(uids)), folders
            page += 1

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
            raise VersionConflict(str(exc), status=exc.status, method=exc.method, route=exc.route) from exc
        except GrafanaError:
            self._folders.forget()  # e.g. "folder not found": the remembered tree may be stale
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

    # ---- folder writes (the folder tree's own module) -----------------------------------------

    async def create_folder(self, folder: DesiredFolder, marker: OwnershipMarker) -> LiveFolder:
        return await self._folders.create(folder, marker)

    async def get_folder(self, uid: str) -> LiveFolder | None:
        return await self._folders.get(uid)

    async def update_folder(
        self, folder: DesiredFolder, live: LiveFolder, marker: OwnershipMarker
    ) -> LiveFolder:
        return await self._folders.update(folder, live, marker)

    async def delete_folder(self, live: LiveFolder) -> None:
        await self._folders.delete(live)

    # ---- data sources --------------------------------------------------------------------------

    async def list_datasources(self) -> list[DataSource]:
        return await read_datasources(self._http)
