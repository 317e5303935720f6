"""The httpx client every Grafana request goes through, on the `httpx-aiohttp` transport.

Who calls it: `GrafanaHttp` builds one per run with `build_client()`. httpx stays the API (requests,
responses, timeouts, proxies from the environment); aiohttp, a well-kept HTTP engine, does the wire
work underneath: keep-alive pooling bounded to `max_connections`, HTTP/1.1 framing, TLS, per-read
timeouts. Why: measured against `syncer emulator` (600 POSTs and GETs of a 26 kB dashboard, see
docs/benchmarks.md), httpx's default transport costs 0.9-1.0 ms of client CPU per request, this one
0.3-0.5 ms; syncer no longer frames HTTP or handles sockets itself.

What this module adds to the library: aiohttp's failures mapped onto the precise httpx exception
(httpx-aiohttp's own table turns a server hanging up into a "ConnectTimeout", and lets a malformed
answer escape as a raw aiohttp error), so `GrafanaHttp` classifies every failure and says truly what
happened. Retries: aiohttp resends only idempotent requests (GET, PUT, DELETE) whose reused
keep-alive connection the server had closed before answering (RFC 9112 §9.3.1); everything else is
raised, and `GrafanaHttp`'s retry policy decides.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport, HttpxAiohttpClient

Cert = str | tuple[str, str] | tuple[str, str, str] | None
_DEFAULT_LIMITS = httpx.Limits()

# most specific first: several aiohttp errors derive from one another
_PRECISE: tuple[tuple[type[BaseException], type[httpx.TransportError], str], ...] = (
    (aiohttp.ClientHttpProxyError, httpx.ProxyError, "the proxy refused the request"),
    (aiohttp.ClientProxyConnectionError, httpx.ProxyError, "cannot connect to the proxy"),
    (aiohttp.ClientConnectorError, httpx.ConnectError, ""),
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout, "connecting timed out"),
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout, "reading the response timed out"),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout, "the server did not answer in time"),
    (
        aiohttp.ServerDisconnectedError,
        httpx.RemoteProtocolError,
        "server disconnected without sending a complete response",
    ),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError, "the response body was cut short"),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError, "malformed response"),
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol, "invalid URL"),
    (aiohttp.ClientOSError, httpx.NetworkError, ""),
    (aiohttp.ClientError, httpx.TransportError, ""),
)


def precise_error(exc: BaseException, request: httpx.Request) -> httpx.TransportError | None:
    """The httpx exception that says what `exc` (an aiohttp failure) means, or None if it is not one."""
    for source, target, summary in _PRECISE:
        if isinstance(exc, source):
            detail = str(exc)
            text = f"{summary}: {detail}" if summary and detail else summary or detail
            return target(text or type(exc).__name__, request=request)
    return None


@contextmanager
def _mapped(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except httpx.TransportError as exc:
        # httpx-aiohttp's coarse mapping: its cause is the aiohttp error that says what happened
        better = precise_error(exc.__cause__, request) if exc.__cause__ else None
        # from None here and below: aiohttp's text names the URL, which may carry user:password@
        raise (better or exc) from None
    except aiohttp.ClientError as exc:
        raise precise_error(exc, request) or exc from None


class _Body(httpx.AsyncByteStream):
    """The response body as httpx-aiohttp streams it, with failures while reading mapped too."""

    def __init__(self, inner: httpx.AsyncByteStream, request: httpx.Request) -> None:
        self._inner = inner
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped(self._request):
            async for chunk in self._inner:
                yield chunk

    async def aclose(self) -> None:
        with _mapped(self._request):
            await self._inner.aclose()


class Transport(AiohttpTransport):
    """httpx-aiohttp's transport with precise exceptions (see the module docstring), and no cookie
    jar of aiohttp's own: cookies are httpx's (its jar sends them in the Cookie header); a second jar
    underneath kept them too and merged them into that header again on every request. With the
    response no longer built twice, 0.03-0.06 ms less client CPU per request (2,000 GETs of a
    dashboard, alternating with the old transport, 2026-12-07)."""

    def get_client(self) -> aiohttp.ClientSession:
        if self.client is not None or self.uds:
            return super().get_client()
        connector = aiohttp.TCPConnector(
            keepalive_timeout=self.limits.keepalive_expiry,
            ssl=self.ssl_context,
            limit=self.limits.max_connections or 0,  # 0: aiohttp's "no limit", as httpx's None
        )
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with _mapped(request):
            response = await super().handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        # the body's read errors mapped too; the response itself is kept (building a second one
        # would parse its headers again)
        response.stream = _Body(response.stream, request)
        return response


class _Client(HttpxAiohttpClient):
    """httpx's client with our transport for direct and proxied URLs (httpx mounts a transport per
    proxy it finds in HTTP_PROXY / HTTPS_PROXY / ALL_PROXY, and none for hosts in NO_PROXY)."""

    def _init_transport(  # noqa: PLR0917 (httpx's hook, called with keywords)
        self,
        verify: ssl.SSLContext | str | bool = True,
        cert: Cert = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = _DEFAULT_LIMITS,
        transport: httpx.AsyncBaseTransport | None = None,
        **_: Any,
    ) -> httpx.AsyncBaseTransport:
        return transport or Transport(verify=verify, cert=cert, trust_env=trust_env, limits=limits)

    def _init_proxy_transport(  # noqa: PLR0917 (httpx's hook, called with keywords)
        self,
        proxy: httpx.Proxy,
        verify: ssl.SSLContext | str | bool = True,
        cert: Cert = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = _DEFAULT_LIMITS,
        **_: Any,
    ) -> httpx.AsyncBaseTransport:
        return Transport(verify=verify, cert=cert, trust_env=trust_env, limits=limits, proxy=proxy)


def build_client(
    *,
    base_url: str,
    verify: ssl.SSLContext | bool,
    max_connections: int,
    timeout_s: float,
    headers: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """An httpx client on our transport: at most `max_connections` open (all kept alive between
    requests), `timeout_s` for each read and write, connecting within 10 s at most, no redirects
    followed (a redirect from Grafana's API is an error to report, not a place to send the token)."""
    return _Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        verify=verify,
        headers=dict(headers),
        transport=transport,
        follow_redirects=False,
    )
