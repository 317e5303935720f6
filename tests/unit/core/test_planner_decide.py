"""Table-driven tests of the three-way rule (design.md "Conflict rule") through `plan()`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from syncer.core.essence import checksum
from syncer.core.planner import plan
from syncer.model.plan import ActionKind, Cause, ConflictPolicy, DriftPolicy, Policy
from syncer.model.state import DesiredDashboard, LiveDashboard, OwnershipMarker
from unit.core_factories import ME, content, desired, have, live, want, wfolder

A, B, C = content("A"), content("B"), content("C")
DEFAULT_POLICY = Policy()
F1, F2 = wfolder("f1", "Team One"), wfolder("f2", "Team Two")


@dataclass(frozen=True)
class Case:
    name: str
    want: DesiredDashboard
    have: LiveDashboard | None
    kind: ActionKind
    reason: str
    policy: Policy = DEFAULT_POLICY
    overwrites: int | None = None


CASES = [
    Case("absent -> create", want("d", A), None, ActionKind.CREATE, "new dashboard in General"),
    Case("absent in folder -> create", want("d", A, "f1"), None, ActionKind.CREATE, "in 'Team One'"),
    Case(
        "unmanaged, same essence, no --adopt -> conflict naming the option",
        want("d", A),
        have("d", {**A, "id": 7, "version": 9, "title": " A "}, manager=None),
        ActionKind.CONFLICT,
        "not overwritten: pass --adopt",
    ),
    Case(
        "unmanaged, same essence, --adopt -> update stamping ownership",
        want("d", A),
        have("d", {**A, "id": 7, "version": 9, "title": " A "}, manager=None),
        ActionKind.UPDATE,
        "adopt: same content, ownership marker stamped",
        Policy(adopt=True),
    ),
    Case(
        "unmanaged, different, --adopt -> update naming the version",
        want("d", A),
        have("d", B, manager=None, version=12),
        ActionKind.UPDATE,
        "version 12 by admin",
        Policy(adopt=True),
        overwrites=12,
    ),
    Case(
        "unmanaged, different, no --adopt, on-conflict=overwrite -> conflict (never a silent take-over)",
        want("d", A),
        have("d", B, manager=None, version=12),
        ActionKind.CONFLICT,
        "without syncer's ownership marker (version 12 by admin)",
    ),
    Case(
        "unmanaged, different, no --adopt, on-conflict=skip -> still a conflict",
        want("d", A),
        have("d", B, manager=None),
        ActionKind.CONFLICT,
        "pass --adopt",
        Policy(on_conflict=ConflictPolicy.SKIP),
    ),
    Case(
        "pre-upgrade default owner, in this source -> claimed (restamped)",
        want("d", A),
        have("d", A, manager="syncer"),
        ActionKind.UPDATE,
        "restamp ownership",
        Policy(manager_id="src-0123456789", claimable_ids=frozenset({"syncer"})),
    ),
    Case(
        "pre-upgrade default owner, changed in git -> an ordinary update",
        want("d", B),
        have("d", A, manager="syncer", base=A),
        ActionKind.UPDATE,
        "content changed in git",
        Policy(manager_id="src-0123456789", claimable_ids=frozenset({"syncer"})),
    ),
    Case(
        "another instance's dashboard is never taken over",
        want("d", A),
        have("d", B, manager="team-b"),
        ActionKind.CONFLICT,
        "'team-b'",
    ),
    Case(
        "another instance's, even when equal and policy overwrite",
        want("d", A),
        have("d", A, manager="team-b"),
        ActionKind.CONFLICT,
        "never taken over",
    ),
    Case("live = base = desired -> noop", want("d", A), have("d", A), ActionKind.NOOP, "in sync"),
    Case(
        "git changed -> update",
        want("d", B),
        have("d", A),
        ActionKind.UPDATE,
        "content changed in git",
    ),
    Case(
        "git moved the file -> move",
        want("d", A, "f2"),
        have("d", A, "f1"),
        ActionKind.MOVE,
        "moved from folder 'Team One' to 'Team Two'",
    ),
    Case(
        "git moved to the root -> move",
        want("d", A, None),
        have("d", A, "f1"),
        ActionKind.MOVE,
        "to General",
    ),
    Case(
        "git changed and moved -> update",
        want("d", B, "f2"),
        have("d", A, "f1"),
        ActionKind.UPDATE,
        "content changed in git and moved from folder 'Team One' to 'Team Two'",
    ),
    Case(
        "drift, revert -> update",
        want("d", A),
        have("d", B, base=A, version=8, updated_by="alice"),
        ActionKind.UPDATE,
        "revert drift: edited in Grafana (version 8 by alice)",
        overwrites=8,  # the reverted UI edit is restorable from this version (issue 18)
    ),
    Case(
        "drift, skip -> skip",
        want("d", A),
        have("d", B, base=A),
        ActionKind.SKIP,
        "drift left in place",
        Policy(on_drift=DriftPolicy.SKIP),
    ),
    Case(
        "moved in the UI is drift",
        want("d", A, "f1"),
        have("d", A, "f2", base=A, base_folder="f1"),
        ActionKind.UPDATE,
        "revert drift: moved in Grafana to 'Team Two'",
        overwrites=3,
    ),
    Case(
        "both changed, overwrite -> update naming the overwritten version",
        want("d", C),
        have("d", B, base=A, version=5, updated_by="bob"),
        ActionKind.UPDATE,
        "git wins",
        overwrites=5,
    ),
    Case(
        "both changed, skip -> skip",
        want("d", C),
        have("d", B, base=A),
        ActionKind.SKIP,
        "conflict left in place",
        Policy(on_conflict=ConflictPolicy.SKIP),
    ),
    Case(
        "both changed, fail -> conflict",
        want("d", C),
        have("d", B, base=A),
        ActionKind.CONFLICT,
        "changed in git and edited in Grafana",
        Policy(on_conflict=ConflictPolicy.FAIL),
    ),
    Case(
        "both changed the same way -> noop",
        want("d", B),
        have("d", B, base=A),
        ActionKind.NOOP,
        "same change",
        Policy(on_conflict=ConflictPolicy.FAIL),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_three_way_rule(case: Case) -> None:
    state = desired([case.want], [F1, F2])
    result = plan(state, live([case.have] if case.have else []), case.policy)
    (action,) = result.dashboard_actions
    assert action.kind is case.kind, action.reason
    assert case.reason in action.reason
    assert action.overwrites_version == case.overwrites
    assert action.desired is case.want
    assert action.live is case.have


def test_writes_and_in_sync_count_only_changes() -> None:
    state = desired([want("a", A), want("b", B)])
    result = plan(state, live([have("a", A), have("b", A)]), Policy())
    assert [a.kind for a in result.dashboard_actions] == [ActionKind.NOOP, ActionKind.UPDATE]
    assert result.writes == 1
    assert not result.in_sync


def test_actions_are_sorted_by_path() -> None:
    state = desired([want("z", A, path="a/z.json"), want("a", B, path="b/a.json")])
    result = plan(state, live(), Policy())
    assert [a.path for a in result.dashboard_actions] == ["a/z.json", "b/a.json"]


def test_scope_limits_dashboards_and_never_prunes() -> None:
    state = desired([want("a", A), want("b", B)])
    current = live([have("a", B, base=C), have("gone", A)], complete=False)
    result = plan(state, current, Policy(prune=True), scope={"a"})
    assert [(a.uid, a.kind) for a in result.dashboard_actions] == [("a", ActionKind.UPDATE)]
    assert result.refusals == ()


@pytest.mark.parametrize(
    ("live_version", "kind"),
    [(3, ActionKind.UPDATE), (4, ActionKind.UPDATE), (5, ActionKind.CONFLICT)],
    ids=["older-than-marker", "as-marker-says", "re-saved-since"],
)
def test_only_a_newer_version_than_syncer_saved_counts_as_a_grafana_change(
    live_version: int, kind: ActionKind
) -> None:
    """The marker's version (4 here) is what syncer's save made. A restore in the UI re-saves an
    old syncer version (same content, newer version): a conflict with a git change. A live version
    that is not newer is no evidence of a later save, so a git change is a plain update."""
    marker = OwnershipMarker(ME, "d.json", checksum(A, None), version=4)
    current = dataclasses.replace(have("d", A, version=live_version), marker=marker)
    result = plan(desired([want("d", B)]), live([current]), Policy(on_conflict=ConflictPolicy.FAIL))
    (action,) = result.dashboard_actions
    assert action.kind is kind, action.reason


CAUSES = {
    "absent -> create": Cause.GIT,
    "unmanaged, same essence, no --adopt -> conflict naming the option": Cause.ADOPT,
    "unmanaged, same essence, --adopt -> update stamping ownership": Cause.ADOPT,
    "unmanaged, different, --adopt -> update naming the version": Cause.ADOPT,
    "drift, revert -> update": Cause.DRIFT,
    "drift, skip -> skip": Cause.DRIFT,
    "moved in the UI is drift": Cause.DRIFT,
    "both changed, overwrite -> update naming the overwritten version": Cause.CONFLICT,
    "both changed, skip -> skip": Cause.CONFLICT,
    "both changed, fail -> conflict": Cause.CONFLICT,
    "both changed the same way -> noop": None,
}


@pytest.mark.parametrize("name", sorted(CAUSES))
def test_every_action_names_its_cause(name: str) -> None:
    """CI reads `cause` instead of the reason's prose: a drift revert is not a git update."""
    (case,) = [c for c in CASES if c.name == name]
    result = plan(desired([case.want], [F1, F2]), live([case.have] if case.have else []), case.policy)
    (action,) = result.dashboard_actions
    assert action.cause is CAUSES[name]
    assert action.overwrites_edit is (action.kind is ActionKind.UPDATE and case.overwrites is not None)
