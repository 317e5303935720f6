"""All k8s-style routes (`/apis/...`): discovery plus the dashboard and folder resources.

Role: the single module `app/server.py` registers for `/apis`; the routes are generated from the
profile's group versions so a client using discovery only sees what the profile offers.
"""

from __future__ import annotations

from syncer.emulator.config import EmulatorContext
from syncer.emulator.resources import dashboards, discovery, folders
from syncer.emulator.web.routes import Route


def routes(ctx: EmulatorContext) -> list[Route]:
    return [*discovery.routes(ctx), *dashboards.routes(ctx), *folders.routes(ctx)]
