"""Route declarations: `METHOD /path/:param` templates mapped to handler functions.

Role: route modules declare `Route` values through their `routes()`; `app/server.py` registers
each one into aiohttp's router with `aiohttp_path` (aiohttp does the matching, including the
404/405 distinction). The template text stays the emulator's own vocabulary because it is
also the key of the request counters and of fault rules (`GET /api/dashboards/uid/:uid`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from syncer.emulator.web.values import Request, Response

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


def aiohttp_path(template: str) -> str:
    """`/api/dashboards/uid/:uid` -> `/api/dashboards/uid/{uid}` (aiohttp's placeholder syntax)."""
    return "/".join("{" + part[1:] + "}" if part.startswith(":") else part for part in template.split("/"))
