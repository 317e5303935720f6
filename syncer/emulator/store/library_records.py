"""Library elements as the emulator stores them, their DTO, and their connections to dashboards.

Role: `store.OrgStore.library_elements` holds one `LibraryElementRecord` per uid; the routes of
`legacy/library_elements.py` read and change them under `Store.lock`. Connections are not stored: like
Grafana 11+ (`GetDashboardsByLibraryPanelUID`), they are computed from the stored dashboards'
`libraryPanel.uid` references, so a dashboard save or delete changes them with no bookkeeping.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from syncer.emulator.store import gojson

if TYPE_CHECKING:
    from syncer.emulator.store.state import OrgStore

PANEL_KIND = 1
VARIABLE_KIND = 2


@dataclass
class LibraryElementRecord:
    uid: str
    id: int
    name: str
    kind: int
    folder_uid: str  # "" = the General root
    model: dict[str, Any]  # keys sorted, as Go's json.Marshal of a map leaves them
    version: int
    created: str
    updated: str
    created_by: tuple[int, str]  # (user id, login)
    updated_by: tuple[int, str]

    @property
    def type(self) -> str:
        value = self.model.get("type")
        return value if isinstance(value, str) else ""

    @property
    def description(self) -> str:
        value = self.model.get("description")
        return value if isinstance(value, str) else ""


def element_documents(elements: dict[str, LibraryElementRecord]) -> list[dict[str, Any]]:
    """The `/__emulator/state` dump (and `--state` file part) of an org's library elements."""
    return [
        {
            "uid": e.uid,
            "id": e.id,
            "name": e.name,
            "kind": e.kind,
            "folderUid": e.folder_uid,
            "version": e.version,
            "created": e.created,
            "updated": e.updated,
            "createdBy": e.created_by[1],
            "createdById": e.created_by[0],
            "updatedBy": e.updated_by[1],
            "updatedById": e.updated_by[0],
            "model": e.model,
        }
        for e in elements.values()
    ]


def load_elements(documents: list[dict[str, Any]]) -> dict[str, LibraryElementRecord]:
    """The inverse of `element_documents` (a `--state` file's `libraryElements`)."""
    return {
        d["uid"]: LibraryElementRecord(
            uid=d["uid"],
            id=int(d["id"]),
            name=d["name"],
            kind=int(d["kind"]),
            folder_uid=d.get("folderUid", ""),
            model=dict(d["model"]),
            version=int(d["version"]),
            created=d["created"],
            updated=d["updated"],
            created_by=(int(d.get("createdById", 0)), d["createdBy"]),
            updated_by=(int(d.get("updatedById", 0)), d["updatedBy"]),
        )
        for d in documents
    }


def sync_model(model: dict[str, Any], *, type_: str = "", description: str = "") -> dict[str, Any]:
    """Grafana's `syncFieldsWithModel`: `type` and `description` always present in the stored model
    (missing ones take the element's current values), keys sorted at every level (map marshalling)."""
    synced = dict(model)
    if synced.get("type") is None:
        synced["type"] = type_
    if synced.get("description") is None:
        synced["description"] = description
    sorted_model: dict[str, Any] = _sorted(synced)
    return sorted_model


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def referenced_uids(document: Any) -> Iterator[str]:
    """Every `libraryPanel.uid` in a dashboard (classic panels, rows' panels, v2 `LibraryPanel` elements)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            ref = value.get("libraryPanel")
            if isinstance(ref, dict) and isinstance(ref.get("uid"), str):
                yield ref["uid"]
            stack.extend(v for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend(v for v in value if isinstance(v, dict | list))


def connection_counts(dashboards: dict[str, Any]) -> Counter[str]:
    """Element uid -> how many stored dashboards use it, in one pass over the dashboards (a list
    of many elements must not scan every dashboard once per element)."""
    counts: Counter[str] = Counter()
    for record in dashboards.values():
        data: bytes = record.data
        if b"libraryPanel" in data:
            counts.update(set(referenced_uids(gojson.loads(data, float64=False))))
    return counts


def connected_dashboards(dashboards: dict[str, Any], element_uid: str) -> list[Any]:
    """The stored dashboard records (`store.DashboardRecord`) that use `element_uid`.
    A cheap byte search first: most dashboards do not mention the uid at all."""
    needle = element_uid.encode("utf-8")
    found = []
    for record in dashboards.values():
        data: bytes = record.data
        if needle in data and element_uid in set(referenced_uids(gojson.loads(data, float64=False))):
            found.append(record)
    return found


def element_dto(org: OrgStore, record: LibraryElementRecord, connected: int | None = None) -> dict[str, Any]:
    """`connected`: the element's connection count when the caller counted them all at once."""
    folder = org.folders.get(record.folder_uid) if record.folder_uid else None
    if connected is None:
        connected = len(connected_dashboards(org.dashboards, record.uid))
    return {
        "id": record.id,
        "orgId": org.org_id,
        "folderId": folder.id if folder else 0,
        "folderUid": record.folder_uid,
        "uid": record.uid,
        "name": record.name,
        "kind": record.kind,
        "type": record.type,
        "description": record.description,
        "model": record.model,
        "version": record.version,
        "meta": {
            "folderName": folder.title if folder else "General",
            "folderUid": record.folder_uid,
            "connectedDashboards": connected,
            "created": record.created,
            "updated": record.updated,
            "createdBy": user_dto(record.created_by),
            "updatedBy": user_dto(record.updated_by),
        },
    }


def user_dto(who: tuple[int, str]) -> dict[str, Any]:
    return {"id": who[0], "name": who[1], "avatarUrl": "/avatar/46d229b033af06a191ff2267bca9ae56"}


def in_use_outside(org: OrgStore, folder_uids: set[str]) -> bool:
    """Does a dashboard outside `folder_uids` use a library element inside them? (Then Grafana
    refuses to delete those folders: the element would vanish from under that dashboard.)"""
    inside = {e.uid for e in org.library_elements.values() if e.folder_uid in folder_uids}
    if not inside:
        return False
    outside = {uid: d for uid, d in org.dashboards.items() if d.folder_uid not in folder_uids}
    counts = connection_counts(outside)
    return any(counts[uid] for uid in inside)
