"""The daemon's HTTP endpoints on the daemon's own event loop: /healthz, /readyz, /metrics, POST /sync.

Who calls it: `syncer.cli.run` starts one `HttpServer` next to the daemon and closes it after the daemon
stopped. The server asks a `DaemonControl` (the daemon) for answers; it never reconciles anything itself,
`POST /sync` only queues a full resync. A tiny HTTP/1.1 handler on `asyncio.start_server` (one request per
connection, bounded header size and read time) is all a probe or a Prometheus scrape needs, so no web
framework is pulled in. The sync token is re-read from its file on each request (rotation) and compared in
constant time; it never appears in a response or a log line.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import structlog

log = structlog.get_logger("syncer.http")

MAX_HEAD_BYTES = 16 * 1024
MAX_BODY_BYTES = 64 * 1024
READ_TIMEOUT_S = 10.0
REASONS = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class DaemonControl(Protocol):
    def health(self) -> tuple[bool, dict[str, Any]]: ...

    def readiness(self) -> tuple[bool, dict[str, Any]]: ...

    def request_sync(self, target: str | None) -> list[str] | None: ...


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


def json_response(status: int, document: object, *headers: tuple[str, str]) -> Response:
    return Response(status, (json.dumps(document, indent=None) + "\n").encode(), headers=headers)


class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


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
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> tuple[str, int]:
        """Bind and serve in the background; return the bound address (port 0 picks a free one)."""
        self._server = await asyncio.start_server(self._handle, host, port, limit=MAX_HEAD_BYTES)
        sockname = self._server.sockets[0].getsockname()
        return str(sockname[0]), int(sockname[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head_only = False
            try:
                request = await asyncio.wait_for(read_request(reader), READ_TIMEOUT_S)
                head_only = request.method == "HEAD"
                response = self.route(request)
            except BadRequest as exc:
                response = json_response(exc.status, {"error": str(exc)})
            except TimeoutError:
                return
            writer.write(encode_response(response, head_only=head_only))
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception as exc:  # why: a bad request must never take the loop (and the daemon) down
            log.error("http handler error", error=f"{type(exc).__name__}: {exc}")
        finally:
            writer.close()

    def route(self, request: Request) -> Response:
        handlers: dict[str, tuple[tuple[str, ...], Callable[[Request], Response]]] = {
            "/healthz": (("GET", "HEAD"), self._healthz),
            "/readyz": (("GET", "HEAD"), self._readyz),
            "/metrics": (("GET", "HEAD"), self._metrics),
            "/sync": (("POST",), self._sync),
        }
        entry = handlers.get(request.path.rstrip("/") or "/")
        if entry is None:
            return json_response(404, {"error": "not found", "endpoints": sorted(handlers)})
        methods, handler = entry
        if request.method not in methods:
            return json_response(405, {"error": "method not allowed"}, ("Allow", ", ".join(methods)))
        return handler(request)

    def _healthz(self, request: Request) -> Response:
        ok, body = self._control.health()
        return json_response(200 if ok else 503, body)

    def _readyz(self, request: Request) -> Response:
        ok, body = self._control.readiness()
        return json_response(200 if ok else 503, body)

    def _metrics(self, request: Request) -> Response:
        body, content_type = self._exposition()
        return Response(200, body, content_type)

    def _sync(self, request: Request) -> Response:
        denied = self._check_sync_token(request)
        if denied is not None:
            return denied
        targets = request.query.get("target")
        target = targets[0] if targets else None
        accepted = self._control.request_sync(target)
        if accepted is None:
            return json_response(404, {"error": f"unknown target {target!r}"})
        if not accepted:
            return json_response(503, {"error": "shutting down"})
        log.info("sync requested", targets=accepted)
        return json_response(202, {"accepted": accepted})

    def _check_sync_token(self, request: Request) -> Response | None:
        if self._sync_token_file is None:
            return None
        try:
            expected = self._sync_token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            log.error(
                "cannot read the sync token file", token_file=str(self._sync_token_file), error=exc.strerror
            )
            return json_response(503, {"error": "sync token unavailable"})
        given = request.headers.get("authorization", "")
        scheme, _, credential = given.partition(" ")
        if expected and scheme.lower() == "bearer" and hmac.compare_digest(credential.strip(), expected):
            return None
        return json_response(
            401, {"error": "a valid bearer token is required"}, ("WWW-Authenticate", "Bearer")
        )


async def read_request(reader: asyncio.StreamReader) -> Request:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        raise BadRequest(413, "request head too large") from None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(400, "malformed request line")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, sep, value = line.partition(":")
            if not sep:
                raise BadRequest(400, "malformed header")
            headers[name.strip().lower()] = value.strip()
    await _discard_body(reader, headers)
    url = urlsplit(parts[1])
    return Request(parts[0].upper(), url.path or "/", parse_qs(url.query), headers)


async def _discard_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> None:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise BadRequest(400, "chunked request bodies are not supported")
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        raise BadRequest(400, "bad content-length") from None
    if length > MAX_BODY_BYTES or length < 0:
        raise BadRequest(413, "request body too large")
    if length:
        await reader.readexactly(length)


def encode_response(response: Response, *, head_only: bool = False) -> bytes:
    head = [
        f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Unknown')}",
        f"Content-Type: {response.content_type}",
        f"Content-Length: {len(response.body)}",
        "Cache-Control: no-store",
        "Connection: close",
        *(f"{name}: {value}" for name, value in response.headers),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (b"" if head_only else response.body)
