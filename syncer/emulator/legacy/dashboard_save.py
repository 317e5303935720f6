"""What a legacy dashboard save means: the command read from the body and Grafana's checks.

Role: `legacy/dashboards.py` parses a `POST /api/dashboards/db` body into a `SaveCommand` and runs
these checks in Grafana's order (fields, folder, existing dashboard, version, manager, title clash)
before it writes; each check raises the status, token and message Grafana answers with, per profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syncer.emulator.config import EmulatorContext
from syncer.emulator.store import ids
from syncer.emulator.store.managers import FILE_PROVISIONING, PLUGIN, REPO, manager_of
from syncer.emulator.store.state import DashboardRecord, OrgStore
from syncer.emulator.web.values import HttpError

MAX_TITLE = 5000
MAX_MESSAGE = 500


@dataclass
class SaveCommand:
    content: dict[str, Any]
    title: str
    dash_id: int
    uid: str
    version: int
    folder_uid: str | None  # None = not resolved yet
    overwrite: bool
    message: str


def _number(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def parse_save_command(body: dict[str, Any]) -> SaveCommand:
    raw = body.get("dashboard")
    if raw is not None and not isinstance(raw, dict):
        raise HttpError.message(400, "bad request data")
    content: dict[str, Any] = dict(raw or {})  # numbers as the profile's parse left them
    raw_title = content.get("title")
    title = raw_title.strip() if isinstance(raw_title, str) else ""
    dash_id = _number(content.get("id")) or 0
    uid = content["uid"].strip() if isinstance(content.get("uid"), str) else ""
    has_identity = _number(content.get("id")) is not None or isinstance(content.get("uid"), str)
    version = (_number(content.get("version")) or 0) if has_identity else 0
    message = body.get("message") if isinstance(body.get("message"), str) else ""
    content["title"] = title
    return SaveCommand(
        content, title, dash_id, uid, version, None, bool(body.get("overwrite")), message or ""
    )


def validate_fields(command: SaveCommand, *, k8s_routed: bool) -> None:
    if not command.title and k8s_routed:
        raise HttpError.message(400, "Dashboard spec is missing required title property")
    if not command.title:
        raise HttpError.message(400, "Dashboard title cannot be empty", status_token="empty-name")
    if len(command.title) > MAX_TITLE:
        raise HttpError.message(
            400, "Dashboard title cannot contain more than 5 000 characters", status_token="title-too-long"
        )
    if len(command.message) > MAX_MESSAGE:
        raise HttpError.message(400, "message too long, max 500 characters")
    if not ids.UID_PATTERN.match(command.uid):
        raise HttpError.message(400, "uid contains illegal characters")
    if len(command.uid) > ids.MAX_UID_LENGTH:
        raise HttpError.message(400, "uid too long, max 40 characters")


def resolve_folder(org: OrgStore, body: dict[str, Any]) -> str:
    """Target folder uid ("" = General); `folderUid` wins over the deprecated `folderId`."""
    folder_uid = body.get("folderUid")
    if isinstance(folder_uid, str) and folder_uid.strip():
        folder_uid = folder_uid.strip()
        if folder_uid == "general":
            return ""
        if folder_uid not in org.folders:
            raise HttpError.message(400, "folder not found")
        return folder_uid
    folder_id = _number(body.get("folderId"))
    if folder_id:
        for folder in org.folders.values():
            if folder.id == folder_id:
                return folder.uid
        raise HttpError.message(400, "folder not found")
    return ""


def find_existing(org: OrgStore, command: SaveCommand) -> DashboardRecord | None:
    by_id = None
    if command.dash_id > 0:
        by_id = next((d for d in org.dashboards.values() if d.id == command.dash_id), None)
        if by_id is None:
            raise HttpError.message(404, "Dashboard not found", status_token="not-found")
        if not command.uid:
            command.uid = by_id.uid
    by_uid = org.dashboards.get(command.uid) if command.uid else None
    if by_id is not None and by_uid is not None and by_id is not by_uid:
        raise HttpError.message(400, "A dashboard with the same uid already exists")
    if by_id is not None and by_uid is None and command.uid != by_id.uid:
        # id points at one dashboard, the uid is new: Grafana changes that dashboard's uid.
        return by_id
    if command.uid and command.uid in org.folders:
        raise HttpError.message(400, "Dashboard cannot be changed to a folder")
    return by_uid or by_id


def check_version(ctx: EmulatorContext, existing: DashboardRecord, command: SaveCommand) -> None:
    if ctx.profile.legacy_conflict_409:
        if not command.overwrite and command.version != existing.version:
            raise HttpError.message(409, "Dashboard already exists. Use overwrite flag to update.")
        return
    if command.version != existing.version and not command.overwrite:
        raise HttpError.message(
            412, "The dashboard has been changed by someone else", status_token="version-mismatch"
        )


def check_managed(ctx: EmulatorContext, existing: DashboardRecord, *, overwrite: bool) -> None:
    manager = manager_of(existing.k8s.annotations)
    if manager is None or manager.allows_edits:
        return
    if manager.kind == PLUGIN and not overwrite and not ctx.profile.legacy_refuses_managed:
        raise HttpError.message(
            412, f"The dashboard belongs to plugin {manager.identity}.", status_token="plugin-dashboard"
        )
    if ctx.profile.legacy_refuses_managed or manager.kind == FILE_PROVISIONING:
        raise HttpError.message(400, "Cannot save provisioned dashboard")
    if manager.kind == REPO:
        raise HttpError.message(403, "this resource is managed by a repository")


def resolve_title_clash(
    org: OrgStore, command: SaveCommand, folder_uid: str, existing: DashboardRecord | None
) -> DashboardRecord | None:
    """Profile 11.2 (SQL store): titles are unique per folder and shared with root folders.

    A same-titled dashboard is a 412 `name-exists`, unless `overwrite` is set: then Grafana takes
    that dashboard over (the save becomes an update of it, under its uid). Returns the dashboard
    the save will update.
    """
    lowered = command.title.lower()
    if not folder_uid and any(not f.parent_uid and f.title.lower() == lowered for f in org.folders.values()):
        raise HttpError.message(400, "Dashboard name cannot be the same as folder", status_token="name-match")
    clash = next(
        (
            other
            for other in org.dashboards.values()
            if other is not existing and other.folder_uid == folder_uid and other.title.lower() == lowered
        ),
        None,
    )
    if clash is None:
        return existing
    if not command.overwrite:
        raise HttpError.message(
            412, "A dashboard with the same name in the folder already exists", status_token="name-exists"
        )
    command.uid = clash.uid
    return clash
