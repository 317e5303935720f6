"""Small legacy routes: health, user, org, datasources, dashboard tags and home.

Role: enough of Grafana's surrounding API for clients to check connectivity and credentials
and resolve datasources. Registered by `app/server.py`.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import partial
from typing import Any

from syncer.emulator.config import DataSourceSpec, EmulatorContext, org_of
from syncer.emulator.web.routes import Route
from syncer.emulator.web.values import HttpError, Request, Response, json_response

ORG_NAMES = {1: "Main Org."}
COMMIT = "0000000000000000000000000000000000000000"


def health(ctx: EmulatorContext, request: Request) -> Response:
    document = {"database": "ok", "version": ctx.profile.grafana_version, "commit": COMMIT}
    # Grafana pretty-prints this one document.
    return Response(200, json.dumps(document, indent=2).encode(), "application/json; charset=UTF-8")


def frontend_settings(ctx: EmulatorContext, request: Request) -> Response:
    """The slice of frontend settings clients read to detect the server version."""
    version = ctx.profile.grafana_version
    build_info = {
        "version": version,
        "commit": COMMIT,
        "edition": "Open Source",
        "env": "production",
        "latestVersion": version,
        "hasUpdate": False,
        "hideVersion": False,
    }
    return json_response(
        200,
        {
            "appUrl": f"http://{ctx.config.host}:{ctx.config.port}/",
            "appSubUrl": "",
            "buildInfo": build_info,
            "minRefreshInterval": ctx.config.min_refresh_interval,
            "featureToggles": {"nestedFolders": True, "kubernetesDashboards": ctx.profile.name != "11.2"},
        },
    )


def healthz(ctx: EmulatorContext, request: Request) -> Response:
    return Response(200, b"Ok", "text/plain; charset=utf-8")


def user(ctx: EmulatorContext, request: Request) -> Response:
    caller = request.caller
    document: dict[str, Any] = {
        "id": caller.id,
        "uid": caller.uid,
        "email": "" if caller.is_service_account else f"{caller.login}@localhost",
        "name": caller.name,
        "login": caller.login,
        "orgId": request.org_id,
        "isGrafanaAdmin": not caller.is_service_account and caller.role == "Admin",
    }
    if not caller.is_service_account:
        document.update(
            {
                "theme": "",
                "isDisabled": False,
                "isExternal": False,
                "isExternallySynced": False,
                "isGrafanaAdminExternallySynced": False,
                "authLabels": [],
                "updatedAt": "2024-01-01T00:00:00Z",
                "createdAt": "2024-01-01T00:00:00Z",
                "avatarUrl": "/avatar/46d229b033af06a191ff2267bca9ae56",
            }
        )
    return json_response(200, document)


def org(ctx: EmulatorContext, request: Request) -> Response:
    name = ORG_NAMES.get(request.org_id, f"Org {request.org_id}")
    address = {"address1": "", "address2": "", "city": "", "zipCode": "", "state": "", "country": ""}
    return json_response(200, {"id": request.org_id, "name": name, "address": address})


def _datasource(spec: DataSourceSpec, index: int, org_id: int) -> dict[str, Any]:
    return {
        "id": index + 1,
        "uid": spec.uid,
        "orgId": org_id,
        "name": spec.name,
        "type": spec.type,
        "typeName": spec.type.capitalize(),
        "typeLogoUrl": "",
        "access": "proxy",
        "url": "",
        "user": "",
        "database": "",
        "basicAuth": False,
        "isDefault": index == 0,
        "jsonData": {},
        "readOnly": False,
    }


def datasources(ctx: EmulatorContext, request: Request) -> Response:
    specs = ctx.config.datasources
    return json_response(200, [_datasource(spec, n, request.org_id) for n, spec in enumerate(specs)])


def datasource_by_uid(ctx: EmulatorContext, request: Request) -> Response:
    for n, spec in enumerate(ctx.config.datasources):
        if spec.uid == request.params["uid"]:
            return json_response(200, _datasource(spec, n, request.org_id))
    raise HttpError.message(404, "Data source not found")


def datasource_by_name(ctx: EmulatorContext, request: Request) -> Response:
    for n, spec in enumerate(ctx.config.datasources):
        if spec.name == request.params["name"]:
            return json_response(200, _datasource(spec, n, request.org_id))
    raise HttpError.message(404, "Data source not found")


def tags(ctx: EmulatorContext, request: Request) -> Response:
    with ctx.store.lock:
        counts = Counter(tag for d in org_of(ctx, request).dashboards.values() for tag in set(d.tags))
    return json_response(200, [{"term": term, "count": counts[term]} for term in sorted(counts)])


def home(ctx: EmulatorContext, request: Request) -> Response:
    dashboard = {
        "annotations": {"list": []},
        "editable": False,
        "panels": [
            {"gridPos": {"h": 3, "w": 24, "x": 0, "y": 0}, "id": 1, "type": "welcome"},
        ],
        "schemaVersion": 39,
        "time": {"from": "now-6h", "to": "now"},
        "title": "Home",
        "uid": "",
        "version": 0,
    }
    meta = {
        "isHome": True,
        "canSave": False,
        "canEdit": request.caller.can_write,
        "canAdmin": False,
        "canStar": False,
        "canDelete": False,
        "slug": "",
        "url": "",
        "expires": "0001-01-01T00:00:00Z",
        "created": "0001-01-01T00:00:00Z",
        "updated": "0001-01-01T00:00:00Z",
        "version": 0,
        "hasAcl": False,
        "isFolder": False,
        "folderId": 0,
        "folderUid": "",
        "folderTitle": "General",
        "folderUrl": "",
        "provisioned": False,
        "provisionedExternalId": "",
    }
    return json_response(200, {"dashboard": dashboard, "meta": meta})


def routes(ctx: EmulatorContext) -> list[Route]:
    return [
        Route("GET", "/api/health", partial(health, ctx), needs_auth=False),
        Route("GET", "/healthz", partial(healthz, ctx), needs_auth=False),
        Route("GET", "/api/frontend/settings", partial(frontend_settings, ctx)),
        Route("GET", "/api/user", partial(user, ctx)),
        Route("GET", "/api/org", partial(org, ctx)),
        Route("GET", "/api/datasources", partial(datasources, ctx)),
        Route("GET", "/api/datasources/uid/:uid", partial(datasource_by_uid, ctx)),
        Route("GET", "/api/datasources/name/:name", partial(datasource_by_name, ctx)),
        Route("GET", "/api/dashboards/tags", partial(tags, ctx)),
        Route("GET", "/api/dashboards/home", partial(home, ctx)),
    ]
