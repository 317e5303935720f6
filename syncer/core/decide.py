"""The three-way rule of design.md for one dashboard: desired vs live vs base (the checksum in
live's ownership marker) -> one DashboardAction with a human reason. Grafana counts as changed also
when its version is not the one syncer's last save made (the marker's `version`, legacy API): a UI
restore of an old syncer version brings back a marker that still matches its content.

Called by the planner for each desired dashboard, and by the executor (through `plan` with a scope)
to re-plan one dashboard after a version conflict. It never deletes (prune is `core.prune`). A
dashboard of ours whose marker says `suspended` gets a SKIP instead of any write.
Pure; no I/O, no clock.
"""

from __future__ import annotations

from syncer.core.describe import folder_name, live_edit
from syncer.core.essence import checksum
from syncer.model.plan import ActionKind, Cause, ConflictPolicy, DashboardAction, DriftPolicy, Policy
from syncer.model.state import DesiredDashboard, DesiredState, LiveDashboard, LiveState

# The reason given for every action a paused dashboard does not get (plan output, reports).
SUSPENDED = "suspended in Grafana (grafana.app/managerSuspended=true)"
# The reason's start for a dashboard that exists unowned and is not adopted (exit 3).
ADOPT_REFUSED = "exists in Grafana without syncer's ownership marker"


def decide(
    desired: DesiredDashboard,
    live: LiveDashboard | None,
    policy: Policy,
    states: tuple[DesiredState, LiveState],
) -> DashboardAction:
    if live is None:
        where = folder_name(desired.folder_uid, *states)
        return _action(ActionKind.CREATE, desired, None, f"new dashboard in {where}", Cause.GIT)
    if live.marker is None:
        return _unmanaged(desired, live, policy)
    if not owns(policy, live.marker.manager_id):
        return _action(
            ActionKind.CONFLICT,
            desired,
            live,
            f"owned by another syncer instance ({live.marker.manager_id!r}, from "
            f"{live.marker.source_path}); never taken over (this instance is {policy.manager_id!r}; "
            "pass --manager-id with the other's id only if this source replaces it)",
            Cause.CONFLICT,
        )
    action = _three_way(desired, live, live.marker.checksum, policy, states)
    if action.kind is ActionKind.NOOP and live.marker.manager_id != policy.manager_id:
        # why: a claimed pre-upgrade marker is restamped once, so that ownership is exact from now on
        # and other sources' prunes stop listing this dashboard as of unknown origin
        old_id = live.marker.manager_id
        reason = f"restamp ownership: the marker carries the pre-upgrade default id {old_id!r}"
        action = _action(ActionKind.UPDATE, desired, live, reason, Cause.GIT)
    if live.marker.suspended and action.kind is not ActionKind.NOOP:
        # why: a person paused syncer on this dashboard (e.g. to fix it by hand during an incident)
        reason = f"{SUSPENDED}; not written (otherwise {action.kind.value}: {action.reason})"
        return _action(ActionKind.SKIP, desired, live, reason, action.cause)
    return action


def owns(policy: Policy, manager_id: str) -> bool:
    """May this instance write an object stamped `manager_id`? Its own id, or a pre-upgrade default
    id it may claim. Prune asks the stricter `policy.manager_id ==` (a claim never deletes)."""
    return manager_id == policy.manager_id or manager_id in policy.claimable_ids


def _three_way(
    desired: DesiredDashboard,
    live: LiveDashboard,
    base: str,
    policy: Policy,
    states: tuple[DesiredState, LiveState],
) -> DashboardAction:
    """The rule for a dashboard this instance owns, whose marker's checksum is `base`."""
    resaved = _saved_again(live)
    git_changed, grafana_changed = desired.checksum != base, live.checksum != base or resaved is not None
    if desired.checksum == live.checksum:
        same = "" if not git_changed else " (the same change was made in git and in Grafana)"
        return _action(ActionKind.NOOP, desired, live, "in sync" + same)
    if not grafana_changed:
        return _git_change(desired, live, states)
    if not git_changed:
        return _drift(desired, live, policy, states)
    if live.checksum == base:
        # why: e.g. a restore in Grafana's UI of a version syncer wrote: its old marker still matches
        # its content, so only the version shows that Grafana holds something syncer did not write last
        what = f"changed in git; Grafana re-saved syncer's version {resaved} as {live.version} (a restore?)"
        return _conflict(desired, live, policy, what, states)
    return _conflict(desired, live, policy, "changed in git and edited in Grafana", states)


def _saved_again(live: LiveDashboard) -> int | None:
    """The version syncer's last save made, when Grafana has saved the dashboard since; else None."""
    written = live.marker.version if live.marker is not None else None
    # why only newer: a save makes exactly one new version, so an older or equal live version is no
    # evidence of a later save; a wrong guess must never turn every later git change into a conflict
    return written if written is not None and live.version > written else None


def _unmanaged(desired: DesiredDashboard, live: LiveDashboard, policy: Policy) -> DashboardAction:
    """A dashboard someone made by hand (or another tool) under a uid a file uses. Taking it over
    would let a later prune delete it: only on an explicit `--adopt` (Terraform's import)."""
    if not policy.adopt:
        return _action(
            ActionKind.CONFLICT,
            desired,
            live,
            f"{ADOPT_REFUSED} ({live_edit(live)}); not overwritten: pass --adopt (or sync.adopt: true) "
            "to take it over, or give the file another uid",
            Cause.ADOPT,
        )
    if desired.checksum == live.checksum:
        return _action(
            ActionKind.UPDATE, desired, live, "adopt: same content, ownership marker stamped", Cause.ADOPT
        )
    return DashboardAction(
        ActionKind.UPDATE,
        desired.uid,
        "adopt: exists in Grafana without syncer's marker and differs; git's content replaces it "
        f"(the replaced dashboard stays in the history as {live_edit(live)})",
        desired,
        live,
        overwrites_version=live.version,
        cause=Cause.ADOPT,
    )


def _git_change(
    desired: DesiredDashboard, live: LiveDashboard, states: tuple[DesiredState, LiveState]
) -> DashboardAction:
    moved = desired.folder_uid != live.folder_uid
    if moved and checksum(desired.content, live.folder_uid) == live.checksum:
        reason = _moved(live.folder_uid, desired.folder_uid, states)
        return _action(ActionKind.MOVE, desired, live, reason, Cause.GIT)
    reason = "content changed in git"
    if moved:
        reason += " and " + _moved(live.folder_uid, desired.folder_uid, states)
    return _action(ActionKind.UPDATE, desired, live, reason, Cause.GIT)


def _drift(
    desired: DesiredDashboard, live: LiveDashboard, policy: Policy, states: tuple[DesiredState, LiveState]
) -> DashboardAction:
    what = "edited in Grafana"
    if desired.folder_uid != live.folder_uid:
        what = "moved in Grafana to " + folder_name(live.folder_uid, *states)
        if checksum(live.content, desired.folder_uid) != desired.checksum:
            what += " and edited"
    what += f" ({live_edit(live)}){_jsonnet_note(desired)}"
    if policy.on_drift is DriftPolicy.REVERT:
        # why the version: the revert replaces a person's edit, which stays restorable from it
        return DashboardAction(
            ActionKind.UPDATE,
            desired.uid,
            f"revert drift: {what}",
            desired,
            live,
            overwrites_version=live.version,
            cause=Cause.DRIFT,
        )
    reason = f"drift left in place (on-drift=skip): {what}"
    return _action(ActionKind.SKIP, desired, live, reason, Cause.DRIFT)


def _jsonnet_note(desired: DesiredDashboard) -> str:
    """A UI edit of a jsonnet-made dashboard cannot be kept by pulling it into its file: say where
    the source is, so the reviewer ports the edit to the jsonnet instead."""
    file = desired.path.partition("#")[0]
    if not file.lower().endswith(".jsonnet"):
        return ""
    return f"; its source is jsonnet ({file}): make the edit there, `syncer pull` writes JSON"


def _conflict(
    desired: DesiredDashboard,
    live: LiveDashboard,
    policy: Policy,
    what: str,
    states: tuple[DesiredState, LiveState],
) -> DashboardAction:
    edit = live_edit(live)
    if desired.folder_uid != live.folder_uid:
        what += "; " + _moved(live.folder_uid, desired.folder_uid, states)
    if policy.on_conflict is ConflictPolicy.OVERWRITE:
        return DashboardAction(
            ActionKind.UPDATE,
            desired.uid,
            f"conflict, git wins: {what}; the overwritten Grafana edit stays in the history as {edit}",
            desired,
            live,
            overwrites_version=live.version,
            cause=Cause.CONFLICT,
        )
    if policy.on_conflict is ConflictPolicy.SKIP:
        return _action(
            ActionKind.SKIP,
            desired,
            live,
            f"conflict left in place (on-conflict=skip): {what} ({edit})",
            Cause.CONFLICT,
        )
    reason = f"conflict (on-conflict=fail): {what} ({edit})"
    return _action(ActionKind.CONFLICT, desired, live, reason, Cause.CONFLICT)


def _moved(old: str | None, new: str | None, states: tuple[DesiredState, LiveState]) -> str:
    return f"moved from folder {folder_name(old, *states)} to {folder_name(new, *states)}"


def _action(
    kind: ActionKind,
    desired: DesiredDashboard,
    live: LiveDashboard | None,
    reason: str,
    cause: Cause | None = None,
) -> DashboardAction:
    return DashboardAction(kind, desired.uid, reason, desired, live, cause=cause)
