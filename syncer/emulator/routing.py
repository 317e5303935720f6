"""Route table: `METHOD /path/:param` templates mapped to handler functions.

Role: `server.py` asks `Router.match` for the handler and the template (the template is also
the key of the request counters). Route modules register themselves through `routes()`.
Matching is by segment count first so the hot path stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from syncer.emulator.http import Request, Response

Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    needs_auth: bool = True

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


@dataclass(frozen=True)
class Match:
    route: Route
    params: dict[str, str]


class Router:
    def __init__(self) -> None:
        self._by_shape: dict[tuple[str, int], list[tuple[list[str], Route]]] = {}
        self._templates: set[str] = set()

    def add(self, route: Route) -> None:
        segments = route.template.strip("/").split("/")
        bucket = self._by_shape.setdefault((route.method, len(segments)), [])
        bucket.append((segments, route))
        self._templates.add(route.template)

    def match(self, method: str, path: str) -> Match | None:
        segments = path.strip("/").split("/")
        for template, route in self._by_shape.get((method, len(segments)), ()):
            params = _bind(template, segments)
            if params is not None:
                return Match(route, params)
        return None

    def path_known(self, path: str) -> bool:
        """True when some method serves this path (so a wrong method is a 405, not a 404)."""
        segments = path.strip("/").split("/")
        return any(
            _bind(template, segments) is not None
            for (_, size), bucket in self._by_shape.items()
            if size == len(segments)
            for template, _ in bucket
        )


def _bind(template: list[str], segments: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for expected, actual in zip(template, segments, strict=True):
        if expected.startswith(":"):
            if not actual:
                return None
            params[expected[1:]] = actual
        elif expected != actual:
            return None
    return params
