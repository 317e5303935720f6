"""HTTP front of the emulator on aiohttp's web server: routing, auth, faults, counters.

Role: `lifecycle.run` calls `build_context` and `build_app`. aiohttp frames the requests,
keeps connections alive and matches routes; this module registers every route module's
`Route` into aiohttp's router and puts `Front.middleware` around each request, so the route
modules keep their plain `Request -> Response` shape. Every request flows: control routes
(loopback or control token; not counted) | count -> faults -> 404/405 -> auth -> org -> body
(at most `max_body_bytes`, else Grafana's 413) -> handler.
The access log never prints headers, so credentials cannot leak through it.
"""

from __future__ import annotations

import asyncio
import sys
import traceback
from collections.abc import Awaitable, Callable
from functools import partial

from aiohttp import web

from syncer.emulator.app import auth_answers
from syncer.emulator.app.aiohttp_values import (
    aiohttp_path,
    read_body,
    request_head,
    to_web_response,
    too_large,
)
from syncer.emulator.app.auth import Authenticator, presented_credential
from syncer.emulator.app.faults import FaultDecision
from syncer.emulator.config import EmulatorConfig, EmulatorContext
from syncer.emulator.control import access as control_access
from syncer.emulator.control import routes as control
from syncer.emulator.legacy import dashboards as legacy_dashboards
from syncer.emulator.legacy import folders as legacy_folders
from syncer.emulator.legacy import library_elements
from syncer.emulator.legacy import misc as legacy_misc
from syncer.emulator.legacy import search as legacy_search
from syncer.emulator.legacy import versions as legacy_versions
from syncer.emulator.resources import routes as resources_routes
from syncer.emulator.resources.common import k8s_not_found
from syncer.emulator.store.state import Store
from syncer.emulator.web.routes import Route
from syncer.emulator.web.values import HttpError, Request, Response, message_response

ROUTE_MODULES = (
    control,
    legacy_misc,
    legacy_search,
    legacy_versions,
    legacy_dashboards,
    legacy_folders,
    library_elements,
    resources_routes,
)

_FAULT_MESSAGES = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}

WebHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_context(config: EmulatorConfig) -> EmulatorContext:
    store = Store(config.org_ids, random_ids=config.profile.random_ids)
    return EmulatorContext(
        config=config, store=store, auth=Authenticator(list(config.tokens), config.basic_auth)
    )


def parse_org(request: Request) -> int | None:
    """`targetOrgId` wins over `X-Grafana-Org-Id`; unparsable values are ignored (None = default)."""
    for raw in (request.arg("targetOrgId"), request.headers.get("x-grafana-org-id", "")):
        text = raw.strip()
        if text.lstrip("-").isdecimal():
            return int(text)
    return None


class Front:
    """What sits in front of every handler: counting, faults, not-found shapes, auth.

    One instance per app. `routes` maps aiohttp's route objects back to the emulator's `Route`
    so the middleware knows the template (the counter and fault key) of a matched request.
    """

    def __init__(self, ctx: EmulatorContext) -> None:
        self.ctx = ctx
        self.routes: dict[web.AbstractRoute, Route] = {}

    def register(self, router: web.UrlDispatcher, route: Route) -> None:
        """The one adapter between a `Route` and aiohttp; a GET also answers HEAD (no body).

        Each template is registered with and without a trailing slash: Grafana's router trims
        one before matching (pkg/web/tree.go `Match`), so `/api/search/` is `/api/search`.
        """
        endpoint = partial(self._endpoint, route)
        path = aiohttp_path(route.template)
        methods = (route.method, "HEAD") if route.method == "GET" else (route.method,)
        for variant in (path, path + "/"):
            for method in methods:
                self.routes[router.add_route(method, variant, endpoint)] = route

    @web.middleware
    async def middleware(self, request: web.Request, handler: WebHandler) -> web.StreamResponse:
        route = self.routes.get(request.match_info.route)
        if request.path.startswith(control.PREFIX):
            answer = await self._control(request, handler, route)
            self._log(request, str(answer.status))
            return answer
        method = request.method
        self.ctx.counters.record(method, route.key if route else f"{method} (unmatched)")
        response = await self._serve(request, handler, route)
        outcome = "dropped" if response is None else str(response.status)
        self.ctx.counters.record_status(outcome)
        self._log(request, outcome)
        return response if response is not None else web.Response(status=499)  # never sent

    async def _control(
        self, request: web.Request, handler: WebHandler, route: Route | None
    ) -> web.StreamResponse:
        """Control routes: no Grafana auth, never counted or faulted; loopback or control token."""
        authorization = request.headers.get("Authorization", "")
        refused = control_access.refusal(self.ctx.config, request.remote, authorization)
        if refused is not None or route is None:
            return to_web_response(refused or message_response(404, "Not found"))
        return await handler(request)

    def _log(self, request: web.Request, outcome: str) -> None:
        """The opt-in access log: method, path, outcome; never headers, so never credentials."""
        if self.ctx.config.access_log:
            sys.stderr.write(f"emulator: {request.method} {request.path} -> {outcome}\n")

    async def _serve(
        self, request: web.Request, handler: WebHandler, route: Route | None
    ) -> web.StreamResponse | None:
        """The response, or None after dropping the connection as a fault said."""
        decision = self.ctx.faults.decide(request.method, route.template if route else request.path)
        if decision is not None:
            if decision.latency_s:
                await asyncio.sleep(decision.latency_s)
            if decision.drop:
                if request.transport is not None:
                    request.transport.close()  # the client sees the connection end, no response
                return None
            if decision.status is not None:
                return to_web_response(self._fault_response(decision.status, decision))
        if route is None:
            return to_web_response(self._not_found(request))
        return await handler(request)

    async def _endpoint(self, route: Route, web_request: web.Request) -> web.StreamResponse:
        request = request_head(web_request)
        if route.needs_auth:
            failure = self._authenticate(request)
            if failure is not None:
                return to_web_response(failure)
        limit = self.ctx.config.max_body_bytes
        body = await read_body(web_request, limit)
        if body is None:  # like Go's MaxBytesReader: answer, then close (the rest is not read)
            refused = to_web_response(too_large(request.path, limit))
            refused.force_close()
            return refused
        request.body = body
        request.params = dict(web_request.match_info)
        return to_web_response(self._call(route, request))

    @staticmethod
    def _fault_response(status: int, decision: FaultDecision) -> Response:
        message = decision.message or _FAULT_MESSAGES.get(status, "fault injected")
        response = message_response(status, message)
        if decision.retry_after is not None:
            response.headers["Retry-After"] = f"{decision.retry_after:g}"
        return response

    def _authenticate(self, request: Request) -> Response | None:
        authorization = request.headers.get("authorization", "")
        request.identity = self.ctx.auth.identify(authorization)
        if request.identity is None:
            return auth_answers.unauthenticated(presented_credential(authorization))
        org_id = parse_org(request)
        if org_id is not None:
            if self.ctx.store.org(org_id) is None:
                return auth_answers.not_in_org(presented_credential(authorization))
            request.org_id = org_id
        return None

    @staticmethod
    def _not_found(request: web.Request) -> Response:
        if request.path.startswith("/apis"):
            return k8s_not_found("the server could not find the requested resource")
        error = request.match_info.http_exception
        if error is not None and error.status == 405:  # the path is served, by other methods
            return message_response(405, "Method Not Allowed")
        return message_response(404, "Not found")

    @staticmethod
    def _call(route: Route, request: Request) -> Response:
        try:
            return route.handler(request)
        except HttpError as error:
            return error.response
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return message_response(500, "Internal Server Error")


def build_app(ctx: EmulatorContext) -> web.Application:
    """The aiohttp application serving every route module's routes through one `Front`."""
    front = Front(ctx)
    app = web.Application(middlewares=[front.middleware], client_max_size=ctx.config.max_body_bytes)
    for module in ROUTE_MODULES:
        for route in module.routes(ctx):
            front.register(app.router, route)
    return app
