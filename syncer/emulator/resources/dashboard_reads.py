"""k8s-style dashboard reads: get, the `/dto` subresource, and list (paging, history selector).

Role: `resources/dashboards.py` registers these beside the writes; rendering lives in
`resources/dashboard_object.py`. Reads never change the store.
"""

from __future__ import annotations

from typing import Any

from syncer.emulator.config import EmulatorContext, org_of
from syncer.emulator.resources.common import (
    bind_namespace,
    check_name,
)
from syncer.emulator.resources.dashboard_object import GROUP, RESOURCE, labels_of, not_found, render
from syncer.emulator.resources.lists import label_matcher, list_response, paginate
from syncer.emulator.store import gojson, ids
from syncer.emulator.store.state import DashboardRecord, OrgStore
from syncer.emulator.web.values import Request, Response, json_response


def get(ctx: EmulatorContext, version: str, request: Request) -> Response:
    bind_namespace(request)
    name = request.params["name"]
    check_name(name, RESOURCE, GROUP)
    with ctx.store.lock:
        org = org_of(ctx, request)
        record = org.dashboards.get(name)
        if record is None:
            raise not_found(name)
        return json_response(200, render(org, record, version))


def get_dto(ctx: EmulatorContext, version: str, request: Request) -> Response:
    """The `/dto` subresource: the object plus what the caller may do with it."""
    bind_namespace(request)
    name = request.params["name"]
    with ctx.store.lock:
        org = org_of(ctx, request)
        record = org.dashboards.get(name)
        if record is None:
            raise not_found(name)
        document = render(org, record, version)
    can_write = request.caller.can_write
    document["access"] = {
        "slug": ids.slugify(record.title),
        "url": f"/d/{record.uid}/{ids.slugify(record.title)}",
        "canSave": can_write,
        "canEdit": can_write,
        "canAdmin": request.caller.role == "Admin",
        "canStar": True,
        "canDelete": can_write,
        "canShare": True,
        "annotationsPermissions": {
            "dashboard": {"canAdd": can_write, "canEdit": can_write, "canDelete": can_write},
            "organization": {"canAdd": can_write, "canEdit": can_write, "canDelete": can_write},
        },
    }
    return json_response(200, document)


def _history(org: OrgStore, record: DashboardRecord | None, version: str) -> list[dict[str, Any]]:
    if record is None:
        return []
    items = []
    for entry in reversed(record.versions):
        content = gojson.loads(entry.data, float64=False)
        item = render(org, record, version, content)
        item["metadata"]["generation"] = entry.version
        item["metadata"]["resourceVersion"] = str(entry.id)
        items.append(item)
    return items


def list_dashboards(ctx: EmulatorContext, version: str, request: Request) -> Response:
    bind_namespace(request)
    label_selector = request.arg("labelSelector")
    wanted_name = _field_name(request.arg("fieldSelector"))
    with ctx.store.lock:
        org = org_of(ctx, request)
        if "grafana.app/get-history=true" in label_selector:
            items, token = paginate(_history(org, org.dashboards.get(wanted_name or ""), version), request)
        else:
            matches = label_matcher(label_selector)
            records = sorted(org.dashboards.values(), key=lambda d: d.uid)
            records = [
                r for r in records if (wanted_name is None or r.uid == wanted_name) and matches(labels_of(r))
            ]
            page, token = paginate(records, request)
            items = [render(org, record, version) for record in page]
        resource_version = ctx.store.resource_version
    return list_response("DashboardList", f"{GROUP}/{version}", resource_version, items, token)


def _field_name(selector: str) -> str | None:
    for clause in selector.split(","):
        key, _, value = clause.partition("=")
        if key.strip() == "metadata.name":
            return value.strip().lstrip("=")
    return None
