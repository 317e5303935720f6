"""The daemon (`syncer run`): one runner per target, fed by watcher, timer and manual triggers.

Who calls it: `syncer.cli.run` builds the specs, metrics and watcher factory, starts the HTTP server with
this object as its control (`health`, `readiness`, `request_sync`), then awaits `Daemon.run(stop)` until a
signal sets `stop`.

Shape: per target a `Funnel` (coalescing, debounced trigger queue) and a `TargetRunner` task that is its
only consumer, so reconciles of one target never overlap and targets never wait for each other. The
watchdog watcher and the APScheduler job only wake funnels; they never apply anything. A heartbeat task
proves the loop is alive and restarts a watcher whose thread died (peers.md: silent watchers).

Shutdown: stop taking triggers, tell in-flight reconciles to start no new writes, give them
`shutdown_timeout_s` to finish their in-flight requests, then abandon what is left. A single save is one
HTTP request, so no dashboard is ever half-written.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from syncer.durations import format_duration
from syncer.engine.daemon.config import DaemonConfig, DaemonMetrics, SourceWatcher, TargetSpec, WatcherFactory
from syncer.engine.daemon.status import TargetStatus
from syncer.engine.daemon.target import TargetRunner
from syncer.engine.funnel import Funnel, Trigger
from syncer.logs import get_logger

log = get_logger("syncer.daemon")

WATCHER_RETRY_S = 30.0  # a watcher that cannot start (parent directory missing) is retried this often


class Daemon:
    def __init__(
        self,
        specs: Sequence[TargetSpec],
        *,
        config: DaemonConfig,
        metrics: DaemonMetrics,
        watcher_factory: WatcherFactory | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._metrics = metrics
        self._watcher_factory = watcher_factory
        self._monotonic = monotonic
        self._cancel = asyncio.Event()
        self._runners = {spec.name: self._runner(spec) for spec in specs}
        self._watchers: dict[str, SourceWatcher] = {}
        self._watcher_retry_at: dict[str, float] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._beat = monotonic()
        self._stopping = False

    def _runner(self, spec: TargetSpec) -> TargetRunner:
        funnel = Funnel(debounce_s=self._config.debounce_s, max_delay_s=self._config.max_debounce_s)
        return TargetRunner(
            spec,
            funnel=funnel,
            status=TargetStatus(spec.name),
            metrics=self._metrics,
            config=self._config,
            cancel=self._cancel,
            before_load=lambda: self._check_root(spec.name),
        )

    # ---- control surface used by the HTTP server -------------------------------------------------

    @property
    def target_names(self) -> list[str]:
        return list(self._runners)

    def health(self) -> tuple[bool, dict[str, Any]]:
        """Alive: the loop beat recently, every runner task is running and every watcher thread lives."""
        lag = self._monotonic() - self._beat
        dead_tasks = [name for name, task in self._tasks.items() if task.done()]
        dead_watchers = [name for name, w in self._watchers.items() if not w.is_alive()]
        ok = lag < self._config.stale_heartbeat_s and not dead_tasks and (self._stopping or not dead_watchers)
        body = {
            "status": "ok" if ok else "unhealthy",
            "heartbeat_age_s": round(lag, 3),
            "dead_runners": dead_tasks,
            "dead_watchers": dead_watchers,
        }
        return ok, body

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        """Ready: not shutting down, and every target completed a reconcile and can reach its Grafana."""
        targets = {name: r.status.as_json() for name, r in self._runners.items()}
        ready = not self._stopping and all(r.status.ready for r in self._runners.values())
        body: dict[str, Any] = {"ready": ready, "targets": targets}
        if self._stopping:
            body["reason"] = "shutting down"
        return ready, body

    def request_sync(self, target: str | None, trigger: Trigger = Trigger.HTTP) -> list[str] | None:
        """Queue a full resync of one target (or all). None for an unknown target name."""
        if target is not None and target not in self._runners:
            return None
        names = [target] if target is not None else list(self._runners)
        accepted = [name for name in names if self._runners[name].funnel.request_full(trigger)]
        for name in accepted:
            self._metrics.trigger(name, trigger.value)
        return accepted

    # ---- lifecycle -------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        self._loop = asyncio.get_running_loop()
        for name, runner in self._runners.items():
            self._metrics.gauges(name, {"up": 0.0, "ready": 0.0})
            self._tasks[name] = asyncio.create_task(runner.run(), name=f"target:{name}")
            runner.funnel.request_full(Trigger.STARTUP)
            self._metrics.trigger(name, Trigger.STARTUP.value)
            self._start_watcher(runner.spec)
        scheduler = self._start_scheduler()
        heartbeat = asyncio.create_task(self._heartbeat(), name="heartbeat")
        log.info(
            "daemon started",
            targets=list(self._runners),
            interval=format_duration(self._config.interval_s),
            interval_s=self._config.interval_s,
        )
        try:
            await stop.wait()
        finally:
            await self._shutdown(scheduler, heartbeat)

    async def _shutdown(self, scheduler: AsyncIOScheduler, heartbeat: asyncio.Task[None]) -> None:
        log.info("shutting down", deadline_s=self._config.shutdown_timeout_s)
        self._stopping = True
        self._cancel.set()  # in-flight reconciles start no new writes
        scheduler.shutdown(wait=False)
        for watcher in self._watchers.values():
            await asyncio.to_thread(watcher.stop)
        for runner in self._runners.values():
            runner.funnel.close()
            runner.wake()
        tasks = list(self._tasks.values())
        _done, pending = await asyncio.wait(tasks, timeout=self._config.shutdown_timeout_s)
        for task in pending:
            log.warning("abandoning in-flight reconcile at the shutdown deadline", task=task.get_name())
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=2.0)
        heartbeat.cancel()
        log.info("stopped", abandoned=len(pending))

    async def _heartbeat(self) -> None:
        while True:
            self._beat = self._monotonic()
            await self._revive_watchers()
            await asyncio.sleep(self._config.heartbeat_s)

    # ---- triggers --------------------------------------------------------------------------------

    def _start_scheduler(self) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(event_loop=self._loop)
        interval = self._config.interval_s
        for name in self._runners:
            scheduler.add_job(
                self._on_timer,
                IntervalTrigger(seconds=interval, jitter=max(0.0, interval * self._config.jitter) or None),
                args=[name],
                id=f"resync:{name}",
                coalesce=True,
                max_instances=1,
                misfire_grace_time=max(1, int(interval)),
            )
        scheduler.start()
        return scheduler

    async def _on_timer(self, name: str) -> None:
        if self._runners[name].funnel.request_full(Trigger.TIMER):
            self._metrics.trigger(name, Trigger.TIMER.value)

    def _start_watcher(self, spec: TargetSpec) -> None:
        if self._watcher_factory is None:
            return
        name = spec.name
        try:
            watcher = self._watcher_factory(
                spec.root,
                lambda: self._threadsafe(self._on_files_changed, name),
                spec.credential_files,
                lambda: self._threadsafe(self._on_credentials_changed, name),
            )
            watcher.start()
        except OSError as exc:
            # why not fatal: the periodic resync still works, and the heartbeat retries the watcher
            log.error("cannot start the file watcher", target=name, error=str(exc))
            self._metrics.gauges(name, {"watcher_up": 0.0})
            self._watcher_retry_at[name] = self._monotonic() + WATCHER_RETRY_S
            return
        self._watchers[name] = watcher
        self._metrics.gauges(name, {"watcher_up": 1.0})

    async def _revive_watchers(self) -> None:
        if self._stopping or self._watcher_factory is None:
            return
        for name, runner in self._runners.items():
            watcher = self._watchers.get(name)
            if watcher is not None and watcher.is_alive():
                continue
            if watcher is None and self._monotonic() < self._watcher_retry_at.get(name, 0.0):
                continue
            if watcher is not None:
                log.error("file watcher died; restarting it", target=name)
                self._metrics.gauges(name, {"watcher_up": 0.0})
                del self._watchers[name]
                await asyncio.to_thread(watcher.stop)  # joins threads: keep the loop free
            self._start_watcher(runner.spec)
            if name in self._watchers:
                # events may have been missed while it was down
                runner.funnel.request_full(Trigger.WATCH)

    def _threadsafe(self, callback: Callable[[str], None], name: str) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(callback, name)

    def _on_files_changed(self, name: str) -> None:
        if self._runners[name].funnel.notify_change(Trigger.WATCH):
            self._metrics.trigger(name, Trigger.WATCH.value)

    def _on_credentials_changed(self, name: str) -> None:
        runner = self._runners[name]
        log.info("credentials changed", target=name)
        if not runner.status.ready and runner.funnel.request_full(Trigger.CREDENTIALS):
            self._metrics.trigger(name, Trigger.CREDENTIALS.value)
            runner.wake()

    def _check_root(self, name: str) -> None:
        watcher = self._watchers.get(name)
        if watcher is not None:
            watcher.check_root()
