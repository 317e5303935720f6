"""Why a Grafana URL does not work, in words a user can act on: probe `/api/health` (which Grafana
serves without credentials) when a command failed to talk to Grafana.

Who calls it: `syncer.app.diagnose_url`, for the CLI, after a fatal Grafana error only (never on
the happy path: it costs a request). It answers "the server does not speak TLS: is it http://?",
"nothing listens at ...", "nothing that looks like Grafana answers at ...; check --url and its
sub-path", or "Grafana answers at <root>: drop the sub-path". It never echoes credentials.
"""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit, urlunsplit

import httpx

HEALTH = "/api/health"
TLS_MISMATCH = (
    "wrong_version_number",
    "wrong version number",
    "record layer failure",
    "packet length too long",
)


def shown(url: str) -> str:
    """The URL without user info, query or fragment."""
    parts = urlsplit(url)
    netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


async def diagnose(url: str, *, verify: ssl.SSLContext | bool = True, timeout_s: float = 5.0) -> str | None:
    """One sentence about what answers at `url`, or None when Grafana answers there (the failure
    is something else: credentials, permissions, a dashboard)."""
    base = shown(url)
    async with httpx.AsyncClient(verify=verify, timeout=timeout_s, follow_redirects=False) as client:
        try:
            response = await client.get(base + HEALTH)
        except (httpx.TransportError, ssl.SSLError) as exc:
            return _transport_hint(base, exc)
        if _looks_like_grafana(response):
            return None
        hint = (
            f"nothing that looks like Grafana answers at {base} (GET {HEALTH} gave HTTP "
            f"{response.status_code}); check --url and its sub-path"
        )
        root = _root(base)
        if root != base and await _grafana_at(client, root):
            hint += f"; Grafana answers at {root}: drop the sub-path {urlsplit(base).path}"
        return hint


def _transport_hint(base: str, exc: Exception) -> str:
    text = str(exc).lower()
    parts = urlsplit(base)
    if parts.scheme == "https" and any(marker in text for marker in TLS_MISMATCH):
        plain = urlunsplit(("http", parts.netloc, parts.path, "", ""))
        return f"the server at {parts.netloc} does not speak TLS: is it {plain}?"
    if "certificate" in text:
        return f"the certificate of {parts.netloc} is not trusted: give its CA with --ca-cert"
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer from {base} within the timeout: is the host right and reachable?"
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return f"the host {parts.hostname} cannot be resolved: check --url"
    return f"nothing answers at {base} ({type(exc).__name__}): is Grafana running there? check --url"


def _looks_like_grafana(response: httpx.Response) -> bool:
    if response.status_code != 200:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "database" in body


async def _grafana_at(client: httpx.AsyncClient, base: str) -> bool:
    try:
        return _looks_like_grafana(await client.get(base + HEALTH))
    except (httpx.TransportError, ssl.SSLError):
        return False


def _root(base: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))
