"""Incremental-reconcile bookkeeping (snapshot diff, empty-source refusal) and the retry backoff."""

from __future__ import annotations

from syncer.engine.daemon.backoff import Backoff
from syncer.engine.daemon.changes import Snapshot, diff, source_refusal
from syncer.model.state import DesiredDashboard, DesiredFolder, DesiredState


def state(
    dashboards: dict[str, tuple[str, str]], folders: dict[str, str] | None = None, files: int = -1
) -> DesiredState:
    return DesiredState(
        folders={uid: DesiredFolder(uid, title, None, uid) for uid, title in (folders or {}).items()},
        dashboards={
            uid: DesiredDashboard(uid, uid, None, path, {"title": uid}, checksum)
            for uid, (checksum, path) in dashboards.items()
        },
        files_seen=len(dashboards) if files < 0 else files,
    )


def test_diff_finds_edits_additions_renames_and_removals() -> None:
    old = Snapshot.of(
        state({"a": ("c1", "a.json"), "b": ("c2", "b.json"), "c": ("c3", "c.json")}, {"f": "F"})
    )
    new = Snapshot.of(
        state(
            {
                "a": ("c1", "a.json"),
                "b": ("c2x", "b.json"),
                "c": ("c3", "moved/c.json"),
                "d": ("c4", "d.json"),
            },
            {"f": "F"},
        )
    )
    changes = diff(old, new)
    assert changes.changed == {"b", "c", "d"}
    assert changes.removed == frozenset()
    assert not changes.folders_changed and not changes.folders_removed
    gone = diff(new, Snapshot.of(state({"a": ("c1", "a.json")}, {})))
    assert gone.removed == {"b", "c", "d"}
    assert gone.folders_removed


def test_identical_loads_have_an_empty_change_set() -> None:
    snap = Snapshot.of(state({"a": ("c1", "a.json")}, {"f": "F"}))
    assert diff(snap, snap).empty
    retitled = Snapshot.of(state({"a": ("c1", "a.json")}, {"f": "F2"}))
    assert diff(snap, retitled).folders_changed and not diff(snap, retitled).empty


def test_empty_source_after_files_is_refused_but_an_empty_start_is_not() -> None:
    before = Snapshot.of(state({"a": ("c1", "a.json")}))
    assert source_refusal(before, state({})) is not None
    assert source_refusal(None, state({})) is None
    assert source_refusal(Snapshot.of(state({})), state({})) is None
    # a broken file still counts as a file: the loader's problems, not emptiness, guard prune then
    assert source_refusal(before, state({}, files=1)) is None


def test_backoff_grows_caps_jitters_and_resets() -> None:
    values = iter([0.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0])
    backoff = Backoff(initial_s=1.0, max_s=8.0, rng=lambda: next(values))
    delays = [backoff.next_delay() for _ in range(6)]
    assert delays == [0.5, 2.0, 3.0, 8.0, 8.0, 8.0]  # d/2 + U*d/2 with d = 1, 2, 4, 8, 8, 8
    assert backoff.next_delay(at_least=20.0) == 20.0  # Retry-After wins
    backoff.reset()
    assert backoff.attempts == 0


def test_backoff_never_exceeds_the_cap_and_is_never_zero() -> None:
    backoff = Backoff(initial_s=0.5, max_s=30.0)
    delays = [backoff.next_delay() for _ in range(50)]
    assert all(0 < d <= 30.0 for d in delays)
    assert len(set(delays)) > 1
