"""The emulator's own request/response values, independent of the socket layer.

Role: route modules receive a `Request` and return a `Response` (or raise `HttpError`).
`app/server.py` converts between these and the wire. Nothing here touches sockets or the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from syncer.emulator.identity import Identity
from syncer.emulator.store import gojson

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"  # what Grafana's web layer sends


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON_CONTENT_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, document: Any, *, sort_keys: bool = False) -> Response:
    body = gojson.dumps(document) if sort_keys else gojson.dumps_ordered(document)
    return Response(status, body)


def message_response(status: int, message: str, *, status_token: str = "") -> Response:
    """Grafana's `{"message": ...}` error body, with the dashboard `status` token when given."""
    if status_token:
        return json_response(status, {"status": status_token, "message": message})
    return json_response(status, {"message": message})


class HttpError(Exception):
    """Raised by handlers to end the request with a prepared response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response

    @classmethod
    def message(cls, status: int, message: str, *, status_token: str = "") -> HttpError:
        return cls(message_response(status, message, status_token=status_token))


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    identity: Identity | None = None
    org_id: int = 1

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        return self.query.get(name, [])

    def int_arg(self, name: str, default: int) -> int:
        try:
            return int(self.arg(name, str(default)))
        except ValueError:
            return default

    def json(self, *, float64: bool = True) -> Any:
        """The decoded body; a body Go could not bind gives Grafana's 400 `bad request data`."""
        try:
            return gojson.loads(self.body or b"null", float64=float64)
        except gojson.InvalidJSON as exc:
            raise HttpError.message(400, "bad request data") from exc

    def json_object(self, *, float64: bool = True) -> dict[str, Any]:
        document = self.json(float64=float64)
        if not isinstance(document, dict):
            raise HttpError.message(400, "bad request data")
        return document

    @property
    def caller(self) -> Identity:
        assert self.identity is not None, "route needs an authenticated caller"
        return self.identity


def forbid_viewer(request: Request, permission: str) -> None:
    """Grafana's RBAC middleware answer when the caller lacks a write action."""
    if not request.caller.can_write:
        raise HttpError(
            json_response(
                403,
                {
                    "accessErrorId": "ACE0000000001",
                    "message": "You'll need additional permissions to perform this action. "
                    f"Permissions needed: {permission}",
                    "title": "Access denied",
                },
            )
        )
