"""`GrafanaPort` on Grafana 12+'s k8s-style resource API (`dashboard.grafana.app`, `folder.grafana.app`).

Who calls it: the engine (reconcile, execute, pull) through `GrafanaPort`, built by `syncer.app`
(`build` below) for `api: resources`, or chosen by discovery for `api: auto` (`auto`).
Same semantics as the legacy adapter, so the planner, executor, CLI and daemon work unchanged:

- reads: folders and dashboards are listed as full objects, paged with `limit`/`continue`, so a
  no-change full resync costs about one request per page (the legacy API needs one per dashboard);
- writes: create = POST with `metadata.name`; update = PUT carrying `metadata.resourceVersion` from
  the read (a stale one is a 409 Conflict -> `VersionConflict`, never a blind overwrite); every write
  carries the manager annotations (ownership and base) and the `grafana.app/message` annotation;
- classic dashboards go through `v0alpha1` when offered (stored as sent), else `v1beta1`/`v1`
  (migrated server-side; see `_record_stored_checksum`); `dashboard.grafana.app/v2*` files go to
  that version's endpoint, or fail clearly when the server does not offer it.

Dashboard reads live in `reads`, folders in `folders`, transport in
`client`, object conversion in `codec`. It must not plan or retry conflicts (the
executor does) and keeps no state that correctness depends on (see `ResourceClient.raw_if_current`
for the one cache and its limits).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any, Protocol

from syncer.adapters.grafana.datasources import list_datasources as read_datasources
from syncer.adapters.grafana.discovery import (
    DASHBOARD_GROUP,
    FOLDER_GROUP,
    RESOURCES,
    ResourceVersions,
    namespace_for,
)
from syncer.adapters.grafana.http.session import GrafanaHttp
from syncer.adapters.grafana.resources import codec
from syncer.adapters.grafana.resources.auto import AutoGrafana
from syncer.adapters.grafana.resources.client import PAGE_SIZE, Obj, ResourceClient
from syncer.adapters.grafana.resources.folders import ResourceFolders
from syncer.adapters.grafana.resources.meta import ANN_STORED_CHECKSUM, object_annotations
from syncer.adapters.grafana.resources.reads import DashboardReads
from syncer.model.errors import GrafanaError, Invalid, VersionConflict
from syncer.model.limits import DEFAULT_CONCURRENCY
from syncer.model.state import (
    DesiredDashboard,
    DesiredFolder,
    LiveDashboard,
    LiveFolder,
    LiveState,
    OwnershipMarker,
)
from syncer.ports import DataSource, GrafanaPort, SaveResult, ServerInfo


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
        concurrency: int = DEFAULT_CONCURRENCY,
        page_size: int = PAGE_SIZE,
        now_ms: Callable[[], int] = _now_ms,
    ) -> None:
        self._client = ResourceClient(
            http, namespace=namespace, versions=versions, concurrency=concurrency, page_size=page_size
        )
        self._folders = ResourceFolders(self._client, allow_edits=allow_edits, now_ms=now_ms)
        self._allow_edits = allow_edits
        self._now_ms = now_ms
        self._dashboards = DashboardReads(self._client)
        self._known_folders: dict[str, LiveFolder] | None = None

    @property
    def request_count(self) -> int:
        return self._client.http.request_count

    @property
    def namespace(self) -> str:
        return self._client.namespace

    async def aclose(self) -> None:
        await self._client.http.aclose()

    async def server_info(self) -> ServerInfo:
        health = await self._client.http.get_json("/api/health", route="/api/health")
        versions = await self._client.versions()
        # /api/health needs no credentials; an authenticated read in the namespace proves both work
        await self._client.get(self._client.folders_path(versions), params={"limit": 1})
        version = str(health.get("version", "")) if isinstance(health, dict) else ""
        detail = (
            f"namespace {self.namespace}; dashboards {DASHBOARD_GROUP}/{versions.classic_dashboards}, "
            f"folders {FOLDER_GROUP}/{versions.folders}"
        )
        return ServerInfo(version=version or "unknown", api=self.api, detail=detail)

    # ---- reads ---------------------------------------------------------------------------------

    async def fetch_live(self, dashboard_uids: Collection[str] | None) -> LiveState:
        versions = await self._client.versions()
        if dashboard_uids is not None and self._known_folders is not None:
            # scoped (daemon) passes use the remembered folders, as the legacy adapter does; a folder
            # changed meanwhile shows up as a failed write, and the next pass lists them again
            folders = dict(self._known_folders)
            dashboards, others = await self._dashboards.read(versions, dashboard_uids)
        else:
            folders, (dashboards, others) = await asyncio.gather(
                self._folders.list_all(), self._dashboards.read(versions, dashboard_uids)
            )
            self._known_folders = dict(folders)
        return LiveState(
            folders=folders,
            dashboards=dashboards,
            complete=dashboard_uids is None,
            other_dashboard_uids=frozenset(others),
            folder_markers_readable=True,
        )

    async def get_dashboard(self, uid: str) -> LiveDashboard | None:
        return await self._dashboards.one(await self._client.versions(), uid)

    # ---- dashboard writes ----------------------------------------------------------------------

    async def _write_version(self, desired: DesiredDashboard) -> str:
        versions = await self._client.versions()
        wanted = codec.version_of(desired.api_version)
        if not codec.is_v2(wanted):
            return versions.classic_dashboards
        if not versions.offers_dashboard_version(wanted):
            offered = ", ".join(versions.dashboard_versions) or "none"
            raise Invalid(
                f"{desired.path}: this Grafana does not offer {DASHBOARD_GROUP}/{wanted} "
                f"(it offers {offered}); upgrade Grafana or convert the file to a classic dashboard",
                method="POST",
                route=self._client.route(self._client.dashboards_path(wanted)),
            )
        return wanted

    async def save_dashboard(
        self,
        desired: DesiredDashboard,
        live: LiveDashboard | None,
        marker: OwnershipMarker,
        message: str,
    ) -> SaveResult:
        try:
            return await self._save(desired, live, marker, message)
        except GrafanaError:
            self._known_folders = None  # e.g. its folder is gone: the remembered folders may be stale
            raise

    async def _save(
        self, desired: DesiredDashboard, live: LiveDashboard | None, marker: OwnershipMarker, message: str
    ) -> SaveResult:
        version = await self._write_version(desired)
        resource_version = live.resource_version if live else None
        raw = self._client.raw_if_current("dashboard", desired.uid, resource_version)
        annotations = object_annotations(
            codec.annotations_of(raw),
            marker,
            folder_uid=desired.folder_uid,
            message=message,
            allow_edits=self._allow_edits,
            now_ms=self._now_ms(),
        )
        body = codec.k8s_object(
            api_version=f"{DASHBOARD_GROUP}/{version}",
            kind="Dashboard",
            name=desired.uid,
            spec_body=codec.dashboard_spec(desired.content, desired.uid),
            meta_annotations=annotations,
            meta_labels=codec.labels_of(raw),
            resource_version=resource_version,
        )
        migrated = not codec.is_v2(version) and (await self._client.versions()).migrates_on_write
        if live is None:
            path = self._client.dashboards_path(version)
            stored = await self._client.create(path, body, at_root=desired.folder_uid is None, spec=migrated)
        elif resource_version is None:
            # why: an update without resourceVersion is a blind overwrite; make the executor re-read
            raise VersionConflict(
                f"dashboard {desired.uid}: no resourceVersion to update against; re-reading"
            )
        else:
            path = self._client.dashboards_path(version, desired.uid)
            stored = await self._client.send("PUT", path, body, spec=migrated)
        if migrated:  # only then is the stored spec read back (else the answer's metadata is all)
            stored = await self._record_stored_checksum(stored, desired.checksum)
        self._client.remember("dashboard", stored)
        return SaveResult(
            uid=str(codec.metadata_of(stored).get("name", desired.uid)),
            version=codec.generation(stored),
            resource_version=codec.resource_version(stored),
        )

    async def _record_stored_checksum(self, stored: Obj, base: str) -> Obj:
        """v1beta1/v1 migrate the spec to the latest schema on write, so the read-back of an old-schema
        file never equals the file and every run would see drift. When (and only when) the stored
        content differs from what was sent, stamp its checksum in one annotation-only update (no new
        generation): later reads that still match it are known untouched since syncer wrote them."""
        actual = codec.stored_checksum(stored)
        if actual == base:
            return stored
        meta: dict[str, Any] = dict(codec.metadata_of(stored))
        meta["annotations"] = {**codec.annotations_of(stored), ANN_STORED_CHECKSUM: actual}
        meta.pop("managedFields", None)
        name = str(meta.get("name", ""))
        path = self._client.dashboards_path(codec.version_of(str(stored.get("apiVersion", ""))), name)
        try:
            result = await self._client.send("PUT", path, {**stored, "metadata": meta})
        except VersionConflict:
            return stored  # edited in between: the next read reports it as drift, which it is
        return result if isinstance(result, Mapping) else stored

    async def delete_dashboard(self, live: LiveDashboard) -> None:
        versions = await self._client.versions()
        path = self._client.dashboards_path(versions.classic_dashboards, live.uid)
        await self._client.delete(path, live.resource_version)

    # ---- folders -------------------------------------------------------------------------------

    async def create_folder(self, folder: DesiredFolder, marker: OwnershipMarker) -> LiveFolder:
        return await self._folder_write(self._folders.create(folder, marker))

    async def update_folder(
        self, folder: DesiredFolder, live: LiveFolder, marker: OwnershipMarker
    ) -> LiveFolder:
        return await self._folder_write(self._folders.update(folder, live, marker))

    async def delete_folder(self, live: LiveFolder) -> None:
        self._known_folders = None  # a delete removes a whole subtree: list them on the next pass
        await self._folders.delete(live)

    async def _folder_write(self, write: Awaitable[LiveFolder]) -> LiveFolder:
        """A folder write, kept in the remembered folders (all forgotten when it fails)."""
        try:
            folder = await write
        except GrafanaError:
            self._known_folders = None
            raise
        if self._known_folders is not None:
            self._known_folders[folder.uid] = folder
        return folder

    # ---- data sources --------------------------------------------------------------------------

    async def list_datasources(self) -> list[DataSource]:
        return await read_datasources(self._client.http)


class ApiSettings(Protocol):
    """The part of `syncer.settings.model.GrafanaSettings` this module reads (adapters sit below settings)."""

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
    page_size: int = PAGE_SIZE,
) -> GrafanaPort:
    """The adapter for `api: resources` (this one, versions discovered on first use) or `api: auto`
    (discovery decides between this one and `fallback`, the legacy adapter). Called by `syncer.app`."""
    namespace = namespace_for(settings.org_id, settings.namespace)

    def resources(versions: ResourceVersions | None) -> ResourcesGrafana:
        return ResourcesGrafana(
            http,
            namespace=namespace,
            versions=versions,
            allow_edits=allow_edits,
            concurrency=concurrency,
            page_size=page_size,
        )

    if settings.api == RESOURCES:
        return resources(None)
    return AutoGrafana(
        http, make_legacy=lambda: fallback(http, concurrency=concurrency), make_resources=resources
    )
