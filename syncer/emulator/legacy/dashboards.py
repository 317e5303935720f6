"""Legacy dashboard routes: `POST /api/dashboards/db`, `GET|DELETE /api/dashboards/uid/:uid`.

Role: check a save as Grafana does (`legacy/dashboard_save.py`: order, status codes, status
tokens, messages, per profile), then hand the write to `store.dashboard_writes`; read and delete.
Registered by `app/server.py`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from syncer.emulator.config import EmulatorContext, org_of
from syncer.emulator.durations import refresh_below_minimum
from syncer.emulator.legacy import resource_body
from syncer.emulator.legacy.dashboard_save import (
    SaveCommand,
    check_managed,
    check_version,
    find_existing,
    parse_save_command,
    resolve_folder,
    resolve_title_clash,
    validate_fields,
)
from syncer.emulator.store import gojson, ids
from syncer.emulator.store.dashboard_writes import DashboardWrite, delete_dashboard, write_dashboard
from syncer.emulator.store.managers import FILE_PROVISIONING, manager_of
from syncer.emulator.store.state import DashboardRecord, OrgStore
from syncer.emulator.web.routes import Route
from syncer.emulator.web.values import HttpError, Request, Response, forbid_viewer, json_response


def post_dashboard(ctx: EmulatorContext, request: Request) -> Response:
    forbid_viewer(request, "any of dashboards:create, dashboards:write")
    body = request.json_object(float64=ctx.profile.float64_numbers)
    if body.get("isFolder"):
        raise HttpError.message(400, "Use folders endpoint for saving folders.")
    if ctx.profile.legacy_conflict_409:  # profile 13 routes legacy saves through the k8s API
        body = resource_body.unwrap(body)
    command = parse_save_command(body)
    if refresh_below_minimum(command.content.get("refresh"), ctx.config.min_refresh_interval_s):
        command.content["refresh"] = ctx.config.min_refresh_interval
    validate_fields(command, k8s_routed=ctx.profile.legacy_conflict_409)
    with ctx.store.lock:
        org = org_of(ctx, request)
        folder_uid = resolve_folder(org, body)
        existing = find_existing(org, command)
        if existing is not None:
            check_version(ctx, existing, command)
            check_managed(ctx, existing, overwrite=command.overwrite)
        if ctx.profile.unique_titles:
            existing = resolve_title_clash(org, command, folder_uid, existing)
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
