"""What changed in the source since the daemon's last good load: the basis of incremental reconciles.

Who calls it: `syncer.engine.daemon.target.TargetRunner` after each reload. The daemon keeps one compact
`Snapshot` per target (checksums and paths, no dashboard content) so memory stays flat however long it
runs, and diffs the next load against it to find the few uids a file event touched.
It must not do I/O: loading is the caller's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field

from syncer.model.state import DesiredState


@dataclass(frozen=True)
class Snapshot:
    """The last good desired state, reduced to what the diff needs."""

    dashboards: Mapping[str, tuple[str, str]]  # uid -> (checksum, path)
    folders: Mapping[str, tuple[str, str | None]]  # uid -> (title, parent uid)
    files_seen: int
    library_panels: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # uid -> (checksum, path)

    @classmethod
    def of(cls, desired: DesiredState, previous: Snapshot | None = None) -> Snapshot:
        """`previous`: its entries are reused where equal, so a pass keeps no new small objects
        for what did not change (they would pin the allocator's pages between passes)."""
        old = {} if previous is None else previous.dashboards
        return cls(
            dashboards={
                uid: _same(old.get(uid), (d.checksum, d.path)) for uid, d in desired.dashboards.items()
            },
            folders={uid: (f.title, f.parent_uid) for uid, f in desired.folders.items()},
            files_seen=desired.files_seen,
            library_panels={uid: (p.checksum, p.path) for uid, p in desired.library_panels.items()},
        )


def _same(old: tuple[str, str] | None, new: tuple[str, str]) -> tuple[str, str]:
    return old if old == new else new


@dataclass(frozen=True)
class ChangeSet:
    changed: frozenset[str]  # dashboards added, edited, moved or renamed (a new path)
    removed: frozenset[str]  # dashboards whose file disappeared
    # a folder appeared or its title/parent changed, or a library panel appeared or changed (library
    # panels are few and planned on every pass, so they ride on the folders' flags)
    folders_changed: bool
    folders_removed: bool  # a folder or a library panel left the source

    @property
    def empty(self) -> bool:
        return not (self.changed or self.removed or self.folders_changed or self.folders_removed)


def diff(old: Snapshot, new: Snapshot) -> ChangeSet:
    changed = frozenset(uid for uid, entry in new.dashboards.items() if old.dashboards.get(uid) != entry)
    removed = frozenset(old.dashboards.keys() - new.dashboards.keys())
    folders_changed = any(old.folders.get(uid) != entry for uid, entry in new.folders.items()) or any(
        old.library_panels.get(uid) != entry for uid, entry in new.library_panels.items()
    )
    folders_removed = bool(old.folders.keys() - new.folders.keys()) or bool(
        old.library_panels.keys() - new.library_panels.keys()
    )
    return ChangeSet(changed, removed, folders_changed, folders_removed)


def scope_of(
    changes: ChangeSet | None, dirty: Set[str], desired: DesiredState, *, prune: bool
) -> frozenset[str] | None:
    """The uids an incremental pass reconciles (possibly none), or None for a full reconcile: no
    changes known (a full batch, no good state yet), or something left the source while prune is on
    (only a full run may prune; cheap enough for the rare deletion). `dirty`: uids whose last write
    failed, retried with every pass."""
    if changes is None or (prune and (changes.removed or changes.folders_removed)):
        return None
    return frozenset(changes.changed | (dirty & desired.dashboards.keys()))


def source_refusal(previous: Snapshot | None, desired: DesiredState) -> str | None:
    """Why this load must not be acted on at all, or None.

    An empty tree where there were files is what a failed mount or a half-done checkout looks like
    (peers.md, complaint 1); acting on it with prune on would delete everything. The daemon keeps its
    last good state instead and reports a source error until files come back.
    """
    if previous is not None and previous.files_seen > 0 and desired.files_seen == 0:
        return f"source directory is empty but held {previous.files_seen} files; keeping the last good state"
    return None
