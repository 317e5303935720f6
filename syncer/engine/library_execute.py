"""Carry out the library panel actions of a Plan: writes before the dashboards, deletes after.

Who calls it: `syncer.engine.execute.execute`, which gives it its bookkeeping (`record`, the
ownership marker, cancellation, the concurrency slots, failed folders). Order is the point:
a dashboard that uses a library panel must find it in Grafana when it is saved, and Grafana
refuses to delete an element a dashboard still uses, so deletes wait until the dashboards'
deletes are done. Writes are optimistic like the dashboards': on a 412 the element is re-read and
re-planned alone with the same planner, a bounded number of times. Every action yields exactly
one `ActionResult`; the uids that failed are kept so the dashboards using them are not written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from syncer.core.library_plan import plan_library
from syncer.model.errors import GrafanaError, VersionConflict
from syncer.model.plan import ActionKind, DashboardAction, Policy
from syncer.model.results import ActionResult, Outcome
from syncer.model.state import DesiredState, LiveState, OwnershipMarker
from syncer.ports import LibraryPort

MAX_CONFLICT_RETRIES = 3
WRITES = frozenset({ActionKind.CREATE_LIBRARY_PANEL, ActionKind.UPDATE_LIBRARY_PANEL})
_OUTCOME = {
    ActionKind.NOOP: Outcome.OK,
    ActionKind.SKIP: Outcome.SKIPPED,
    ActionKind.CONFLICT: Outcome.CONFLICT,
}


class _Dashboards(Protocol):
    """What the dashboards' run (`execute._Run`) lends the library panels' run."""

    failed_folders: dict[str, str]
    failed_library: Mapping[str, str]
    sem: asyncio.Semaphore

    def record(self, result: ActionResult) -> None: ...
    def marker(self, path: str, checksum: str) -> OwnershipMarker: ...
    def cancelled(self) -> bool: ...


class _Context(Protocol):
    @property
    def library(self) -> LibraryPort | None: ...
    @property
    def policy(self) -> Policy: ...
    @property
    def desired(self) -> DesiredState: ...
    @property
    def live(self) -> LiveState: ...


NO_PORT = "library panels cannot be written here: no library panel adapter was given"


def start_library(
    run: _Dashboards, ctx: _Context, actions: Sequence[DashboardAction], *, cancel_text: str
) -> LibraryRun | None:
    """The library panels' run, sharing the dashboards' bookkeeping and concurrency slots. Without
    an adapter, each library panel action fails with a reason (never silently dropped)."""
    if ctx.library is None:
        refused = [a for a in actions if a.kind is not ActionKind.NOOP]
        for action in refused:
            run.record(
                ActionResult(action.kind, action.uid, Outcome.FAILED, path=action.path, detail=NO_PORT)
            )
        run.failed_library = {a.uid: NO_PORT for a in refused}
        return None
    library = LibraryRun(
        port=ctx.library,
        policy=ctx.policy,
        desired=ctx.desired,
        live=ctx.live,
        record=run.record,
        marker=run.marker,
        cancelled=run.cancelled,
        slots=run.sem,
        failed_folders=run.failed_folders,
        cancel_text=cancel_text,
    )
    run.failed_library = library.failed
    return library


def library_failure(action: DashboardAction, failed: Mapping[str, str]) -> str | None:
    """Why a dashboard must not be written: a library panel it uses failed (else None)."""
    used = action.desired.library_panel_uids if action.desired else frozenset()
    for uid in sorted(used & failed.keys()):
        return f"library panel {uid} failed: {failed[uid]}"
    return None


@dataclass
class LibraryRun:
    port: LibraryPort
    policy: Policy
    desired: DesiredState
    live: LiveState
    record: Callable[[ActionResult], None]
    marker: Callable[[str, str], OwnershipMarker]
    cancelled: Callable[[], bool]
    slots: asyncio.Semaphore
    failed_folders: Mapping[str, str]
    cancel_text: str
    failed: dict[str, str] = field(default_factory=dict)  # uid -> why its write failed

    async def writes(self, actions: Iterable[DashboardAction]) -> None:
        await asyncio.gather(
            *(
                self._one(a)
                for a in actions
                if a.kind is not ActionKind.NOOP and a.kind is not ActionKind.DELETE_LIBRARY_PANEL
            )
        )

    async def deletes(self, actions: Iterable[DashboardAction]) -> None:
        await asyncio.gather(*(self._one(a) for a in actions if a.kind is ActionKind.DELETE_LIBRARY_PANEL))

    async def _one(self, action: DashboardAction) -> None:
        if action.kind in _OUTCOME:
            self._finish(action, _OUTCOME[action.kind], action.reason)
            return
        folder = action.desired.folder_uid if action.desired else None
        if folder is not None and folder in self.failed_folders:
            self._finish(action, Outcome.FAILED, f"folder {folder} failed: {self.failed_folders[folder]}")
            return
        async with self.slots:
            if self.cancelled():
                self._finish(action, Outcome.SKIPPED, self.cancel_text)
                return
            await self._with_retries(action)

    async def _with_retries(self, action: DashboardAction) -> None:
        retries = 0
        while True:
            try:
                version = await self._write(action)
            except VersionConflict as exc:
                if retries >= MAX_CONFLICT_RETRIES:
                    self._finish(action, Outcome.FAILED, f"{exc} (still changing after {retries} re-reads)")
                    return
                retries += 1
                try:
                    action = await self._replan(action)
                except GrafanaError as err:
                    self._finish(action, Outcome.FAILED, f"re-read after a version conflict failed: {err}")
                    return
                if action.kind not in WRITES:
                    detail = f"re-planned after a concurrent change: {action.reason}"
                    self._finish(action, _OUTCOME.get(action.kind, Outcome.FAILED), detail, retries=retries)
                    return
            except GrafanaError as exc:
                self._finish(action, Outcome.FAILED, str(exc), retries=retries)
                return
            else:
                self._finish(action, Outcome.OK, action.reason, version=version, retries=retries)
                return

    async def _write(self, action: DashboardAction) -> int | None:
        if action.kind is ActionKind.DELETE_LIBRARY_PANEL:
            if action.live is not None:
                await self.port.delete_library_panel(action.live)
            return None
        desired = action.desired
        if desired is None:
            raise GrafanaError("nothing to write (planner gave no desired content)")
        marker = self.marker(desired.path, desired.checksum)
        return (await self.port.save_library_panel(desired, action.live, marker)).version

    async def _replan(self, action: DashboardAction) -> DashboardAction:
        fresh = await self.port.get_library_panel(action.uid)
        only = (
            {action.uid: self.desired.library_panels[action.uid]}
            if action.uid in self.desired.library_panels
            else {}
        )
        desired = DesiredState(folders=self.desired.folders, dashboards={}, library_panels=only)
        live = replace(
            self.live,
            dashboards={},
            library_panels={fresh.uid: fresh} if fresh is not None else {},
            complete=False,
        )
        for candidate in plan_library(desired, live, replace(self.policy, prune=False)).actions:
            if candidate.uid == action.uid:
                return candidate
        return DashboardAction(ActionKind.NOOP, action.uid, "no longer present on either side")

    def _finish(
        self,
        action: DashboardAction,
        outcome: Outcome,
        detail: str,
        *,
        version: int | None = None,
        retries: int = 0,
    ) -> None:
        if outcome is Outcome.FAILED:
            self.failed[action.uid] = detail
        desired, live = action.desired, action.live
        folder = desired.folder_uid if desired else (live.folder_uid if live else None)
        self.record(
            ActionResult(
                kind=action.kind,
                uid=action.uid,
                outcome=outcome,
                path=action.path,
                folder_uid=folder,
                detail=detail,
                version=version,
                retries=retries,
            )
        )
