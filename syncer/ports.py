"""Protocols the engine needs from the outside world. Adapters implement them; tests may fake them.

The engine is asynchronous: one event loop per process, bounded concurrency with semaphores.
Every Grafana adapter (legacy `/api`, resources `/apis`) implements `GrafanaPort` with the same
semantics, so the planner, executor, CLI and daemon work unchanged on either.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

from syncer.model.state import (
    JSON,
    DesiredDashboard,
    DesiredFolder,
    DesiredState,
    LiveDashboard,
    LiveFolder,
    LiveState,
    OwnershipMarker,
)


@dataclass(frozen=True)
class ServerInfo:
    version: str
    api: str  # "legacy" or "resources": which adapter is talking
    detail: str = ""


@dataclass(frozen=True)
class DataSource:
    uid: str
    name: str
    type: str
    is_default: bool = False


@dataclass(frozen=True)
class SaveResult:
    uid: str
    version: int
    resource_version: str | None = None


class GrafanaPort(Protocol):
    """One Grafana organisation reached through one API flavour."""

    async def server_info(self) -> ServerInfo:
        """Check reachability and credentials (raises Unauthorized / Unreachable)."""
        ...

    async def fetch_live(self, dashboard_uids: Collection[str] | None) -> LiveState:
        """All folders, plus dashboards: every dashboard when `dashboard_uids` is None
        (needed for prune and pull), else only those uids (missing ones are simply absent and
        the state is marked incomplete)."""
        ...

    async def get_dashboard(self, uid: str) -> LiveDashboard | None:
        """Fresh read of one dashboard (used to re-plan after a version conflict)."""
        ...

    async def create_folder(self, folder: DesiredFolder, marker: OwnershipMarker) -> LiveFolder: ...

    async def update_folder(
        self, folder: DesiredFolder, live: LiveFolder, marker: OwnershipMarker
    ) -> LiveFolder:
        """Change title and/or parent (move) of an existing folder."""
        ...

    async def delete_folder(self, live: LiveFolder) -> None: ...

    async def save_dashboard(
        self,
        desired: DesiredDashboard,
        live: LiveDashboard | None,
        marker: OwnershipMarker,
        message: str,
    ) -> SaveResult:
        """Create (live is None) or update optimistically with live's version/resourceVersion.
        Raises VersionConflict when the object changed since `live` was read; never overwrites blindly."""
        ...

    async def delete_dashboard(self, live: LiveDashboard) -> None: ...

    async def list_datasources(self) -> list[DataSource]: ...

    async def aclose(self) -> None: ...

    @property
    def request_count(self) -> int:
        """Requests sent so far (for reports and benchmarks)."""
        ...


class LibraryPort(Protocol):
    """Grafana's library elements (`/api/library-elements`, the way in on every Grafana version),
    in the dashboards' types: `title` is the element's name, `content` its model."""

    async def fetch_library_panels(self) -> dict[str, LiveDashboard]:
        """Every library panel of the organisation, keyed by uid."""
        ...

    async def get_library_panel(self, uid: str) -> LiveDashboard | None: ...

    async def save_library_panel(
        self, desired: DesiredDashboard, live: LiveDashboard | None, marker: OwnershipMarker
    ) -> SaveResult:
        """Create (live is None) or update with live's version; raises VersionConflict on a 412."""
        ...

    async def delete_library_panel(self, live: LiveDashboard) -> None: ...


class SourcePort(Protocol):
    """The directory of dashboard files."""

    def load(self) -> DesiredState:
        """Read and normalise every file; problems are collected, never raised per file.
        Raises SourceError only when the root itself is unusable (missing, not a directory), or
        when `stop_loading` ended it."""
        ...

    def stop_loading(self) -> None:
        """Ask a load running in another thread to end soon (it raises SourceError then), and every
        later one at once: the run is shutting down."""
        ...


class MetricsPort(Protocol):
    """What the engine reports to whoever observes it (Prometheus in the daemon, nothing in the CLI)."""

    def reconcile_finished(self, target: str, duration_s: float, ok: bool) -> None: ...

    def action_finished(self, target: str, kind: str, outcome: str) -> None: ...

    def api_request(self, method: str, route: str, status: int) -> None: ...

    def gauges(self, target: str, values: Mapping[str, float]) -> None: ...


class NullMetrics:
    """Metrics sink for one-shot commands."""

    def reconcile_finished(self, target: str, duration_s: float, ok: bool) -> None:
        return None

    def action_finished(self, target: str, kind: str, outcome: str) -> None:
        return None

    def api_request(self, method: str, route: str, status: int) -> None:
        return None

    def gauges(self, target: str, values: Mapping[str, float]) -> None:
        return None


__all__ = [
    "JSON",
    "DataSource",
    "GrafanaPort",
    "LibraryPort",
    "MetricsPort",
    "NullMetrics",
    "SaveResult",
    "ServerInfo",
    "SourcePort",
]
