"""Dashboard reads on the resource API: the listing of a pass, and reads by name.

Who calls it: `syncer.adapters.grafana.resources.adapter.ResourcesGrafana` (`fetch_live`, `get_dashboard`).
Each listed object becomes its compact live form (`LiveDashboard`, content kept as `CompactJSON`) as
soon as it is decoded and is then dropped, so a pass over 10,000 dashboards holds one page's text and
the compact states, never the listing's objects. It must not plan, write, or retry conflicts.

Objects whose listed spec is not the one to compare are read again: dashboards stored as v2
(`status.conversion.storedVersion`) through their own version, and large dashboards Grafana keeps as a
blob (`grafana.app/blob`, a listing may carry a reduced spec) by name.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from syncer.adapters.grafana.discovery import ResourceVersions
from syncer.adapters.grafana.resources import codec
from syncer.adapters.grafana.resources.client import ResourceClient
from syncer.adapters.grafana.resources.meta import ANN_BLOB
from syncer.model.state import LiveDashboard

SMALL_SCOPE = 2  # a daemon run for one or two changed files reads them by name, whatever the server size

Obj = Mapping[str, Any]


class DashboardReads:
    """Reads dashboards and keeps, per dashboard, what a later update must carry over."""

    def __init__(self, client: ResourceClient) -> None:
        self._client = client
        self._listed: int | None = None  # dashboards in the last full listing (a cost estimate only)

    async def read(
        self, versions: ResourceVersions, uids: Collection[str] | None
    ) -> tuple[dict[str, LiveDashboard], set[str]]:
        """(the wanted dashboards that exist, by uid; uids that exist but were not wanted). All of
        them when `uids` is None."""
        if uids is not None and self._cheaper_by_name(len(uids)):
            found = await self._read_by_name(versions.classic_dashboards, uids)
            return await self._complete(found, versions, listed=False), set()
        return await self._listing(versions, None if uids is None else frozenset(uids))

    async def one(self, versions: ResourceVersions, uid: str) -> LiveDashboard | None:
        found = await self._read_by_name(versions.classic_dashboards, [uid])
        return (await self._complete(found, versions, listed=False)).get(uid)

    def _cheaper_by_name(self, wanted: int) -> bool:
        """One GET per wanted dashboard, or one request per page of the full listing: whichever is
        fewer. The listing's size is taken from the previous listing (before the first one, a page)."""
        pages = -(-self._listed // self._client.page_size) if self._listed else 1
        return wanted <= max(pages, SMALL_SCOPE)

    async def _listing(
        self, versions: ResourceVersions, wanted: frozenset[str] | None
    ) -> tuple[dict[str, LiveDashboard], set[str]]:
        live: dict[str, LiveDashboard] = {}
        others: set[str] = set()
        again: dict[str, list[str]] = {}  # version to read through -> names
        listed = 0
        async for obj in self._client.iter_items(self._client.dashboards_path(versions.classic_dashboards)):
            listed += 1
            name = _name(obj)
            if wanted is not None and name not in wanted:
                others.add(name)
            elif version := _reread_version(obj, versions, listed=True):
                again.setdefault(version, []).append(name)
            else:
                live[name] = self._live(obj, numbers_normal=True)  # a listing decodes them so
        self._listed = listed
        for version, names in again.items():
            live.update(await self._reread(version, names, versions))
        return live, others

    async def _complete(
        self, objects: Iterable[Obj], versions: ResourceVersions, *, listed: bool
    ) -> dict[str, LiveDashboard]:
        """Live states of `objects`, those that need it read again (see the module docstring)."""
        live: dict[str, LiveDashboard] = {}
        again: dict[str, list[str]] = {}
        for obj in objects:
            if version := _reread_version(obj, versions, listed=listed):
                again.setdefault(version, []).append(_name(obj))
            else:
                live[_name(obj)] = self._live(obj)
        for version, names in again.items():
            live.update(await self._reread(version, names, versions))
        return live

    async def _reread(
        self, version: str, names: list[str], versions: ResourceVersions
    ) -> dict[str, LiveDashboard]:
        """`names` through `version`: by name, or that version's listing when it costs fewer requests.
        A blob's reduced spec would come back from a listing again: those are always read by name.
        A dashboard deleted since the first read is simply absent."""
        if version == versions.classic_dashboards or self._cheaper_by_name(len(names)):
            return {_name(o): self._live(o) for o in await self._read_by_name(version, names)}
        wanted = frozenset(names)
        return {
            _name(o): self._live(o, numbers_normal=True)
            async for o in self._client.iter_items(self._client.dashboards_path(version))
            if _name(o) in wanted
        }

    async def _read_by_name(self, version: str, names: Collection[str]) -> list[Obj]:
        """These dashboards through `version`, a GET each (concurrently); missing ones are skipped."""

        async def read(name: str) -> Obj | None:
            return await self._client.read(self._client.dashboards_path(version, name))

        return [o for o in await self._client.gather(read, names) if o is not None]

    def _live(self, obj: Obj, *, numbers_normal: bool = False) -> LiveDashboard:
        self._client.remember("dashboard", obj)
        return codec.live_dashboard(obj, numbers_normal=numbers_normal)


def _name(obj: Obj) -> str:
    return str(codec.metadata_of(obj).get("name", ""))


def _reread_version(obj: Obj, versions: ResourceVersions, *, listed: bool) -> str | None:
    """The version to read `obj` through again, or None when what we have is complete."""
    stored = codec.stored_version(obj)
    read_as = codec.version_of(obj.get("apiVersion"))
    if stored and codec.is_v2(stored) and stored != read_as and versions.offers_dashboard_version(stored):
        return stored
    if listed and ANN_BLOB in codec.annotations_of(obj):
        return read_as
    return None
