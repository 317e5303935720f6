"""Legacy folder routes: `/api/folders` list/create, `/api/folders/:uid` get/update/delete, move.

Role: map HTTP to `store.folder_writes` and render Grafana's folder DTOs and error bodies.
Registered by `app/server.py`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from syncer.emulator.config import EmulatorContext, org_of
from syncer.emulator.store import ids
from syncer.emulator.store.folder_writes import (
    DEPTH_MESSAGE,
    DEPTH_MESSAGE_ID,
    FolderInput,
    FolderProblem,
    create_folder,
    delete_folder_tree,
    folder_not_found,
    move_folder,
    touch,
    validate_title,
)
from syncer.emulator.store.library_records import in_use_outside
from syncer.emulator.store.state import FolderRecord, OrgStore
from syncer.emulator.web.routes import Route
from syncer.emulator.web.values import (
    HttpError,
    Request,
    Response,
    forbid_viewer,
    json_response,
    message_response,
)

DEFAULT_LIMIT = 1000


def folder_url(record: FolderRecord) -> str:
    return f"/dashboards/f/{record.uid}/{ids.slugify(record.title)}"


def folder_dto(
    org: OrgStore,
    record: FolderRecord,
    request: Request,
    *,
    with_description: bool = True,
    with_parents: bool = True,
) -> dict[str, Any]:
    can_write = request.caller.can_write
    dto: dict[str, Any] = {
        "id": record.id,
        "uid": record.uid,
        "orgId": org.org_id,
        "title": record.title,
        "url": folder_url(record),
        "hasAcl": False,
        "canSave": can_write,
        "canEdit": can_write,
        "canAdmin": request.caller.role == "Admin",
        "canDelete": can_write,
        "createdBy": record.created_by,
        "created": record.created,
        "updatedBy": record.updated_by,
        "updated": record.updated,
        "version": record.version,
    }
    if with_description and record.description:
        dto["description"] = record.description
    if record.parent_uid:
        dto["parentUid"] = record.parent_uid
    if with_parents:
        parents = org.folder_chain(record.uid)[:-1]
        if parents:
            dto["parents"] = [
                folder_dto(org, parent, request, with_description=with_description, with_parents=False)
                for parent in parents
            ]
    return dto


def _dto(ctx: EmulatorContext, org: OrgStore, record: FolderRecord, request: Request) -> dict[str, Any]:
    return folder_dto(org, record, request, with_description=ctx.config.folder_description_in_dto)


def problem_response(problem: FolderProblem, ctx: EmulatorContext | None = None) -> HttpError:
    """Grafana 12+ answers the depth limit with its errutil id (pkg/api/apierrors/folder.go:
    `{"message":"Maximum nested folder depth reached","messageId":"folder.maximum-depth-reached"}`);
    11.x wrote the error text, id in brackets, as the message."""
    if problem.message_id == DEPTH_MESSAGE_ID and ctx is not None and ctx.profile.k8s_backed_legacy:
        document = {"message": DEPTH_MESSAGE, "messageId": DEPTH_MESSAGE_ID}
        return HttpError(json_response(problem.status, document, sort_keys=True))
    return HttpError(message_response(problem.status, problem.message, status_token=problem.token))


def _lookup(org: OrgStore, uid: str) -> FolderRecord:
    record = org.folders.get(uid)
    if record is None:
        raise problem_response(folder_not_found())
    return record


def list_folders(ctx: EmulatorContext, request: Request) -> Response:
    parent = request.arg("parentUid")
    parent = "" if parent == "general" else parent
    limit = request.int_arg("limit", DEFAULT_LIMIT)
    limit = limit if limit > 0 else DEFAULT_LIMIT
    page = max(request.int_arg("page", 1), 1)
    with ctx.store.lock:
        org = org_of(ctx, request)
        children = sorted(
            (f for f in org.folders.values() if f.parent_uid == parent),
            key=lambda f: (f.title.lower(), f.uid),
        )
        window = children[(page - 1) * limit : page * limit]
        items = [_list_item(folder, ctx.config.folder_description_in_dto) for folder in window]
    return json_response(200, items)


def _list_item(record: FolderRecord, with_description: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"id": record.id, "uid": record.uid, "title": record.title}
    if record.parent_uid:
        item["parentUid"] = record.parent_uid
    if with_description and record.description:
        item["description"] = record.description
    return item


def get_folder(ctx: EmulatorContext, request: Request) -> Response:
    with ctx.store.lock:
        org = org_of(ctx, request)
        return json_response(200, _dto(ctx, org, _lookup(org, request.params["uid"]), request))


def get_folder_by_id(ctx: EmulatorContext, request: Request) -> Response:
    with ctx.store.lock:
        org = org_of(ctx, request)
        for record in org.folders.values():
            if str(record.id) == request.params["id"]:
                return json_response(200, _dto(ctx, org, record, request))
    raise problem_response(folder_not_found())


def descendant_counts(ctx: EmulatorContext, request: Request) -> Response:
    """What a delete would remove: subfolders and dashboards below the folder, recursively."""
    with ctx.store.lock:
        org = org_of(ctx, request)
        _lookup(org, request.params["uid"])
        below = org.descendants(request.params["uid"])
        doomed = {request.params["uid"], *below}
        dashboards = sum(1 for _ in org.dashboards_in(doomed))
        panels = sum(1 for e in org.library_elements.values() if e.folder_uid in doomed)
    return json_response(
        200, {"folder": len(below), "dashboard": dashboards, "librarypanel": panels, "alertrule": 0}
    )


def _string(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""


def post_folder(ctx: EmulatorContext, request: Request) -> Response:
    forbid_viewer(request, "folders:create")
    body = request.json_object()
    data = FolderInput(
        uid=_string(body, "uid"),
        title=_string(body, "title"),
        description=_string(body, "description"),
        parent_uid=_string(body, "parentUid"),
    )
    with ctx.store.lock:
        org = org_of(ctx, request)
        _check_duplicate(ctx, org, data)
        try:
            record = create_folder(ctx.store, org, data, request.caller, ctx.max_folder_depth)
        except FolderProblem as problem:
            raise problem_response(problem, ctx) from problem
        return json_response(200, _dto(ctx, org, record, request))


def _check_duplicate(ctx: EmulatorContext, org: OrgStore, data: FolderInput) -> None:
    uid = data.uid.strip()
    taken = uid in org.folders or (ctx.profile.unique_titles and uid in org.dashboards)
    if uid and taken:
        if ctx.profile.folder_exists_412:
            raise HttpError.message(
                412, "the folder has been changed by someone else", status_token="version-mismatch"
            )
        raise HttpError.message(409, "a folder/dashboard with the same uid already exists")
    if ctx.profile.unique_titles:
        title = data.title.strip().lower()
        parent = data.parent_uid
        if any(f.parent_uid == parent and f.title.lower() == title for f in org.folders.values()):
            raise HttpError.message(
                409, "a folder or dashboard in the general folder with the same name already exists"
            )


def put_folder(ctx: EmulatorContext, request: Request) -> Response:
    forbid_viewer(request, "folders:write")
    body = request.json_object()
    with ctx.store.lock:
        org = org_of(ctx, request)
        record = _lookup(org, request.params["uid"])
        version = body.get("version")
        if not body.get("overwrite") and version != record.version:
            raise HttpError.message(
                412, "the folder has been changed by someone else", status_token="version-mismatch"
            )
        try:
            if "title" in body:
                record.title = validate_title(_string(body, "title"))
            if "description" in body:
                record.description = _string(body, "description")
            parent = body.get("parentUid")
            if isinstance(parent, str) and parent != record.parent_uid:
                move_folder(
                    ctx.store,
                    org,
                    record,
                    new_parent=parent,
                    caller=request.caller,
                    max_depth=ctx.max_folder_depth,
                )
            else:
                touch(ctx.store, record, request.caller)
        except FolderProblem as problem:
            raise problem_response(problem, ctx) from problem
        return json_response(200, _dto(ctx, org, record, request))


def move_folder_route(ctx: EmulatorContext, request: Request) -> Response:
    forbid_viewer(request, "folders:write")
    body = request.json_object()
    with ctx.store.lock:
        org = org_of(ctx, request)
        record = _lookup(org, request.params["uid"])
        try:
            move_folder(
                ctx.store,
                org,
                record,
                new_parent=_string(body, "parentUid"),
                caller=request.caller,
                max_depth=ctx.max_folder_depth,
            )
        except FolderProblem as problem:
            raise problem_response(problem, ctx) from problem
        return json_response(200, _dto(ctx, org, record, request))


def delete_folder(ctx: EmulatorContext, request: Request) -> Response:
    forbid_viewer(request, "folders:delete")
    with ctx.store.lock:
        org = org_of(ctx, request)
        _lookup(org, request.params["uid"])
        if in_use_outside(org, {request.params["uid"], *org.descendants(request.params["uid"])}):
            raise HttpError.message(
                403, "Folder could not be deleted because it contains library elements in use"
            )
        delete_folder_tree(ctx.store, org, request.params["uid"])
    return json_response(200, {"message": "Folder deleted"})


def routes(ctx: EmulatorContext) -> list[Route]:
    return [
        Route("GET", "/api/folders", partial(list_folders, ctx)),
        Route("POST", "/api/folders", partial(post_folder, ctx)),
        Route("GET", "/api/folders/id/:id", partial(get_folder_by_id, ctx)),
        Route("POST", "/api/folders/:uid/move", partial(move_folder_route, ctx)),
        Route("GET", "/api/folders/:uid/counts", partial(descendant_counts, ctx)),
        Route("GET", "/api/folders/:uid", partial(get_folder, ctx)),
        Route("PUT", "/api/folders/:uid", partial(put_folder, ctx)),
        Route("DELETE", "/api/folders/:uid", partial(delete_folder, ctx)),
    ]
