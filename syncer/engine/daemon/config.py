"""The daemon's vocabulary: its tunables, one target's recipe, and the seams it needs from outside.

Who calls it: `syncer.cli.run` builds a `DaemonConfig` and one `TargetSpec` per configured target and
passes adapters that satisfy `SourceWatcher` / `DaemonMetrics` (the watchdog watcher, the Prometheus
metrics); `syncer.engine.daemon.loop` and `syncer.engine.daemon.target` consume them.
The engine sits below settings, adapters and server in the import layers, so it names what it needs
here as protocols instead of importing those packages. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from syncer.engine.reconcile import Target
from syncer.model.state import DesiredState
from syncer.ports import MetricsPort


@dataclass(frozen=True)
class DaemonConfig:
    interval_s: float = 300.0  # full resync period
    jitter: float = 0.1  # +- share of interval_s, so many daemons do not resync in step
    debounce_s: float = 0.3  # quiet time that ends a burst of file events
    max_debounce_s: float = 5.0  # a never-quiet tree is still reconciled this often
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 30.0
    partial_retries: int = 5  # quick retries of dashboards that failed; then the periodic resync
    shutdown_timeout_s: float = 20.0
    probe_interval_s: float = 15.0  # between passes, check Grafana this often so /readyz stays truthful
    heartbeat_s: float = 1.0
    stale_heartbeat_s: float = 15.0  # /healthz fails when the loop has not beaten for this long
    # process-wide (engine/heap.py): only the `syncer run` process sets it, never a test's process
    freeze_heap_after_full_pass: bool = False


@dataclass(frozen=True)
class TargetSpec:
    """How to run one target: where its files are and how to open a connection to its Grafana."""

    name: str
    root: Path  # as configured (may be a symlink that a git-sync sidecar swaps)
    open: Callable[[], AbstractAsyncContextManager[Target]]
    credential_files: tuple[Path, ...] = ()  # watched: a rotated token wakes a failing target


class SourceWatcher(Protocol):
    """A recursive watcher of one target's tree. Calls `on_change` (from any thread) on relevant events."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def is_alive(self) -> bool: ...

    def check_root(self) -> bool:
        """Re-resolve a symlinked root; re-aim the watch and return True when its target changed."""
        ...

    def take_changes(self) -> frozenset[str] | None:
        """Root-relative paths of the files changed since the last call; None when only a full walk
        of the tree can tell (directory events, a re-aimed root, before the first call)."""
        ...


@runtime_checkable
class IncrementalSource(Protocol):
    """A source that can reload just the files a watcher reported (`DirectorySource`)."""

    def load_changed(self, paths: Collection[str]) -> DesiredState: ...


WatcherFactory = Callable[[Path, Callable[[], None], tuple[Path, ...], Callable[[], None]], SourceWatcher]
"""(root, on_change, credential_files, on_credentials_change) -> watcher."""


class DaemonMetrics(MetricsPort, Protocol):
    """What the daemon reports beyond the engine's `MetricsPort` (Prometheus implements both)."""

    def trigger(self, target: str, source: str) -> None: ...

    def source_error(self, target: str, kind: str) -> None: ...

    def conflicts(self, target: str, resolution: str, count: int) -> None: ...

    def drift(self, target: str, count: int) -> None: ...

    def for_target(self, target: str) -> MetricsPort:
        """A view whose `api_request` carries the target label (one per Grafana connection)."""
        ...
