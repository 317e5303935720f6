"""`plan(desired, live, policy)`: the pure decision of what a reconcile pass will do.

Called by the engine's reconcile (whole source, or a `scope` of dashboard uids for incremental
daemon passes and for re-planning one dashboard after a version conflict). It returns folder
actions (creates/updates parent-first, then deletes children-first) and dashboard actions (one per
desired dashboard in scope, sorted by path, then deletes) and library panel actions
(`core.library_plan`), each with a human reason.
It does no I/O and reads no clock; it never deletes outside `core.prune`'s rules.
"""

from __future__ import annotations

from collections.abc import Collection

from syncer.core.decide import decide
from syncer.core.folder_plan import plan_folder_changes
from syncer.core.library_plan import library_orphans, plan_library
from syncer.core.prune import PruneDecision, orphans, plan_prune
from syncer.model.plan import DashboardAction, Plan, Policy
from syncer.model.state import DesiredState, LiveDashboard, LiveState


def plan(
    desired: DesiredState, live: LiveState, policy: Policy, *, scope: Collection[str] | None = None
) -> Plan:
    """With `scope`, only those desired dashboards are considered and nothing is deleted
    (the live state may hold only those uids). Folder creates/updates are always planned."""
    states = (desired, live)
    in_scope = None if scope is None else frozenset(scope)
    wanted = [d for uid, d in desired.dashboards.items() if in_scope is None or uid in in_scope]
    kept = {
        d.uid: decide(d, live.dashboards.get(d.uid), policy, states)
        for d in sorted(wanted, key=lambda d: (d.path, d.uid))
    }
    folder_changes = plan_folder_changes(desired, live, policy)
    library = plan_library(desired, live, policy, scope=scope)
    prune = PruneDecision()
    left: tuple[LiveDashboard, ...] = ()
    left_library: tuple[LiveDashboard, ...] = ()
    if policy.prune and scope is None:
        remaining = library.remaining_folders(live, desired)
        prune = plan_prune(desired, live, policy, kept, folder_changes, library_folders=remaining)
    if scope is None and (not policy.prune or prune.refusals):
        left = orphans(desired, live, policy)  # not deleted by this plan: listed, never "in sync"
    if scope is None and (not policy.prune or library.refusals or prune.refusals):
        left_library = library_orphans(desired, live, policy)
    folder_actions = (*folder_changes, *prune.folder_deletes)
    dashboard_actions: tuple[DashboardAction, ...] = (
        *kept.values(),
        *prune.dashboard_skips,
        *prune.dashboard_deletes,
    )
    refusals = (*prune.refusals, *library.refusals)
    return Plan(
        folder_actions,
        dashboard_actions,
        refusals,
        orphans=left,
        library_actions=library.actions,
        library_orphans=left_library,
    )
