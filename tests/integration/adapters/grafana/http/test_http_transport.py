"""syncer's HTTP client (httpx on the httpx-aiohttp transport) against loopback servers that
misbehave on purpose.

The emulator-based suites already drive every Grafana call through it; these tests pin the wire
rules the emulator never exercises: chunked and close-delimited bodies, stale keep-alive
connections, responses cut short, informational answers, timeouts, the connection limit, proxies
from the environment, and which failures are resent. The servers here are raw sockets on purpose:
no well-behaved framework sends garbage or hangs up mid-answer.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from syncer.adapters.grafana.http.session import GrafanaHttp, build_tls
from syncer.adapters.grafana.http.transport import build_client
from syncer.model.errors import Unreachable
from syncer.ports import NullMetrics
from syncer.settings.model import GrafanaSettings

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
    """The client GrafanaHttp builds, pointed at `server`."""
    return build_client(
        base_url=f"http://127.0.0.1:{server.port}",
        verify=True,
        max_connections=max_connections,
        timeout_s=timeout,
        headers={},
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


def grafana_http(port: int, **settings: object) -> GrafanaHttp:
    """GrafanaHttp as a run builds it, retrying without waiting (the policy is not under test)."""

    async def no_wait(_: float) -> None:
        return None

    grafana = GrafanaSettings(url=f"http://127.0.0.1:{port}", **settings)  # type: ignore[arg-type]
    return GrafanaHttp(grafana, metrics=NullMetrics(), sleep=no_wait)


async def one_per_connection(reader: Reader, writer: Writer, server: Server) -> None:
    await server.read_request(reader)
    writer.write(reply(b"{}"))  # promises keep-alive, then closes as an idle timeout would
    await writer.drain()


@synchronous
async def test_a_keep_alive_connection_closed_while_idle_is_not_used() -> None:
    async with running(one_per_connection) as server, client(server) as http:
        for body in (b"1", b"2", b"3"):
            assert (await http.post("/", content=body)).status_code == 200
            await asyncio.sleep(0.05)  # the server's FIN arrives while the connection idles
    assert (server.connections, server.requests) == (3, 3)


@synchronous
async def test_a_write_on_a_connection_closed_a_moment_ago_is_resent_and_processed_once() -> None:
    """No pause between requests: a POST may go out on a connection the server has just closed.
    The transport does not resend a POST; GrafanaHttp's policy does, and the server saw it once."""
    async with running(one_per_connection) as server:
        http = grafana_http(server.port)
        try:
            for n in range(6):
                assert await http.request_json("POST", "/", route="/", json={"n": n}) == {}
        finally:
            await http.aclose()
    assert server.requests == 6
    assert http.request_count > 6  # some went out on a closed connection and were sent again


@synchronous
async def test_a_response_cut_short_is_an_error_and_not_retried() -> None:
    async def cut(reader: Reader, writer: Writer, server: Server) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{partial")
        await writer.drain()

    async with running(cut) as server, client(server) as http:
        with pytest.raises(httpx.RemoteProtocolError, match="cut short"):
            await http.post("/", content=b"x")
    assert (server.connections, server.requests) == (1, 1)


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
    async with client(server, max_connections=1) as http:
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


async def answer_once(reader: Reader, writer: Writer, server: Server) -> None:
    await server.read_request(reader)
    writer.write(reply(b"{}"))
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")  # the next request arrives: close without a word


@synchronous
async def test_a_reused_connection_closed_before_answering_resends_a_get_on_a_new_one() -> None:
    async with running(answer_once) as server, client(server) as http:
        assert (await http.get("/")).status_code == 200
        assert (await http.get("/")).status_code == 200
    assert (server.connections, server.requests) == (2, 2)


@synchronous
async def test_a_reused_connection_closed_before_answering_does_not_resend_a_post() -> None:
    """The server read the POST: it may have acted on it, so the transport must not send it again."""
    async with running(answer_once) as server, client(server) as http:
        assert (await http.post("/", content=b"1")).status_code == 200
        with pytest.raises(httpx.RemoteProtocolError, match="disconnected"):
            await http.post("/", content=b"2")
    assert (server.connections, server.requests) == (1, 1)


@synchronous
async def test_a_new_connection_closed_before_answering_is_an_error() -> None:
    async def hang_up(reader: Reader, writer: Writer, server: Server) -> None:
        await server.read_request(reader)

    async with running(hang_up) as server, client(server) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post("/", content=b"1")
    assert (server.connections, server.requests) == (1, 1)


def through_proxy(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], url: str
) -> tuple[object, list[bytes]]:
    """One GrafanaHttp GET of `url` with `env` set (PROXY in a value is the proxy's address); what
    came back (or the error) and the request lines the proxy saw."""
    seen: list[bytes] = []

    async def proxy(reader: Reader, writer: Writer, server: Server) -> None:
        line = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")[0]
        seen.append(line)
        if line.startswith(b"CONNECT"):  # a tunnel for HTTPS: refused here, seeing it is enough
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        else:
            writer.write(reply(b"[]", b"Content-Type: application/json"))
        await writer.drain()

    async def go() -> object:
        async with running(proxy) as server:
            for name, value in env.items():
                monkeypatch.setenv(name, value.replace("PROXY", f"http://127.0.0.1:{server.port}"))
            http = GrafanaHttp(GrafanaSettings(url=url, retries=0, timeout_s=2), metrics=NullMetrics())
            try:
                return await http.get_json("/api/search", route="/api/search")
            except Unreachable as exc:
                return exc
            finally:
                await http.aclose()

    return asyncio.run(go()), seen


def test_http_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    answer, seen = through_proxy(monkeypatch, {"http_proxy": "PROXY"}, "http://grafana.invalid:3000")
    assert answer == []
    assert seen == [b"GET http://grafana.invalid:3000/api/search HTTP/1.1"]


def test_https_proxy_from_the_environment_tunnels(monkeypatch: pytest.MonkeyPatch) -> None:
    answer, seen = through_proxy(monkeypatch, {"HTTPS_PROXY": "PROXY"}, "https://grafana.invalid")
    assert seen == [b"CONNECT grafana.invalid:443 HTTP/1.1"]
    assert isinstance(answer, Unreachable)
    assert "proxy" in str(answer).lower()


def test_no_proxy_hosts_are_reached_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    async def direct(reader: Reader, writer: Writer, server: Server) -> None:
        await server.read_request(reader)
        writer.write(reply(b'["direct"]'))
        await writer.drain()

    async def serve_then_fetch() -> tuple[object, list[bytes]]:
        async with running(direct) as target:
            env = {"HTTP_PROXY": "PROXY", "NO_PROXY": "localhost,127.0.0.1"}
            return await asyncio.to_thread(through_proxy, monkeypatch, env, f"http://127.0.0.1:{target.port}")

    answer, seen = asyncio.run(serve_then_fetch())
    assert (answer, seen) == (["direct"], [])


def test_plain_http_needs_no_trust_store_and_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    context = build_tls(GrafanaSettings(url="http://grafana:3000"))
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0  # trusts nothing: a TLS peer would be refused
    monkeypatch.setenv("HTTP_PROXY", "https://proxy.example:3128")
    assert build_tls(GrafanaSettings(url="http://grafana:3000")) is True  # a TLS proxy: trust store


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


@synchronous
async def test_a_cookie_the_server_sets_goes_back_once() -> None:
    """httpx keeps the cookies (a proxy's sticky session, say) and sends each back once; the engine
    under it keeps no jar of its own."""
    heads: list[bytes] = []

    async def sets_a_cookie(reader: Reader, writer: Writer, server: Server) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            heads.append(head)
            writer.write(reply(b"{}", b"Set-Cookie: sticky=a1; Path=/"))
            await writer.drain()

    async with running(sets_a_cookie) as server:
        # a host name, not an address: aiohttp's own jar refuses cookies from IP addresses
        named = build_client(
            base_url=f"http://localhost:{server.port}",
            verify=True,
            max_connections=2,
            timeout_s=5,
            headers={},
        )
        async with named as http:
            for _ in range(2):
                assert (await http.get("/x")).status_code == 200
    cookies = [line.lower() for line in heads[1].split(b"\r\n") if line.lower().startswith(b"cookie:")]
    assert cookies == [b"cookie: sticky=a1"]
    assert b"cookie:" not in heads[0].lower()
