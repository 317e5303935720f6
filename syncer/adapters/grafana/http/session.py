"""The one HTTP layer every Grafana adapter shares (legacy `/api` and k8s-style `/apis`).

Who calls it: `syncer.adapters.grafana.legacy.adapter` (and the resources adapter) build one `GrafanaHttp`
per run and send every request through `request()`. It owns: the keep-alive connection pool sized
to the run's concurrency (an httpx client on the httpx-aiohttp transport, see transport.py), timeouts,
authentication (a Bearer token re-read from `token_file` on every request so rotated tokens take
effect, or basic auth), `X-Grafana-Org-Id`, TLS, retries with backoff
for transient failures, the request counter and the `api_request` metric.

It must not interpret Grafana payloads or decide what a 412/409 means for a dashboard: it raises
the classified error and the adapter/executor decide. No secret ever appears in an error message.
"""

from __future__ import annotations

import asyncio
import base64
import os
import ssl
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import httpx
from pydantic import SecretStr

from syncer import __version__
from syncer.adapters.grafana.errors import error_for_response, error_for_transport, parse_retry_after
from syncer.adapters.grafana.http.transport import build_client
from syncer.adapters.grafana.retry import RetryPolicy
from syncer.logs import credential_forms, get_logger, note, scrub_text
from syncer.model import jsontext
from syncer.model.errors import ConfigError, GrafanaError, ServerError
from syncer.model.limits import DEFAULT_CONCURRENCY
from syncer.ports import MetricsPort

log = get_logger(__name__)


class HttpSettings(Protocol):
    """What this layer reads of `syncer.settings.model.GrafanaSettings` (adapters sit below settings,
    so they depend on this shape, not on the settings module)."""

    @property
    def url(self) -> str: ...
    @property
    def user(self) -> str | None: ...
    @property
    def password(self) -> SecretStr | None: ...
    @property
    def org_id(self) -> int: ...
    @property
    def ca_cert(self) -> Path | None: ...
    @property
    def client_cert(self) -> Path | None: ...
    @property
    def client_key(self) -> Path | None: ...
    @property
    def insecure_skip_verify(self) -> bool: ...
    @property
    def timeout_s(self) -> float: ...
    @property
    def retries(self) -> int: ...

    def read_token(self) -> SecretStr | None:
        """The token, re-read from its file on every call when configured that way."""
        ...


Params = Mapping[str, str | int | list[str]]
Sleep = Callable[[float], Awaitable[None]]


def build_tls(settings: HttpSettings) -> ssl.SSLContext | bool:
    """`verify` for httpx: the system trust store (True) for plain setups, else a context holding the
    CA bundle and client certificate, with verification switched off only by insecure_skip_verify."""
    if settings.insecure_skip_verify:
        print(
            "syncer: WARNING: TLS certificate verification is DISABLED (--insecure-skip-verify); "
            "the connection to Grafana can be intercepted",
            file=sys.stderr,
            flush=True,
        )
        log.warning("TLS certificate verification disabled by insecure_skip_verify")
    if not (settings.url.startswith("https") or settings.ca_cert or settings.client_cert):
        return True if proxy_may_apply(settings.url) else no_tls_needed()
    try:
        ctx = ssl.create_default_context(cafile=str(settings.ca_cert) if settings.ca_cert else None)
        if settings.client_cert:
            key = str(settings.client_key) if settings.client_key else None
            ctx.load_cert_chain(str(settings.client_cert), key)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load TLS material: {exc}") from exc
    if settings.insecure_skip_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def no_tls_needed() -> ssl.SSLContext:
    """For a plain-HTTP URL without a proxy no TLS connection is ever made: a context that trusts no
    certificate at all (so it fails closed), instead of loading the trust store (40 ms of CPU)."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def proxy_may_apply(url: str) -> bool:
    """Whether the environment names a proxy for `url`'s scheme (or for all schemes): an HTTPS
    proxy for a plain-HTTP Grafana needs the trust store after all."""
    scheme = url.split("://", 1)[0].lower()
    wanted = {f"{scheme}_proxy", "all_proxy"}
    return any(name.lower() in wanted and value for name, value in os.environ.items())


class GrafanaHttp:
    """A pooled, authenticated, retrying HTTP client bound to one Grafana organisation."""

    def __init__(
        self,
        settings: HttpSettings,
        *,
        metrics: MetricsPort,
        concurrency: int = DEFAULT_CONCURRENCY,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not settings.url:
            raise ConfigError(
                "no Grafana URL given (use --url, GRAFANA_URL or grafana.url in the config file)"
            )
        self._settings = settings
        self._metrics = metrics
        self._retry = retry or RetryPolicy(retries=settings.retries)
        self._sleep = sleep
        self._requests = 0
        self._client = build_client(
            base_url=settings.url.rstrip("/"),
            verify=build_tls(settings),
            max_connections=concurrency + 2,
            timeout_s=settings.timeout_s,
            headers={"User-Agent": f"syncer/{__version__}", "Accept": "application/json"},
            transport=transport,
        )

    @property
    def request_count(self) -> int:
        return self._requests

    @property
    def settings(self) -> HttpSettings:
        return self._settings

    async def aclose(self) -> None:
        await self._client.aclose()

    def _auth_headers(self) -> dict[str, str]:
        headers = {"X-Grafana-Org-Id": str(self._settings.org_id)}
        token = self._settings.read_token()
        if token is not None and token.get_secret_value():
            headers["Authorization"] = f"Bearer {token.get_secret_value()}"
        elif self._settings.user:
            password = self._settings.password.get_secret_value() if self._settings.password else ""
            pair = base64.b64encode(f"{self._settings.user}:{password}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {pair}"
        return headers

    def _scrub(self, error: GrafanaError) -> GrafanaError:
        """Belt and braces: a server could echo a credential back in its message (a proxy echoing
        the request headers, say), in any encoding: never pass it on."""
        text = str(error)
        scrubbed = scrub_text(
            text, credential_forms(self._secret_token(), self._settings.user, self._secret_password())
        )
        if scrubbed != text:
            error.args = (scrubbed,)
        return error

    def _secret_token(self) -> str:
        try:
            token = self._settings.read_token()
        except ConfigError:
            return ""
        return token.get_secret_value() if token else ""

    def _secret_password(self) -> str:
        return self._settings.password.get_secret_value() if self._settings.password else ""

    async def request(
        self,
        method: str,
        path: str,
        *,
        route: str,
        params: Params | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """Send one logical request (retrying transient failures); return the 2xx response or raise.

        `route` is the path template (e.g. "/api/dashboards/uid/:uid") used for metrics and messages.
        """
        attempt = 0
        while True:
            try:
                return await self._attempt(method, path, route=route, params=params, json=json)
            except GrafanaError as raw:
                error = self._scrub(raw)
                if not self._retry.should_retry(error, attempt):
                    # from None: the scrubbed error is re-raised; what it was raised from may be unscrubbed
                    raise error from None
                delay = self._retry.delay(attempt, error.retry_after)
                note(
                    log,
                    "debug",
                    "retrying request",
                    method=method,
                    route=route,
                    seconds=round(delay, 2),
                    error=str(error),
                )
                attempt += 1
                await self._sleep(delay)

    async def _attempt(
        self, method: str, path: str, *, route: str, params: Params | None, json: Any
    ) -> httpx.Response:
        self._requests += 1
        headers = self._auth_headers()
        content = None
        if json is not None:
            # why not httpx's json=: it encodes with the stdlib, the largest CPU cost of a cold apply;
            # bytes are a body the caller encoded already (no JSON value is bytes)
            content = json if isinstance(json, bytes) else jsontext.dumps(json)
            headers["Content-Type"] = "application/json"
        try:
            response = await self._client.request(
                method, path, params=params, content=content, headers=headers
            )
        except (httpx.TransportError, ssl.SSLError) as exc:
            # why ssl.SSLError too: a TLS 1.3 server refusing our client certificate says so only
            # after the handshake, and that alert can surface unwrapped while the response is read
            self._metrics.api_request(method, route, 0)
            # from None: the transport error names the URL (user:password@ possible); its text is redacted
            raise error_for_transport(method, route, exc) from None
        self._metrics.api_request(method, route, response.status_code)
        if response.is_success:
            return response
        error = error_for_response(method, route, response)
        # why: Retry-After may come with a 503 too, not only 429
        error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise error

    async def get_json(self, path: str, *, route: str, params: Params | None = None) -> Any:
        return await self.request_json("GET", path, route=route, params=params)

    async def request_json(
        self, method: str, path: str, *, route: str, params: Params | None = None, json: Any = None
    ) -> Any:
        """`request()` and the decoded JSON body; a 2xx that is not JSON (a proxy's HTML page) is a
        ServerError, so it is reported per action like any other server failure."""
        response = await self.request(method, path, route=route, params=params, json=json)
        try:
            return jsontext.loads(response.content)
        except ValueError:
            raise ServerError(
                f"{method} {route}: HTTP {response.status_code} but the body is not JSON",
                status=response.status_code,
                method=method,
                route=route,
            ) from None  # not chained: the parse error quotes the body, which may echo a credential
