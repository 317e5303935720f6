"""The source directory emptied, deleted, or swapped for an empty one (git-sync style symlink swap):
nothing is pruned, by `syncer apply --prune` or by a running `syncer run --prune`.

This is the failure that made peers delete every dashboard when a mount glitched (peers.md §4.1).
Each test first applies a managed tree with prune on, then makes the source vanish, then checks
every managed and hand-made dashboard is still on the server; the daemon must stay alive and
recover by itself once the source comes back.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from support.emulator import Emulator

from fault.kit import (
    Tree,
    Unmanaged,
    apply,
    assert_server_has,
    dashboard,
    get_dashboard,
    running_daemon,
    wait_for,
    write_json,
    write_tree,
)

pytestmark = pytest.mark.fault


LINKED = {"swapped-for-empty", "dangling-symlink"}  # cases that need the git-sync symlink layout


def make_source(base: Path, how: str, count: int) -> tuple[Path, Tree]:
    """A plain directory, or `base/current -> base/rev-1/` as the git-sync sidecar lays out a checkout."""
    if how not in LINKED:
        return base / "src", write_tree(base / "src", count)
    expected = write_tree(base / "rev-1", count)
    link = base / "current"
    link.symlink_to(base / "rev-1", target_is_directory=True)
    return link, expected


def swap_link(link: Path, new_target: Path) -> None:
    """Atomic symlink swap, exactly as git-sync does it: a new link beside, then rename over."""
    staging = link.with_name(link.name + ".new")
    staging.symlink_to(new_target, target_is_directory=True)
    os.replace(staging, link)


def empty_it(root: Path) -> None:
    for child in root.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


def delete_it(root: Path) -> None:
    shutil.rmtree(root)


def swap_for_empty(link: Path) -> None:
    empty = link.parent / "rev-empty"
    empty.mkdir()
    swap_link(link, empty)


def dangle_it(link: Path) -> None:
    swap_link(link, link.parent / "rev-that-does-not-exist")


VANISHINGS: dict[str, Callable[[Path], None]] = {
    "emptied": empty_it,
    "deleted": delete_it,
    "swapped-for-empty": swap_for_empty,
    "dangling-symlink": dangle_it,
}


def bring_back(root: Path, how: str) -> Tree:
    """The source returns with its dashboards plus one new one; returns the expected server content."""
    target = root.parent / "rev-2" if how in LINKED else root
    restored = write_tree(target, 5)
    restored["back-1"] = dashboard("back-1", "Back again")
    write_json(target / "back-1.json", restored["back-1"])
    if how in LINKED:
        swap_link(root, target)
    return restored


@pytest.mark.parametrize("how", sorted(VANISHINGS))
def test_apply_with_prune_refuses_on_vanished_source(emulator: Emulator, tmp_path: Path, how: str) -> None:
    hand_made = Unmanaged.seed(emulator)
    root, expected = make_source(tmp_path, how, 5)
    assert apply(emulator, root, "--prune").returncode == 0
    writes = emulator.writes()
    VANISHINGS[how](root)

    done = apply(emulator, root, "--prune")

    output = done.stdout + done.stderr
    assert done.returncode == 1, f"a vanished source must be an error:\n{output}"
    assert "Traceback" not in output
    assert emulator.writes() == writes, "nothing may be written or deleted"
    assert_server_has(emulator, expected)
    hand_made.assert_untouched(emulator)


# The dangling link is the same event as a swap for the daemon's watcher; the CLI test covers it.
@pytest.mark.parametrize("how", ["deleted", "emptied", "swapped-for-empty"])
def test_daemon_with_prune_keeps_everything_when_source_vanishes(
    emulator: Emulator, tmp_path: Path, how: str
) -> None:
    hand_made = Unmanaged.seed(emulator)
    root, expected = make_source(tmp_path, how, 5)
    with running_daemon(emulator, root, tmp_path / "daemon.log", "--prune", "--interval", "1") as daemon:
        wait_for(daemon.ready, timeout=60, what="daemon ready")
        wait_for(lambda: all(get_dashboard(emulator, u) for u in expected), timeout=30, what="initial apply")
        writes = emulator.writes()

        VANISHINGS[how](root)
        # the watcher's events and a few periodic resyncs (interval 1 s) pass over it
        daemon.wait_for_passes(3, what="resyncs over the vanished source")

        assert daemon.alive(), daemon.output()[-3000:]
        assert emulator.writes() == writes, "nothing may be written or deleted while the source is gone"
        assert_server_has(emulator, expected)
        hand_made.assert_untouched(emulator)

        restored = bring_back(root, how)
        wait_for(lambda: get_dashboard(emulator, "back-1") is not None, timeout=30, what="recovery")
        assert_server_has(emulator, restored)
