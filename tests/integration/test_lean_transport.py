"""syncer's HTTP/1.1 transport against real loopback servers that misbehave on purpose.

The emulator-based suites already drive every Grafana call through it; these tests pin the wire
rules the emulator never exercises: chunked and close-delimited bodies, stale keep-alive
connections, responses cut short, informational answers, timeouts, the connection limit.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from syncer.adapters.grafana.http import GrafanaHttp
from syncer.adapters.grafana.transport import LeanTransport
from syncer.ports import NullMetrics
from syncer.settings import GrafanaSettings

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, "Server"], Awaitable[None]]
Reader = asyncio.StreamReader
Writer = asyncio.StreamWriter


def synchronous(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test body in its own event loop (the suite has no async test plugin)."""

    @functools.wraps(test)
    def run(*args: object, **kwargs: object) -> None:
        asyncio.run(test(*args, **kwargs))  # type: ignore[arg-type]

    return run


class Server:
    """A loopback server running `handler` per connection; counts connections and requests."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests = 0
        self.open_now = 0
        self.most_open = 0
        self.port = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            await self.handler(reader, writer, self)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.open_now -= 1
            writer.close()

    async def read_request(self, reader: asyncio.StreamReader) -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = await reader.readexactly(length)
        self.requests += 1
        return body


@asynccontextmanager
async def running(handler: Handler) -> AsyncIterator[Server]:
    server = Server(handler)
    listener = await asyncio.start_server(server.serve, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    async with listener:
        yield server


def client(server: Server, *, max_connections: int = 4, timeout: float = 5.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{server.port}",
        transport=LeanTransport(ssl_context=None, max_connections=max_connections),
        timeout=timeout,
    )


def reply(body: bytes, *extra: bytes, status: bytes = b"200 OK") -> bytes:
    head = [b"HTTP/1.1 " + status, b"Content-Length: " + str(len(body)).encode(), *extra]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


async def keep_alive_echo(reader: Reader, writer: Writer, server: Server) -> None:
    while True:
        body = await server.read_request(reader)
        writer.write(reply(b'{"echo":' + str(len(body)).encode() + b"}"))
        await writer.drain()


@synchronous
async def test_keep_alive_reuses_one_connection_for_sequential_requests() -> None:
    async with running(keep_alive_echo) as server, client(server) as http:
        for size in (0, 10, 100_000):
            response = await http.post("/x", content=b"a" * size)
            assert response.json() == {"echo": size}
    assert (server.connections, server.requests) == (1, 3)


@synchronous
async def test_chunked_bodies_are_reassembled() -> None:
    async def chunked(reader: Reader, writer: Writer, server: Server) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for part in (b'{"a":', b'"hello"', b"}"):
            writer.write(f"{len(part):x};ext=1\r\n".encode() + part + b"\r\n")
        writer.write(b"0\r\nX-Trailer: yes\r\n\r\n")
        await writer.drain()
        await keep_alive_echo(reader, writer, server)

    async with running(chunked) as server, client(server) as http:
        assert (await http.get("/")).json() == {"a": "hello"}
        assert (await http.post("/", content=b"xy")).json() == {"echo": 2}
    assert server.connections == 1


@synchronous
async def test_a_body_ended_by_closing_the_connection_is_read_and_the_connection_dropped() -> None:
    async def close_delimited(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, server: Server
    ) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * 70_000)
        await writer.drain()

    async with running(close_delimited) as server, client(server) as http:
        assert len((await http.get("/")).content) == 70_000
        assert len((await http.get("/")).content) == 70_000
    assert server.connections == 2


@synchronous
async def test_connection_close_is_honoured() -> None:
    async def closing(reader: Reader, writer: Writer, server: Server) -> None:
        await server.read_request(reader)
        writer.write(reply(b"{}", b"Connection: close"))
        await writer.drain()

    async with running(closing) as server, client(server) as http:
        for _ in range(3):
            assert (await http.get("/")).status_code == 200
    assert server.connections == 3


@synchronous
async def test_a_stale_keep_alive_connection_is_replaced_and_the_request_sent_once() -> None:
    async def one_per_connection(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, server: Server
    ) -> None:
        await server.read_request(reader)
        writer.write(reply(b"{}"))  # promises keep-alive, then closes as an idle timeout would
        await writer.drain()

    async with running(one_per_connection) as server, client(server) as http:
        await http.post("/", content=b"1")
        await asyncio.sleep(0.05)  # the server's FIN arrives while the connection idles
        await http.post("/", content=b"2")
        await http.post("/", content=b"3")  # no pause: may reuse a connection closed a moment ago
    assert server.requests == 3


@synchronous
async def test_a_response_cut_short_is_an_error_and_not_retried() -> None:
    async def cut(reader: Reader, writer: Writer, server: Server) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{partial")
        await writer.drain()

    async with running(cut) as server, client(server) as http:
        with pytest.raises(httpx.RemoteProtocolError, match="disconnected"):
            await http.post("/", content=b"x")
    assert server.requests == 1


@synchronous
async def test_informational_answers_are_skipped_and_gzip_is_decoded() -> None:
    packed = gzip.compress(b'{"ok":true}')

    async def informative(reader: Reader, writer: Writer, server: Server) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n" + reply(packed, b"Content-Encoding: gzip"))
        await writer.drain()

    async with running(informative) as server, client(server) as http:
        assert (await http.get("/")).json() == {"ok": True}


@pytest.mark.parametrize(
    "answer",
    [b"SPDY/3 200 OK\r\n\r\n", b"HTTP/1.1 abc OK\r\n\r\n", b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"],
)
@synchronous
async def test_garbage_answers_are_protocol_errors(answer: bytes) -> None:
    async def garbage(reader: Reader, writer: Writer, server: Server) -> None:
        await server.read_request(reader)
        writer.write(answer)
        await writer.drain()

    async with running(garbage) as server, client(server) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get("/")


@synchronous
async def test_a_silent_server_gives_a_read_timeout() -> None:
    async def silent(reader: Reader, writer: Writer, server: Server) -> None:
        await server.read_request(reader)
        await asyncio.sleep(5)

    async with running(silent) as server, client(server, timeout=0.3) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/")


@synchronous
async def test_a_refused_connection_is_a_connect_error() -> None:
    async with running(keep_alive_echo) as server:
        port = server.port
    http = httpx.AsyncClient(transport=LeanTransport(ssl_context=None, max_connections=1))
    async with http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/")


@synchronous
async def test_no_more_connections_than_the_limit() -> None:
    async def slow_echo(reader: Reader, writer: Writer, server: Server) -> None:
        while True:
            await server.read_request(reader)
            await asyncio.sleep(0.02)
            writer.write(reply(b"{}"))
            await writer.drain()

    async with running(slow_echo) as server, client(server, max_connections=2) as http:
        responses = await asyncio.gather(*(http.get("/") for _ in range(10)))
    assert all(r.status_code == 200 for r in responses)
    assert server.most_open <= 2
    assert server.requests == 10


@synchronous
async def test_a_reused_connection_closed_before_answering_is_retried_on_a_new_one() -> None:
    async def answer_once(reader: Reader, writer: Writer, server: Server) -> None:
        await server.read_request(reader)
        writer.write(reply(b"{}"))
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")  # the next request arrives: close without a word

    async with running(answer_once) as server, client(server) as http:
        assert (await http.post("/", content=b"1")).status_code == 200
        assert (await http.post("/", content=b"2")).status_code == 200
    assert (server.connections, server.requests) == (2, 2)


@synchronous
async def test_a_new_connection_closed_before_answering_is_an_error() -> None:
    async def hang_up(reader: Reader, writer: Writer, server: Server) -> None:
        await server.read_request(reader)

    async with running(hang_up) as server, client(server) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post("/", content=b"1")
    assert (server.connections, server.requests) == (1, 1)


def test_a_proxy_named_in_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours HTTP_PROXY & co only with its own transport: syncer then steps aside."""
    seen: list[bytes] = []

    async def proxy(reader: Reader, writer: Writer, server: Server) -> None:
        seen.append((await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")[0])
        writer.write(reply(b"[]", b"Content-Type: application/json"))
        await writer.drain()

    async def go() -> object:
        async with running(proxy) as server:
            monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{server.port}")
            http = GrafanaHttp(GrafanaSettings(url="http://grafana.invalid:3000"), metrics=NullMetrics())
            try:
                return await http.get_json("/api/search", route="/api/search")
            finally:
                await http.aclose()

    assert asyncio.run(go()) == []
    assert seen == [b"GET http://grafana.invalid:3000/api/search HTTP/1.1"]


@synchronous
async def test_the_read_timeout_applies_to_each_read_not_to_the_whole_body() -> None:
    async def trickle(reader: Reader, writer: Writer, server: Server) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n")
        for _ in range(8):  # 8 x 0.1 s: longer than the timeout in all, never silent for that long
            await asyncio.sleep(0.1)
            writer.write(b"x")
            await writer.drain()
        await reader.read()

    async with running(trickle) as server, client(server, timeout=0.5) as http:
        assert (await http.get("/")).content == b"x" * 8


@synchronous
async def test_a_body_that_stalls_gives_a_read_timeout() -> None:
    async def stall(reader: Reader, writer: Writer, server: Server) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nxx")
        await writer.drain()
        await asyncio.sleep(5)

    async with running(stall) as server, client(server, timeout=0.3) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/")


@synchronous
async def test_an_answer_sent_before_a_large_body_was_read_is_returned() -> None:
    async def refuse_early(reader: Reader, writer: Writer, server: Server) -> None:
        await reader.readuntil(b"\r\n\r\n")  # the head only: the body is never read
        writer.write(reply(b'{"message":"too large"}', b"Connection: close", status=b"413 Payload Too Large"))
        await writer.drain()
        writer.transport.abort()  # a reset, as a server closing with unread data sends

    async with running(refuse_early) as server, client(server) as http:
        response = await http.post("/", content=b"x" * 32_000_000)
    assert response.status_code == 413
    assert response.json() == {"message": "too large"}
