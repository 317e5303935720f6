"""Folder creates and updates (renames, moves), parent-first.

Called by the planner. A folder is compared by title and parent only; a folder owned by another
syncer instance, or suspended in Grafana (`OwnershipMarker.suspended`), is never changed.
Deleting folders is prune's job (`core.prune`).
Pure; no I/O.
"""

from __future__ import annotations

from syncer.core.decide import SUSPENDED, owns
from syncer.core.describe import folder_name
from syncer.model.plan import ActionKind, FolderAction, Policy
from syncer.model.state import DesiredFolder, DesiredState, LiveFolder, LiveState


def plan_folder_changes(desired: DesiredState, live: LiveState, policy: Policy) -> list[FolderAction]:
    """One action per desired folder (NOOP included), parents before their children."""
    ordered = sorted(desired.folders.values(), key=lambda f: (desired_depth(f, desired), f.path, f.uid))
    return [_folder_action(folder, live.folders.get(folder.uid), policy, desired, live) for folder in ordered]


def desired_depth(folder: DesiredFolder, desired: DesiredState) -> int:
    """1 for a top-level folder. A parent chain that loops (impossible from the loader) stops."""
    depth, seen, parent = 1, {folder.uid}, folder.parent_uid
    while parent is not None and parent in desired.folders and parent not in seen:
        seen.add(parent)
        depth += 1
        parent = desired.folders[parent].parent_uid
    return depth


def _folder_action(
    folder: DesiredFolder, live: LiveFolder | None, policy: Policy, desired: DesiredState, state: LiveState
) -> FolderAction:
    if live is None:
        where = folder_name(folder.parent_uid, desired, state)
        return FolderAction(
            ActionKind.CREATE_FOLDER, folder.uid, f"new folder for {folder.path}/ in {where}", folder
        )
    changes = []
    if live.title != folder.title:
        changes.append(f"renamed from {live.title!r} to {folder.title!r}")
    if live.parent_uid != folder.parent_uid:
        old, new = (
            folder_name(live.parent_uid, desired, state),
            folder_name(folder.parent_uid, desired, state),
        )
        changes.append(f"moved from {old} to {new}")
    if not changes:
        return FolderAction(ActionKind.NOOP, folder.uid, "in sync", folder, live)
    if live.marker is not None and not owns(policy, live.marker.manager_id):
        reason = f"owned by another syncer instance ({live.marker.manager_id!r}); not " + " and ".join(
            changes
        )
        return FolderAction(ActionKind.SKIP, folder.uid, reason, folder, live)
    if live.marker is None and state.folder_markers_readable and not policy.adopt:
        # why: a folder someone made by hand is theirs: renaming or moving it needs an explicit adopt
        reason = (
            f"folder {live.title!r} exists in Grafana without syncer's ownership marker; not "
            + " and ".join(changes)
            + ": pass --adopt (or sync.adopt: true) to take it over"
        )
        return FolderAction(ActionKind.CONFLICT, folder.uid, reason, folder, live)
    if live.marker is not None and live.marker.suspended:
        reason = f"{SUSPENDED}; not " + " and ".join(changes)
        return FolderAction(ActionKind.SKIP, folder.uid, reason, folder, live)
    return FolderAction(ActionKind.UPDATE_FOLDER, folder.uid, " and ".join(changes), folder, live)
