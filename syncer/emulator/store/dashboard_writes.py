"""The one place a dashboard's content is written into the store (legacy and k8s paths).

Role: legacy save/restore and k8s create/update validate in their own modules, then call
`write_dashboard`, which fills the server-owned fields, serialises, bumps the version and
resourceVersion, records history and keeps the k8s annotations in step. Caller holds the lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syncer.emulator.identity import Identity
from syncer.emulator.store.state import DashboardRecord, K8sMeta, OrgStore, Store, now_rfc3339

FOLDER_ANNOTATION = "grafana.app/folder"
ID_LABEL = "grafana.app/deprecatedInternalID"


@dataclass
class DashboardWrite:
    uid: str
    content: dict[str, Any]  # dashboard JSON, server-owned keys may be present (they get overwritten)
    folder_uid: str
    caller: Identity
    message: str = ""
    restored_from: int = 0
    bump_version: bool = True
    api_version: str = "v0alpha1"
    annotations: dict[str, str] | None = None  # k8s writes replace the user annotations
    labels: dict[str, str] | None = None


def tags_of(content: dict[str, Any]) -> list[str]:
    tags = content.get("tags")
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def write_dashboard(
    store: Store, org: OrgStore, existing: DashboardRecord | None, write: DashboardWrite
) -> DashboardRecord:
    now = now_rfc3339()
    record = existing or _new_record(store, org, write, now)
    if existing is not None and write.bump_version:
        record.version += 1
    content = dict(write.content)
    content["id"] = record.id
    content["uid"] = write.uid
    content["version"] = record.version
    record.title = str(content.get("title", ""))
    record.set_content(content)
    record.tags = tags_of(content)
    record.folder_uid = write.folder_uid
    record.updated = now
    record.updated_by = write.caller.login
    record.api_version = write.api_version
    _update_k8s_meta(store, record.k8s, write, now)
    if write.bump_version or existing is None:
        store.append_version(
            record, login=write.caller.login, message=write.message, restored_from=write.restored_from
        )
    org.dashboards[write.uid] = record
    return record


def _new_record(store: Store, org: OrgStore, write: DashboardWrite, now: str) -> DashboardRecord:
    return DashboardRecord(
        uid=write.uid,
        id=store.allocate_id(),
        title="",
        folder_uid=write.folder_uid,
        version=1,
        created=now,
        updated=now,
        created_by=write.caller.login,
        updated_by=write.caller.login,
        tags=[],
        data=b"{}",
        k8s=store.new_k8s_meta(write.caller.k8s_ref),
    )


def _update_k8s_meta(store: Store, meta: K8sMeta, write: DashboardWrite, now: str) -> None:
    if write.annotations is not None:
        meta.annotations = dict(write.annotations)
    if write.labels is not None:
        meta.labels = dict(write.labels)
    meta.annotations.pop(FOLDER_ANNOTATION, None)
    if write.folder_uid:
        meta.annotations[FOLDER_ANNOTATION] = write.folder_uid
    meta.annotations["grafana.app/updatedTimestamp"] = now
    meta.updated_by_ref = write.caller.k8s_ref
    meta.resource_version = store.bump_resource_version()


def delete_dashboard(store: Store, org: OrgStore, uid: str) -> DashboardRecord | None:
    record = org.dashboards.pop(uid, None)
    if record is not None:
        store.bump_resource_version()
    return record
