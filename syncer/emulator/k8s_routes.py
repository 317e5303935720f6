"""All k8s-style routes (`/apis/...`): discovery plus the dashboard and folder resources.

Role: the single module `server.py` registers for `/apis`; the routes are generated from the
profile's group versions so a client using discovery only sees what the profile offers.
"""

from __future__ import annotations

from syncer.emulator import k8s_dashboards, k8s_discovery, k8s_folders
from syncer.emulator.config import EmulatorContext
from syncer.emulator.routing import Route


def routes(ctx: EmulatorContext) -> list[Route]:
    return [*k8s_discovery.routes(ctx), *k8s_dashboards.routes(ctx), *k8s_folders.routes(ctx)]
