"""One reconcile pass: load -> resolve inputs -> fetch live -> plan -> execute -> report.

Who calls it: `syncer plan|apply` once, and the daemon from its loop (with `scope` for incremental
runs triggered by file events). It is the only place that strings the pipeline together.
It never raises for a per-dashboard failure (those are ActionResults); trouble that stops the whole
pass (the source cannot be read, Grafana unreachable or refusing our credentials) is returned as
`RunReport.fatal`. It must not print or parse options.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from syncer.core.inputs import needs_datasources, resolve_inputs
from syncer.core.planner import plan as make_plan
from syncer.engine.execute import CANCELLED, ExecuteContext, execute
from syncer.engine.library_read import with_library
from syncer.model.errors import GrafanaError, SourceError
from syncer.model.inputs import DataSourceRef
from syncer.model.plan import Plan, Policy
from syncer.model.results import ActionResult, RunReport
from syncer.model.state import DesiredState
from syncer.ports import GrafanaPort, LibraryPort, MetricsPort, NullMetrics, SourcePort

EMPTY_PLAN = Plan(folder_actions=(), dashboard_actions=())
WARNINGS = "warnings"  # RunReport.extra key: the source's warnings, as text naming the file


@dataclass(frozen=True)
class Target:
    name: str
    source: SourcePort
    grafana: GrafanaPort
    policy: Policy
    concurrency: int
    inputs: Mapping[str, str]
    commit: str | None  # git commit of the source dir when inside a work tree (for version messages)
    library: LibraryPort | None = None  # library panels (same HTTP client); None: not synced


@dataclass(frozen=True)
class _Hooks:
    on_plan: Callable[[Plan], None] | None
    on_progress: Callable[[ActionResult], None] | None
    cancel: asyncio.Event | None


async def reconcile_once(
    target: Target,
    *,
    desired: DesiredState | None = None,
    scope: Collection[str] | None = None,
    dry_run: bool = False,
    metrics: MetricsPort | None = None,
    on_progress: Callable[[ActionResult], None] | None = None,
    cancel: asyncio.Event | None = None,
    on_plan: Callable[[Plan], None] | None = None,
) -> RunReport:
    """See the module docstring. `scope`: only these dashboard uids (no prune, no folder deletes).
    `on_plan` sees the plan before execution starts (progress bars); `on_progress` every result;
    a set `cancel` event stops starting new actions (shutdown)."""
    metrics = metrics or NullMetrics()
    started = time.monotonic()
    requests_before = target.grafana.request_count
    hooks = _Hooks(on_plan=on_plan, on_progress=on_progress, cancel=cancel)
    report = await _pass(target, desired=desired, scope=scope, dry_run=dry_run, metrics=metrics, hooks=hooks)
    report = replace(
        report,
        duration_s=time.monotonic() - started,
        requests=target.grafana.request_count - requests_before,
    )
    ok = report.fatal is None and not report.failures and not report.source_errors
    metrics.reconcile_finished(target.name, report.duration_s, ok)
    return report


async def _pass(
    target: Target,
    *,
    desired: DesiredState | None,
    scope: Collection[str] | None,
    dry_run: bool,
    metrics: MetricsPort,
    hooks: _Hooks,
) -> RunReport:
    # why concurrently: reading the server is mostly waiting (a GET per dashboard on the legacy API)
    # and loading the files is CPU; one after the other, a pass paid both in full
    reading = asyncio.ensure_future(target.grafana.fetch_live(_uids_to_fetch(scope)))
    try:
        if desired is None:
            try:
                desired = await _load(target.source, hooks.cancel)
            except SourceError as exc:
                return RunReport(plan=EMPTY_PLAN, fatal=_unread(exc, hooks.cancel))
        try:
            desired = await _resolve(target, desired)
            live = await reading
            desired, live = await with_library(target.library, desired, live, prune=target.policy.prune)
        except GrafanaError as exc:
            return RunReport(plan=EMPTY_PLAN, source_errors=_errors(desired), fatal=str(exc))
    finally:
        await _settle(reading)
    plan = make_plan(_in_scope(desired, scope), live, target.policy, scope=scope)
    warnings = tuple(str(w) for w in desired.warnings)
    report = RunReport(plan=plan, source_errors=_errors(desired), extra={WARNINGS: warnings})
    if dry_run:
        return report
    if hooks.on_plan is not None:
        hooks.on_plan(plan)
    ctx = ExecuteContext(
        grafana=target.grafana,
        policy=target.policy,
        desired=desired,
        live=live,
        concurrency=target.concurrency,
        commit=target.commit,
        target=target.name,
        metrics=metrics,
        cancel=hooks.cancel,
        on_result=hooks.on_progress,
        library=target.library,
    )
    results = await execute(plan, ctx)
    not_started = sum(1 for r in results if r.detail == CANCELLED)
    fatal = f"interrupted: {not_started} action(s) were not started" if not_started else None
    return replace(report, results=results, fatal=fatal)


async def _load(source: SourcePort, cancel: asyncio.Event | None) -> DesiredState:
    """The source's load, in a thread; a shutdown asks it to stop (`stop_loading`) rather than wait
    for it: at 10,000 files a Ctrl-C would otherwise wait seconds for files no one will use."""
    loading = asyncio.ensure_future(asyncio.to_thread(source.load))
    if cancel is not None:
        stopping = asyncio.ensure_future(cancel.wait())
        try:
            await asyncio.wait({loading, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not loading.done():
            source.stop_loading()
    return await loading


def _unread(error: SourceError, cancel: asyncio.Event | None) -> str:
    if cancel is not None and cancel.is_set():
        return "interrupted while reading the source files: nothing was changed"
    return f"cannot read the source: {error}"


async def _resolve(target: Target, desired: DesiredState) -> DesiredState:
    """Resolve `${DS_*}` inputs the loader left pending (the configured mapping is applied there);
    the server's data sources are read only when some file needs them."""
    if not needs_datasources(desired):
        return desired
    found = await target.grafana.list_datasources()
    refs = [DataSourceRef(uid=d.uid, name=d.name, type=d.type, is_default=d.is_default) for d in found]
    return resolve_inputs(desired, target.inputs, refs)


def _in_scope(desired: DesiredState, scope: Collection[str] | None) -> DesiredState:
    """What the planner sees: with a scope, only those dashboards (folders and library panels all),
    so an incremental pass plans a few dashboards, not the whole tree."""
    if scope is None:
        return desired
    wanted = {uid: desired.dashboards[uid] for uid in scope if uid in desired.dashboards}
    return replace(desired, dashboards=wanted)


async def _settle(task: asyncio.Future[Any]) -> None:
    """Stop `task` if the pass ended without it (a source error, a cancelled pass) and consume its
    outcome, so no request outlives its pass and no failure is reported as never retrieved."""
    if not task.done():
        task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def _uids_to_fetch(scope: Collection[str] | None) -> Collection[str] | None:
    """The fewest dashboards that still give a true plan: just the scope for an incremental pass,
    else all of them: the markers of dashboards absent from the source tell which are managed
    orphans (deleted with --prune, listed without it, so a plan never says "in sync" over them)."""
    if scope is not None:
        return frozenset(scope)
    return None


def _errors(desired: DesiredState) -> tuple[str, ...]:
    return tuple(str(p) for p in desired.errors)


def exit_code_for_apply(report: RunReport) -> int:
    """0 converged, 1 errors (invalid input, refused prune, failed actions, fatal), 3 unresolved conflicts."""
    if report.fatal or report.source_errors or report.failures or report.plan.refusals:
        return 1
    if report.unresolved_conflicts:
        return 3
    return 0
