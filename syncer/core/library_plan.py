"""The plan for library panels: the dashboards' three-way rule per element, then a careful prune.

Called by `core.planner.plan` when the live state holds the library elements (`live.library_read`).
Each desired element goes through `core.decide.decide` (the same rule, ownership markers, `--adopt`,
`--on-drift` and `--on-conflict` as dashboards); the result is named with library-panel kinds so
the executor runs creates/updates before the dashboards and deletes after them. Prune deletes only
elements carrying this instance's marker, and never one that a dashboard will still use: one in the
source, or one in Grafana that this plan neither writes nor deletes (Grafana would refuse anyway).
Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from syncer.core.decide import SUSPENDED, decide
from syncer.core.library import library_checksum, panel_references
from syncer.core.prune import left_behind
from syncer.model.plan import ActionKind, Cause, DashboardAction, Policy
from syncer.model.state import DesiredState, LiveDashboard, LiveState

_KINDS = {
    ActionKind.CREATE: ActionKind.CREATE_LIBRARY_PANEL,
    ActionKind.UPDATE: ActionKind.UPDATE_LIBRARY_PANEL,
    ActionKind.MOVE: ActionKind.UPDATE_LIBRARY_PANEL,
}


@dataclass(frozen=True)
class LibraryPlan:
    actions: tuple[DashboardAction, ...] = ()
    refusals: tuple[str, ...] = ()

    def remaining_folders(self, live: LiveState, desired: DesiredState) -> frozenset[str]:
        """Folders that still hold a library panel after the plan (a folder prune must spare them)."""
        deleted = {a.uid for a in self.actions if a.kind is ActionKind.DELETE_LIBRARY_PANEL}
        folders = {p.folder_uid for uid, p in live.library_panels.items() if uid not in deleted}
        folders.update(p.folder_uid for p in desired.library_panels.values())
        return frozenset(f for f in folders if f is not None)


def plan_library(
    desired: DesiredState, live: LiveState, policy: Policy, *, scope: Collection[str] | None = None
) -> LibraryPlan:
    if not live.library_read:
        return LibraryPlan()
    states = (desired, live)
    kept = tuple(
        _as_library(decide(panel, live.library_panels.get(panel.uid), policy, states))
        for panel in sorted(desired.library_panels.values(), key=lambda p: (p.path, p.uid))
    )
    if not policy.prune or scope is not None:
        return LibraryPlan(kept)
    pruned, refusals = _prune(desired, live, policy)
    return LibraryPlan((*kept, *pruned), refusals)


def library_orphans(desired: DesiredState, live: LiveState, policy: Policy) -> tuple[LiveDashboard, ...]:
    """Library panels this instance manages that the source no longer has and this plan does not
    delete (no --prune, or prune refused): listed, so a plan never calls that state in sync."""
    if not live.library_read:
        return ()
    return left_behind(live.library_panels.values(), desired.library_panels, desired, policy)


def _as_library(action: DashboardAction) -> DashboardAction:
    kind = _KINDS.get(action.kind, action.kind)
    reason = action.reason.replace("new dashboard", "new library panel", 1)
    desired, live = action.desired, action.live
    if desired is not None and live is not None and desired.folder_uid != live.folder_uid:
        # why: `decide` tells a pure move by the dashboards' checksum; ask the library one instead
        if library_checksum(desired.title, desired.content, live.folder_uid) == live.checksum:
            reason = reason.replace("content changed in git and moved", "moved", 1)
        if library_checksum(live.title, live.content, desired.folder_uid) == desired.checksum:
            reason = reason.replace(" and edited (", " (", 1)
    # why: Grafana keeps no version history of library elements; an overwritten edit cannot be restored
    for kept in (
        "the overwritten Grafana edit stays in the history as",
        "the replaced dashboard stays in the history as",
    ):
        reason = reason.replace(kept, "Grafana keeps no history of library panels, so this is lost:")
    return replace(action, kind=kind, reason=reason)


def _prune(
    desired: DesiredState, live: LiveState, policy: Policy
) -> tuple[tuple[DashboardAction, ...], tuple[str, ...]]:
    ours = sorted(
        (p for p in live.library_panels.values() if _ours(p, policy) and p.uid not in desired.library_panels),
        key=lambda p: p.uid,
    )
    if not ours:
        return (), ()
    refusal = _refusal(desired, live, policy, len(ours))
    if refusal:
        return (), (refusal,)
    users = _users(desired, live, policy)
    actions = []
    for panel in ours:
        source = panel.marker.source_path if panel.marker else "?"
        if panel.marker is not None and panel.marker.suspended:
            actions.append(_skip(panel, f"{SUSPENDED}; library panel not deleted (was {source})"))
        elif panel.uid in users:
            actions.append(_skip(panel, f"not pruned: still used by {users[panel.uid]} (was {source})"))
        else:
            reason = f"prune: managed by this syncer and no longer in the source (was {source})"
            delete = DashboardAction(
                ActionKind.DELETE_LIBRARY_PANEL, panel.uid, reason, None, panel, cause=Cause.GIT
            )
            actions.append(delete)
    deletes = sum(1 for a in actions if a.kind is ActionKind.DELETE_LIBRARY_PANEL)
    if deletes > policy.max_deletes:
        return (), (
            f"library panel prune refused: {deletes} deletes exceed --max-deletes {policy.max_deletes}",
        )
    return tuple(actions), ()


def _refusal(desired: DesiredState, live: LiveState, policy: Policy, managed: int) -> str | None:
    prefix = "library panel prune refused, nothing deleted: "
    if desired.errors:
        return f"{prefix}the source has {len(desired.errors)} error(s); fix them first"
    if not live.complete:
        return f"{prefix}only part of Grafana was read"
    if live.other_dashboard_uids:
        return f"{prefix}{len(live.other_dashboard_uids)} dashboards could not be read (they may use them)"
    if not desired.dashboards and not desired.library_panels:
        return f"{prefix}the source is empty but Grafana holds {managed} managed by this syncer"
    return None


def _users(desired: DesiredState, live: LiveState, policy: Policy) -> dict[str, str]:
    """Library panel uid -> a dashboard that will still use it once the plan has run: a dashboard
    of the source, or one in Grafana that prune keeps (not ours, suspended, or claimable only)."""
    users: dict[str, str] = {}
    for wanted in desired.dashboards.values():
        for uid in wanted.library_panel_uids:
            users.setdefault(uid, f"dashboard {wanted.path}")
    for other in live.dashboards.values():
        if other.uid in desired.dashboards or _pruned(other, policy):
            continue
        for uid in panel_references(other.content):
            users.setdefault(uid, f"dashboard {other.uid} {other.title!r}, which this syncer does not prune")
    return users


def _pruned(dashboard: LiveDashboard, policy: Policy) -> bool:
    """Does the dashboards' prune delete it (ours and not suspended), given it left the source?"""
    return _ours(dashboard, policy) and not (dashboard.marker is not None and dashboard.marker.suspended)


def _ours(item: LiveDashboard, policy: Policy) -> bool:
    return item.marker is not None and item.marker.manager_id == policy.manager_id


def _skip(panel: LiveDashboard, reason: str) -> DashboardAction:
    return DashboardAction(ActionKind.SKIP, panel.uid, reason, None, panel)
