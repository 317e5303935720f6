"""Library element routes: `/api/library-elements` create, list, get, get by name, patch, delete,
connections, as grafana/grafana's `pkg/services/libraryelements` (api.go, database.go) serves them.

Role: map HTTP to `OrgStore.library_elements` and render Grafana's DTOs and error bodies. Every
version profile serves these routes (Grafana 12 and 13 keep `/api/library-elements` as the way in;
their k8s `librarypanels` resource sits behind a feature flag). Registered by `app/server.py`.
Semantics kept: PATCH needs the version it read (412 on a mismatch) and keeps the name, model and
folder that it omits; `type`/`description` always end up in the stored model; an element still
used by a dashboard cannot be deleted (403); names are unique per folder and kind (400).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from syncer.emulator.config import EmulatorContext, org_of
from syncer.emulator.identity import Identity
from syncer.emulator.store.library_records import (
    PANEL_KIND,
    VARIABLE_KIND,
    LibraryElementRecord,
    connected_dashboards,
    connection_counts,
    element_dto,
    sync_model,
    user_dto,
)
from syncer.emulator.store.state import OrgStore, Store, now_rfc3339
from syncer.emulator.web.routes import Route
from syncer.emulator.web.values import HttpError, Request, Response, forbid_viewer, json_response

BASE = "/api/library-elements"
DEFAULT_PER_PAGE = 100
MAX_UID = 40
_VALID_UID = re.compile(r"^[a-zA-Z0-9\-_]*$")

NOT_FOUND = "library element could not be found"
EXISTS = "library element with that name or UID already exists"
MISMATCH = "the library element has been changed by someone else"
CONNECTED = "the library element has connections"
BAD_KIND = "the element kind is not supported"


def _fail(status: int, message: str) -> HttpError:
    return HttpError.message(status, message)


def _lookup(org: OrgStore, uid: str) -> LibraryElementRecord:
    record = org.library_elements.get(uid)
    if record is None:
        raise _fail(404, NOT_FOUND)
    return record


def _kind(body: dict[str, Any]) -> int:
    kind = body.get("kind")
    if isinstance(kind, bool) or not isinstance(kind, int | float) or not kind:
        raise _fail(400, "bad request data")  # `binding:"Required"` on the command's kind
    if int(kind) not in (PANEL_KIND, VARIABLE_KIND):
        raise _fail(400, BAD_KIND)
    return int(kind)


def _folder(org: OrgStore, body: dict[str, Any], current: str) -> str:
    """`folderUid` absent keeps `current`; "" or "general" is the root; an unknown folder is a 404."""
    value = body.get("folderUid")
    if value is None:
        return current
    if not isinstance(value, str):
        raise _fail(400, "bad request data")
    if value in ("", "general"):
        return ""
    if value not in org.folders:
        raise _fail(404, "folder not found")
    return value


def _model(body: dict[str, Any]) -> dict[str, Any] | None:
    model = body.get("model")
    if model is None:
        return None
    if not isinstance(model, dict):
        raise _fail(400, "bad request data")
    return model


def _check_uid(uid: str) -> None:
    if not _VALID_UID.match(uid):
        raise _fail(400, "uid contains illegal characters")
    if len(uid) > MAX_UID:
        raise _fail(400, "uid too long, max 40 characters")


def _check_name_free(org: OrgStore, name: str, folder_uid: str, kind: int, uid: str) -> None:
    for other in org.library_elements.values():
        if other.uid != uid and (other.folder_uid, other.name, other.kind) == (folder_uid, name, kind):
            raise _fail(400, EXISTS)


def _caller(identity: Identity) -> tuple[int, str]:
    return (identity.id, identity.login)


def create_element(ctx: EmulatorContext, request: Request) -> Response:
    forbid_viewer(request, "library.panels:create")
    body = request.json_object()
    kind = _kind(body)
    name = body.get("name") if isinstance(body.get("name"), str) else ""
    uid = body.get("uid") if isinstance(body.get("uid"), str) else ""
    model = _model(body) or {}
    with ctx.store.lock:
        org = org_of(ctx, request)
        folder_uid = _folder(org, body, "")
        uid = uid or _new_uid(ctx.store, org)
        _check_uid(uid)
        if uid in org.library_elements:
            raise _fail(400, EXISTS)
        _check_name_free(org, str(name), folder_uid, kind, uid)
        now, who = now_rfc3339(), _caller(request.caller)
        record = LibraryElementRecord(
            uid=uid,
            id=ctx.store.allocate_id(),
            name=str(name),
            kind=kind,
            folder_uid=folder_uid,
            model=sync_model(model),
            version=1,
            created=now,
            updated=now,
            created_by=who,
            updated_by=who,
        )
        org.library_elements[uid] = record
        ctx.store.bump_resource_version()
        return json_response(200, {"result": element_dto(org, record)})


def _new_uid(store: Store, org: OrgStore) -> str:
    while True:
        uid = store.new_uid(org)
        if uid not in org.library_elements:
            return uid


def patch_element(ctx: EmulatorContext, request: Request) -> Response:
    forbid_viewer(request, "library.panels:write")
    body = request.json_object()
    version = body.get("version")
    if isinstance(version, bool) or not isinstance(version, int | float) or not version:
        raise _fail(400, "bad request data")  # `binding:"Required"` on the command's version
    kind = _kind(body)
    with ctx.store.lock:
        org = org_of(ctx, request)
        folder_uid: str | None = None
        if body.get("folderUid") is not None:
            folder_uid = _folder(org, body, "")
        record = _lookup(org, request.params["uid"])
        if version != record.version:
            raise _fail(412, MISMATCH)
        new_uid = body.get("uid") if isinstance(body.get("uid"), str) and body.get("uid") else record.uid
        if new_uid != record.uid:
            _check_uid(str(new_uid))
            if new_uid in org.library_elements:
                raise _fail(400, EXISTS)
        name = body.get("name") if isinstance(body.get("name"), str) and body.get("name") else record.name
        target_folder = record.folder_uid if folder_uid is None else folder_uid
        _check_name_free(org, str(name), target_folder, record.kind, record.uid)
        model = _model(body)
        if model is not None:
            record.model = sync_model(model, type_=record.type, description=record.description)
        del org.library_elements[record.uid]
        record.uid, record.name, record.folder_uid = str(new_uid), str(name), target_folder
        record.version += 1
        record.updated, record.updated_by = now_rfc3339(), _caller(request.caller)
        org.library_elements[record.uid] = record
        ctx.store.bump_resource_version()
        del kind  # checked only: PATCH keeps the element's kind
        return json_response(200, {"result": element_dto(org, record)})


def delete_element(ctx: EmulatorContext, request: Request) -> Response:
    forbid_viewer(request, "library.panels:delete")
    with ctx.store.lock:
        org = org_of(ctx, request)
        record = _lookup(org, request.params["uid"])
        if connected_dashboards(org.dashboards, record.uid):
            raise _fail(403, CONNECTED)
        del org.library_elements[record.uid]
        ctx.store.bump_resource_version()
        return json_response(200, {"message": "Library element deleted", "id": record.id})


def get_element(ctx: EmulatorContext, request: Request) -> Response:
    with ctx.store.lock:
        org = org_of(ctx, request)
        return json_response(200, {"result": element_dto(org, _lookup(org, request.params["uid"]))})


def get_by_name(ctx: EmulatorContext, request: Request) -> Response:
    with ctx.store.lock:
        org = org_of(ctx, request)
        found = [r for r in org.library_elements.values() if r.name == request.params["name"]]
        if not found:
            raise _fail(404, NOT_FOUND)
        return json_response(200, {"result": [element_dto(org, r) for r in found]})


def get_connections(ctx: EmulatorContext, request: Request) -> Response:
    with ctx.store.lock:
        org = org_of(ctx, request)
        record = _lookup(org, request.params["uid"])
        result = [
            {
                "id": dashboard.id,
                "kind": 1,
                "elementId": record.id,
                "connectionId": dashboard.id,
                "connectionUid": dashboard.uid,
                "created": record.created,
                "createdBy": user_dto(record.created_by),
            }
            for dashboard in connected_dashboards(org.dashboards, record.uid)
        ]
        return json_response(200, {"result": result})


def list_elements(ctx: EmulatorContext, request: Request) -> Response:
    per_page = request.int_arg("perPage", DEFAULT_PER_PAGE)
    per_page = per_page if per_page > 0 else DEFAULT_PER_PAGE
    page = max(request.int_arg("page", 1), 1)
    with ctx.store.lock:
        org = org_of(ctx, request)
        matching = [r for r in org.library_elements.values() if _matches(r, request)]
        matching.sort(key=lambda r: r.name.lower(), reverse=request.arg("sortDirection") == "alpha-desc")
        window = matching[(page - 1) * per_page : page * per_page]
        counts = connection_counts(org.dashboards) if window else None
        result = {
            "totalCount": len(matching),
            "elements": [element_dto(org, r, counts[r.uid] if counts is not None else 0) for r in window],
            "page": page,
            "perPage": per_page,
        }
        return json_response(200, {"result": result})


def _matches(record: LibraryElementRecord, request: Request) -> bool:
    kind = request.int_arg("kind", 0)
    folders = [_root(f.strip()) for f in request.arg("folderFilterUIDs").split(",") if f.strip()]
    types = [t.strip() for t in request.arg("typeFilter").split(",") if t.strip()]
    search = request.arg("searchString").strip().lower()
    return (
        (not kind or record.kind == kind)
        and (not folders or record.folder_uid in folders)
        and (not types or record.type in types)
        and record.uid != request.arg("excludeUid")
        and (not search or search in record.name.lower() or search in record.description.lower())
    )


def _root(folder_uid: str) -> str:
    return "" if folder_uid == "general" else folder_uid


def routes(ctx: EmulatorContext) -> list[Route]:
    return [
        Route("GET", BASE, partial(list_elements, ctx)),
        Route("POST", BASE, partial(create_element, ctx)),
        Route("GET", f"{BASE}/name/:name", partial(get_by_name, ctx)),
        Route("GET", f"{BASE}/:uid/connections/", partial(get_connections, ctx)),
        Route("GET", f"{BASE}/:uid", partial(get_element, ctx)),
        Route("PATCH", f"{BASE}/:uid", partial(patch_element, ctx)),
        Route("DELETE", f"{BASE}/:uid", partial(delete_element, ctx)),
    ]
