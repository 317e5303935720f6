"""Property-based, over real HTTP: for random source trees and random prior server states, apply
converges (the server then matches the files), a second apply writes nothing, and prune never
deletes a dashboard syncer does not own. An empty second source is a refused prune (issue 3):
nothing deleted, exit 1. Few examples (each is a real apply), but each is the whole product path;
the explicit examples pin the cases random draws may miss."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from engine_helpers import dashboard, live_dashboard, run, write
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.emulator import Emulator

from syncer.engine.reconcile import exit_code_for_apply

DIRS = ["", "ops", "ops/db", "ops/db/pg", "teams/web", "teams"]
UIDS = [f"p{i}" for i in range(8)]

Tree = dict[str, tuple[str, str, str]]
files = st.dictionaries(
    keys=st.sampled_from(UIDS),
    values=st.tuples(
        st.sampled_from(DIRS), st.sampled_from(["A", "B", " C "]), st.sampled_from(["", "1s", "1m"])
    ),
    max_size=6,
)
unmanaged = st.sets(st.sampled_from([*UIDS, "x1", "x2"]), max_size=3)


def materialise(root: Path, tree: Tree) -> None:
    for uid, (directory, title, refresh) in tree.items():
        extra = {"refresh": refresh} if refresh else {}
        write(root, f"{directory}/{uid}.json".lstrip("/"), dashboard(f"{title}{uid}", uid, **extra))


def expected_uids(first: Tree, second: Tree, hand_made: set[str]) -> set[str]:
    """The model: what Grafana holds after applying `first` then `second`, both with prune.
    Hand-made dashboards without a file's uid are never ours; a file's uid makes one ours (git wins).
    An empty source while managed dashboards exist refuses prune: everything stays."""
    managed_after_first = set(first)
    if not second and managed_after_first:
        return hand_made | managed_after_first
    return (hand_made - set(first) - set(second)) | set(second)


@example(first={"p0": ("ops", "A", ""), "p1": ("", "B", "1m")}, second={}, hand_made={"x1", "p1"})
@example(first={"p0": ("ops/db", "A", "")}, second={"p2": ("teams", "B", "")}, hand_made={"p0", "x2"})
@example(first={}, second={}, hand_made={"x1"})
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=files, second=files, hand_made=unmanaged)
def test_apply_converges_is_idempotent_and_prune_spares_unowned(
    emulator: Emulator, first: Tree, second: Tree, hand_made: set[str]
) -> None:
    emulator.reset()
    workdir = Path(tempfile.mkdtemp(prefix="syncer-prop-"))
    try:
        for uid in hand_made:  # dashboards someone made by hand, possibly with a uid the files use too
            body = dashboard(f"hand {uid}", uid)
            assert emulator.api("POST", "/api/dashboards/db", json={"dashboard": body}).status_code == 200
        one, two = workdir / "one", workdir / "two"
        one.mkdir()
        two.mkdir()
        materialise(one, first)
        materialise(two, second)
        # one source whose tree changes from `first` to `second` (one id), taking hand-made
        # dashboards over on purpose
        owner = {"manager_id": "prop", "adopt": True}
        assert exit_code_for_apply(run(emulator, one, prune=True, **owner)) == 0

        report = run(emulator, two, prune=True, **owner)

        assert report.fatal is None and not report.failures, report.results
        refused = not second and bool(first)
        assert bool(report.plan.refusals) == refused
        assert exit_code_for_apply(report) == (1 if refused else 0)
        for uid, (directory, title, _) in second.items():  # (hand-made ones with a file's uid: git wins)
            stored = live_dashboard(emulator, uid)
            assert stored["dashboard"]["title"] == f"{title}{uid}".strip()
            assert stored["meta"]["folderTitle"] == (directory.rsplit("/", 1)[-1] if directory else "General")
        remaining = {h["uid"] for h in emulator.api("GET", "/api/search", params={"type": "dash-db"}).json()}
        assert hand_made - set(first) - set(second) <= remaining  # never pruned: not ours
        assert remaining == expected_uids(first, second, hand_made)
        emulator.reset(counters_only=True)
        again = run(emulator, two, prune=True, **owner)
        assert emulator.writes() == 0
        # a refused prune leaves the managed dashboards of `first` behind: that is not in sync (issue 18)
        assert again.plan.in_sync is not refused
        assert bool(again.plan.orphans) is refused
    finally:
        shutil.rmtree(workdir)
