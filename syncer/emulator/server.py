"""HTTP front of the emulator: socket handling, routing, auth, faults, counters.

Role: `lifecycle.run` calls `build_context` and `make_server`; the handler frames each request
(`wire.py`) and hands it to `Dispatcher`. Every request flows: control routes (no auth, not
counted) | count -> faults -> auth -> org -> handler.
Responses are written in one buffer with an explicit Content-Length (keep-alive friendly).
The access log never prints headers, so credentials cannot leak through it.
"""

from __future__ import annotations

import functools
import socket
import sys
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from syncer.emulator import (
    control,
    k8s_routes,
    legacy_dashboards,
    legacy_folders,
    legacy_misc,
    legacy_search,
    legacy_versions,
    library_elements,
)
from syncer.emulator.auth import Authenticator
from syncer.emulator.config import EmulatorConfig, EmulatorContext
from syncer.emulator.faults import FaultDecision
from syncer.emulator.http import HttpError, Request, Response, message_response
from syncer.emulator.k8s_common import k8s_not_found, k8s_unauthorized
from syncer.emulator.routing import Match, Router
from syncer.emulator.store import Store
from syncer.emulator.wire import FramingError, RequestHead, parse_head, read_body

_FAULT_MESSAGES = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@functools.cache  # a handful of statuses; the enum lookup showed up in per-request profiles
def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def build_context(config: EmulatorConfig) -> EmulatorContext:
    store = Store(config.org_ids, random_ids=config.profile.random_ids)
    return EmulatorContext(
        config=config, store=store, auth=Authenticator(list(config.tokens), config.basic_auth)
    )


def build_router(ctx: EmulatorContext) -> Router:
    router = Router()
    for module in (
        control,
        legacy_misc,
        legacy_search,
        legacy_versions,
        legacy_dashboards,
        legacy_folders,
        library_elements,
        k8s_routes,
    ):
        for route in module.routes(ctx):
            router.add(route)
    return router


def parse_org(request: Request) -> int | None:
    """`targetOrgId` wins over `X-Grafana-Org-Id`; unparsable values are ignored (None = default)."""
    for raw in (request.arg("targetOrgId"), request.headers.get("x-grafana-org-id", "")):
        text = raw.strip()
        if text.lstrip("-").isdecimal():
            return int(text)
    return None


class Dispatcher:
    """Turns a parsed request into a response (or a drop), independent of the socket."""

    def __init__(self, ctx: EmulatorContext, router: Router) -> None:
        self.ctx = ctx
        self.router = router

    def dispatch(self, request: Request) -> Response | None:
        """The response, or None when a fault says to drop the connection."""
        response = self._dispatch(request)
        if not request.path.startswith(control.PREFIX):
            self.ctx.counters.record_status(str(response.status) if response else "dropped")
        return response

    def _dispatch(self, request: Request) -> Response | None:
        # HEAD is GET without a body (the handler drops the body when writing).
        match = self.router.match("GET" if request.method == "HEAD" else request.method, request.path)
        if request.path.startswith(control.PREFIX):
            return self._call(match, request) if match else message_response(404, "Not found")
        self.ctx.counters.record(
            request.method, match.route.key if match else f"{request.method} (unmatched)"
        )
        decision = self.ctx.faults.decide(request.method, match.route.template if match else request.path)
        if decision is not None:
            if decision.latency_s:
                time.sleep(decision.latency_s)
            if decision.drop:
                return None
            if decision.status is not None:
                return self._fault_response(decision.status, decision)
        if match is None:
            return self._not_found(request)
        if match.route.needs_auth:
            failure = self._authenticate(request)
            if failure is not None:
                return failure
        return self._call(match, request)

    @staticmethod
    def _fault_response(status: int, decision: FaultDecision) -> Response:
        message = decision.message or _FAULT_MESSAGES.get(status, "fault injected")
        response = message_response(status, message)
        if decision.retry_after is not None:
            response.headers["Retry-After"] = f"{decision.retry_after:g}"
        return response

    def _authenticate(self, request: Request) -> Response | None:
        request.identity = self.ctx.auth.identify(request.headers.get("authorization", ""))
        k8s = request.path.startswith("/apis")
        if request.identity is None:
            return k8s_unauthorized() if k8s else message_response(401, "Unauthorized")
        org_id = parse_org(request)
        if org_id is not None:
            if self.ctx.store.org(org_id) is None:
                return k8s_unauthorized() if k8s else message_response(401, "Unauthorized")
            request.org_id = org_id
        return None

    def _not_found(self, request: Request) -> Response:
        if request.path.startswith("/apis"):
            return k8s_not_found("the server could not find the requested resource")
        if self.router.path_known(request.path):
            return message_response(405, "Method Not Allowed")
        return message_response(404, "Not found")

    def _call(self, match: Match, request: Request) -> Response:
        request.params = match.params
        try:
            return match.route.handler(request)
        except HttpError as error:
            return error.response
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return message_response(500, "Internal Server Error")


class EmulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120  # seconds an idle keep-alive connection may hold a thread (socket timeout)
    dispatcher: Dispatcher  # set on the per-server subclass
    access_log = False

    head: RequestHead
    raw_requestline: bytes  # set by the stdlib's handle_one_request before parse_request

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def parse_request(self) -> bool:
        """Frame the request with `wire` (the stdlib's email-based header parser is slow)."""
        self.close_connection = True
        self.command, self.request_version = "", "HTTP/1.1"
        try:
            self.head = parse_head(self.raw_requestline, self.rfile)
        except FramingError as error:
            self._write(message_response(error.status, str(error)))
            return False
        self.command, self.path, self.request_version = self.head.method, self.head.target, self.head.version
        self.close_connection = not self.head.keep_alive
        if self.head.headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def _handle(self) -> None:
        try:
            body = read_body(self.head, self.rfile)
        except FramingError as error:
            self.close_connection = True
            self._write(message_response(error.status, str(error)))
            return
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=unquote(parts.path) or "/",
            query=parse_qs(parts.query, keep_blank_values=True) if parts.query else {},
            headers=self.head.headers,
            body=body,
        )
        response = self.dispatcher.dispatch(request)
        if response is None:
            self.close_connection = True
            self._log(request, "dropped")
            return
        self._write(response, head_only=self.command == "HEAD")
        self._log(request, str(response.status))

    def _write(self, response: Response, *, head_only: bool = False) -> None:
        reason = _reason(response.status)
        lines = [
            f"HTTP/1.1 {response.status} {reason}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body)}",
        ]
        lines += [f"{name}: {value}" for name, value in response.headers.items()]
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if head_only else head + response.body)

    def _log(self, request: Request, outcome: str) -> None:
        if self.access_log:
            sys.stderr.write(f"emulator: {request.method} {request.path} -> {outcome}\n")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the stdlib's per-request log; `_log` is the opt-in access log."""


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(ctx: EmulatorContext) -> EmulatorServer:
    handler = type(
        "BoundEmulatorHandler",
        (EmulatorHandler,),
        {"dispatcher": Dispatcher(ctx, build_router(ctx)), "access_log": ctx.config.access_log},
    )
    return EmulatorServer((ctx.config.host, ctx.config.port), handler)
