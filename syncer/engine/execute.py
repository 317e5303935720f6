"""Carry out a Plan against Grafana: folders parent-first, library panels, then dashboards, deletes
last (dashboards, then library panels, then folders; `library_execute` runs the library panels).

Who calls it: `syncer.engine.reconcile.reconcile_once` (one-shot CLI and daemon alike).
Every action yields exactly one `ActionResult`; one failure never stops the others. Writes are
optimistic: on a VersionConflict the dashboard is re-read, re-planned alone with the same planner
and retried a bounded number of times (never a blind overwrite). A set `cancel` event means
"shutting down": requests in flight finish, nothing new starts.

It must not decide *what* to do (the planner does) and must not load files.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from syncer.core.planner import plan as make_plan
from syncer.engine.library_execute import library_failure, start_library
from syncer.model.errors import GrafanaError, VersionConflict
from syncer.model.limits import DEFAULT_CONCURRENCY
from syncer.model.plan import ActionKind, DashboardAction, FolderAction, Plan, Policy
from syncer.model.results import ActionResult, Outcome
from syncer.model.state import DesiredFolder, DesiredState, LiveFolder, LiveState, OwnershipMarker
from syncer.ports import GrafanaPort, LibraryPort, MetricsPort, NullMetrics

MAX_CONFLICT_RETRIES = 3
CANCELLED = "cancelled: shutting down before it started"
MAX_MESSAGE = 500

ProgressHook = Callable[[ActionResult], None]
FOLDER_WRITES = frozenset({ActionKind.CREATE_FOLDER, ActionKind.UPDATE_FOLDER})


@dataclass
class ExecuteContext:
    grafana: GrafanaPort
    policy: Policy
    desired: DesiredState
    live: LiveState
    concurrency: int = DEFAULT_CONCURRENCY
    commit: str | None = None
    target: str = "default"
    metrics: MetricsPort = field(default_factory=NullMetrics)
    cancel: asyncio.Event | None = None
    on_result: ProgressHook | None = None
    clock: Callable[[], float] = time.time
    library: LibraryPort | None = None  # None: library panels are not synced (nothing planned either)


async def execute(plan: Plan, ctx: ExecuteContext) -> tuple[ActionResult, ...]:
    run = _Run(ctx)
    for action in plan.folder_actions:
        if action.kind is ActionKind.CONFLICT:  # e.g. an unowned folder a directory would rename
            run.record(ActionResult(action.kind, action.uid, Outcome.CONFLICT, detail=action.reason))
    await run.folders([a for a in plan.folder_actions if a.kind in FOLDER_WRITES])
    library = start_library(run, ctx, plan.library_actions, cancel_text=CANCELLED)
    if library is not None:
        await library.writes(plan.library_actions)  # before the dashboards that use them
    await run.dashboards([a for a in plan.dashboard_actions if a.kind is not ActionKind.DELETE])
    await run.dashboards([a for a in plan.dashboard_actions if a.kind is ActionKind.DELETE])
    if library is not None:
        await library.deletes(plan.library_actions)  # Grafana refuses while a dashboard uses one
    await run.folder_deletes([a for a in plan.folder_actions if a.kind is ActionKind.DELETE_FOLDER])
    return tuple(run.results)


def version_message(path: str, commit: str | None, overwrites: int | None = None) -> str:
    """The version-history note of each write: where the content came from."""
    text = f"syncer: {path}" + (f" @ {short_commit(commit)}" if commit else "")
    if overwrites is not None:
        text += f" (replaces an edit made in Grafana; that edit is kept as version {overwrites})"
    return text[:MAX_MESSAGE]


def short_commit(commit: str) -> str:
    suffix = "-dirty" if commit.endswith("-dirty") else ""
    return commit.removesuffix("-dirty")[:12] + suffix


class _Run:
    def __init__(self, ctx: ExecuteContext) -> None:
        self.ctx = ctx
        self.results: list[ActionResult] = []
        self.failed_folders: dict[str, str] = {}
        self.sem = asyncio.Semaphore(ctx.concurrency)
        self.failed_library: Mapping[str, str] = {}

    # ---- bookkeeping ----------------------------------------------------------------------------

    def record(self, result: ActionResult) -> None:
        self.results.append(result)
        self.ctx.metrics.action_finished(self.ctx.target, result.kind.value, result.outcome.value)
        if self.ctx.on_result is not None:
            self.ctx.on_result(result)

    def cancelled(self) -> bool:
        return self.ctx.cancel is not None and self.ctx.cancel.is_set()

    def marker(self, path: str, checksum: str) -> OwnershipMarker:
        return OwnershipMarker(
            manager_id=self.ctx.policy.manager_id,
            source_path=path,
            checksum=checksum,
            commit=self.ctx.commit,
            timestamp_ms=int(self.ctx.clock() * 1000),
        )

    # ---- folders ------------------------------------------------------------------------------

    async def folders(self, actions: list[FolderAction]) -> None:
        """Level by level (parents before children); folders of one level run concurrently."""
        depth = _depths(self.ctx.desired.folders)
        by_level: dict[int, list[FolderAction]] = defaultdict(list)
        for action in actions:
            by_level[depth.get(action.uid, 0)].append(action)
        for level in sorted(by_level):
            await asyncio.gather(*(self._folder(a) for a in by_level[level]))

    async def _folder(self, action: FolderAction) -> None:
        folder = action.desired
        if folder is None:
            return
        parent_failure = self.failed_folders.get(folder.parent_uid or "")
        if parent_failure == CANCELLED:  # not started because its parent was not: not a failure
            self._fail_folder(action, CANCELLED, outcome=Outcome.SKIPPED)
            return
        if parent_failure is not None:
            self._fail_folder(action, f"parent folder {folder.parent_uid} failed: {parent_failure}")
            return
        marker = self.marker(folder.path, "")
        async with self.sem:
            if self.cancelled():
                self._fail_folder(action, CANCELLED, outcome=Outcome.SKIPPED)
                return
            try:
                if action.kind is ActionKind.CREATE_FOLDER:
                    await self.ctx.grafana.create_folder(folder, marker)
                elif action.live is not None:
                    await self.ctx.grafana.update_folder(folder, action.live, marker)
            except GrafanaError as exc:
                self._fail_folder(action, str(exc))
                return
        self.record(
            ActionResult(
                action.kind,
                folder.uid,
                Outcome.OK,
                path=folder.path,
                folder_uid=folder.uid,
                detail=action.reason,
            )
        )

    def _fail_folder(self, action: FolderAction, cause: str, outcome: Outcome = Outcome.FAILED) -> None:
        if action.kind is ActionKind.CREATE_FOLDER:
            # only a folder that does not exist blocks what goes inside it; a failed rename or move does not
            self.failed_folders[action.uid] = cause
        path = action.desired.path if action.desired else None
        self.record(ActionResult(action.kind, action.uid, outcome, path=path, detail=cause))

    async def folder_deletes(self, actions: list[FolderAction]) -> None:
        """Children before parents, so Grafana's cascading delete never removes anything we did not plan."""
        depth = _depths(self.ctx.live.folders)
        for action in sorted(actions, key=lambda a: -depth.get(a.uid, 0)):
            if action.live is None:
                continue
            if self.cancelled():
                self.record(ActionResult(action.kind, action.uid, Outcome.SKIPPED, detail=CANCELLED))
                continue
            try:
                await self.ctx.grafana.delete_folder(action.live)
            except GrafanaError as exc:
                self.record(ActionResult(action.kind, action.uid, Outcome.FAILED, detail=str(exc)))
                continue
            path = _folder_path(action.live)
            self.record(ActionResult(action.kind, action.uid, Outcome.OK, path=path, detail=action.reason))

    # ---- dashboards ---------------------------------------------------------------------------

    async def dashboards(self, actions: Iterable[DashboardAction]) -> None:
        await asyncio.gather(*(self._dashboard(a) for a in actions if a.kind is not ActionKind.NOOP))

    async def _dashboard(self, action: DashboardAction) -> None:
        if action.kind is ActionKind.SKIP:
            self.record(_result(action, Outcome.SKIPPED, action.reason))
            return
        if action.kind is ActionKind.CONFLICT:
            self.record(_result(action, Outcome.CONFLICT, action.reason))
            return
        folder = action.desired.folder_uid if action.desired else None
        if folder is not None and folder in self.failed_folders:
            cause = self.failed_folders[folder]
            if cause == CANCELLED:
                self.record(_result(action, Outcome.SKIPPED, CANCELLED))
            else:
                self.record(_result(action, Outcome.FAILED, f"folder {folder} failed: {cause}"))
            return
        if (blocked := library_failure(action, self.failed_library)) is not None:
            self.record(_result(action, Outcome.FAILED, blocked))  # it would show an empty panel
            return
        async with self.sem:
            # checked after waiting for a slot: the shutdown may have begun meanwhile
            if self.cancelled():
                result = _result(action, Outcome.SKIPPED, CANCELLED)
            else:
                result = await self._write_with_retries(action)
        self.record(result)

    async def _write_with_retries(self, action: DashboardAction) -> ActionResult:
        retries = 0
        while True:
            try:
                return await self._write(action, retries)
            except VersionConflict as exc:
                if retries >= MAX_CONFLICT_RETRIES:
                    return _result(action, Outcome.FAILED, f"{exc} (still changing after {retries} re-reads)")
                retries += 1
                try:
                    replanned = await self._replan(action)
                except GrafanaError as err:
                    return _result(action, Outcome.FAILED, f"re-read after a version conflict failed: {err}")
                if replanned.kind not in (ActionKind.CREATE, ActionKind.UPDATE, ActionKind.MOVE):
                    outcome = {
                        ActionKind.NOOP: Outcome.OK,
                        ActionKind.SKIP: Outcome.SKIPPED,
                        ActionKind.CONFLICT: Outcome.CONFLICT,
                    }.get(replanned.kind, Outcome.FAILED)
                    detail = f"re-planned after a concurrent change: {replanned.reason}"
                    return replace(_result(replanned, outcome, detail), retries=retries)
                action = replanned
            except GrafanaError as exc:
                return replace(_result(action, Outcome.FAILED, str(exc)), retries=retries)

    async def _write(self, action: DashboardAction, retries: int) -> ActionResult:
        grafana = self.ctx.grafana
        if action.kind is ActionKind.DELETE:
            if action.live is not None:
                await grafana.delete_dashboard(action.live)
            return _result(action, Outcome.OK, action.reason)
        desired = action.desired
        if desired is None:
            return _result(action, Outcome.FAILED, "nothing to write (planner gave no desired content)")
        message = version_message(desired.path, self.ctx.commit, action.overwrites_version)
        saved = await grafana.save_dashboard(
            desired, action.live, self.marker(desired.path, desired.checksum), message
        )
        result = _result(action, Outcome.OK, action.reason)
        return replace(
            result, version=saved.version, overwrote_version=action.overwrites_version, retries=retries
        )

    async def _replan(self, action: DashboardAction) -> DashboardAction:
        """Re-read one dashboard and let the planner decide again, with only it in scope."""
        fresh = await self.ctx.grafana.get_dashboard(action.uid)
        desired = self.ctx.desired
        only = {action.uid: desired.dashboards[action.uid]} if action.uid in desired.dashboards else {}
        live = LiveState(
            folders=self.ctx.live.folders,
            dashboards={fresh.uid: fresh} if fresh is not None else {},
            complete=False,
        )
        scoped = DesiredState(folders=desired.folders, dashboards=only, files_seen=desired.files_seen)
        plan = make_plan(scoped, live, replace(self.ctx.policy, prune=False), scope={action.uid})
        for candidate in plan.dashboard_actions:
            if candidate.uid == action.uid:
                return candidate
        return DashboardAction(ActionKind.NOOP, action.uid, "no longer present on either side")


def _result(action: DashboardAction, outcome: Outcome, detail: str) -> ActionResult:
    folder = (
        action.desired.folder_uid if action.desired else (action.live.folder_uid if action.live else None)
    )
    return ActionResult(
        kind=action.kind,
        uid=action.uid,
        outcome=outcome,
        path=action.path,
        folder_uid=folder,
        detail=detail,
        overwrote_version=action.overwrites_version if outcome is Outcome.OK else None,
    )


def _depths(folders: Mapping[str, DesiredFolder | LiveFolder]) -> dict[str, int]:
    return {
        uid: _chain_length(uid, lambda u: folders[u].parent_uid if u in folders else None) for uid in folders
    }


def _chain_length(uid: str, parent_of: Callable[[str], str | None]) -> int:
    depth, seen, current = 0, {uid}, parent_of(uid)
    while current is not None and current not in seen:
        seen.add(current)
        depth += 1
        current = parent_of(current)
    return depth


def _folder_path(live: LiveFolder) -> str | None:
    return live.marker.source_path if live.marker else None
