"""Legacy dashboard routes: `POST /api/dashboards/db`, `GET|DELETE /api/dashboards/uid/:uid`.

Role: validate exactly as Grafana does (order, status codes, status tokens, messages, per
profile), then hand the write to `dashboard_writes`. Registered by `server.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from syncer.emulator import gojson, ids, legacy_k8s_body
from syncer.emulator.config import EmulatorContext
from syncer.emulator.dashboard_writes import DashboardWrite, delete_dashboard, write_dashboard
from syncer.emulator.durations import refresh_below_minimum
from syncer.emulator.http import HttpError, Request, Response, forbid_viewer, json_response
from syncer.emulator.managers import FILE_PROVISIONING, PLUGIN, REPO, manager_of
from syncer.emulator.routing import Route
from syncer.emulator.store import DashboardRecord, OrgStore

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


def org_of(ctx: EmulatorContext, request: Request) -> OrgStore:
    org = ctx.store.org(request.org_id)
    assert org is not None, "server resolves the org before routing"
    return org


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


def _validate_fields(command: SaveCommand, *, k8s_routed: bool) -> None:
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


def _find_existing(org: OrgStore, command: SaveCommand) -> DashboardRecord | None:
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


def _check_version(ctx: EmulatorContext, existing: DashboardRecord, command: SaveCommand) -> None:
    if ctx.profile.legacy_conflict_409:
        if not command.overwrite and command.version != existing.version:
            raise HttpError.message(409, "Dashboard already exists. Use overwrite flag to update.")
        return
    if command.version != existing.version and not command.overwrite:
        raise HttpError.message(
            412, "The dashboard has been changed by someone else", status_token="version-mismatch"
        )


def _check_managed(ctx: EmulatorContext, existing: DashboardRecord, *, overwrite: bool) -> None:
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


def _resolve_title_clash(
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


def post_dashboard(ctx: EmulatorContext, request: Request) -> Response:
    forbid_viewer(request, "any of dashboards:create, dashboards:write")
    body = request.json_object(float64=ctx.profile.float64_numbers)
    if body.get("isFolder"):
        raise HttpError.message(400, "Use folders endpoint for saving folders.")
    if ctx.profile.legacy_conflict_409:  # profile 13 routes legacy saves through the k8s API
        body = legacy_k8s_body.unwrap(body)
    command = parse_save_command(body)
    if refresh_below_minimum(command.content.get("refresh"), ctx.config.min_refresh_interval_s):
        command.content["refresh"] = ctx.config.min_refresh_interval
    _validate_fields(command, k8s_routed=ctx.profile.legacy_conflict_409)
    with ctx.store.lock:
        org = org_of(ctx, request)
        folder_uid = resolve_folder(org, body)
        existing = _find_existing(org, command)
        if existing is not None:
            _check_version(ctx, existing, command)
            _check_managed(ctx, existing, overwrite=command.overwrite)
        if ctx.profile.unique_titles:
            existing = _resolve_title_clash(org, command, folder_uid, existing)
        uid = command.uid or (existing.uid if existing else ctx.store.new_uid(org))
        record = _save(
            ctx, org, existing=existing, command=command, uid=uid, folder_uid=folder_uid, request=request
        )
        return json_response(200, save_result(record))


def _save(
    ctx: EmulatorContext,
    org: OrgStore,
    *,
    existing: DashboardRecord | None,
    command: SaveCommand,
    uid: str,
    folder_uid: str,
    request: Request,
) -> DashboardRecord:
    if existing is not None and existing.uid != uid:
        org.dashboards.pop(existing.uid, None)  # the id named it; the uid changed
        existing.uid = uid
    if (
        existing is not None
        and ctx.profile.legacy_noop_keeps_version
        and _unchanged(existing, command, folder_uid)
    ):
        return existing
    write = DashboardWrite(
        uid=uid,
        content=command.content,
        folder_uid=folder_uid,
        caller=request.caller,
        message=command.message,
    )
    return write_dashboard(ctx.store, org, existing, write)


def _unchanged(existing: DashboardRecord, command: SaveCommand, folder_uid: str) -> bool:
    stored = existing.document()
    incoming = {key: value for key, value in command.content.items() if key not in ("id", "uid", "version")}
    current = {key: value for key, value in stored.items() if key not in ("id", "uid", "version")}
    return existing.folder_uid == folder_uid and incoming == current


def save_result(record: DashboardRecord) -> dict[str, Any]:
    slug = ids.slugify(record.title)
    return {
        "id": record.id,
        "uid": record.uid,
        "url": f"/d/{record.uid}/{slug}",
        "status": "success",
        "version": record.version,
        "slug": slug,
        "folderUid": record.folder_uid,
    }


def dashboard_meta(
    ctx: EmulatorContext, org: OrgStore, record: DashboardRecord, request: Request
) -> dict[str, Any]:
    can_write = request.caller.can_write
    folder = org.folders.get(record.folder_uid)
    manager = manager_of(record.k8s.annotations)
    provisioned = manager is not None and manager.kind == FILE_PROVISIONING and not manager.allows_edits
    slug = ids.slugify(record.title)
    meta: dict[str, Any] = {
        "type": "db",
        "canSave": can_write,
        "canEdit": can_write,
        "canAdmin": request.caller.role == "Admin",
        "canStar": True,
        "canDelete": can_write,
        "slug": slug,
        "url": f"/d/{record.uid}/{slug}",
        "expires": "0001-01-01T00:00:00Z",
        "created": record.created,
        "updated": record.updated,
        "updatedBy": record.updated_by,
        "createdBy": record.created_by,
        "version": record.version,
        "hasAcl": False,
        "isFolder": False,
        "folderId": folder.id if folder else 0,
        "folderUid": record.folder_uid,
        "folderTitle": folder.title if folder else "General",
        "folderUrl": f"/dashboards/f/{folder.uid}/{ids.slugify(folder.title)}" if folder else "",
        "provisioned": provisioned,
        "provisionedExternalId": record.k8s.annotations.get("grafana.app/sourcePath", "")
        if provisioned
        else "",
        "annotationsPermissions": {
            "dashboard": {"canAdd": can_write, "canEdit": can_write, "canDelete": can_write},
            "organization": {"canAdd": can_write, "canEdit": can_write, "canDelete": can_write},
        },
    }
    if ctx.profile.k8s_backed_legacy:
        meta["apiVersion"] = record.api_version
    return meta


def get_dashboard(ctx: EmulatorContext, request: Request) -> Response:
    with ctx.store.lock:
        org = org_of(ctx, request)
        record = org.dashboards.get(request.params["uid"])
        if record is None:
            raise HttpError.message(404, "Dashboard not found")
        if record.folder_uid and record.folder_uid not in org.folders:
            raise HttpError.message(404, "Folder not found")
        meta = dashboard_meta(ctx, org, record, request)
        data = record.data
    # Stored bytes already carry the current version; splice them in instead of re-encoding.
    body = b"".join((b'{"dashboard":', data, b',"meta":', gojson.dumps_ordered(meta), b"}"))  # one copy
    return Response(200, body)


def delete_dashboard_route(ctx: EmulatorContext, request: Request) -> Response:
    forbid_viewer(request, "dashboards:delete")
    with ctx.store.lock:
        org = org_of(ctx, request)
        uid = request.params["uid"]
        if uid in org.folders:
            # 11.x finds the folder in the dashboard table; 12+ reads dashboards through the k8s
            # store, where a folder uid is no dashboard: getDashboardHelper's 404 (pkg/api/dashboard.go)
            if ctx.profile.k8s_backed_legacy:
                raise HttpError.message(404, "Dashboard not found")
            raise HttpError.message(400, "Use folders endpoint for deleting folders.")
        record = org.dashboards.get(uid)
        if record is None:
            raise HttpError.message(404, "Dashboard not found")
        manager = manager_of(record.k8s.annotations)
        if manager is not None and manager.kind == FILE_PROVISIONING:
            raise HttpError.message(400, "provisioned dashboard cannot be deleted")
        delete_dashboard(ctx.store, org, uid)
    return json_response(
        200, {"title": record.title, "message": f"Dashboard {record.title} deleted", "uid": record.uid}
    )


def routes(ctx: EmulatorContext) -> list[Route]:
    return [
        Route("POST", "/api/dashboards/db", partial(post_dashboard, ctx)),
        Route("GET", "/api/dashboards/uid/:uid", partial(get_dashboard, ctx)),
        Route("DELETE", "/api/dashboards/uid/:uid", partial(delete_dashboard_route, ctx)),
    ]
