"""The folder tree through `/api/folders`: listing it level by level, writing folders, and the
remembered tree of the last full read that scoped reads reuse (updated by these writes, dropped on
any write error). Used only by `LegacyGrafana`, which owns one; it must not touch dashboards.

Why the search hits: `/api/folders` lists one parent's children, so a tree of N folders costs N + 1
listings, most of them of leaves that answer `[]` (289 requests for the 287 folders of
`bench/gen.py --count 500`). A search hit of a nested folder names its parent in `folderUid` where
the server fills it in (newer Grafana, the emulator); the parents named there tell which folders
have children, and only those are listed (92 requests for the same tree). The listings stay the
source of truth (titles, markers, the folders a search does not show); the hits only say where
listing would find nothing. Servers whose hits lack the parent (Grafana 11's SQL search leaves it
empty) give themselves away: a parentless hit that the root listing does not hold. Then every
folder is listed, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from syncer.adapters.grafana.gather import BoundedGather
from syncer.adapters.grafana.http.session import GrafanaHttp
from syncer.adapters.grafana.legacy.wire import folder_body, get_list, live_folder
from syncer.adapters.grafana.marker import (
    decode_folder_marker,
    encode_folder_marker,
)
from syncer.model.errors import (
    AlreadyExists,
    GrafanaError,
    Invalid,
    NotFound,
    VersionConflict,
)
from syncer.model.state import (
    DesiredFolder,
    LiveFolder,
    OwnershipMarker,
)

FOLDER_PAGE = 1000


class LegacyFolders:
    """Folders of one organisation; `known` is the tree of the last full read (None: list again)."""

    def __init__(self, http: GrafanaHttp, gather: BoundedGather) -> None:
        self._http = http
        self._gather = gather
        self.known: dict[str, LiveFolder] | None = None

    def forget(self) -> None:
        self.known = None

    def remember(self, folder: LiveFolder) -> None:
        if self.known is not None:
            self.known[folder.uid] = folder

    async def read_all(
        self, root: list[dict[str, Any]], hits: Sequence[Mapping[str, Any]]
    ) -> dict[str, LiveFolder]:
        """Breadth-first over `parentUid` from the root listing, one level at a time, children
        listed concurrently; the search hits spare the listings of leaves (see the module doc)."""
        parents = folders_with_children(hits, root)
        listings_of: dict[str | None, list[dict[str, Any]]] = {None: root}
        found: dict[str, LiveFolder] = {}
        level: list[str | None] = [None]
        while level:
            unlisted = [p for p in level if p not in listings_of and (parents is None or p in parents)]
            listings_of.update(zip(unlisted, await self._gather(self.children, unlisted), strict=True))
            listings = [listings_of.get(parent, []) for parent in level]
            fresh: dict[str, tuple[Mapping[str, Any], str | None]] = {}
            for parent, items in zip(level, listings, strict=True):
                for item in items:
                    uid = str(item.get("uid", ""))
                    # why: servers without nested folders ignore parentUid and repeat the root list
                    if uid and uid not in found and uid not in fresh:
                        fresh[uid] = (item, parent)
            found.update((uid, live_folder(item, parent)) for uid, (item, parent) in fresh.items())
            level = list(fresh)
        return found

    async def children(self, parent: str | None) -> list[dict[str, Any]]:
        """The folders directly in `parent` (the root when None), every page."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            params: dict[str, str | int | list[str]] = {"limit": FOLDER_PAGE, "page": page}
            if parent:
                params["parentUid"] = parent
            batch = await get_list(self._http, "/api/folders", params)
            items.extend(i for i in batch if isinstance(i, dict))
            if len(batch) < FOLDER_PAGE:
                return items
            page += 1

    async def create(self, folder: DesiredFolder, marker: OwnershipMarker) -> LiveFolder:
        try:
            created = await self._create(folder, marker)
        except GrafanaError:
            self.forget()
            raise
        self.remember(created)
        return created

    async def _create(self, folder: DesiredFolder, marker: OwnershipMarker) -> LiveFolder:
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
            existing = await self.get(folder.uid)
            if existing is None or existing.title != folder.title or existing.parent_uid != folder.parent_uid:
                raise
            return existing
        return live_folder(folder_body(created, "POST", "/api/folders"), folder.parent_uid)

    async def get(self, uid: str) -> LiveFolder | None:
        try:
            item = await self._http.get_json(f"/api/folders/{uid}", route="/api/folders/:uid")
        except NotFound:
            return None
        item = folder_body(item, "GET", "/api/folders/:uid")
        return live_folder(item, item.get("parentUid") or None)

    async def update(self, folder: DesiredFolder, live: LiveFolder, marker: OwnershipMarker) -> LiveFolder:
        try:
            updated = await self._update(folder, live, marker)
        except GrafanaError:
            self.forget()
            raise
        self.remember(updated)
        return updated

    async def _update(self, folder: DesiredFolder, live: LiveFolder, marker: OwnershipMarker) -> LiveFolder:
        version = live.version
        description = encode_folder_marker(marker)
        if folder.title != live.title or live.marker != decode_folder_marker(description):
            # why: folder list items carry no version, and a PUT without the current one is a 412
            fresh = await self.get(folder.uid)
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

    async def delete(self, live: LiveFolder) -> None:
        # why: Grafana deletes a folder's whole subtree; re-check emptiness right before, so a
        # dashboard someone added since we read the server is never deleted with it
        if await self._has_content(live.uid):
            raise Invalid(
                f"folder {live.uid} is not empty any more; not deleting it",
                method="DELETE",
                route="/api/folders/:uid",
            )
        self.forget()  # a delete removes a whole subtree: re-list on the next pass
        try:
            await self._http.request("DELETE", f"/api/folders/{live.uid}", route="/api/folders/:uid")
        except NotFound:
            return

    async def _has_content(self, uid: str) -> bool:
        children = await self._http.get_json(
            "/api/folders", route="/api/folders", params={"parentUid": uid, "limit": 1}
        )
        dashboards = await self._http.get_json(
            "/api/search",
            route="/api/search",
            params={"type": "dash-db", "folderUIDs": uid, "limit": 1},
        )
        return bool(children) or bool(dashboards)


def folders_with_children(
    hits: Sequence[Mapping[str, Any]], root: Sequence[Mapping[str, Any]]
) -> frozenset[str] | None:
    """The uids of the folders that have child folders, from search hits of type `dash-folder`;
    None when the hits cannot tell (a parentless hit the root listing lacks, or a parent that is
    not itself a hit): then every folder must be listed."""
    folders = [h for h in hits if h.get("type") == "dash-folder" and h.get("uid")]
    uids = {str(h["uid"]) for h in folders}
    at_root = {str(item.get("uid", "")) for item in root}
    parents: set[str] = set()
    for hit in folders:
        parent = str(hit.get("folderUid") or "")
        if not parent:
            if str(hit["uid"]) not in at_root:
                return None
        elif parent in uids:
            parents.add(parent)
        else:
            return None
    return frozenset(parents)
