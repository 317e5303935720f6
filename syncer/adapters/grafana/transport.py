"""A lean HTTP/1.1 keep-alive transport for httpx, over asyncio streams.

Who uses it: `GrafanaHttp` plugs it into its `httpx.AsyncClient` (httpx keeps building requests,
decoding responses, and routing proxied URLs to its own proxy transports). Why: httpx's default
transport (httpcore + anyio + h11) spent about 1.5 ms of CPU per request on this 2-core machine,
against about 0.1 ms for the wire work itself; a cold apply of 1,000 dashboards makes 1,330
requests, so the client's CPU, not Grafana, bounded it. This transport does only what syncer's
traffic needs: HTTP/1.1, keep-alive, Content-Length and chunked bodies, TLS, httpx's timeouts and
exception types.

What it must not do: retry a request that may have reached the server. The one retry it makes is
for a reused keep-alive connection that the server had already closed: no byte of a response came
back, so the request was never processed (the same rule as every HTTP client's stale-connection
retry). Everything else is raised as the httpx exception the caller already classifies.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx

MAX_HEADER_BYTES = 1024 * 1024  # a status line plus headers; far above anything Grafana sends
_NO_BODY_STATUSES = frozenset({204, 304})
_ReadStep = Callable[["_TimedReader"], Awaitable[bytes]]


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    reused: bool = False

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()

    def usable(self) -> bool:
        """An idle connection the server has not closed (its EOF arrives while the connection idles)."""
        return not (self.writer.is_closing() or self.reader.at_eof())


@dataclass(frozen=True)
class _Head:
    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    keep_alive: bool


class LeanTransport(httpx.AsyncBaseTransport):
    """Keep-alive connections to the hosts requested, at most `max_connections` open at once."""

    def __init__(self, *, ssl_context: ssl.SSLContext | None, max_connections: int) -> None:
        self._ssl_context = ssl_context
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        try:
            async with asyncio.timeout(timeouts.get("pool")):
                await self._slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no free connection in time", request=request) from None
        try:
            return await self._exchange(request, timeouts)
        finally:
            self._slots.release()

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    async def _exchange(self, request: httpx.Request, timeouts: dict[str, float | None]) -> httpx.Response:
        body = await request.aread()
        wire = _request_head(request) + body
        key = _origin(request.url)
        while True:
            connection = self._idle_connection(key) or await self._connect(request, key, timeouts)
            try:
                return await self._send(connection, key, request, wire, timeouts)
            except _StaleConnection:
                continue  # a reused connection the server had closed: the request never reached it

    def _idle_connection(self, key: tuple[str, str, int]) -> _Connection | None:
        pool = self._idle.get(key)
        while pool:
            connection = pool.pop()
            if connection.usable():
                connection.reused = True
                return connection
            connection.close()
        return None

    async def _connect(
        self, request: httpx.Request, key: tuple[str, str, int], timeouts: dict[str, float | None]
    ) -> _Connection:
        scheme, host, port = key
        tls = self._tls_context() if scheme == "https" else None
        try:
            async with asyncio.timeout(timeouts.get("connect")):
                reader, writer = await _open(host, port, tls)
        except TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out", request=request) from None
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from None
        return _Connection(reader, writer)

    def _tls_context(self) -> ssl.SSLContext:
        if self._ssl_context is None:  # built on first use: plain-HTTP runs never pay for the trust store
            self._ssl_context = httpx.create_ssl_context()  # httpx's default trust store, as before
        return self._ssl_context

    async def _send(
        self,
        connection: _Connection,
        key: tuple[str, str, int],
        request: httpx.Request,
        wire: bytes,
        timeouts: dict[str, float | None],
    ) -> httpx.Response:
        done = False
        try:
            head, sent = await _write_then_read_head(connection, request, wire, timeouts)
            content, keep_alive = await _read_body(connection, request, head, timeouts.get("read"))
            done = True
        finally:
            if not done:
                connection.close()
        if keep_alive and sent and not self._closed:
            connection.reused = False
            self._idle.setdefault(key, []).append(connection)
        else:
            connection.close()
        return httpx.Response(
            head.status,
            headers=head.headers,
            stream=_Body(content),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": head.reason},
        )


async def _open(
    host: str, port: int, tls: ssl.SSLContext | None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """`asyncio.open_connection`, with a reader that keeps a reset connection's last bytes readable."""
    loop = asyncio.get_running_loop()
    reader = _ResetTolerantReader(limit=MAX_HEADER_BYTES, loop=loop)
    protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
    transport, _ = await loop.create_connection(
        lambda: protocol, host, port, ssl=tls, server_hostname=host if tls else None
    )
    return reader, asyncio.StreamWriter(transport, protocol, reader, loop)


class _ResetTolerantReader(asyncio.StreamReader):
    """A connection reset ends the stream like a close: what arrived before it stays readable.

    Why: asyncio's reader raises the reset before its buffered bytes, and those bytes are often the
    server's answer: a server refusing a large body (401, 413) answers, then closes with the body
    unread, which the kernel turns into a reset. The answer says more than "connection reset".
    """

    def set_exception(self, exc: Exception) -> None:
        if isinstance(exc, ConnectionError):
            self.feed_eof()
        else:
            super().set_exception(exc)


class _StaleConnection(Exception):
    """A reused connection was closed by the server before any response byte arrived."""


class _Body(httpx.AsyncByteStream):
    def __init__(self, content: bytes) -> None:
        self._content = content

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._content


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    port = url.port or (443 if url.scheme == "https" else 80)
    return url.scheme, url.host, port


def _request_head(request: httpx.Request) -> bytes:
    lines = [request.method.encode("ascii") + b" " + request.url.raw_path + b" HTTP/1.1"]
    lines += [name + b": " + value for name, value in request.headers.raw]
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def _write_then_read_head(
    connection: _Connection, request: httpx.Request, wire: bytes, timeouts: dict[str, float | None]
) -> tuple[_Head, bool]:
    """The response head, and whether the whole request went out. A server may answer before it has
    read a large body (401, 413) and close; Grafana's Go server does beyond 256 kB: the write then
    fails, but the answer it already sent says more than "cannot send", so it is read if it came."""
    try:
        await _write(connection, wire, request, timeouts.get("write"))
    except httpx.WriteError as failed:
        try:
            return await _read_head(connection, request, timeouts.get("read")), False
        except httpx.HTTPError:
            raise failed from None
    return await _read_head(connection, request, timeouts.get("read")), True


async def _write(connection: _Connection, wire: bytes, request: httpx.Request, timeout: float | None) -> None:
    try:
        async with asyncio.timeout(timeout):
            connection.writer.write(wire)
            await connection.writer.drain()
    except TimeoutError:
        raise httpx.WriteTimeout("sending the request timed out", request=request) from None
    except (OSError, ssl.SSLError) as exc:
        if connection.reused:
            raise _StaleConnection from None
        raise httpx.WriteError(str(exc) or type(exc).__name__, request=request) from None


async def _read_head(connection: _Connection, request: httpx.Request, timeout: float | None) -> _Head:
    while True:
        block = await _read(connection, request, timeout, _until_blank_line, first=True)
        head = _parse_head(block, request)
        if not 100 <= head.status < 200:
            return head  # 1xx informational answers precede the real one


async def _until_blank_line(reader: _TimedReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def _parse_head(block: bytes, request: httpx.Request) -> _Head:
    status_line, *header_lines = block[:-4].split(b"\r\n")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise httpx.RemoteProtocolError(f"not an HTTP/1.1 status line: {status_line[:80]!r}", request=request)
    headers = []
    for line in header_lines:
        name, sep, value = line.partition(b":")
        if not sep or not name or name != name.strip():
            raise httpx.RemoteProtocolError(f"malformed response header: {line[:80]!r}", request=request)
        headers.append((name, value.strip()))
    connection = b",".join(v for n, v in headers if n.lower() == b"connection").lower()
    keep_alive = b"close" not in connection and (parts[0] == b"HTTP/1.1" or b"keep-alive" in connection)
    reason = parts[2] if len(parts) > 2 else b""
    return _Head(int(parts[1]), reason, headers, keep_alive)


async def _read_body(
    connection: _Connection, request: httpx.Request, head: _Head, timeout: float | None
) -> tuple[bytes, bool]:
    """The body and whether the connection can carry another request."""
    if request.method == "HEAD" or head.status in _NO_BODY_STATUSES:
        return b"", head.keep_alive
    encoding = b",".join(v for n, v in head.headers if n.lower() == b"transfer-encoding").lower()
    if b"chunked" in encoding:
        return await _read(connection, request, timeout, _chunked), head.keep_alive
    lengths = {v for n, v in head.headers if n.lower() == b"content-length"}
    if len(lengths) > 1 or (lengths and not next(iter(lengths)).isdigit()):
        raise httpx.RemoteProtocolError(f"bad Content-Length {sorted(lengths)!r}", request=request)
    if lengths:
        size = int(next(iter(lengths)))
        content = await _read(connection, request, timeout, lambda reader: reader.readexactly(size))
        return content, head.keep_alive
    # a body delimited by the end of the connection, which then cannot be reused
    return await _read(connection, request, timeout, lambda reader: reader.read_to_end()), False


async def _chunked(reader: _TimedReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip() or b"x", 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailers: not used by Grafana
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise ValueError("chunk not followed by CRLF")


class _TimedReader:
    """The connection's reader with httpx's read timeout on every single read, not on the whole body:
    a large list page that keeps arriving is not cut off, a server that stops sending is."""

    _CHUNK = 1024 * 1024

    def __init__(self, reader: asyncio.StreamReader, timeout: float | None) -> None:
        self._reader = reader
        self._timeout = timeout

    async def readuntil(self, separator: bytes) -> bytes:
        async with asyncio.timeout(self._timeout):
            return await self._reader.readuntil(separator)

    async def readexactly(self, size: int) -> bytes:
        parts: list[bytes] = []
        left = size
        while left > 0:
            async with asyncio.timeout(self._timeout):
                chunk = await self._reader.read(min(left, self._CHUNK))
            if not chunk:
                raise asyncio.IncompleteReadError(b"".join(parts), size)
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    async def read_to_end(self) -> bytes:
        parts: list[bytes] = []
        while True:
            async with asyncio.timeout(self._timeout):
                chunk = await self._reader.read(self._CHUNK)
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)


async def _read(
    connection: _Connection,
    request: httpx.Request,
    timeout: float | None,
    step: _ReadStep,
    *,
    first: bool = False,
) -> bytes:
    """Run one read `step`, turning what can go wrong into httpx's exceptions."""
    try:
        return await step(_TimedReader(connection.reader, timeout))
    except TimeoutError:
        raise httpx.ReadTimeout("reading the response timed out", request=request) from None
    except asyncio.IncompleteReadError as exc:
        if first and connection.reused and not exc.partial:
            raise _StaleConnection from None
        raise httpx.RemoteProtocolError(
            "server disconnected without sending a complete response", request=request
        ) from None
    except asyncio.LimitOverrunError:
        raise httpx.RemoteProtocolError("response header block too large", request=request) from None
    except ValueError as exc:
        raise httpx.RemoteProtocolError(f"malformed response: {exc}", request=request) from None
    except (OSError, ssl.SSLError) as exc:
        if first and connection.reused:
            raise _StaleConnection from None
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from None
