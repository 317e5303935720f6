"""One daemon target's loop: take a batch from its funnel, reload the source, reconcile, record, repeat.

Who calls it: `syncer.engine.daemon.loop.Daemon` starts one `TargetRunner.run()` task per target, so one
target's trouble (unreachable Grafana, broken files, a bug) never stalls another.

Incremental work: on file events the runner diffs the reload against the last good `Snapshot` and
reconciles only the changed uids (`scope`), so editing a few files costs requests for those dashboards
only; a touch that changes nothing costs no request at all. Files that disappeared are pruned by a full
reconcile (the planner never prunes a scoped run), and only when prune is on. Timer and `POST /sync`
batches are full resyncs, which also catch edits made in Grafana.

Safety: the same `reconcile_once` (engine, policies, prune guards) as `syncer apply`. A vanished or
emptied source is never acted on: the last good snapshot is kept, a source error is counted and logged,
and the loop carries on. Grafana failures back off (exponential, capped, jittered) and retry by
themselves; an idle probe notices an outage between passes. Nothing here raises out of `run()` except
cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Collection
from dataclasses import replace
from enum import Enum

from syncer.engine.daemon.backoff import Backoff
from syncer.engine.daemon.changes import Snapshot, diff, source_refusal
from syncer.engine.daemon.config import DaemonConfig, DaemonMetrics, TargetSpec
from syncer.engine.daemon.report import drifted_after, is_drift, pass_result, record_report
from syncer.engine.daemon.status import TargetStatus
from syncer.engine.funnel import Batch, Funnel, Trigger
from syncer.engine.heap import settle_heap
from syncer.engine.reconcile import Target, exit_code_for_apply, reconcile_once
from syncer.engine.source_commit import git_commit
from syncer.logs import get_logger
from syncer.model.errors import GrafanaError, SourceError, SyncerError
from syncer.model.results import RunReport
from syncer.model.state import DesiredState

log = get_logger("syncer.daemon")


class Result(Enum):
    DONE = "done"  # converged, or nothing to do
    PARTIAL = "partial"  # some dashboards failed; retry them soon
    SOURCE = "source"  # the source is unusable; wait for the next trigger
    GRAFANA = "grafana"  # Grafana failed the whole run; back off and retry


class TargetRunner:
    def __init__(
        self,
        spec: TargetSpec,
        *,
        funnel: Funnel,
        status: TargetStatus,
        metrics: DaemonMetrics,
        config: DaemonConfig,
        cancel: asyncio.Event | None = None,
        before_load: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.spec = spec
        self.funnel = funnel
        self.status = status
        self._metrics = metrics
        self._config = config
        self._cancel = cancel or asyncio.Event()
        self._before_load = before_load
        self._clock = clock
        self._backoff = Backoff(initial_s=config.backoff_initial_s, max_s=config.backoff_max_s)
        self._retry_after: float | None = None
        self._snapshot: Snapshot | None = None
        self._dirty: set[str] = set()  # uids whose last write failed: always in the next scope
        self._drifted: set[str] = set()  # uids holding a Grafana edit after the last pass over them
        self._wake = asyncio.Event()

    @property
    def name(self) -> str:
        return self.spec.name

    def wake(self) -> None:
        """Cut a backoff pause short (credentials rotated, shutdown)."""
        self._wake.set()

    async def run(self) -> None:
        """Serve batches until the funnel closes. Re-opens the connection after unexpected errors."""
        while not self.funnel.closed:
            try:
                async with self.spec.open() as target:
                    probe = asyncio.create_task(self._probe(target), name=f"probe:{self.name}")
                    try:
                        await self._serve(target)
                    finally:
                        probe.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await probe
            except Exception as exc:  # why: one target's bug or outage must never end the daemon
                # why no traceback for our own errors (a token file removed, a bad TLS file): they
                # say what is wrong, and a stack repeated at every backoff step would bury it
                log.error(
                    "target error",
                    target=self.name,
                    error=f"{type(exc).__name__}: {exc}",
                    exc_info=not isinstance(exc, SyncerError),
                )
                self.status.failed(f"error: {type(exc).__name__}: {exc}")
                self._publish_state()
                await self._pause(self._backoff.next_delay())
                self._retry(full=True)

    async def _serve(self, target: Target) -> None:
        while (batch := await self.funnel.next_batch()) is not None:
            outcome = await self._run_batch(target, batch)
            self._publish_state()
            if outcome is Result.DONE or outcome is Result.SOURCE:
                self._backoff.reset()
            elif outcome is Result.GRAFANA:
                await self._pause(self._backoff.next_delay(at_least=self._retry_after))
                self._retry(full=True)
            elif self._backoff.attempts < self._config.partial_retries:
                await self._pause(self._backoff.next_delay(at_least=self._retry_after))
                self._retry(full=False)

    async def _probe(self, target: Target) -> None:
        """Between passes, notice a Grafana that went away (or stopped accepting our token) so readiness
        tells the truth before the next pass. A failed probe hands over to the normal path: the target
        turns unready and a full retry is queued, which backs off until Grafana answers again."""
        interval = self._config.probe_interval_s
        if interval <= 0:
            return
        while True:
            await asyncio.sleep(interval)
            if self.status.running or self.status.grafana_ok is not True:
                continue  # a pass is under way, or recovery is already in hand
            try:
                await target.grafana.server_info()
            except GrafanaError as exc:
                if self.status.running:
                    continue
                log.error(
                    "grafana probe failed", target=self.name, error=str(exc), failure=exc.failure_class.value
                )
                self.status.failed(f"grafana: {exc}")
                self._publish_state()
                self._retry(full=True)

    def _retry(self, *, full: bool) -> None:
        """Queue a retry: a full resync after an outage, the failed uids after a partial run."""
        queued = self.funnel.request_full(Trigger.RETRY) if full else self.funnel.notify_change(Trigger.RETRY)
        if queued:
            self._metrics.trigger(self.name, Trigger.RETRY.value)

    async def _pause(self, delay: float) -> None:
        log.info("backing off", target=self.name, seconds=round(delay, 2), attempt=self._backoff.attempts)
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), delay)

    async def _run_batch(self, target: Target, batch: Batch) -> Result:
        self.status.running = True
        self.status.last_attempt_unix = self._clock()
        try:
            desired = await self._load(target)
            if desired is None:
                return Result.SOURCE
            scope = self._scope(batch, desired, prune=target.policy.prune)
            if scope is not None and not scope and not self._folders_changed(desired):
                log.debug("no change", target=self.name, triggers=sorted(batch.triggers))
                self._snapshot = Snapshot.of(desired)
                return Result.DONE
            return await self._reconcile(target, desired, scope, batch)
        finally:
            self.status.running = False

    async def _load(self, target: Target) -> DesiredState | None:
        self._before_load()
        try:
            desired = await asyncio.to_thread(target.source.load)
        except SourceError as exc:
            self._source_failed("unreadable", str(exc))
            return None
        refusal = source_refusal(self._snapshot, desired)
        if refusal is not None:
            self._source_failed("empty", refusal)
            return None
        # why: /readyz must tell what the gauge and the exit code tell (issue 18)
        errors = desired.errors
        self.status.source_problem = (
            f"{len(errors)} file(s) with errors, not applied (first: {errors[0]})" if errors else None
        )
        self._metrics.gauges(self.name, {"source_problems": float(len(errors))})
        for problem in desired.errors[:20]:
            log.warning("source problem", target=self.name, problem=str(problem))
        return desired

    def _source_failed(self, kind: str, message: str) -> None:
        # why loud: a vanished mount is exactly when peers' tools deleted everything (peers.md, #1)
        log.error(
            "source error: nothing applied, last good state kept", target=self.name, kind=kind, error=message
        )
        self._metrics.source_error(self.name, kind)
        self.status.source_problem = message
        if not self.status.completed:
            self.status.reason = f"source: {message}"

    def _scope(self, batch: Batch, desired: DesiredState, *, prune: bool) -> Collection[str] | None:
        """None for a full reconcile, else the uids to reconcile (possibly empty)."""
        if batch.full or self._snapshot is None:
            return None
        changes = diff(self._snapshot, Snapshot.of(desired))
        if prune and (changes.removed or changes.folders_removed):
            return None  # only a full run may prune; cheap enough for the rare deletion
        return frozenset(changes.changed | (self._dirty & desired.dashboards.keys()))

    def _folders_changed(self, desired: DesiredState) -> bool:
        assert self._snapshot is not None
        return diff(self._snapshot, Snapshot.of(desired)).folders_changed

    async def _reconcile(
        self, target: Target, desired: DesiredState, scope: Collection[str] | None, batch: Batch
    ) -> Result:
        self._retry_after = None
        # why: a git-sync swap moves HEAD under a long-lived Target; version messages name the new commit
        commit = await asyncio.to_thread(git_commit, self.spec.root)
        try:
            report = await reconcile_once(
                replace(target, commit=commit),
                desired=desired,
                scope=scope,
                metrics=self._metrics,
                cancel=self._cancel,
            )
        except GrafanaError as exc:
            return self._grafana_failed(exc)
        if report.fatal:
            return self._fatal(report)
        record_report(
            self.name,
            report,
            metrics=self._metrics,
            mode="full" if scope is None else "incremental",
            scope=scope,
            triggers=[t.value for t in batch.triggers],
        )
        self._remember(desired, report, full=scope is None)
        self.status.last_result = pass_result(report)
        self.status.last_exit_code = exit_code_for_apply(report)
        return Result.PARTIAL if report.failures else Result.DONE

    def _remember(self, desired: DesiredState, report: RunReport, *, full: bool) -> None:
        self._snapshot = Snapshot.of(desired)
        self._dirty = {r.uid for r in report.failures}
        self.status.succeeded(self._clock())
        gauges = {
            "last_success_timestamp_seconds": self.status.last_success_unix or 0.0,
            "managed_dashboards": float(len(desired.dashboards)),
            "managed_library_panels": float(len(desired.library_panels)),
        }
        # every pass, incremental ones too: a revert must not leave the gauge up until the next full one
        scoped = {a.uid for a in report.plan.dashboard_actions}
        self._drifted = drifted_after(report) | (set() if full else self._drifted - scoped)
        gauges["drifted_dashboards"] = float(len(self._drifted))
        # library panels are planned on every pass, so each pass sees all of their drift
        gauges["drifted_library_panels"] = float(sum(1 for a in report.plan.library_actions if is_drift(a)))
        if full and self._config.freeze_heap_after_full_pass:
            settle_heap()
        self._metrics.gauges(self.name, gauges)

    def _grafana_failed(self, exc: GrafanaError) -> Result:
        self._retry_after = exc.retry_after
        log.error("reconcile failed", target=self.name, error=str(exc), failure=exc.failure_class.value)
        self.status.failed(f"grafana: {exc}")
        return Result.GRAFANA

    def _fatal(self, report: RunReport) -> Result:
        log.error("reconcile failed", target=self.name, error=report.fatal)
        self.status.failed(f"grafana: {report.fatal}")
        return Result.GRAFANA

    def _publish_state(self) -> None:
        self._metrics.gauges(
            self.name,
            {"up": 1.0 if self.status.grafana_ok else 0.0, "ready": 1.0 if self.status.ready else 0.0},
        )
