"""`GrafanaPort` on Grafana 12+'s k8s-style resource API (`dashboard.grafana.app`, `folder.grafana.app`).

Who calls it: the engine (reconcile, execute, pull) through `GrafanaPort`, built by `syncer.app`
for `api: resources`, or chosen by discovery for `api: auto` (`resources_auto`). Same semantics as
the legacy adapter, so the planner, executor, CLI and daemon work unchanged:

- reads: folders and dashboards are listed as full objects, paged with `limit`/`continue`, so a
  no-change full resync costs about one request per page (the legacy API needs one per dashboard);
- writes: create = POST with `metadata.name`; update = PUT carrying `metadata.resourceVersion` from
  the read (a stale one is a 409 Conflict -> `VersionConflict`, never a blind overwrite); every write
  carries the manager annotations (ownership and base) and the `grafana.app/message` annotation;
- classic dashboards go through `v0alpha1` when offered (stored as sent), else `v1beta1`/`v1`
  (migrated server-side; see `_record_stored_checksum`); `dashboard.grafana.app/v2*` files go to
  that version's endpoint, or fail clearly when the server does not offer it.

It must not plan or retry conflicts (the executor does) and holds no state that correctness depends
on: the only cache is the raw metadata of objects it read, used to keep other tools' annotations and
labels on update, and only when its resourceVersion still matches the one being written.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from typing import Any, Protocol, TypeVar

from syncer.adapters.grafana import resources_codec as codec
from syncer.adapters.grafana.discovery import (
    DASHBOARD_GROUP,
    FOLDER_GROUP,
    RESOURCES,
    ResourceVersions,
    choose_api,
    fetch_catalogue,
    namespace_for,
)
from syncer.adapters.grafana.http import GrafanaHttp, Params
from syncer.adapters.grafana.resources_auto import AutoGrafana
from syncer.adapters.grafana.resources_errors import refine
from syncer.adapters.grafana.resources_meta import (
    ANN_FOLDER,
    ANN_MESSAGE,
    ANN_STORED_CHECKSUM,
    foreign_annotations,
    marker_annotations,
)
from syncer.model.errors import GrafanaError, Invalid, NotFound, VersionConflict
from syncer.model.state import (
    JSON,
    DesiredDashboard,
    DesiredFolder,
    LiveDashboard,
    LiveFolder,
    LiveState,
    OwnershipMarker,
)
from syncer.ports import DataSource, GrafanaPort, SaveResult, ServerInfo

PAGE_SIZE = 500  # dashboards per list page: ~15 MB of JSON at 30 kB a dashboard
FETCH_BY_NAME_MAX = 10  # above this many uids, one listing (a request per page) beats a GET each
MAX_MESSAGE = 500  # Grafana rejects longer version-history messages

T = TypeVar("T")
R = TypeVar("R")


def _now_ms() -> int:
    return int(time.time() * 1000)


class ResourcesGrafana:
    """One Grafana organisation (one namespace) through `/apis`."""

    api = "resources"

    def __init__(
        self,
        http: GrafanaHttp,
        *,
        namespace: str,
        versions: ResourceVersions | None = None,
        allow_edits: bool = True,
        concurrency: int = 8,
        page_size: int = PAGE_SIZE,
        now_ms: Callable[[], int] = _now_ms,
    ) -> None:
        self._http = http
        self._namespace = namespace
        self._versions = versions
        self._allow_edits = allow_edits
        self._limit = asyncio.Semaphore(concurrency)
        self._page_size = page_size
        self._now_ms = now_ms
        self._seen: dict[tuple[str, str], Mapping[str, Any]] = {}  # (kind, uid) -> last raw object

    @property
    def request_count(self) -> int:
        return self._http.request_count

    @property
    def namespace(self) -> str:
        return self._namespace

    async def aclose(self) -> None:
        await self._http.aclose()

    async def versions(self) -> ResourceVersions:
        """The versions in use, discovered on first need (`GET /apis`) unless given."""
        if self._versions is None:
            choice = choose_api(await fetch_catalogue(self._http), RESOURCES)
            assert choice.versions is not None  # choose_api raises instead of returning none for RESOURCES
            self._versions = choice.versions
        return self._versions

    async def server_info(self) -> ServerInfo:
        health = await self._http.get_json("/api/health", route="/api/health")
        versions = await self.versions()
        # /api/health needs no credentials; an authenticated read in the namespace proves both work
        await self._get(self._folders_path(versions), params={"limit": 1})
        version = str(health.get("version", "")) if isinstance(health, dict) else ""
        detail = (
            f"namespace {self._namespace}; dashboards {DASHBOARD_GROUP}/{versions.classic_dashboards}, "
            f"folders {FOLDER_GROUP}/{versions.folders}"
        )
        return ServerInfo(version=version or "unknown", api=self.api, detail=detail)

    # ---- paths -----------------------------------------------------------------------------------

    def _dashboards_path(self, version: str) -> str:
        return f"/apis/{DASHBOARD_GROUP}/{version}/namespaces/{self._namespace}/dashboards"

    def _folders_path(self, versions: ResourceVersions) -> str:
        return f"/apis/{FOLDER_GROUP}/{versions.folders}/namespaces/{self._namespace}/folders"

    @staticmethod
    def _route(path: str) -> str:
        """Route template for metrics and messages: namespace and object name replaced."""
        parts = path.split("/")
        if len(parts) > 5 and parts[4] == "namespaces":  # /apis/<group>/<version>/namespaces/<ns>
            parts[5] = ":namespace"
        if len(parts) > 7:  # .../<resource>/<name>
            parts[7] = ":name"
        return "/".join(parts)

    # ---- transport ---------------------------------------------------------------------------------

    async def _get(self, path: str, *, params: Params | None = None) -> Any:
        try:
            return await self._http.get_json(path, route=self._route(path), params=params)
        except GrafanaError as error:
            raise refine(error) from None

    async def _send(self, method: str, path: str, body: JSON, *, creating: bool = False) -> Any:
        try:
            response = await self._http.request(method, path, route=self._route(path), json=body)
        except GrafanaError as error:
            raise refine(error, creating=creating) from None
        return response.json() if response.content else {}

    async def _list(self, path: str) -> list[Mapping[str, Any]]:
        """Every item of a collection, following `continue` tokens."""
        items: list[Mapping[str, Any]] = []
        params: dict[str, str | int | list[str]] = {"limit": self._page_size}
        seen_tokens: set[str] = set()
        while True:
            page, token = codec.list_items(await self._get(path, params=params))
            items.extend(page)
            if token is None:
                return items
            if token in seen_tokens:  # a server bug must not become an endless loop
                raise GrafanaError(f"GET {self._route(path)}: the server repeated a continue token")
            seen_tokens.add(token)
            params = {"limit": self._page_size, "continue": token}

    async def _gather(self, fn: Callable[[T], Awaitable[R]], items: Iterable[T]) -> list[R]:
        async def bounded(item: T) -> R:
            async with self._limit:
                return await fn(item)

        return list(await asyncio.gather(*(bounded(i) for i in items)))

    # ---- reads -----------------------------------------------------------------------------------

    async def fetch_live(self, dashboard_uids: Collection[str] | None) -> LiveState:
        versions = await self.versions()
        folder_objs, (dashboard_objs, others) = await asyncio.gather(
            self._list(self._folders_path(versions)), self._dashboard_objects(versions, dashboard_uids)
        )
        folders = {f.uid: f for f in (self._remember_folder(o) for o in folder_objs)}
        resolved = await self._gather(self._resolve_stored_version, dashboard_objs)
        return LiveState(
            folders=folders,
            dashboards={d.uid: d for d in resolved if d is not None},
            complete=dashboard_uids is None,
            other_dashboard_uids=frozenset(others),
        )

    async def _dashboard_objects(
        self, versions: ResourceVersions, uids: Collection[str] | None
    ) -> tuple[list[Mapping[str, Any]], set[str]]:
        """(objects wanted, uids that exist but were not wanted)."""
        if uids is not None and len(uids) <= FETCH_BY_NAME_MAX:
            found = await self._gather(lambda uid: self._read(versions.classic_dashboards, uid), uids)
            return [o for o in found if o is not None], set()
        everything = await self._list(self._dashboards_path(versions.classic_dashboards))
        if uids is None:
            return everything, set()
        wanted = set(uids)
        names = {str(codec.metadata_of(o).get("name", "")) for o in everything}
        return [o for o in everything if codec.metadata_of(o).get("name") in wanted], names - wanted

    async def _read(self, version: str, uid: str) -> Mapping[str, Any] | None:
        try:
            obj = await self._get(f"{self._dashboards_path(version)}/{uid}")
        except NotFound:
            return None
        return obj if isinstance(obj, Mapping) else None

    async def _resolve_stored_version(self, obj: Mapping[str, Any]) -> LiveDashboard | None:
        """A dashboard stored as v2 is compared in its own schema: read it through that version."""
        stored = codec.stored_version(obj)
        versions = await self.versions()
        read_as = codec.version_of(obj.get("apiVersion"))
        if stored and codec.is_v2(stored) and stored != read_as and versions.offers_dashboard_version(stored):
            fresh = await self._read(stored, str(codec.metadata_of(obj).get("name", "")))
            if fresh is None:
                return None  # deleted between the list and this read
            obj = fresh
        return self._remember_dashboard(obj)

    async def get_dashboard(self, uid: str) -> LiveDashboard | None:
        versions = await self.versions()
        obj = await self._read(versions.classic_dashboards, uid)
        return None if obj is None else await self._resolve_stored_version(obj)

    def _remember_dashboard(self, obj: Mapping[str, Any]) -> LiveDashboard:
        live = codec.live_dashboard(obj)
        self._seen[("dashboard", live.uid)] = obj
        return live

    def _remember_folder(self, obj: Mapping[str, Any]) -> LiveFolder:
        live = codec.live_folder(obj)
        self._seen[("folder", live.uid)] = obj
        return live

    def _raw_if_current(self, kind: str, uid: str, rv: str | None) -> Mapping[str, Any]:
        raw = self._seen.get((kind, uid))
        return raw if raw is not None and rv is not None and codec.resource_version(raw) == rv else {}

    # ---- dashboard writes --------------------------------------------------------------------------

    async def _write_version(self, desired: DesiredDashboard) -> str:
        versions = await self.versions()
        wanted = codec.version_of(desired.api_version)
        if not codec.is_v2(wanted):
            return versions.classic_dashboards
        if not versions.offers_dashboard_version(wanted):
            offered = ", ".join(versions.dashboard_versions) or "none"
            raise Invalid(
                f"{desired.path}: this Grafana does not offer {DASHBOARD_GROUP}/{wanted} "
                f"(it offers {offered}); upgrade Grafana or convert the file to a classic dashboard",
                method="POST",
                route=self._route(self._dashboards_path(wanted)),
            )
        return wanted

    def _annotations(
        self, kept: Mapping[str, str], marker: OwnershipMarker, folder_uid: str | None, message: str
    ) -> dict[str, str]:
        result = foreign_annotations(kept)
        result.update(marker_annotations(marker, allow_edits=self._allow_edits, now_ms=self._now_ms()))
        if folder_uid:
            result[ANN_FOLDER] = folder_uid
        if message:
            result[ANN_MESSAGE] = message[:MAX_MESSAGE]
        return result

    async def save_dashboard(
        self,
        desired: DesiredDashboard,
        live: LiveDashboard | None,
        marker: OwnershipMarker,
        message: str,
    ) -> SaveResult:
        version = await self._write_version(desired)
        raw = self._raw_if_current("dashboard", desired.uid, live.resource_version if live else None)
        body = codec.k8s_object(
            api_version=f"{DASHBOARD_GROUP}/{version}",
            kind="Dashboard",
            name=desired.uid,
            spec_body=codec.dashboard_spec(desired.content),
            meta_annotations=self._annotations(
                codec.annotations_of(raw), marker, desired.folder_uid, message
            ),
            meta_labels=codec.labels_of(raw),
            resource_version=live.resource_version if live else None,
        )
        path = self._dashboards_path(version)
        if live is None:
            stored = await self._send("POST", path, body, creating=True)
        elif live.resource_version is None:
            # why: an update without resourceVersion is a blind overwrite; make the executor re-read
            raise VersionConflict(
                f"dashboard {desired.uid}: no resourceVersion to update against; re-reading"
            )
        else:
            stored = await self._send("PUT", f"{path}/{desired.uid}", body)
        if not codec.is_v2(version) and (await self.versions()).migrates_on_write:
            stored = await self._record_stored_checksum(stored, desired.checksum)
        self._remember_dashboard(stored)
        meta = codec.metadata_of(stored)
        return SaveResult(
            uid=str(meta.get("name", desired.uid)),
            version=codec.generation(stored),
            resource_version=codec.resource_version(stored),
        )

    async def _record_stored_checksum(self, stored: Mapping[str, Any], base: str) -> Mapping[str, Any]:
        """v1beta1/v1 migrate the spec to the latest schema on write, so the read-back of an old-schema
        file never equals the file and every run would see drift. When (and only when) the stored
        content differs from what was sent, stamp its checksum in one annotation-only update (no new
        generation): later reads that still match it are known untouched since syncer wrote them."""
        actual = codec.stored_checksum(stored)
        if actual == base:
            return stored
        body = dict(stored)
        meta = dict(codec.metadata_of(stored))
        meta["annotations"] = {**codec.annotations_of(stored), ANN_STORED_CHECKSUM: actual}
        meta.pop("managedFields", None)
        body["metadata"] = meta
        name = str(meta.get("name", ""))
        version = codec.version_of(str(stored.get("apiVersion", "")))
        try:
            result = await self._send("PUT", f"{self._dashboards_path(version)}/{name}", body)
        except VersionConflict:
            return stored  # edited in between: the next read reports it as drift, which it is
        return result if isinstance(result, Mapping) else stored

    async def delete_dashboard(self, live: LiveDashboard) -> None:
        versions = await self.versions()
        await self._delete(
            f"{self._dashboards_path(versions.classic_dashboards)}/{live.uid}", live.resource_version
        )

    async def _delete(self, path: str, resource_version: str | None) -> None:
        # why: the precondition makes a delete optimistic too: an object edited since it was read
        # answers 409 and the executor re-reads instead of deleting someone's fresh edit
        body: JSON = None
        if resource_version:
            body = {
                "kind": "DeleteOptions",
                "apiVersion": "v1",
                "preconditions": {"resourceVersion": resource_version},
            }
        try:
            await self._send("DELETE", path, body)
        except NotFound:
            return  # already gone: the goal is reached

    # ---- folder writes -----------------------------------------------------------------------------

    def _folder_body(
        self,
        folder: DesiredFolder,
        marker: OwnershipMarker,
        raw: Mapping[str, Any],
        rv: str | None,
        verb: str,
    ) -> dict[str, JSON]:
        versions = self._versions
        assert versions is not None  # callers await self.versions() first
        spec_body: dict[str, JSON] = {"title": folder.title}
        description = codec.spec_of(raw).get("description")
        if isinstance(description, str) and description and not description.startswith("managed-by: syncer/"):
            spec_body["description"] = description  # someone's description; our legacy marker line is dropped
        message = f"syncer: {verb} folder {folder.path or folder.uid}"
        return codec.k8s_object(
            api_version=f"{FOLDER_GROUP}/{versions.folders}",
            kind="Folder",
            name=folder.uid,
            spec_body=spec_body,
            meta_annotations=self._annotations(codec.annotations_of(raw), marker, folder.parent_uid, message),
            meta_labels=codec.labels_of(raw),
            resource_version=rv,
        )

    async def create_folder(self, folder: DesiredFolder, marker: OwnershipMarker) -> LiveFolder:
        versions = await self.versions()
        body = self._folder_body(folder, marker, {}, None, "create")
        try:
            stored = await self._send("POST", self._folders_path(versions), body, creating=True)
        except VersionConflict:
            # a retried POST whose first attempt landed, or a concurrent creator: accept an equal folder
            existing = await self.get_folder(folder.uid)
            if existing is None or existing.title != folder.title or existing.parent_uid != folder.parent_uid:
                raise
            return existing
        return self._remember_folder(stored)

    async def get_folder(self, uid: str) -> LiveFolder | None:
        versions = await self.versions()
        try:
            obj = await self._get(f"{self._folders_path(versions)}/{uid}")
        except NotFound:
            return None
        return self._remember_folder(obj)

    async def update_folder(
        self, folder: DesiredFolder, live: LiveFolder, marker: OwnershipMarker
    ) -> LiveFolder:
        versions = await self.versions()
        rv = live.resource_version
        if rv is None:
            fresh = await self.get_folder(folder.uid)
            if fresh is None:
                raise NotFound(f"folder {folder.uid} disappeared before it could be updated")
            rv = fresh.resource_version
        raw = self._raw_if_current("folder", folder.uid, rv)
        body = self._folder_body(folder, marker, raw, rv, "update")
        stored = await self._send("PUT", f"{self._folders_path(versions)}/{folder.uid}", body)
        return self._remember_folder(stored)

    async def delete_folder(self, live: LiveFolder) -> None:
        versions = await self.versions()
        # why: Grafana may delete a folder's whole subtree; re-check emptiness right before, so a
        # dashboard someone added since we read the server is never deleted with it
        if await self._folder_has_content(live.uid, versions):
            raise Invalid(
                f"folder {live.uid} is not empty any more; not deleting it",
                method="DELETE",
                route=self._route(f"{self._folders_path(versions)}/{live.uid}"),
            )
        await self._delete(f"{self._folders_path(versions)}/{live.uid}", live.resource_version)

    async def _folder_has_content(self, uid: str, versions: ResourceVersions) -> bool:
        """Children and dashboards of one folder, from full listings (deletes are rare; listings are
        the one way to ask that every k8s-style server answers the same)."""
        folders, dashboards = await asyncio.gather(
            self._list(self._folders_path(versions)),
            self._list(self._dashboards_path(versions.classic_dashboards)),
        )
        return any(codec.folder_of(o) == uid for o in (*folders, *dashboards))

    # ---- data sources ------------------------------------------------------------------------------

    async def list_datasources(self) -> list[DataSource]:
        # The datasource resource API is not on every 12.x server; the classic endpoint is.
        items = await self._http.get_json("/api/datasources", route="/api/datasources")
        return [
            DataSource(
                uid=str(i.get("uid", "")),
                name=str(i.get("name", "")),
                type=str(i.get("type", "")),
                is_default=bool(i.get("isDefault", False)),
            )
            for i in items
            if isinstance(i, dict)
        ]


class ApiSettings(Protocol):
    """The part of `syncer.settings.GrafanaSettings` this module reads (adapters sit below settings)."""

    @property
    def api(self) -> str: ...

    @property
    def org_id(self) -> int: ...

    @property
    def namespace(self) -> str | None: ...


def build(
    http: GrafanaHttp,
    *,
    settings: ApiSettings,
    concurrency: int,
    fallback: Callable[..., GrafanaPort],
    allow_edits: bool = True,
) -> GrafanaPort:
    """The adapter for `api: resources` (this one, versions discovered on first use) or `api: auto`
    (discovery decides between this one and `fallback`, the legacy adapter). Called by `syncer.app`."""
    namespace = namespace_for(settings.org_id, settings.namespace)

    def resources(versions: ResourceVersions | None) -> ResourcesGrafana:
        return ResourcesGrafana(
            http, namespace=namespace, versions=versions, allow_edits=allow_edits, concurrency=concurrency
        )

    if settings.api == RESOURCES:
        return resources(None)
    return AutoGrafana(
        http, make_legacy=lambda: fallback(http, concurrency=concurrency), make_resources=resources
    )
