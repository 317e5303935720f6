"""Prune: which dashboards and folders syncer may delete, or why it refuses to delete anything.

Called by the planner when `policy.prune` is set and the run is not scoped. Safety first: only
objects carrying this instance's ownership marker are candidates (plus, for folders whose marker
cannot be read, those that only this plan's dashboard deletes leave empty), and any doubt about
the source (errors, emptiness, a drop below `min_prune_ratio`) or about the live state (incomplete)
refuses every delete, so a typo or a vanished checkout never deletes a dashboard. A dashboard or
folder suspended in Grafana (`OwnershipMarker.suspended`) is never deleted (a SKIP says so instead).
Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from syncer.core.decide import SUSPENDED
from syncer.model.plan import WRITE_KINDS, ActionKind, Cause, DashboardAction, FolderAction, Policy
from syncer.model.state import DesiredState, LiveDashboard, LiveFolder, LiveState, OwnershipMarker


@dataclass(frozen=True)
class PruneDecision:
    dashboard_deletes: tuple[DashboardAction, ...] = ()
    folder_deletes: tuple[FolderAction, ...] = ()  # children before parents
    refusals: tuple[str, ...] = ()
    dashboard_skips: tuple[DashboardAction, ...] = ()  # would be deleted, but suspended in Grafana


def plan_prune(
    desired: DesiredState,
    live: LiveState,
    policy: Policy,
    kept: Mapping[str, DashboardAction],
    folder_changes: Sequence[FolderAction],
    *,
    library_folders: frozenset[str] = frozenset(),
) -> PruneDecision:
    """`kept`: the planned actions of desired dashboards; `folder_changes`: the planned folder
    creates/updates (where each dashboard and folder will be decides which folders end up empty);
    `library_folders`: folders that still hold a library panel afterwards (never emptied)."""
    managed = [d for d in live.dashboards.values() if _ours(d.marker, policy)]
    gone = sorted((d for d in managed if d.uid not in desired.dashboards), key=lambda d: d.uid)
    doomed = [d for d in gone if not _suspended(d.marker)]
    refusals = _refusals(desired, live, policy, len(managed), len(doomed))
    if refusals:
        return PruneDecision(refusals=tuple(refusals))
    deletes = tuple(
        DashboardAction(ActionKind.DELETE, d.uid, _delete_reason(d), None, d, cause=Cause.GIT) for d in doomed
    )
    spared = tuple(
        DashboardAction(ActionKind.SKIP, d.uid, f"{SUSPENDED}; not deleted ({_delete_reason(d)})", None, d)
        for d in gone
        if _suspended(d.marker)
    ) + _claimable_not_pruned(desired, live, policy)
    placement = _Placement(kept, folder_changes, library_folders)
    folders, folder_refusals = _folder_deletes(desired, live, policy, {d.uid for d in doomed}, placement)
    return PruneDecision(deletes, folders, folder_refusals, spared)


def orphans(desired: DesiredState, live: LiveState, policy: Policy) -> tuple[LiveDashboard, ...]:
    """Dashboards this instance manages that the source no longer has: what `--prune` would delete
    (before its safety checks). Listed without --prune, so a plan never calls such a state in sync."""
    return left_behind(live.dashboards.values(), desired.dashboards, desired, policy)


def left_behind(
    items: Iterable[LiveDashboard], present: Collection[str], desired: DesiredState, policy: Policy
) -> tuple[LiveDashboard, ...]:
    """The `items` marked by this instance whose uid is not `present` in the source, sorted by uid;
    one whose recorded file (or a directory above it) has errors is unreadable, not gone."""
    broken = {p.path.rstrip("/") for p in desired.errors}
    gone = (
        d
        for d in items
        if _ours(d.marker, policy) and d.uid not in present and not _in_broken(d.marker, broken)
    )
    return tuple(sorted(gone, key=lambda d: d.uid))


def _in_broken(marker: OwnershipMarker | None, broken: set[str]) -> bool:
    """Its file (or a directory above it) is there but has errors: not gone, just unreadable."""
    if marker is None or not broken:
        return False
    path = marker.source_path
    return path in broken or any(path.startswith(b + "/") for b in broken)


def _refusals(desired: DesiredState, live: LiveState, policy: Policy, managed: int, doomed: int) -> list[str]:
    prefix = "prune refused, nothing deleted: "
    if desired.errors:
        return [f"{prefix}the source has {len(desired.errors)} error(s); fix them first"]
    if not live.complete:
        return [f"{prefix}only part of Grafana was read"]
    if not desired.dashboards and managed:
        return [f"{prefix}the source has no dashboards but Grafana holds {managed} managed by this syncer"]
    if managed and len(desired.dashboards) < policy.min_prune_ratio * managed:
        return [
            f"{prefix}the source has {len(desired.dashboards)} dashboards, fewer than "
            f"{policy.min_prune_ratio:.0%} of the {managed} managed in Grafana"
        ]
    if doomed > policy.max_deletes:
        return [f"{prefix}{doomed} deletes exceed --max-deletes {policy.max_deletes}"]
    return []


def _claimable_not_pruned(
    desired: DesiredState, live: LiveState, policy: Policy
) -> tuple[DashboardAction, ...]:
    """Dashboards stamped with a pre-upgrade default id and absent from this source: any source
    with default settings may have written them, so none may delete them (a SKIP says why)."""
    return tuple(
        DashboardAction(
            ActionKind.SKIP,
            d.uid,
            f"not pruned: its marker carries the pre-upgrade default owner {d.marker.manager_id!r} and it "
            f"is not in this source (was {d.marker.source_path}); if this source wrote it, delete it in "
            "Grafana (--manager-id syncer would also prune every other default source's dashboards)",
            None,
            d,
        )
        for d in sorted(live.dashboards.values(), key=lambda d: d.uid)
        if d.marker is not None
        and d.marker.manager_id in policy.claimable_ids
        and d.marker.manager_id != policy.manager_id
        and d.uid not in desired.dashboards
    )


def _delete_reason(live: LiveDashboard) -> str:
    source = live.marker.source_path if live.marker else "?"
    return f"prune: managed by this syncer and no longer in the source (was {source})"


@dataclass(frozen=True)
class _Placement:
    kept: Mapping[str, DashboardAction]
    folder_changes: Sequence[FolderAction]
    library_folders: frozenset[str] = frozenset()


def _folder_deletes(
    desired: DesiredState,
    live: LiveState,
    policy: Policy,
    deleted: set[str],
    placement: _Placement,
) -> tuple[tuple[FolderAction, ...], tuple[str, ...]]:
    if live.other_dashboard_uids:
        # why: a folder delete cascades to its dashboards; with unread dashboards we cannot know it is empty
        return (), (
            f"managed folders not pruned: {len(live.other_dashboard_uids)} dashboards could not be read",
        )
    undesired = [f for uid, f in live.folders.items() if uid not in desired.folders]
    rule = _FolderRule(
        marked=frozenset(f.uid for f in undesired if _ours(f.marker, policy) and not _suspended(f.marker)),
        # a missing marker is only "unreadable" where the API cannot return it; else: not ours
        unmarked=frozenset(f.uid for f in undesired if f.marker is None and not live.folder_markers_readable),
        occupied=frozenset(_occupied_folders(live, deleted, placement.kept)) | placement.library_folders,
        emptied=frozenset(live.dashboards[uid].folder_uid or "" for uid in deleted if uid in live.dashboards),
        children=_planned_children(live, placement.folder_changes),
    )
    doomed = [live.folders[uid] for uid in sorted(rule.marked | rule.unmarked) if rule.deletable(uid)]
    doomed.sort(key=lambda f: -_live_depth(f, live))
    actions = tuple(
        FolderAction(ActionKind.DELETE_FOLDER, f.uid, _folder_reason(f, f.uid in rule.marked), None, f)
        for f in doomed
    )
    spared = tuple(
        FolderAction(ActionKind.SKIP, f.uid, f"{SUSPENDED}; folder {f.title!r} not deleted", None, f)
        for f in sorted(undesired, key=lambda f: f.uid)
        if _ours(f.marker, policy) and _suspended(f.marker)
    )
    return (*spared, *actions), ()


@dataclass
class _FolderRule:
    """Which undesired folders prune deletes. A folder with this instance's marker: when it ends up
    empty. A folder with no readable marker (real Grafana's legacy folder API omits the description
    that holds it): only when it ends up empty *and* this plan deletes managed dashboards from it or
    from its deleted subfolders, i.e. syncer is what empties it. A foreign marker: never."""

    marked: frozenset[str]
    unmarked: frozenset[str]
    occupied: frozenset[str]  # folders that still hold a dashboard after the plan
    emptied: frozenset[str]  # folders this plan deletes managed dashboards from
    children: Mapping[str, Sequence[str]]  # after the plan's folder creates and moves
    _verdicts: dict[str, bool] = field(default_factory=dict, init=False, repr=False)
    _vacated: dict[str, bool] = field(default_factory=dict, init=False, repr=False)

    def deletable(self, uid: str, trail: frozenset[str] = frozenset()) -> bool:
        if uid not in self._verdicts:
            self._verdicts[uid] = (
                uid in self.marked | self.unmarked
                and uid not in self.occupied
                and uid not in trail
                and all(self.deletable(child, trail | {uid}) for child in self.children.get(uid, ()))
                and (uid in self.marked or self._vacated_by_plan(uid))
            )
        return self._verdicts[uid]

    def _vacated_by_plan(self, uid: str) -> bool:
        # only asked once every child is known deletable (so acyclic): the recursion ends
        if uid not in self._vacated:
            self._vacated[uid] = uid in self.emptied or any(
                self._vacated_by_plan(child) for child in self.children.get(uid, ())
            )
        return self._vacated[uid]


def _folder_reason(folder: LiveFolder, marked: bool) -> str:
    if marked:
        return f"prune: managed folder {folder.title!r} is no longer in the source and is left empty"
    # why: real Grafana's legacy folder API does not return the description holding the marker
    return (
        f"prune: folder {folder.title!r} (ownership unreadable) is no longer in the source and held only "
        "dashboards this plan deletes"
    )


def _occupied_folders(live: LiveState, deleted: set[str], kept: Mapping[str, DashboardAction]) -> set[str]:
    """Folders that will still hold a dashboard after the plan runs (where it is, or where it goes)."""
    occupied = {d.folder_uid for d in live.dashboards.values() if d.uid not in deleted and d.uid not in kept}
    for action in kept.values():
        if action.live is not None and action.kind not in WRITE_KINDS:
            occupied.add(action.live.folder_uid)  # a skipped or conflicting dashboard stays where it is
        if action.desired is not None:
            occupied.add(action.desired.folder_uid)
    occupied.discard(None)
    return {uid for uid in occupied if uid is not None}


def _planned_children(live: LiveState, folder_changes: Sequence[FolderAction]) -> dict[str, list[str]]:
    """Each folder's children once the planned creates and moves are done (a skipped move stays)."""
    parents: dict[str, str | None] = {uid: f.parent_uid for uid, f in live.folders.items()}
    parents.update(
        {
            a.uid: a.desired.parent_uid
            for a in folder_changes
            if a.kind in WRITE_KINDS and a.desired is not None
        }
    )
    children: dict[str, list[str]] = {}
    for uid, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(uid)
    return children


def _live_depth(folder: LiveFolder, live: LiveState) -> int:
    depth, seen, parent = 1, {folder.uid}, folder.parent_uid
    while parent is not None and parent in live.folders and parent not in seen:
        seen.add(parent)
        depth += 1
        parent = live.folders[parent].parent_uid
    return depth


def _ours(marker: OwnershipMarker | None, policy: Policy) -> bool:
    return marker is not None and marker.manager_id == policy.manager_id


def _suspended(marker: OwnershipMarker | None) -> bool:
    return marker is not None and marker.suspended
