"""Folder ordering, folder updates and prune safety of `plan()`."""

from __future__ import annotations

import pytest

from syncer.core.planner import plan
from syncer.model.plan import ActionKind, Policy
from syncer.model.state import Severity, SourceProblem
from unit.core_factories import content, desired, have, lfolder, live, want, wfolder

A = content("A")
PRUNE = Policy(prune=True)


def kinds(actions: object) -> list[tuple[str, ActionKind]]:
    return [(a.uid, a.kind) for a in actions]  # type: ignore[attr-defined]


def test_missing_folders_are_created_parent_first() -> None:
    folders = [wfolder("c", parent="b"), wfolder("a"), wfolder("b", parent="a"), wfolder("z")]
    result = plan(desired([], folders), live(), Policy())
    order = [a.uid for a in result.folder_actions]
    assert order.index("a") < order.index("b") < order.index("c")
    assert all(a.kind is ActionKind.CREATE_FOLDER for a in result.folder_actions)


def test_folder_rename_and_move_are_updates() -> None:
    folders = [wfolder("p"), wfolder("q"), wfolder("x", "New title", parent="q")]
    current = live(folders=[lfolder("p"), lfolder("q"), lfolder("x", "Old title", parent="p")])
    result = plan(desired([], folders), current, Policy())
    (update,) = [a for a in result.folder_actions if a.kind is ActionKind.UPDATE_FOLDER]
    assert update.uid == "x"
    assert "renamed from 'Old title' to 'New title'" in update.reason
    assert "moved from 'p' to 'q'" in update.reason


def test_folder_of_another_instance_is_not_changed() -> None:
    result = plan(
        desired([], [wfolder("x", "Mine")]), live(folders=[lfolder("x", "Theirs", manager="other")]), Policy()
    )
    assert kinds(result.folder_actions) == [("x", ActionKind.SKIP)]


def test_unchanged_folder_is_noop() -> None:
    result = plan(desired([], [wfolder("x")]), live(folders=[lfolder("x", manager=None)]), Policy())
    assert kinds(result.folder_actions) == [("x", ActionKind.NOOP)]
    assert result.in_sync


def test_prune_deletes_only_own_marked_dashboards() -> None:
    current = live(
        [have("mine"), have("unmarked", manager=None), have("theirs", manager="other"), have("kept")]
    )
    result = plan(desired([want("kept")]), current, PRUNE)
    assert [a.uid for a in result.dashboard_actions if a.kind is ActionKind.DELETE] == ["mine"]
    assert result.refusals == ()


def test_no_prune_without_the_flag() -> None:
    result = plan(desired([want("kept")]), live([have("mine"), have("kept")]), Policy())
    assert ActionKind.DELETE not in {a.kind for a in result.dashboard_actions}


@pytest.mark.parametrize(
    ("state", "current", "policy", "why"),
    [
        (
            desired([want("kept")], problems=[SourceProblem("broken.json", "invalid JSON")]),
            live([have("mine"), have("kept")]),
            PRUNE,
            "error",
        ),
        (desired([]), live([have("mine")]), PRUNE, "no dashboards"),
        (
            desired([want("k")]),
            live([have("a"), have("b"), have("k")]),
            Policy(prune=True, max_deletes=1),
            "max-deletes",
        ),
        (desired([want("k")]), live([have("a"), have("k")], complete=False), PRUNE, "part of Grafana"),
        (
            desired([want("k")]),
            live([have("a"), have("b"), have("c"), have("k")]),
            Policy(prune=True, min_prune_ratio=0.5),
            "fewer than 50%",
        ),
    ],
    ids=["source errors", "empty source", "too many deletes", "incomplete live", "ratio"],
)
def test_prune_refusals_delete_nothing(state, current, policy, why) -> None:  # type: ignore[no-untyped-def]
    result = plan(state, current, policy)
    assert not [a for a in result.dashboard_actions if a.kind is ActionKind.DELETE]
    assert not [a for a in result.folder_actions if a.kind is ActionKind.DELETE_FOLDER]
    assert len(result.refusals) == 1 and why in result.refusals[0]


def test_warnings_do_not_refuse_prune() -> None:
    state = desired([want("k")], problems=[SourceProblem("k.json", "id ignored", Severity.WARNING)])
    result = plan(state, live([have("a"), have("k")]), PRUNE)
    assert ("a", ActionKind.DELETE) in kinds(result.dashboard_actions)


def test_max_deletes_is_inclusive() -> None:
    result = plan(
        desired([want("k")]), live([have("a"), have("b"), have("k")]), Policy(prune=True, max_deletes=2)
    )
    assert len([a for a in result.dashboard_actions if a.kind is ActionKind.DELETE]) == 2


def test_managed_folders_left_empty_are_deleted_children_first() -> None:
    folders = [lfolder("top"), lfolder("mid", parent="top"), lfolder("leaf", parent="mid")]
    current = live([have("d", folder="leaf")], folders)
    result = plan(desired([want("k")]), live([*current.dashboards.values(), have("k")], folders), PRUNE)
    assert kinds(result.folder_actions) == [
        ("leaf", ActionKind.DELETE_FOLDER),
        ("mid", ActionKind.DELETE_FOLDER),
        ("top", ActionKind.DELETE_FOLDER),
    ]


def test_folder_holding_unmanaged_dashboard_is_kept() -> None:
    folders = [lfolder("top"), lfolder("sub", parent="top")]
    current = live(
        [have("mine", folder="sub"), have("foreign", folder="top", manager=None), have("k")], folders
    )
    result = plan(desired([want("k")]), current, PRUNE)
    assert kinds(result.folder_actions) == [("sub", ActionKind.DELETE_FOLDER)]


def test_folder_with_unmanaged_subfolder_is_kept() -> None:
    folders = [lfolder("top"), lfolder("theirs", parent="top", manager=None)]
    result = plan(desired([want("k")]), live([have("k")], folders), PRUNE)
    assert kinds(result.folder_actions) == []


def test_folder_that_a_desired_dashboard_moves_into_is_kept() -> None:
    folders = [lfolder("old")]
    state = desired([want("k", A, folder="old")])  # an explicit folderUid pointing at it
    result = plan(state, live([have("k", A, folder=None)], folders), PRUNE)
    assert kinds(result.folder_actions) == []


def test_folder_emptied_by_a_move_is_deleted_and_skipped_dashboard_keeps_it() -> None:
    folders = [lfolder("old")]
    moved = plan(desired([want("k", A)], []), live([have("k", A, folder="old")], folders), PRUNE)
    assert ("old", ActionKind.DELETE_FOLDER) in kinds(moved.folder_actions)
    stuck = plan(desired([want("k", A)]), live([have("k", A, folder="old", manager="other")], folders), PRUNE)
    assert kinds(stuck.folder_actions) == []


def test_unmarked_or_foreign_folders_are_never_deleted() -> None:
    folders = [lfolder("u", manager=None), lfolder("o", manager="other")]
    result = plan(desired([want("k")]), live([have("k")], folders), PRUNE)
    assert result.folder_actions == ()


def test_desired_folder_is_never_deleted() -> None:
    result = plan(desired([want("k")], [wfolder("f")]), live([have("k")], [lfolder("f")]), PRUNE)
    assert kinds(result.folder_actions) == [("f", ActionKind.NOOP)]


def test_unread_dashboards_block_folder_deletes() -> None:
    current = live([have("k")], [lfolder("f")])
    current = type(current)(current.folders, current.dashboards, True, frozenset({"unread"}))
    result = plan(desired([want("k")]), current, PRUNE)
    assert result.folder_actions == ()
    assert "could not be read" in result.refusals[0]


# ---- folders whose marker cannot be read (real Grafana's legacy API omits `description`) ----------


def test_unreadable_marker_folders_emptied_by_this_prune_are_deleted_children_first() -> None:
    folders = [
        lfolder("top", manager=None),
        lfolder("mid", "Mid", "top", None),
        lfolder("leaf", None, "mid", None),
    ]
    result = plan(desired([want("k")]), live([have("d", folder="leaf"), have("k")], folders), PRUNE)
    assert kinds(result.folder_actions) == [
        ("leaf", ActionKind.DELETE_FOLDER),
        ("mid", ActionKind.DELETE_FOLDER),
        ("top", ActionKind.DELETE_FOLDER),
    ]
    assert "ownership unreadable" in result.folder_actions[1].reason


def test_unreadable_marker_folder_already_empty_is_kept() -> None:
    result = plan(desired([want("k")]), live([have("k"), have("d")], [lfolder("u", manager=None)]), PRUNE)
    assert ("d", ActionKind.DELETE) in kinds(result.dashboard_actions)
    assert result.folder_actions == ()


def test_unreadable_marker_folder_emptied_only_by_a_move_is_kept() -> None:
    moved = plan(
        desired([want("k", A)]), live([have("k", A, folder="u")], [lfolder("u", manager=None)]), PRUNE
    )
    assert kinds(moved.folder_actions) == []


def test_unreadable_marker_folder_keeps_when_anything_else_remains() -> None:
    folders = [lfolder("u", manager=None), lfolder("sub", parent="u", manager=None)]
    other_dashboard = live(
        [have("d", folder="u"), have("hand", folder="u", manager=None), have("k")], folders
    )
    assert plan(desired([want("k")]), other_dashboard, PRUNE).folder_actions == ()
    other_folder = live([have("d", folder="u"), have("k")], folders)  # `sub` stays: nothing of ours left it
    assert plan(desired([want("k")]), other_folder, PRUNE).folder_actions == ()
    kept_dashboard = live([have("d", folder="u"), have("k", A, folder="u")], folders[:1])
    assert plan(desired([want("k", A, folder="u")]), kept_dashboard, PRUNE).folder_actions == ()


def test_unreadable_marker_parent_goes_with_its_managed_child_it_was_emptied_through() -> None:
    folders = [lfolder("u", manager=None), lfolder("mine", parent="u")]
    result = plan(desired([want("k")]), live([have("d", folder="mine"), have("k")], folders), PRUNE)
    assert kinds(result.folder_actions) == [
        ("mine", ActionKind.DELETE_FOLDER),
        ("u", ActionKind.DELETE_FOLDER),
    ]


def test_foreign_or_desired_folder_emptied_by_prune_is_kept() -> None:
    foreign = plan(
        desired([want("k")]), live([have("d", folder="o"), have("k")], [lfolder("o", manager="other")]), PRUNE
    )
    assert foreign.folder_actions == ()
    wanted = plan(
        desired([want("k")], [wfolder("u")]),
        live([have("d", folder="u"), have("k")], [lfolder("u", manager=None)]),
        PRUNE,
    )
    assert kinds(wanted.folder_actions) == [("u", ActionKind.NOOP)]


def test_unreadable_marker_folder_is_not_deleted_without_prune_or_when_refused() -> None:
    current = live([have("d", folder="u"), have("k")], [lfolder("u", manager=None)])
    assert plan(desired([want("k")]), current, Policy()).folder_actions == ()
    refused = plan(desired([want("k")]), current, Policy(prune=True, max_deletes=0))
    assert refused.folder_actions == () and refused.refusals
    scoped = plan(desired([want("k")]), current, PRUNE, scope={"k"})
    assert scoped.folder_actions == ()
