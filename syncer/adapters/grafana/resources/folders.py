"""Folders on the resource API (`folder.grafana.app`): list, create, update (rename/move), delete.

Who calls it: `syncer.adapters.grafana.resources.adapter.ResourcesGrafana`, which exposes these as the
folder half of `GrafanaPort`. A folder's parent is its `grafana.app/folder` annotation, so a move is
an update. It must not decide which folders to touch (the planner does) nor their order (the
executor creates parents first and deletes children first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import aclosing
from typing import Any

from syncer.adapters.grafana.discovery import FOLDER_GROUP
from syncer.adapters.grafana.resources import codec
from syncer.adapters.grafana.resources.client import ResourceClient
from syncer.adapters.grafana.resources.meta import object_annotations
from syncer.model.errors import Invalid, NotFound, VersionConflict
from syncer.model.state import JSON, DesiredFolder, LiveFolder, OwnershipMarker

LEGACY_MARKER_PREFIX = "managed-by: syncer/"  # the legacy adapter's marker line in a description


class ResourceFolders:
    def __init__(self, client: ResourceClient, *, allow_edits: bool, now_ms: Callable[[], int]) -> None:
        self._client = client
        self._allow_edits = allow_edits
        self._now_ms = now_ms

    def _remember(self, obj: Mapping[str, Any]) -> LiveFolder:
        self._client.remember("folder", obj)
        return codec.live_folder(obj)

    async def list_all(self) -> dict[str, LiveFolder]:
        versions = await self._client.versions()
        folders: dict[str, LiveFolder] = {}
        async for obj in self._client.iter_items(self._client.folders_path(versions)):
            folder = self._remember(obj)
            folders[folder.uid] = folder
        return folders

    async def get(self, uid: str) -> LiveFolder | None:
        versions = await self._client.versions()
        obj = await self._client.read(self._client.folders_path(versions, uid))
        return None if obj is None else self._remember(obj)

    async def create(self, folder: DesiredFolder, marker: OwnershipMarker) -> LiveFolder:
        versions = await self._client.versions()
        body = self._body(
            folder, marker, raw={}, resource_version=None, version=versions.folders, verb="create"
        )
        try:
            path = self._client.folders_path(versions)
            stored = await self._client.create(path, body, at_root=folder.parent_uid is None)
        except VersionConflict:
            # a retried POST whose first attempt landed, or a concurrent creator: accept an equal folder
            existing = await self.get(folder.uid)
            if existing is None or (existing.title, existing.parent_uid) != (folder.title, folder.parent_uid):
                raise
            return existing
        return self._remember(stored)

    async def update(self, folder: DesiredFolder, live: LiveFolder, marker: OwnershipMarker) -> LiveFolder:
        """Title and/or parent (a move), with the resourceVersion read (a stale one is a 409)."""
        versions = await self._client.versions()
        resource_version = live.resource_version
        if resource_version is None:  # built by hand rather than read: read it now
            fresh = await self.get(folder.uid)
            if fresh is None:
                raise NotFound(f"folder {folder.uid} disappeared before it could be updated")
            resource_version = fresh.resource_version
        raw = self._client.raw_if_current("folder", folder.uid, resource_version)
        body = self._body(
            folder,
            marker,
            raw=raw,
            resource_version=resource_version,
            version=versions.folders,
            verb="update",
        )
        stored = await self._client.send("PUT", self._client.folders_path(versions, folder.uid), body)
        return self._remember(stored)

    async def delete(self, live: LiveFolder) -> None:
        versions = await self._client.versions()
        path = self._client.folders_path(versions, live.uid)
        # why: some Grafana versions delete a folder's whole subtree; re-check emptiness right before,
        # so a dashboard someone added since we read the server is never deleted with it
        if await self._has_content(live.uid):
            raise Invalid(
                f"folder {live.uid} is not empty any more; not deleting it",
                method="DELETE",
                route=self._client.route(path),
            )
        await self._client.delete(path, live.resource_version)

    async def _has_content(self, uid: str) -> bool:
        """Subfolders or dashboards in one folder, from fresh listings (folder deletes are rare, and
        listings are the one question every k8s-style Grafana answers the same way). Streamed and
        stopped at the first hit: at 10,000 dashboards a held listing would cost gigabytes."""
        versions = await self._client.versions()
        for path in (
            self._client.folders_path(versions),
            self._client.dashboards_path(versions.classic_dashboards),
        ):
            async with aclosing(self._client.iter_items(path)) as items:
                async for obj in items:
                    if codec.folder_of(obj) == uid:
                        return True
        return False

    def _body(
        self,
        folder: DesiredFolder,
        marker: OwnershipMarker,
        *,
        raw: Mapping[str, Any],
        resource_version: str | None,
        version: str,
        verb: str,
    ) -> dict[str, JSON]:
        spec_body: dict[str, JSON] = {"title": folder.title}
        description = codec.spec_of(raw).get("description")
        if isinstance(description, str) and description and not description.startswith(LEGACY_MARKER_PREFIX):
            spec_body["description"] = description  # someone's description is kept; our old marker is not
        annotations = object_annotations(
            codec.annotations_of(raw),
            marker,
            folder_uid=folder.parent_uid,
            message=f"syncer: {verb} folder {folder.path or folder.uid}",
            allow_edits=self._allow_edits,
            now_ms=self._now_ms(),
        )
        return codec.k8s_object(
            api_version=f"{FOLDER_GROUP}/{version}",
            kind="Folder",
            name=folder.uid,
            spec_body=spec_body,
            meta_annotations=annotations,
            meta_labels=codec.labels_of(raw),
            resource_version=resource_version,
        )
