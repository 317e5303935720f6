"""The daemon's HTTP endpoints on the daemon's own event loop: /healthz, /readyz, /metrics, POST /sync.

Who calls it: `syncer.cli.run` starts one `HttpServer` next to the daemon and closes it after the daemon
stopped. The server asks a `DaemonControl` (the daemon) for answers; it never reconciles anything itself,
`POST /sync` only queues a full resync. aiohttp's web server (already a dependency: it carries the
client's requests too) does the HTTP: parsing, keep-alive, HEAD for the GET routes, routing. This module
adds what a probe endpoint must guarantee on top: a bounded request head (16 KiB) and body (64 KiB),
connections that send nothing for 10 s closed, JSON answers for unknown paths and wrong methods, and a
handler failure answered with a 500 instead of taking the daemon down. The sync token is re-read from
its file on each request (rotation) and compared in constant time; it never appears in a response or a
log line.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from syncer.logs import get_logger

log = get_logger("syncer.http")

MAX_HEAD_BYTES = 16 * 1024
MAX_BODY_BYTES = 64 * 1024
READ_TIMEOUT_S = 10.0
# aiohttp's parser refuses (400) a single line beyond this; heads up to it are measured and refused with
# 413 past MAX_HEAD_BYTES, so the parser's limit only bounds memory
_PARSER_LINE_BYTES = 2 * MAX_HEAD_BYTES
_PARSER_MAX_HEADERS = 100

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class DaemonControl(Protocol):
    def health(self) -> tuple[bool, dict[str, Any]]: ...

    def readiness(self) -> tuple[bool, dict[str, Any]]: ...

    def request_sync(self, target: str | None) -> list[str] | None: ...


def json_response(status: int, document: object, *headers: tuple[str, str]) -> web.Response:
    body = (json.dumps(document, indent=None) + "\n").encode()
    return web.Response(status=status, body=body, content_type="application/json", headers=dict(headers))


class HttpServer:
    def __init__(
        self,
        control: DaemonControl,
        *,
        exposition: Callable[[], tuple[bytes, str]],
        sync_token_file: Path | None = None,
    ) -> None:
        self._control = control
        self._exposition = exposition
        self._sync_token_file = sync_token_file
        self._runner: web.AppRunner | None = None
        self._routes: dict[str, tuple[str, Callable[[web.Request], web.Response]]] = {
            "/healthz": ("GET", self._healthz),
            "/readyz": ("GET", self._readyz),
            "/metrics": ("GET", self._metrics),
            "/sync": ("POST", self._sync),
        }

    async def start(self, host: str, port: int) -> tuple[str, int]:
        """Bind and serve in the background; return the bound address (port 0 picks a free one)."""
        runner = web.AppRunner(
            self._application(),
            handle_signals=False,  # the daemon owns SIGTERM/SIGINT/SIGHUP
            access_log=None,
            keepalive_timeout=READ_TIMEOUT_S,  # also closes a connection whose head never completes
            max_line_size=_PARSER_LINE_BYTES,
            max_field_size=_PARSER_LINE_BYTES,
            max_headers=_PARSER_MAX_HEADERS,
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        return str(address[0]), int(address[1])

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _application(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=MAX_BODY_BYTES)
        for path, (method, handler) in self._routes.items():
            for spelling in (path, path + "/"):
                if method == "GET":
                    app.router.add_get(spelling, _async(handler))  # HEAD too
                else:
                    app.router.add_route(method, spelling, _async(handler))
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Limits first, then the route; every answer uncacheable."""
        response: web.StreamResponse | None = _refusal(request)
        if response is None:
            response = await self._answer(request, handler)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def _answer(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return json_response(404, {"error": "not found", "endpoints": sorted(self._routes)})
        except web.HTTPMethodNotAllowed as exc:
            allow = ", ".join(sorted(exc.allowed_methods))
            return json_response(405, {"error": "method not allowed"}, ("Allow", allow))
        except Exception as exc:  # why: a failing handler must never take the daemon down
            log.error("http handler error", error=f"{type(exc).__name__}: {exc}")
            return json_response(500, {"error": "internal error"})

    def _healthz(self, request: web.Request) -> web.Response:
        ok, body = self._control.health()
        return json_response(200 if ok else 503, body)

    def _readyz(self, request: web.Request) -> web.Response:
        ok, body = self._control.readiness()
        return json_response(200 if ok else 503, body)

    def _metrics(self, request: web.Request) -> web.Response:
        body, content_type = self._exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    def _sync(self, request: web.Request) -> web.Response:
        denied = self._check_sync_token(request)
        if denied is not None:
            return denied
        target = request.query.get("target")
        accepted = self._control.request_sync(target)
        if accepted is None:
            return json_response(404, {"error": f"unknown target {target!r}"})
        if not accepted:
            return json_response(503, {"error": "shutting down"})
        log.info("sync requested", targets=accepted)
        return json_response(202, {"accepted": accepted})

    def _check_sync_token(self, request: web.Request) -> web.Response | None:
        if self._sync_token_file is None:
            return None
        try:
            expected = self._sync_token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            log.error(
                "cannot read the sync token file", token_file=str(self._sync_token_file), error=exc.strerror
            )
            return json_response(503, {"error": "sync token unavailable"})
        given = request.headers.get("Authorization", "")
        scheme, _, credential = given.partition(" ")
        if expected and scheme.lower() == "bearer" and hmac.compare_digest(credential.strip(), expected):
            return None
        return json_response(
            401, {"error": "a valid bearer token is required"}, ("WWW-Authenticate", "Bearer")
        )


def _async(handler: Callable[[web.Request], web.Response]) -> Handler:
    async def run(request: web.Request) -> web.StreamResponse:
        return handler(request)

    return run


def _refusal(request: web.Request) -> web.Response | None:
    """A request over the limits is answered before any route runs, and its connection closed (an
    unread body must not be parsed as the next request)."""
    head = len(request.method) + len(request.raw_path) + 11  # request line with " HTTP/1.1\r\n"
    head += sum(len(name) + len(value) + 4 for name, value in request.raw_headers)
    if head > MAX_HEAD_BYTES:
        response = json_response(413, {"error": "request head too large"})
    elif "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        response = json_response(400, {"error": "chunked request bodies are not supported"})
    elif (request.content_length or 0) > MAX_BODY_BYTES:
        response = json_response(413, {"error": "request body too large"})
    else:
        return None
    response.force_close()
    return response
