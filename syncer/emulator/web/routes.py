"""Route declarations: `METHOD /path/:param` templates mapped to handler functions.

Role: route modules declare `Route` values through their `routes()`; `app/server.py` registers
each one into aiohttp's router through `app.aiohttp_values.aiohttp_path` (aiohttp does the
matching, including the 404/405 distinction). The template text stays the emulator's own
vocabulary because it is also the key of the request counters and of fault rules
(`GET /api/dashboards/uid/:uid`).
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
