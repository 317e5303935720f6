"""Plan actions and the policy that shapes them. Produced by `syncer.core.planner.plan`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from syncer.model.state import DesiredDashboard, DesiredFolder, LiveDashboard, LiveFolder


class ConflictPolicy(StrEnum):
    OVERWRITE = "overwrite"  # git wins; the report names the Grafana version that held the edit
    SKIP = "skip"
    FAIL = "fail"


class DriftPolicy(StrEnum):
    REVERT = "revert"  # GitOps self-heal
    SKIP = "skip"  # leave the UI edit in place and report it


@dataclass(frozen=True)
class Policy:
    manager_id: str = "syncer"
    # Pre-upgrade default ids this instance may update (and restamp) where its source has the
    # dashboard, but never prune: which source wrote them is unknown (engine.source_identity).
    claimable_ids: frozenset[str] = frozenset()
    adopt: bool = False  # take over dashboards that exist in Grafana without any syncer marker
    on_conflict: ConflictPolicy = ConflictPolicy.OVERWRITE
    on_drift: DriftPolicy = DriftPolicy.REVERT
    prune: bool = False
    max_deletes: int = 50
    min_prune_ratio: float = 0.0  # refuse prune if desired has fewer than this share of managed live


class ActionKind(StrEnum):
    CREATE_FOLDER = "create-folder"
    UPDATE_FOLDER = "update-folder"  # title change and/or move to another parent
    DELETE_FOLDER = "delete-folder"
    CREATE = "create"
    UPDATE = "update"
    MOVE = "move"  # update whose only change is the folder
    DELETE = "delete"
    NOOP = "noop"
    SKIP = "skip"
    CONFLICT = "conflict"  # left unresolved by policy (skip/fail); counts for exit code 3
    CREATE_LIBRARY_PANEL = "create-library-panel"
    UPDATE_LIBRARY_PANEL = "update-library-panel"  # model, name and/or folder
    DELETE_LIBRARY_PANEL = "delete-library-panel"


class Cause(StrEnum):
    """Why a dashboard action exists, for machines (CI, hooks) that must not parse the reason text."""

    GIT = "git"  # the file changed (or is new, or is gone and pruned)
    DRIFT = "drift"  # only Grafana changed: a UI edit that the action reverts (or leaves in place)
    CONFLICT = "conflict"  # both changed: git's version overwrites the Grafana edit (or it is left)
    ADOPT = "adopt"  # a dashboard without syncer's marker is taken over


WRITE_KINDS = frozenset(
    {
        ActionKind.CREATE_FOLDER,
        ActionKind.UPDATE_FOLDER,
        ActionKind.DELETE_FOLDER,
        ActionKind.CREATE,
        ActionKind.UPDATE,
        ActionKind.MOVE,
        ActionKind.DELETE,
        ActionKind.CREATE_LIBRARY_PANEL,
        ActionKind.UPDATE_LIBRARY_PANEL,
        ActionKind.DELETE_LIBRARY_PANEL,
    }
)


@dataclass(frozen=True)
class FolderAction:
    kind: ActionKind
    uid: str
    reason: str
    desired: DesiredFolder | None = None
    live: LiveFolder | None = None


@dataclass(frozen=True)
class DashboardAction:
    kind: ActionKind
    uid: str
    reason: str
    desired: DesiredDashboard | None = None
    live: LiveDashboard | None = None
    overwrites_version: int | None = None  # the Grafana version a write replaces (drift, conflict, adopt)
    cause: Cause | None = None  # None for a noop

    @property
    def overwrites_edit(self) -> bool:
        """A write that replaces a change made in Grafana (the plan marks it with `!`)."""
        return self.kind in WRITE_KINDS and self.overwrites_version is not None

    @property
    def path(self) -> str | None:
        return (
            self.desired.path
            if self.desired
            else (self.live.marker.source_path if self.live and self.live.marker else None)
        )


@dataclass(frozen=True)
class Plan:
    folder_actions: tuple[FolderAction, ...]
    dashboard_actions: tuple[DashboardAction, ...]
    refusals: tuple[str, ...] = ()  # e.g. prune refused: the reasons, shown to the user
    # managed dashboards no longer in the source that this plan does not delete (no --prune):
    # Grafana still differs from the source, so the plan is not "in sync"
    orphans: tuple[LiveDashboard, ...] = ()
    # library panels: creates/updates run before the dashboards, deletes after (core.library_plan)
    library_actions: tuple[DashboardAction, ...] = ()
    # managed library panels no longer in the source that this plan does not delete (as `orphans`)
    library_orphans: tuple[LiveDashboard, ...] = ()

    @property
    def writes(self) -> int:
        folder_writes = sum(1 for f in self.folder_actions if f.kind in WRITE_KINDS)
        library_writes = sum(1 for a in self.library_actions if a.kind in WRITE_KINDS)
        dashboard_writes = sum(1 for d in self.dashboard_actions if d.kind in WRITE_KINDS)
        return folder_writes + library_writes + dashboard_writes

    @property
    def in_sync(self) -> bool:
        folder_conflicts = any(f.kind is ActionKind.CONFLICT for f in self.folder_actions)
        # why skips count: a drift or conflict left in place (or a paused dashboard) still differs
        skipped = any(a.kind is ActionKind.SKIP for a in self.folder_actions) or any(
            a.kind is ActionKind.SKIP for a in (*self.dashboard_actions, *self.library_actions)
        )
        return (
            self.writes == 0
            and not self.conflicts
            and not folder_conflicts
            and not self.orphans
            and not self.library_orphans
            and not skipped
        )

    @property
    def conflicts(self) -> tuple[DashboardAction, ...]:
        actions = (*self.dashboard_actions, *self.library_actions)
        return tuple(a for a in actions if a.kind is ActionKind.CONFLICT)
