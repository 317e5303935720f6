"""The emulator's state: per-org dashboards, folders, version history, ids; one lock.

Role: route modules (legacy and k8s) read and mutate records here while holding `Store.lock`;
`store/persistence.py` snapshots it; `control/routes.py` resets and dumps it. It holds no HTTP knowledge
and does no validation beyond keeping the folder tree consistent.

Dashboard content is kept as serialised, key-sorted JSON bytes (the legacy shape, with
`id`/`uid`/`version` written in) so a GET is a byte copy. Old versions are zlib-compressed:
20,000 dashboards of 30 kB with a history must still fit in memory.
"""

from __future__ import annotations

import random
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from syncer.emulator.store import content_codec, gojson, ids
from syncer.emulator.store.library_records import LibraryElementRecord

VERSIONS_TO_KEEP = 20


def now_rfc3339() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class VersionRecord:
    """One history entry. The newest entry's content is the dashboard's current bytes (shared,
    so free to keep); it is compressed only once a newer version supersedes it (`seal`) or the
    state file needs it, which keeps zlib off the path of a dashboard's first save."""

    id: int
    version: int
    parent_version: int
    restored_from: int
    created: str
    created_by: str
    message: str
    packed: bytes | None = None  # zlib level 1; computed on demand while `fresh` is set
    fresh: bytes | None = field(default=None, repr=False)

    @property
    def data(self) -> bytes:
        fresh = self.fresh  # read once: `seal` may run in another thread
        if fresh is not None:
            return fresh
        assert self.packed is not None, "a sealed entry keeps its compressed content"
        return zlib.decompress(self.packed)

    @property
    def compressed(self) -> bytes:
        packed = self.packed
        if packed is None:
            fresh = self.fresh
            if fresh is None:  # sealed by another thread meanwhile; `seal` sets `packed` first
                packed = self.packed
                assert packed is not None, "a sealed entry keeps its compressed content"
            else:
                packed = self.packed = zlib.compress(fresh, 1)
        return packed

    def seal(self) -> None:
        """Keep only the compressed content (called, under the lock, when superseded)."""
        if self.fresh is not None:
            self.packed = self.compressed
            self.fresh = None


@dataclass
class K8sMeta:
    """The k8s view of an object: opaque uid, resourceVersion, labels and annotations."""

    object_uid: str
    resource_version: int
    created_by_ref: str
    updated_by_ref: str
    annotations: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class DashboardRecord:
    uid: str
    id: int
    title: str
    folder_uid: str
    version: int
    created: str
    updated: str
    created_by: str
    updated_by: str
    tags: list[str]
    data: bytes  # legacy JSON (sorted keys) with id/uid/version/title written in
    k8s: K8sMeta
    api_version: str = "v0alpha1"  # the k8s version it was last written through
    versions: list[VersionRecord] = field(default_factory=list)
    server_spans: content_codec.Spans | None = None  # where id/uid/version sit in `data`, if known

    def document(self) -> dict[str, Any]:
        parsed: dict[str, Any] = gojson.loads(self.data, float64=False)
        return parsed

    def set_content(self, content: dict[str, Any]) -> None:
        """Store `content` (id/uid/version already written in) as the current bytes."""
        self.data, self.server_spans = content_codec.encode(content)

    def spec_json(self) -> gojson.RawJSON | None:
        """The k8s spec (content without id/uid/version) as stored bytes; None if not located."""
        if self.server_spans is None:
            return None
        return gojson.RawJSON(content_codec.spec_of(self.data, self.server_spans))


@dataclass
class FolderRecord:
    uid: str
    id: int
    title: str
    description: str
    parent_uid: str
    version: int
    created: str
    updated: str
    created_by: str
    updated_by: str
    k8s: K8sMeta


@dataclass
class OrgStore:
    org_id: int
    dashboards: dict[str, DashboardRecord] = field(default_factory=dict)
    folders: dict[str, FolderRecord] = field(default_factory=dict)
    library_elements: dict[str, LibraryElementRecord] = field(default_factory=dict)

    def folder_chain(self, uid: str) -> list[FolderRecord]:
        """Ancestors of folder `uid` from the root down, the folder itself last."""
        chain: list[FolderRecord] = []
        seen: set[str] = set()
        current = self.folders.get(uid)
        while current is not None and current.uid not in seen:
            seen.add(current.uid)
            chain.append(current)
            current = self.folders.get(current.parent_uid) if current.parent_uid else None
        chain.reverse()
        return chain

    def depth_of(self, uid: str) -> int:
        """Nesting level of a folder: 1 for a root-level folder, 0 for the General root."""
        return len(self.folder_chain(uid)) if uid else 0

    def subtree_height(self, uid: str) -> int:
        """Levels in the subtree rooted at `uid` (1 for a folder without subfolders)."""
        children = [f.uid for f in self.folders.values() if f.parent_uid == uid]
        return 1 + max((self.subtree_height(child) for child in children), default=0)

    def descendants(self, uid: str) -> list[str]:
        """Folder uids below `uid` (not including it), parents before children."""
        found: list[str] = []
        frontier = [uid]
        while frontier:
            parent = frontier.pop(0)
            children = [f.uid for f in self.folders.values() if f.parent_uid == parent]
            found.extend(children)
            frontier.extend(children)
        return found

    def dashboards_in(self, folder_uids: set[str]) -> Iterator[DashboardRecord]:
        return (d for d in self.dashboards.values() if d.folder_uid in folder_uids)


class Store:
    """All orgs, the id/resourceVersion counters and the lock that guards them."""

    def __init__(
        self, org_ids: tuple[int, ...] = (1, 2), *, random_ids: bool = False, seed: int | None = None
    ):
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.random_ids = random_ids
        self._org_ids = org_ids
        self.orgs: dict[int, OrgStore] = {}
        self.next_id = 1
        self.next_version_id = 1
        self.resource_version = 0
        self.changes = 0  # bumped on every mutation; persistence saves when it moves
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.orgs = {org_id: OrgStore(org_id) for org_id in self._org_ids}
            self.next_id = 1
            self.next_version_id = 1
            self.resource_version = int(time.time() * 1000) * 1000
            self.changes += 1

    def org(self, org_id: int) -> OrgStore | None:
        return self.orgs.get(org_id)

    def allocate_id(self) -> int:
        if self.random_ids:
            return ids.random_internal_id(self.rng)
        allocated = self.next_id
        self.next_id += 1
        return allocated

    def bump_resource_version(self) -> int:
        self.resource_version += 1
        self.changes += 1
        return self.resource_version

    def new_uid(self, org: OrgStore) -> str:
        while True:
            uid = ids.generate_uid(self.rng)
            if uid not in org.dashboards and uid not in org.folders:
                return uid

    def new_k8s_meta(self, caller_ref: str) -> K8sMeta:
        return K8sMeta(
            object_uid=ids.k8s_object_uid(self.rng),
            resource_version=self.bump_resource_version(),
            created_by_ref=caller_ref,
            updated_by_ref=caller_ref,
        )

    def append_version(
        self, dashboard: DashboardRecord, *, login: str, message: str, restored_from: int = 0
    ) -> None:
        """Record the dashboard's current content as a history entry (keeps the newest 20)."""
        previous = dashboard.versions[-1].version if dashboard.versions else 0
        if dashboard.versions:
            dashboard.versions[-1].seal()
        self.next_version_id += 1
        dashboard.versions.append(
            VersionRecord(
                id=self.next_version_id - 1,
                version=dashboard.version,
                parent_version=previous,
                restored_from=restored_from,
                created=dashboard.updated,
                created_by=login,
                message=message,
                fresh=dashboard.data,
            )
        )
        del dashboard.versions[:-VERSIONS_TO_KEEP]
