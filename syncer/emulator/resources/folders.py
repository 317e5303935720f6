"""k8s-style folders: `/apis/folder.grafana.app/<v>/namespaces/<ns>/folders[/<name>]`.

Role: create (201; 409 AlreadyExists), get, list (`limit`/`continue`), update with
`resourceVersion` (409 Conflict; moving = changing the `grafana.app/folder` annotation), delete
(returns the deleted Folder, cascading like the legacy API), sharing `store.folder_writes` rules.
Registered through `resources/routes.py`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from syncer.emulator.config import EmulatorContext, org_of
from syncer.emulator.resources.common import (
    bind_namespace,
    check_name,
    conflict_error,
    name_for_create,
    namespace_for_org,
    object_metadata,
    status_error,
    user_annotations,
    user_labels,
)
from syncer.emulator.resources.lists import label_matcher, list_response, paginate
from syncer.emulator.store.dashboard_writes import FOLDER_ANNOTATION, ID_LABEL
from syncer.emulator.store.folder_writes import (
    FolderInput,
    FolderProblem,
    create_folder,
    delete_folder_tree,
    move_folder,
    touch,
    validate_title,
)
from syncer.emulator.store.managers import REPO, change_refusal, manager_of
from syncer.emulator.store.state import FolderRecord, OrgStore
from syncer.emulator.web.routes import Route
from syncer.emulator.web.values import HttpError, Request, Response, json_response

GROUP = "folder.grafana.app"
RESOURCE = "folders"


def render(org: OrgStore, record: FolderRecord, version: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"title": record.title}
    if record.description:
        spec["description"] = record.description
    metadata = object_metadata(
        record.uid,
        namespace_for_org(org.org_id),
        record.k8s,
        generation=record.version,
        created=record.created,
        internal_id=record.id,
    )
    return {
        "kind": "Folder",
        "apiVersion": f"{GROUP}/{version}",
        "metadata": metadata,
        "spec": spec,
        "status": {},
    }


def _details(name: str) -> dict[str, Any]:
    return {"name": name, "group": GROUP, "kind": RESOURCE}


def _problem(name: str, problem: FolderProblem) -> HttpError:
    if problem.reason == "NotFound":
        return status_error("NotFound", f'{RESOURCE}.{GROUP} "{name}" not found', _details(name))
    return status_error(problem.reason, problem.message, _details(name), code=problem.status)


def _parse(request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    body = request.json_object()
    metadata, spec = body.get("metadata") or {}, body.get("spec") or {}
    if not isinstance(metadata, dict) or not isinstance(spec, dict):
        raise status_error("BadRequest", "metadata and spec must be objects")
    return metadata, spec


def _forbid_viewer(request: Request) -> None:
    if not request.caller.can_write:
        raise status_error("Forbidden", f'User "{request.caller.login}" cannot write folders')


def _text(spec: dict[str, Any], key: str) -> str:
    value = spec.get(key)
    return value if isinstance(value, str) else ""


def create(ctx: EmulatorContext, version: str, request: Request) -> Response:
    bind_namespace(request)
    _forbid_viewer(request)
    metadata, spec = _parse(request)
    name = name_for_create(metadata)
    annotations, labels = user_annotations(metadata), user_labels(metadata)
    manager = manager_of(annotations)
    if manager is not None and manager.kind == REPO:
        raise status_error("Forbidden", "this resource is managed by a repository")
    data = FolderInput(
        name, _text(spec, "title"), _text(spec, "description"), annotations.get(FOLDER_ANNOTATION, "")
    )
    with ctx.store.lock:
        org = org_of(ctx, request)
        if name in org.folders:
            raise status_error("AlreadyExists", f'{RESOURCE}.{GROUP} "{name}" already exists', _details(name))
        try:
            record = create_folder(ctx.store, org, data, request.caller, ctx.max_folder_depth)
        except FolderProblem as problem:
            if problem.reason == "NotFound":
                raise _problem(data.parent_uid, problem) from problem
            raise _problem(name, problem) from problem
        record.k8s.annotations.update({k: v for k, v in annotations.items() if k != FOLDER_ANNOTATION})
        record.k8s.labels = labels
        return json_response(201, render(org, record, version))


def _lookup(org: OrgStore, name: str) -> FolderRecord:
    record = org.folders.get(name)
    if record is None:
        raise status_error("NotFound", f'{RESOURCE}.{GROUP} "{name}" not found', _details(name))
    return record


def get(ctx: EmulatorContext, version: str, request: Request) -> Response:
    bind_namespace(request)
    name = request.params["name"]
    check_name(name, RESOURCE, GROUP)
    with ctx.store.lock:
        org = org_of(ctx, request)
        return json_response(200, render(org, _lookup(org, name), version))


def list_folders(ctx: EmulatorContext, version: str, request: Request) -> Response:
    bind_namespace(request)
    with ctx.store.lock:
        org = org_of(ctx, request)
        matches = label_matcher(request.arg("labelSelector"))
        found = [
            f
            for f in sorted(org.folders.values(), key=lambda f: f.uid)
            if matches({ID_LABEL: str(f.id), **f.k8s.labels})
        ]
        page, token = paginate(found, request)
        items = [render(org, record, version) for record in page]
        resource_version = ctx.store.resource_version
    return list_response("FolderList", f"{GROUP}/{version}", resource_version, items, token)


def update(ctx: EmulatorContext, version: str, request: Request) -> Response:
    bind_namespace(request)
    _forbid_viewer(request)
    name = request.params["name"]
    metadata, spec = _parse(request)
    if metadata.get("name") not in (None, name):
        raise status_error("BadRequest", "name mismatch between existing and updated object")
    annotations, labels = user_annotations(metadata), user_labels(metadata)
    with ctx.store.lock:
        org = org_of(ctx, request)
        record = _lookup(org, name)
        sent = metadata.get("resourceVersion")
        if sent and str(sent) != str(record.k8s.resource_version):
            raise conflict_error(RESOURCE, GROUP, name)
        refusal = change_refusal(
            manager_of(record.k8s.annotations),
            manager_of(annotations),
            caller_is_admin=request.caller.role == "Admin",
        )
        if refusal:
            raise status_error("Forbidden", refusal)
        try:
            _apply(ctx, org, record, request, spec=spec, annotations=annotations, labels=labels)
        except FolderProblem as problem:
            raise _problem(name, problem) from problem
        return json_response(200, render(org, record, version))


def _apply(
    ctx: EmulatorContext,
    org: OrgStore,
    record: FolderRecord,
    request: Request,
    *,
    spec: dict[str, Any],
    annotations: dict[str, str],
    labels: dict[str, str],
) -> None:
    title = validate_title(_text(spec, "title"))
    description = _text(spec, "description")
    parent = annotations.get(FOLDER_ANNOTATION, "")
    user_only = {k: v for k, v in annotations.items() if k != FOLDER_ANNOTATION}
    record.k8s.annotations = {
        **{
            k: v
            for k, v in record.k8s.annotations.items()
            if k in ("grafana.app/updatedTimestamp", FOLDER_ANNOTATION)
        },
        **user_only,
    }
    record.k8s.labels = labels
    spec_changed = (title, description) != (record.title, record.description)
    record.title, record.description = title, description
    if parent != record.parent_uid:
        move_folder(
            ctx.store,
            org,
            record,
            new_parent=parent,
            caller=request.caller,
            max_depth=ctx.max_folder_depth,
        )
    else:
        touch(ctx.store, record, request.caller, bump=spec_changed)


def delete(ctx: EmulatorContext, version: str, request: Request) -> Response:
    bind_namespace(request)
    _forbid_viewer(request)
    name = request.params["name"]
    with ctx.store.lock:
        org = org_of(ctx, request)
        record = _lookup(org, name)
        manager = manager_of(record.k8s.annotations)
        if manager is not None and manager.kind == REPO:
            raise status_error("Forbidden", "this resource is managed by a repository")
        rendered = render(org, record, version)
        delete_folder_tree(ctx.store, org, name)
    return json_response(200, rendered)


def routes(ctx: EmulatorContext) -> list[Route]:
    found: list[Route] = []
    for version in ctx.profile.folder_versions:
        base = f"/apis/{GROUP}/{version}/namespaces/:ns/{RESOURCE}"
        found += [
            Route("GET", base, partial(list_folders, ctx, version)),
            Route("POST", base, partial(create, ctx, version)),
            Route("GET", f"{base}/:name", partial(get, ctx, version)),
            Route("PUT", f"{base}/:name", partial(update, ctx, version)),
            Route("DELETE", f"{base}/:name", partial(delete, ctx, version)),
        ]
    return found
