"""Conversions between aiohttp's request/response objects and the emulator's own values.

Role: `server.py` turns each aiohttp request into an `http.Request` (body read in full, query
parsed like Go's `url.ParseQuery`, header names lower-cased) and each `http.Response` into an
aiohttp response with an explicit Content-Length. Route modules never see aiohttp, so they can
be tested and reused without a server.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from aiohttp import web

from syncer.emulator.http import Request, Response


async def read_request(web_request: web.Request) -> Request:
    query = web_request.query_string
    return Request(
        method=web_request.method,
        path=web_request.path or "/",
        query=parse_qs(query, keep_blank_values=True) if query else {},
        headers={name.lower(): value for name, value in web_request.headers.items()},
        body=await web_request.read(),
    )


def to_web_response(response: Response) -> web.Response:
    headers = {"Content-Type": response.content_type, **response.headers}
    return web.Response(status=response.status, body=response.body, headers=headers)
