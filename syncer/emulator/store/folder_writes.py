"""Folder rules and writes shared by the legacy `/api/folders` and k8s folder routes.

Role: validate uids, titles, parents and nesting depth, then create / update / move / delete
folder records (delete cascades to subfolders and their dashboards). Problems are raised as
`FolderProblem`, which each API renders in its own error shape. Caller holds the store lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncer.emulator.identity import Identity
from syncer.emulator.store import ids
from syncer.emulator.store.dashboard_writes import FOLDER_ANNOTATION
from syncer.emulator.store.state import FolderRecord, OrgStore, Store, now_rfc3339

RESERVED_UIDS = ("general", "sharedwithme")
RESERVED_TITLE = "general"


class FolderProblem(Exception):
    """A folder rule was broken; `status` is the legacy HTTP status, `reason` the k8s reason."""

    def __init__(
        self, status: int, message: str, *, reason: str = "BadRequest", token: str = "", message_id: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
        self.token = token
        self.message_id = message_id  # Grafana's errutil id, when the error carries one


DEPTH_MESSAGE_ID = "folder.maximum-depth-reached"
DEPTH_MESSAGE = "Maximum nested folder depth reached"


def folder_not_found() -> FolderProblem:
    return FolderProblem(404, "folder not found", reason="NotFound", token="not-found")


@dataclass
class FolderInput:
    uid: str
    title: str
    description: str
    parent_uid: str


def validate_uid(uid: str) -> None:
    if not ids.UID_PATTERN.match(uid):
        raise FolderProblem(400, "uid contains illegal characters")
    if len(uid) > ids.MAX_UID_LENGTH:
        raise FolderProblem(400, "uid too long, max 40 characters")
    if uid.strip().lower() in RESERVED_UIDS:
        raise FolderProblem(400, "invalid uid for folder provided")


def validate_title(title: str) -> str:
    trimmed = title.strip()
    if not trimmed:
        raise FolderProblem(400, "folder title cannot be empty")
    if trimmed.lower() == RESERVED_TITLE:
        raise FolderProblem(400, "A folder with that name already exists")
    return trimmed


def check_parent(org: OrgStore, parent_uid: str, height: int, max_depth: int) -> None:
    """The parent exists and a subtree `height` levels tall fits below it."""
    if parent_uid and parent_uid not in org.folders:
        raise FolderProblem(404, "folder not found", reason="NotFound", token="not-found")
    if org.depth_of(parent_uid) + height > max_depth:
        raise FolderProblem(400, f"[{DEPTH_MESSAGE_ID}] {DEPTH_MESSAGE}", message_id=DEPTH_MESSAGE_ID)


def create_folder(
    store: Store, org: OrgStore, data: FolderInput, caller: Identity, max_depth: int
) -> FolderRecord:
    validate_uid(data.uid)
    title = validate_title(data.title)
    parent_uid = "" if data.parent_uid in RESERVED_UIDS[:1] else data.parent_uid
    check_parent(org, parent_uid, 1, max_depth)
    uid = data.uid.strip() or store.new_uid(org)
    now = now_rfc3339()
    record = FolderRecord(
        uid=uid,
        id=store.allocate_id(),
        title=title,
        description=data.description,
        parent_uid=parent_uid,
        version=1,
        created=now,
        updated=now,
        created_by=caller.login,
        updated_by=caller.login,
        k8s=store.new_k8s_meta(caller.k8s_ref),
    )
    _sync_folder_annotation(record)
    org.folders[uid] = record
    return record


def touch(store: Store, record: FolderRecord, caller: Identity, *, bump: bool = True) -> None:
    if bump:
        record.version += 1
    record.updated = now_rfc3339()
    record.updated_by = caller.login
    record.k8s.updated_by_ref = caller.k8s_ref
    record.k8s.annotations["grafana.app/updatedTimestamp"] = record.updated
    record.k8s.resource_version = store.bump_resource_version()
    _sync_folder_annotation(record)


def move_folder(
    store: Store, org: OrgStore, record: FolderRecord, *, new_parent: str, caller: Identity, max_depth: int
) -> None:
    new_parent = "" if new_parent == "general" else new_parent
    if new_parent == record.uid:
        raise FolderProblem(400, "folder cannot be parent of itself")
    if new_parent and new_parent in org.descendants(record.uid):
        raise FolderProblem(400, "[folder.circular-reference] Circular reference detected")
    check_parent(org, new_parent, org.subtree_height(record.uid), max_depth)
    record.parent_uid = new_parent
    touch(store, record, caller)


def delete_folder_tree(store: Store, org: OrgStore, uid: str) -> FolderRecord:
    """Remove the folder, its subfolders and every dashboard and library element in them."""
    record = org.folders[uid]
    doomed = {uid, *org.descendants(uid)}
    for dashboard in list(org.dashboards_in(doomed)):
        del org.dashboards[dashboard.uid]
    for element in [e for e in org.library_elements.values() if e.folder_uid in doomed]:
        del org.library_elements[element.uid]  # Grafana deletes a folder's library panels with it
    for folder_uid in doomed:
        del org.folders[folder_uid]
    store.bump_resource_version()
    return record


def _sync_folder_annotation(record: FolderRecord) -> None:
    record.k8s.annotations.pop(FOLDER_ANNOTATION, None)
    if record.parent_uid:
        record.k8s.annotations[FOLDER_ANNOTATION] = record.parent_uid
