"""Conversions between aiohttp's request/response objects and the emulator's own values.

Role: `app/server.py` turns each aiohttp request into a `web.values.Request` (query parsed like Go's
`url.ParseQuery`, header names lower-cased; the body is read separately, after authentication,
as Grafana reads it in the handler) and each `web.values.Response` into an aiohttp response with an
explicit Content-Length. Route modules never see aiohttp, so they stay plain functions.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from aiohttp import web

from syncer.emulator.resources.common import status_document
from syncer.emulator.web.values import Request, Response, json_response, message_response


def request_head(web_request: web.Request) -> Request:
    """The request without its body (`read_body` fills it in)."""
    query = web_request.query_string
    return Request(
        method=web_request.method,
        path=web_request.path or "/",
        query=parse_qs(query, keep_blank_values=True) if query else {},
        headers={name.lower(): value for name, value in web_request.headers.items()},
        body=b"",
    )


async def read_body(web_request: web.Request, limit: int) -> bytes | None:
    """The whole body, or None when it is larger than `limit` (nothing more is read then)."""
    declared = web_request.content_length
    if declared is not None and declared > limit:
        return None
    try:
        return await web_request.read()  # the app's client_max_size is `limit`: chunked bodies too
    except web.HTTPRequestEntityTooLarge:
        return None


def too_large(path: str, limit: int) -> Response:
    """Grafana's 413: a k8s Status on `/apis` (k8s.io/apiserver `limitedReadBody`), else the
    legacy API's conversion of it (pkg/api/dashboard.go: dashboards get their own message)."""
    detail = f"limit is {limit}"
    if path.startswith("/apis"):
        document = status_document("RequestEntityTooLarge", f"Request entity too large: {detail}", code=413)
        return json_response(413, document)
    if path.startswith("/api/dashboards"):
        return message_response(413, f"Dashboard is too large, max is {limit // 1024 // 1024} MB")
    return message_response(413, f"Request entity too large: {detail}")


def to_web_response(response: Response) -> web.Response:
    headers = {"Content-Type": response.content_type, **response.headers}
    return web.Response(status=response.status, body=response.body, headers=headers)


def aiohttp_path(template: str) -> str:
    """`/api/dashboards/uid/:uid` -> `/api/dashboards/uid/{uid}` (aiohttp's placeholder syntax)."""
    return "/".join("{" + part[1:] + "}" if part.startswith(":") else part for part in template.split("/"))
