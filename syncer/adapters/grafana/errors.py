"""Map an HTTP failure from Grafana onto syncer's error tree (syncer.model.errors).

Who calls it: `syncer.adapters.grafana.http.session` for every non-2xx response and transport error.
It must not retry, log or decide policy; it only classifies. Messages name the method, the
route template and Grafana's own message, and never contain a credential.
"""

from __future__ import annotations

import json

import httpx

from syncer.model.errors import (
    AlreadyExists,
    Forbidden,
    GrafanaError,
    Invalid,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
    Unreachable,
    VersionConflict,
)

_MAX_MESSAGE = 300


def server_message(response: httpx.Response) -> tuple[str, str]:
    """(message, status token) from a Grafana error body; tolerant of non-JSON bodies."""
    try:
        body = json.loads(response.content or b"null")
    except (ValueError, UnicodeDecodeError):
        return response.text[:_MAX_MESSAGE].strip(), ""
    if isinstance(body, dict):
        message = body.get("message") or body.get("error") or ""
        token = body.get("status") if isinstance(body.get("status"), str) else ""
        return str(message)[:_MAX_MESSAGE], str(token or "")
    return "", ""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds form; HTTP dates are rare from Grafana)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


_BY_STATUS: dict[int, type[GrafanaError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: AlreadyExists,  # adapters translate per route (a stale write on Grafana 13 / the k8s API)
}


def error_for_response(method: str, route: str, response: httpx.Response) -> GrafanaError:
    message, token = server_message(response)
    status = response.status_code
    text = f"{method} {route}: HTTP {status}" + (f": {message}" if message else "")
    if status == 401:
        text += " (check the token or user/password)"
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimited(text, retry_after=retry_after, status=status, method=method, route=route)
    cls = _class_for(status, token)
    return cls(text, status=status, method=method, route=route)


def _class_for(status: int, token: str) -> type[GrafanaError]:
    if status == 412:
        # a version mismatch, unless Grafana says otherwise (11.2 "name-exists", plugin dashboards)
        return VersionConflict if token in ("", "version-mismatch") else Invalid
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, Invalid)


def error_for_transport(method: str, route: str, exc: Exception) -> Unreachable:
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Unreachable(
        f"{method} {route}: cannot reach Grafana ({detail[:_MAX_MESSAGE]})", method=method, route=route
    )
