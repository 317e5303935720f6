"""k8s-style dashboards: `/apis/dashboard.grafana.app/<v>/namespaces/<ns>/dashboards[/<name>]`.

Role: the writes, create (201; 409 AlreadyExists), update with `resourceVersion` (409 Conflict;
generation bumps only when spec or folder change) and delete (Status body), over the same store the
legacy API uses, plus the route table. Manager annotations are enforced as documented in
docs/emulator.md. The object's shape lives in `resources/dashboard_object.py`, the reads in
`resources/dashboard_reads.py`. Registered through `resources/routes.py`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from syncer.emulator.config import EmulatorContext, org_of
from syncer.emulator.durations import refresh_below_minimum
from syncer.emulator.resources.common import (
    bind_namespace,
    check_name,
    conflict_error,
    name_for_create,
    status_error,
    success_status,
    user_annotations,
    user_labels,
)
from syncer.emulator.resources.dashboard_object import (
    GROUP,
    MESSAGE_ANNOTATION,
    RESOURCE,
    invalid,
    not_found,
    render,
    spec_of,
)
from syncer.emulator.resources.dashboard_reads import get, get_dto, list_dashboards
from syncer.emulator.store.dashboard_writes import (
    FOLDER_ANNOTATION,
    DashboardWrite,
    write_dashboard,
)
from syncer.emulator.store.managers import REPO, change_refusal, manager_of
from syncer.emulator.store.state import DashboardRecord, OrgStore
from syncer.emulator.web.routes import Route
from syncer.emulator.web.values import Request, Response, json_response


def _parse_object(request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    body = request.json_object()
    metadata = body.get("metadata") or {}
    spec = body.get("spec")
    if not isinstance(metadata, dict):
        raise status_error("BadRequest", "metadata must be an object")
    if not isinstance(spec, dict):
        raise status_error("BadRequest", "spec must be an object")
    return metadata, spec  # numbers were normalised by gojson.loads


def _validate(ctx: EmulatorContext, name: str, spec: dict[str, Any], message: str) -> None:
    if len(name) > 40:
        raise invalid(name, "uid too long, max 40 characters")
    title = spec.get("title")
    if not isinstance(title, str) or not title.strip():
        raise invalid(name, "Dashboard title cannot be empty")
    if len(title) > 5000:
        raise invalid(name, "Dashboard title cannot contain more than 5 000 characters")
    if len(message) > 500:
        raise invalid(name, "message too long, max 500 characters")
    if refresh_below_minimum(spec.get("refresh"), ctx.config.min_refresh_interval_s):
        raise invalid(
            name, f"Dashboard refresh interval is too low, minimum is {ctx.config.min_refresh_interval}"
        )


def _check_folder(org: OrgStore, folder_uid: str, annotations: dict[str, str]) -> None:
    if not folder_uid:
        return
    folder = org.folders.get(folder_uid)
    if folder is None:
        raise status_error(
            "NotFound",
            f'folders.folder.grafana.app "{folder_uid}" not found',
            {"name": folder_uid, "group": "folder.grafana.app", "kind": "folders"},
        )
    folder_manager = manager_of(folder.k8s.annotations)
    if folder_manager is not None and folder_manager.kind == REPO:
        mine = manager_of(annotations)
        if mine is None:
            raise status_error(
                "Forbidden",
                f"folder is managed by repo:{folder_manager.identity}, but the resource is not managed",
            )
        if (mine.kind, mine.identity) != (folder_manager.kind, folder_manager.identity):
            raise status_error(
                "Forbidden",
                f"resource manager ({mine.kind}:{mine.identity}) does not match folder manager "
                f"({folder_manager.kind}:{folder_manager.identity}); resources must be managed by the same "
                "manager as their containing folder",
            )


def create(ctx: EmulatorContext, version: str, request: Request) -> Response:
    bind_namespace(request)
    _forbid_viewer(request)
    metadata, spec = _parse_object(request)
    name = name_for_create(metadata)
    check_name(name, RESOURCE, GROUP)
    if metadata.get("resourceVersion"):
        raise status_error("BadRequest", "resourceVersion should not be set on objects to be created")
    annotations, labels = user_annotations(metadata), user_labels(metadata)
    message = str((metadata.get("annotations") or {}).get(MESSAGE_ANNOTATION, ""))
    _validate(ctx, name, spec, message)
    new_manager = manager_of(annotations)
    if new_manager is not None and new_manager.kind == REPO:
        raise status_error("Forbidden", "this resource is managed by a repository")
    with ctx.store.lock:
        org = org_of(ctx, request)
        if name in org.dashboards:
            raise status_error(
                "AlreadyExists",
                f'{RESOURCE}.{GROUP} "{name}" already exists',
                {"name": name, "group": GROUP, "kind": RESOURCE},
            )
        folder_uid = annotations.get(FOLDER_ANNOTATION, "")
        _check_folder(org, folder_uid, annotations)
        spec["title"] = spec["title"].strip()
        write = DashboardWrite(
            uid=name,
            content=spec_of(spec),
            folder_uid=folder_uid,
            caller=request.caller,
            message=message,
            api_version=version,
            annotations=annotations,
            labels=labels,
        )
        record = write_dashboard(ctx.store, org, None, write)
        return json_response(201, render(org, record, version))


def _forbid_viewer(request: Request) -> None:
    if not request.caller.can_write:
        raise status_error("Forbidden", f'User "{request.caller.login}" cannot write dashboards')


def update(ctx: EmulatorContext, version: str, request: Request) -> Response:
    bind_namespace(request)
    _forbid_viewer(request)
    name = request.params["name"]
    check_name(name, RESOURCE, GROUP)
    metadata, spec = _parse_object(request)
    if metadata.get("name") not in (None, name):
        raise status_error(
            "BadRequest",
            f"the name of the object ({metadata.get('name')}) does not match the name on the URL ({name})",
        )
    annotations, labels = user_annotations(metadata), user_labels(metadata)
    message = str((metadata.get("annotations") or {}).get(MESSAGE_ANNOTATION, ""))
    _validate(ctx, name, spec, message)
    with ctx.store.lock:
        org = org_of(ctx, request)
        record = org.dashboards.get(name)
        if record is None:
            raise not_found(name)
        _check_resource_version(record, metadata, name)
        refusal = change_refusal(
            manager_of(record.k8s.annotations),
            manager_of(annotations),
            caller_is_admin=request.caller.role == "Admin",
        )
        if refusal:
            raise status_error("Forbidden", refusal)
        folder_uid = annotations.get(FOLDER_ANNOTATION, "")
        _check_folder(org, folder_uid, annotations)
        spec["title"] = spec["title"].strip()
        _apply_update(
            ctx,
            org,
            record,
            version,
            request,
            spec=spec,
            folder_uid=folder_uid,
            annotations=annotations,
            labels=labels,
            message=message,
        )
        return json_response(200, render(org, record, version))


def _check_resource_version(record: DashboardRecord, metadata: dict[str, Any], name: str) -> None:
    sent = metadata.get("resourceVersion")
    if sent and str(sent) != str(record.k8s.resource_version):
        raise conflict_error(RESOURCE, GROUP, name)


def _apply_update(
    ctx: EmulatorContext,
    org: OrgStore,
    record: DashboardRecord,
    version: str,
    request: Request,
    *,
    spec: dict[str, Any],
    folder_uid: str,
    annotations: dict[str, str],
    labels: dict[str, str],
    message: str,
) -> None:
    stored_annotations = {
        k: v for k, v in record.k8s.annotations.items() if k != "grafana.app/updatedTimestamp"
    }
    content_changed = spec_of(record.document()) != spec_of(spec) or record.folder_uid != folder_uid
    if content_changed:
        write = DashboardWrite(
            uid=record.uid,
            content=spec_of(spec),
            folder_uid=folder_uid,
            caller=request.caller,
            message=message,
            api_version=version,
            annotations=annotations,
            labels=labels,
        )
        write_dashboard(ctx.store, org, record, write)
        return
    wanted = dict(annotations)
    if folder_uid:
        wanted[FOLDER_ANNOTATION] = folder_uid
    if wanted != stored_annotations or labels != record.k8s.labels:
        timestamp = record.k8s.annotations.get("grafana.app/updatedTimestamp")
        record.k8s.annotations = wanted | ({"grafana.app/updatedTimestamp": timestamp} if timestamp else {})
        record.k8s.labels = dict(labels)
        record.k8s.resource_version = ctx.store.bump_resource_version()


def delete(ctx: EmulatorContext, version: str, request: Request) -> Response:
    bind_namespace(request)
    _forbid_viewer(request)
    name = request.params["name"]
    check_name(name, RESOURCE, GROUP)
    with ctx.store.lock:
        org = org_of(ctx, request)
        record = org.dashboards.get(name)
        if record is None:
            raise not_found(name)
        manager = manager_of(record.k8s.annotations)
        if manager is not None and manager.kind == REPO:
            raise status_error("Forbidden", "this resource is managed by a repository")
        del org.dashboards[name]
        ctx.store.bump_resource_version()
    return json_response(
        200, success_status({"name": name, "group": GROUP, "kind": RESOURCE, "uid": record.k8s.object_uid})
    )


def routes(ctx: EmulatorContext) -> list[Route]:
    found: list[Route] = []
    for version in ctx.profile.dashboard_versions:
        base = f"/apis/{GROUP}/{version}/namespaces/:ns/{RESOURCE}"
        found += [
            Route("GET", base, partial(list_dashboards, ctx, version)),
            Route("POST", base, partial(create, ctx, version)),
            Route("GET", f"{base}/:name", partial(get, ctx, version)),
            Route("GET", f"{base}/:name/dto", partial(get_dto, ctx, version)),
            Route("PUT", f"{base}/:name", partial(update, ctx, version)),
            Route("DELETE", f"{base}/:name", partial(delete, ctx, version)),
        ]
    return found
