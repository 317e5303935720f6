"""k8s API discovery: `GET /apis`, `/apis/<group>`, `/apis/<group>/<version>`.

Role: tell a resources client which groups and versions this profile serves (so it can pick
one), in the shapes of apimachinery's APIGroupList / APIGroup / APIResourceList.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from syncer.emulator.config import EmulatorContext
from syncer.emulator.web.routes import Route
from syncer.emulator.web.values import Request, Response, json_response

DASHBOARD_GROUP = "dashboard.grafana.app"
FOLDER_GROUP = "folder.grafana.app"
VERBS = ["create", "delete", "get", "list", "update"]


def served_groups(ctx: EmulatorContext) -> dict[str, tuple[str, ...]]:
    return {DASHBOARD_GROUP: ctx.profile.dashboard_versions, FOLDER_GROUP: ctx.profile.folder_versions}


def _preferred(versions: tuple[str, ...]) -> str:
    """Stable versions beat betas beat alphas; v2 stays opt-in as in Grafana 12."""
    ranked = sorted(versions, key=lambda v: (v.startswith("v2"), "alpha" in v, "beta" in v, v))
    return ranked[0]


def _group(name: str, versions: tuple[str, ...]) -> dict[str, Any]:
    preferred = _preferred(versions)
    return {
        "name": name,
        "versions": [{"groupVersion": f"{name}/{v}", "version": v} for v in versions],
        "preferredVersion": {"groupVersion": f"{name}/{preferred}", "version": preferred},
    }


def api_groups(ctx: EmulatorContext, request: Request) -> Response:
    groups = [_group(name, versions) for name, versions in served_groups(ctx).items()]
    return json_response(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})


def api_group(ctx: EmulatorContext, group: str, request: Request) -> Response:
    document = {"kind": "APIGroup", "apiVersion": "v1", **_group(group, served_groups(ctx)[group])}
    return json_response(200, document)


def api_resources(ctx: EmulatorContext, group: str, version: str, request: Request) -> Response:
    plural, kind = ("dashboards", "Dashboard") if group == DASHBOARD_GROUP else ("folders", "Folder")
    resource = {
        "name": plural,
        "singularName": kind.lower(),
        "namespaced": True,
        "kind": kind,
        "verbs": VERBS,
    }
    return json_response(
        200,
        {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": f"{group}/{version}",
            "resources": [resource],
        },
    )


def routes(ctx: EmulatorContext) -> list[Route]:
    found = [Route("GET", "/apis", partial(api_groups, ctx))]
    for group, versions in served_groups(ctx).items():
        found.append(Route("GET", f"/apis/{group}", partial(api_group, ctx, group)))
        found += [Route("GET", f"/apis/{group}/{v}", partial(api_resources, ctx, group, v)) for v in versions]
    return found
