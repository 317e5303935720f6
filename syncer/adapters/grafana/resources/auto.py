"""`api: auto`: a `GrafanaPort` that asks the server (`GET /apis`) once, then speaks what it offers.

Who calls it: `syncer.adapters.grafana.resources.adapter.build` (reached from `syncer.app.build_grafana`).
The choice is made lazily on the first call (building adapters does no I/O), logged once, and
reported in `ServerInfo.detail`, so `syncer plan` and the daemon's logs say which API is in use.
It must not add behaviour of its own: every port method is delegated unchanged.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Collection
from dataclasses import replace

from syncer.adapters.grafana.discovery import (
    AUTO,
    LEGACY,
    ApiChoice,
    ResourceVersions,
    choose_api,
    fetch_catalogue,
)
from syncer.adapters.grafana.http.session import GrafanaHttp
from syncer.logs import get_logger, is_configured
from syncer.model.errors import Forbidden
from syncer.model.state import (
    DesiredDashboard,
    DesiredFolder,
    LiveDashboard,
    LiveFolder,
    LiveState,
    OwnershipMarker,
)
from syncer.ports import DataSource, GrafanaPort, SaveResult, ServerInfo

log = get_logger(__name__)


class AutoGrafana:
    """Discovers on first use, then delegates to the legacy or the resources adapter."""

    def __init__(
        self,
        http: GrafanaHttp,
        *,
        make_legacy: Callable[[], GrafanaPort],
        make_resources: Callable[[ResourceVersions], GrafanaPort],
    ) -> None:
        self._http = http
        self._make_legacy = make_legacy
        self._make_resources = make_resources
        self._chosen: GrafanaPort | None = None
        self._choice: ApiChoice | None = None
        self._lock = asyncio.Lock()

    @property
    def choice(self) -> ApiChoice | None:
        """The decision, once made (None before the first call)."""
        return self._choice

    async def delegate(self) -> GrafanaPort:
        async with self._lock:
            if self._chosen is None:
                self._choice = await self._decide()
                _announce(self._choice)
                if self._choice.versions is None:
                    self._chosen = self._make_legacy()
                else:
                    self._chosen = self._make_resources(self._choice.versions)
            return self._chosen

    async def _decide(self) -> ApiChoice:
        try:
            catalogue = await fetch_catalogue(self._http)
        except Forbidden:
            # why: a token without access to discovery can still use the legacy API it was made for
            return ApiChoice(LEGACY, None, "auto: /apis is forbidden for these credentials")
        return choose_api(catalogue, AUTO)

    @property
    def request_count(self) -> int:
        return self._http.request_count

    async def aclose(self) -> None:
        await self._http.aclose()

    async def server_info(self) -> ServerInfo:
        info = await (await self.delegate()).server_info()
        choice = self._choice
        # the resources adapter's own detail already names the versions; legacy needs the reason
        why = "auto: the server offers the resource API" if choice and choice.versions else ""
        why = why or (choice.reason if choice else "")
        return replace(info, detail="; ".join(p for p in (why, info.detail) if p))

    async def fetch_live(self, dashboard_uids: Collection[str] | None) -> LiveState:
        return await (await self.delegate()).fetch_live(dashboard_uids)

    async def get_dashboard(self, uid: str) -> LiveDashboard | None:
        return await (await self.delegate()).get_dashboard(uid)

    async def create_folder(self, folder: DesiredFolder, marker: OwnershipMarker) -> LiveFolder:
        return await (await self.delegate()).create_folder(folder, marker)

    async def update_folder(
        self, folder: DesiredFolder, live: LiveFolder, marker: OwnershipMarker
    ) -> LiveFolder:
        return await (await self.delegate()).update_folder(folder, live, marker)

    async def delete_folder(self, live: LiveFolder) -> None:
        await (await self.delegate()).delete_folder(live)

    async def save_dashboard(
        self,
        desired: DesiredDashboard,
        live: LiveDashboard | None,
        marker: OwnershipMarker,
        message: str,
    ) -> SaveResult:
        return await (await self.delegate()).save_dashboard(desired, live, marker, message)

    async def delete_dashboard(self, live: LiveDashboard) -> None:
        await (await self.delegate()).delete_dashboard(live)

    async def list_datasources(self) -> list[DataSource]:
        return await (await self.delegate()).list_datasources()


# One-shot commands say which API `auto` chose only with -v: printed on every run it buried the
# signal, and a wrong URL sub-path read as an API choice (issue 18). Set by the CLI.
ANNOUNCE_ON_STDERR = [False]


def _announce(choice: ApiChoice) -> None:
    """Say which API `auto` chose: a structured log line in the daemon; in one-shot commands (no
    logging configured, stdout reserved for the report) one line on stderr, when asked (-v)."""
    if is_configured():
        log.info("grafana api chosen", api=choice.flavour, reason=choice.reason)
    elif ANNOUNCE_ON_STDERR[0]:
        print(f"syncer: using the {choice.flavour} API ({choice.reason})", file=sys.stderr, flush=True)
