"""The test-control API under `/__emulator/`: counters, reset, state dump, fault rules.

Role: lets tests, benchmarks and `syncer emulator fault|requests|reset|state` observe and
steer the emulator. Needs no authentication, is never counted and never faulted.
See docs/emulator.md for each endpoint.
"""

from __future__ import annotations

from functools import partial

from syncer.emulator.app.faults import FaultRuleError, parse_rule
from syncer.emulator.config import EmulatorContext
from syncer.emulator.store import snapshot
from syncer.emulator.web.routes import Route
from syncer.emulator.web.values import Request, Response, json_response, message_response

PREFIX = "/__emulator"


def requests(ctx: EmulatorContext, request: Request) -> Response:
    return json_response(200, ctx.counters.snapshot())


def reset(ctx: EmulatorContext, request: Request) -> Response:
    counters_only = request.arg("counters_only") in ("1", "true")
    ctx.counters.reset()
    if not counters_only:
        ctx.store.clear()
        ctx.faults.clear()
    return json_response(200, {"reset": "counters" if counters_only else "all"})


def state(ctx: EmulatorContext, request: Request) -> Response:
    return json_response(200, snapshot.dump(ctx.store, history=request.arg("history") in ("1", "true")))


def list_faults(ctx: EmulatorContext, request: Request) -> Response:
    return json_response(200, ctx.faults.describe())


def add_faults(ctx: EmulatorContext, request: Request) -> Response:
    document = request.json()
    try:
        rules = [parse_rule(item) for item in (document if isinstance(document, list) else [document])]
    except FaultRuleError as exc:
        return message_response(400, str(exc))
    ctx.faults.add(rules)
    return json_response(200, ctx.faults.describe())


def clear_faults(ctx: EmulatorContext, request: Request) -> Response:
    ctx.faults.clear()
    return json_response(200, [])


def info(ctx: EmulatorContext, request: Request) -> Response:
    return json_response(
        200,
        {
            "profile": ctx.profile.name,
            "grafanaVersion": ctx.profile.grafana_version,
            "orgs": list(ctx.config.org_ids),
            "minRefreshInterval": ctx.config.min_refresh_interval,
            "stateFile": str(ctx.config.state_file) if ctx.config.state_file else None,
        },
    )


def routes(ctx: EmulatorContext) -> list[Route]:
    control = [
        ("GET", "/requests", requests),
        ("POST", "/reset", reset),
        ("GET", "/state", state),
        ("GET", "/faults", list_faults),
        ("POST", "/faults", add_faults),
        ("DELETE", "/faults", clear_faults),
        ("GET", "/info", info),
    ]
    return [
        Route(method, PREFIX + path, partial(handler, ctx), needs_auth=False)
        for method, path, handler in control
    ]
