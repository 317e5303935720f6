"""Store <-> plain JSON documents: the `/__emulator/state` dump and the `--state` file format.

Role: `control/routes.py` serves `dump(store)`; `store/persistence.py` writes `encode_state_file(store)` to
disk (the same document as `dump(store, history=True)`) and feeds it back through `load`.
Callers need not hold the lock; these take it, and `encode_state_file` holds it only to copy
references: the stored JSON bytes are spliced into the file, never re-parsed, so saving 20,000
dashboards does not stall the server.
"""

from __future__ import annotations

import base64
from typing import Any

from syncer.emulator.store import content_codec, gojson
from syncer.emulator.store.library_records import element_documents, load_elements
from syncer.emulator.store.state import DashboardRecord, FolderRecord, K8sMeta, OrgStore, Store, VersionRecord

FORMAT_VERSION = 1


def _k8s(meta: K8sMeta) -> dict[str, Any]:
    return {
        "objectUid": meta.object_uid,
        "resourceVersion": meta.resource_version,
        "createdByRef": meta.created_by_ref,
        "updatedByRef": meta.updated_by_ref,
        "annotations": dict(meta.annotations),
        "labels": dict(meta.labels),
    }


def _dashboard_meta(record: DashboardRecord) -> dict[str, Any]:
    """Everything about a dashboard except its content (copied: safe to use outside the lock)."""
    return {
        "uid": record.uid,
        "id": record.id,
        "title": record.title,
        "folderUid": record.folder_uid,
        "version": record.version,
        "created": record.created,
        "updated": record.updated,
        "createdBy": record.created_by,
        "updatedBy": record.updated_by,
        "apiVersion": record.api_version,
        "k8s": _k8s(record.k8s),
    }


def _versions(versions: list[VersionRecord]) -> list[dict[str, Any]]:
    return [
        {
            "id": v.id,
            "version": v.version,
            "parentVersion": v.parent_version,
            "restoredFrom": v.restored_from,
            "created": v.created,
            "createdBy": v.created_by,
            "message": v.message,
            "compressed": base64.b64encode(v.compressed).decode(),
        }
        for v in versions
    ]


def _dashboard(record: DashboardRecord, history: bool) -> dict[str, Any]:
    document = _dashboard_meta(record)
    document["dashboard"] = gojson.loads(record.data, float64=False)
    if history:
        document["versions"] = _versions(record.versions)
    return document


def _folder(record: FolderRecord) -> dict[str, Any]:
    return {
        "uid": record.uid,
        "id": record.id,
        "title": record.title,
        "description": record.description,
        "parentUid": record.parent_uid,
        "version": record.version,
        "created": record.created,
        "updated": record.updated,
        "createdBy": record.created_by,
        "updatedBy": record.updated_by,
        "k8s": _k8s(record.k8s),
    }


def dump(store: Store, *, history: bool = False) -> dict[str, Any]:
    with store.lock:
        orgs = {
            str(org.org_id): {
                "dashboards": [_dashboard(d, history) for d in org.dashboards.values()],
                "folders": [_folder(f) for f in org.folders.values()],
                # only when there are some (documents from before library elements have no such key)
                **(
                    {"libraryElements": element_documents(org.library_elements)}
                    if org.library_elements
                    else {}
                ),
            }
            for org in store.orgs.values()
        }
        return {
            "format": FORMAT_VERSION,
            "nextId": store.next_id,
            "nextVersionId": store.next_version_id,
            "resourceVersion": store.resource_version,
            "orgs": orgs,
        }


def encode_state_file(store: Store) -> bytes:
    """The `dump(store, history=True)` document as compact JSON bytes, built mostly outside the lock."""
    with store.lock:
        header = {
            "format": FORMAT_VERSION,
            "nextId": store.next_id,
            "nextVersionId": store.next_version_id,
            "resourceVersion": store.resource_version,
        }
        orgs = [
            (
                org.org_id,
                [(_dashboard_meta(d), d.data, list(d.versions)) for d in org.dashboards.values()],
                [_folder(f) for f in org.folders.values()],
                element_documents(org.library_elements),
            )
            for org in store.orgs.values()
        ]
    parts = [gojson.dumps_ordered(header)[:-1], b',"orgs":{']
    for n, (org_id, dashboards, folders, elements) in enumerate(orgs):
        parts.append(b"," if n else b"")
        parts.append(b'"%d":{"dashboards":[' % org_id)
        for m, (meta, data, versions) in enumerate(dashboards):
            meta["versions"] = _versions(versions)
            parts += [b"," if m else b"", gojson.dumps_ordered(meta)[:-1], b',"dashboard":', data, b"}"]
        parts += [b'],"folders":', gojson.dumps_ordered(folders)]
        if elements:  # only when there are some: older state files have no such key
            parts += [b',"libraryElements":', gojson.dumps_ordered(elements)]
        parts.append(b"}")
    parts.append(b"}}")
    return b"".join(parts)


def _load_k8s(document: dict[str, Any]) -> K8sMeta:
    return K8sMeta(
        object_uid=document["objectUid"],
        resource_version=int(document["resourceVersion"]),
        created_by_ref=document["createdByRef"],
        updated_by_ref=document["updatedByRef"],
        annotations=dict(document.get("annotations", {})),
        labels=dict(document.get("labels", {})),
    )


def _load_dashboard(document: dict[str, Any]) -> DashboardRecord:
    content = document["dashboard"]
    data, server_spans = content_codec.encode(content)
    return DashboardRecord(
        uid=document["uid"],
        id=int(document["id"]),
        title=document["title"],
        folder_uid=document["folderUid"],
        version=int(document["version"]),
        created=document["created"],
        updated=document["updated"],
        created_by=document["createdBy"],
        updated_by=document["updatedBy"],
        tags=[t for t in content.get("tags", []) if isinstance(t, str)]
        if isinstance(content.get("tags"), list)
        else [],
        data=data,
        server_spans=server_spans,
        k8s=_load_k8s(document["k8s"]),
        api_version=document.get("apiVersion", "v0alpha1"),
        versions=[
            VersionRecord(
                id=int(v["id"]),
                version=int(v["version"]),
                parent_version=int(v["parentVersion"]),
                restored_from=int(v["restoredFrom"]),
                created=v["created"],
                created_by=v["createdBy"],
                message=v["message"],
                packed=base64.b64decode(v["compressed"]),
            )
            for v in document.get("versions", [])
        ],
    )


def _load_folder(document: dict[str, Any]) -> FolderRecord:
    return FolderRecord(
        uid=document["uid"],
        id=int(document["id"]),
        title=document["title"],
        description=document.get("description", ""),
        parent_uid=document.get("parentUid", ""),
        version=int(document["version"]),
        created=document["created"],
        updated=document["updated"],
        created_by=document["createdBy"],
        updated_by=document["updatedBy"],
        k8s=_load_k8s(document["k8s"]),
    )


def load(store: Store, document: dict[str, Any]) -> None:
    """Replace the store's content with a `dump(..., history=True)` document."""
    if document.get("format") != FORMAT_VERSION:
        raise ValueError(f"unsupported state format {document.get('format')!r}")
    with store.lock:
        store.clear()
        for org_key, org_doc in document["orgs"].items():
            org = store.orgs.setdefault(int(org_key), OrgStore(int(org_key)))
            org.dashboards = {d["uid"]: _load_dashboard(d) for d in org_doc["dashboards"]}
            org.folders = {f["uid"]: _load_folder(f) for f in org_doc["folders"]}
            org.library_elements = load_elements(org_doc.get("libraryElements", []))
        store.next_id = int(document["nextId"])
        store.next_version_id = int(document["nextVersionId"])
        store.resource_version = max(store.resource_version, int(document["resourceVersion"]))
