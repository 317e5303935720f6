"""Prometheus metrics of the daemon: implements `ports.MetricsPort` and the daemon's extra reports.

Who calls it: the engine (reconcile/action counters, Grafana API requests through the per-target view
given to the HTTP layer) and the daemon (triggers, source errors, conflicts, drift, gauges); the HTTP
server renders `exposition()` for `GET /metrics`. Every metric and label is listed in docs/daemon.md.
It owns a private registry (no process-global state, so tests can build several). Label values are
target names, routes *templates* and enums: never a uid list, a path or a secret, so cardinality and
memory stay bounded.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from syncer import __version__
from syncer.ports import MetricsPort

# why: the `*_created` companion series double the exposition and nothing here needs them
disable_created_metrics()  # type: ignore[no-untyped-call]

DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

# gauges(target, {name: value}) names -> (metric name, help)
GAUGES: Mapping[str, tuple[str, str]] = {
    "up": ("syncer_up", "1 when the last contact with this target's Grafana worked"),
    "ready": ("syncer_ready", "1 when the target completed a reconcile and its Grafana works"),
    "watcher_up": ("syncer_watcher_up", "1 while the file watcher of this target runs"),
    "last_success_timestamp_seconds": (
        "syncer_last_success_timestamp_seconds",
        "Unix time of the last reconcile that completed",
    ),
    "managed_dashboards": ("syncer_managed_dashboards", "Dashboards in the source at the last reconcile"),
    "drifted_dashboards": (
        "syncer_drifted_dashboards",
        "Dashboards holding an edit made in Grafana after the last pass over them (not reverted)",
    ),
    "managed_library_panels": (
        "syncer_managed_library_panels",
        "Library panels in the source at the last reconcile",
    ),
    "drifted_library_panels": (
        "syncer_drifted_library_panels",
        "Library panels edited in Grafana since syncer wrote them, seen by the last full resync",
    ),
    "source_problems": ("syncer_source_problems", "Files with errors at the last load of the source"),
}


class PrometheusMetrics:
    """Implements `MetricsPort` and `syncer.engine.daemon.config.DaemonMetrics`."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self._info = Gauge("syncer_build_info", "syncer version", ["version"], registry=r)
        self._info.labels(__version__).set(1)
        self._runs = Counter("syncer_reconcile", "Reconcile runs", ["target", "result"], registry=r)
        self._duration = Histogram(
            "syncer_reconcile_duration_seconds",
            "Duration of reconcile runs",
            ["target", "result"],
            buckets=DURATION_BUCKETS,
            registry=r,
        )
        self._actions = Counter(
            "syncer_actions", "Executed plan actions", ["target", "action", "result"], registry=r
        )
        self._conflicts = Counter(
            "syncer_conflicts",
            "Three-way conflicts met (git and Grafana both changed)",
            ["target", "resolution"],
            registry=r,
        )
        self._drift = Counter("syncer_drift", "Dashboards found edited in Grafana", ["target"], registry=r)
        self._source_errors = Counter(
            "syncer_source_errors",
            "Loads of the source that were not acted on",
            ["target", "kind"],
            registry=r,
        )
        self._triggers = Counter(
            "syncer_triggers", "Reasons to reconcile received", ["target", "source"], registry=r
        )
        self._requests = Counter(
            "syncer_grafana_requests",
            "HTTP requests sent to Grafana (status 0: no response)",
            ["target", "method", "route", "status"],
            registry=r,
        )
        self._gauges = {
            key: Gauge(name, help_text, ["target"], registry=r) for key, (name, help_text) in GAUGES.items()
        }

    # ---- MetricsPort -----------------------------------------------------------------------------

    def reconcile_finished(self, target: str, duration_s: float, ok: bool) -> None:
        result = "ok" if ok else "error"
        self._runs.labels(target, result).inc()
        self._duration.labels(target, result).observe(duration_s)

    def action_finished(self, target: str, kind: str, outcome: str) -> None:
        self._actions.labels(target, kind, outcome).inc()

    def api_request(self, method: str, route: str, status: int) -> None:
        self.api_request_for("", method, route, status)

    def gauges(self, target: str, values: Mapping[str, float]) -> None:
        for key, value in values.items():
            gauge = self._gauges.get(key)
            if gauge is None:
                raise KeyError(f"unknown gauge {key!r}; add it to syncer.endpoints.metrics.GAUGES")
            gauge.labels(target).set(value)

    # ---- daemon extras ---------------------------------------------------------------------------

    def api_request_for(self, target: str, method: str, route: str, status: int) -> None:
        self._requests.labels(target, method, route, str(status)).inc()

    def trigger(self, target: str, source: str) -> None:
        self._triggers.labels(target, source).inc()

    def source_error(self, target: str, kind: str) -> None:
        self._source_errors.labels(target, kind).inc()

    def conflicts(self, target: str, resolution: str, count: int) -> None:
        self._conflicts.labels(target, resolution).inc(count)

    def drift(self, target: str, count: int) -> None:
        self._drift.labels(target).inc(count)

    def for_target(self, target: str) -> MetricsPort:
        return _TargetView(self, target)

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _TargetView:
    """The MetricsPort handed to one target's Grafana adapter: same metrics, target label filled in."""

    def __init__(self, metrics: PrometheusMetrics, target: str) -> None:
        self._metrics = metrics
        self._target = target

    def reconcile_finished(self, target: str, duration_s: float, ok: bool) -> None:
        self._metrics.reconcile_finished(target, duration_s, ok)

    def action_finished(self, target: str, kind: str, outcome: str) -> None:
        self._metrics.action_finished(target, kind, outcome)

    def api_request(self, method: str, route: str, status: int) -> None:
        self._metrics.api_request_for(self._target, method, route, status)

    def gauges(self, target: str, values: Mapping[str, float]) -> None:
        self._metrics.gauges(target, values)
