"""Dashboard version history routes: list, get one, restore.

Role: render the history kept by the store (`/api/dashboards/uid/:uid/versions[...]`) in the
shape of the profile (bare array <= 11.4, `{versions, continueToken}` after), and restore an
old version as a new save. Registered by `app/server.py`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from syncer.emulator.config import EmulatorContext, org_of
from syncer.emulator.legacy.dashboards import save_result
from syncer.emulator.store import gojson
from syncer.emulator.store.dashboard_writes import DashboardWrite, write_dashboard
from syncer.emulator.store.state import DashboardRecord, OrgStore, VersionRecord
from syncer.emulator.web.routes import Route
from syncer.emulator.web.values import HttpError, Request, Response, json_response

DEFAULT_LIMIT = 1000


def _dashboard_for_history(ctx: EmulatorContext, request: Request) -> tuple[OrgStore, DashboardRecord]:
    org = org_of(ctx, request)
    record = org.dashboards.get(request.params["uid"])
    if record is None:
        raise HttpError.message(404, "Dashboard not found")
    if not request.caller.can_write:
        raise HttpError.message(403, "Access denied to this dashboard")
    return org, record


def _listed_message(version: VersionRecord) -> str:
    if version.restored_from == version.version:
        return "Initial save (created by migration)"
    if version.restored_from > 0:
        return f"Restored from version {version.restored_from}"
    if version.parent_version == 0:
        return "Initial save"
    return version.message


def _entry(record: DashboardRecord, version: VersionRecord, *, listed: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": version.id,
        "dashboardId": record.id,
        "uid": record.uid,
        "parentVersion": version.parent_version,
        "restoredFrom": version.restored_from,
        "version": version.version,
        "created": version.created,
        "createdBy": version.created_by,
        "message": _listed_message(version) if listed else version.message,
    }
    if not listed:
        entry["data"] = gojson.loads(version.data, float64=False)
    return entry


def list_versions(ctx: EmulatorContext, request: Request) -> Response:
    limit = request.int_arg("limit", DEFAULT_LIMIT)
    limit = limit if limit > 0 else DEFAULT_LIMIT
    offset = max(request.int_arg("start", 0), 0)
    token = request.arg("continueToken")
    if token.isdecimal():
        offset = int(token)
    with ctx.store.lock:
        _, record = _dashboard_for_history(ctx, request)
        newest_first = list(reversed(record.versions))
        window = newest_first[offset : offset + limit]
        entries = [_entry(record, version, listed=True) for version in window]
        more = offset + limit < len(newest_first)
    if not ctx.profile.versions_as_object:
        return json_response(200, entries)
    return json_response(200, {"continueToken": str(offset + limit) if more else "", "versions": entries})


def get_version(ctx: EmulatorContext, request: Request) -> Response:
    with ctx.store.lock:
        _, record = _dashboard_for_history(ctx, request)
        wanted = request.params["version"]
        for version in record.versions:
            if str(version.version) == wanted:
                return json_response(200, _entry(record, version, listed=False))
        raise HttpError.message(500, f"Dashboard version {wanted} not found for dashboardId {record.id}")


def restore_version(ctx: EmulatorContext, request: Request) -> Response:
    body = request.json_object()
    # Go decodes a missing or mistyped `version` as 0, which then matches no stored version.
    wanted = body.get("version")
    wanted = wanted if isinstance(wanted, int) and not isinstance(wanted, bool) else 0
    with ctx.store.lock:
        org, record = _dashboard_for_history(ctx, request)
        version = next((v for v in record.versions if v.version == wanted), None)
        if version is None:
            raise HttpError.message(404, "Dashboard version not found")
        content = gojson.loads(version.data, float64=False)
        if ctx.profile.legacy_noop_keeps_version and _same_content(content, record):
            raise HttpError.message(400, "Current dashboard is identical to the specified version")
        write = DashboardWrite(
            uid=record.uid,
            content=content,
            folder_uid=record.folder_uid,
            caller=request.caller,
            message=f"Restored from version {wanted}",
            restored_from=wanted,
        )
        write_dashboard(ctx.store, org, record, write)
        return json_response(200, save_result(record))


def _same_content(content: dict[str, Any], record: DashboardRecord) -> bool:
    strip = ("id", "uid", "version")
    current = {k: v for k, v in record.document().items() if k not in strip}
    return current == {k: v for k, v in content.items() if k not in strip}


def routes(ctx: EmulatorContext) -> list[Route]:
    base = "/api/dashboards/uid/:uid"
    return [
        Route("GET", f"{base}/versions", partial(list_versions, ctx)),
        Route("GET", f"{base}/versions/:version", partial(get_version, ctx)),
        Route("POST", f"{base}/restore", partial(restore_version, ctx)),
    ]
