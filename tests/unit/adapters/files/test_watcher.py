"""The watchdog-based source watcher on real directories: relevance filter, symlink swaps, late roots,
credential files. Callbacks come from watchdog's thread, so the tests wait on events with deadlines."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path, PurePath

import pytest

from syncer.adapters.files.watcher import DirectoryWatcher, is_relevant_source_path

# watchdog warns when `mkdir -p` races its own recursive registration; it copes with it itself
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")


class Calls:
    def __init__(self) -> None:
        self.count = 0
        self._event = threading.Event()

    def __call__(self) -> None:
        self.count += 1
        self._event.set()

    def wait(self, timeout: float = 5.0) -> bool:
        hit = self._event.wait(timeout)
        return hit

    def reset(self) -> None:
        self.count = 0
        self._event.clear()

    def quiet_for(self, seconds: float) -> bool:
        """True when no call arrives within `seconds` (after resetting)."""
        self.reset()
        return not self._event.wait(seconds)

    def settle(self, seconds: float = 0.3, timeout: float = 5.0) -> None:
        """Wait until the events of earlier writes (created, modified, closed) have all arrived."""
        deadline = time.monotonic() + timeout
        while not self.quiet_for(seconds):
            assert time.monotonic() < deadline, "events kept coming"


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def watch(tmp_path: Path, calls: Calls) -> Iterator[tuple[DirectoryWatcher, Path]]:
    root = tmp_path / "src"
    root.mkdir()
    watcher = DirectoryWatcher(root, calls)
    watcher.start()
    time.sleep(0.1)
    try:
        yield watcher, root
    finally:
        watcher.stop()


@pytest.mark.parametrize(
    ("path", "is_dir", "relevant"),
    [
        ("a.json", False, True),
        ("team/sub/a.yaml", False, True),
        ("team/a.YML", False, True),
        ("team/_folder.json", False, True),
        (".syncignore", False, True),
        ("team", True, True),
        ("README.md", False, False),
        (".git/index", False, False),
        ("team/.a.json.swp", False, False),
        ("team/a.json~", False, False),
        ("team/4913", False, False),
        ("team/a.json.tmp", False, False),
        (".hidden/a.json", False, False),
        ("..data", True, True),
        ("..2024_01_01/a.json", False, False),
    ],
)
def test_relevance_filter(path: str, is_dir: bool, relevant: bool) -> None:
    assert is_relevant_source_path(PurePath(path), is_directory=is_dir) is relevant


def test_new_nested_file_is_reported(watch: tuple[DirectoryWatcher, Path], calls: Calls) -> None:
    watcher, root = watch
    (root / "team" / "sub").mkdir(parents=True)
    assert calls.wait()
    calls.reset()
    (root / "team" / "sub" / "d.json").write_text("{}")
    assert calls.wait()
    assert watcher.is_alive()


def test_editor_droppings_are_ignored_but_the_rename_onto_the_file_is_not(
    watch: tuple[DirectoryWatcher, Path], calls: Calls
) -> None:
    _watcher, root = watch
    (root / "d.json").write_text("{}")
    assert calls.wait()
    calls.settle()
    (root / ".d.json.swp").write_text("swap")
    (root / "notes.txt").write_text("not a dashboard")
    (root / "d.json~").write_text("backup")
    assert calls.quiet_for(0.5), "hidden/backup/non-source files must not wake the daemon"
    (root / ".d.json.tmp").write_text('{"title": "x"}')
    os.replace(root / ".d.json.tmp", root / "d.json")
    assert calls.wait()


def test_symlink_swap_of_the_root_is_noticed_and_followed(tmp_path: Path, calls: Calls) -> None:
    (tmp_path / "rev1").mkdir()
    (tmp_path / "rev2").mkdir()
    link = tmp_path / "current"
    os.symlink("rev1", link)
    watcher = DirectoryWatcher(link, calls)
    watcher.start()
    try:
        assert watcher.watching == str(tmp_path / "rev1")
        os.symlink("rev2", tmp_path / ".tmp-link")
        os.replace(tmp_path / ".tmp-link", link)
        assert calls.wait(), "the swap of the link in the parent directory must be reported"
        assert watcher.watching == str(tmp_path / "rev2"), "re-aimed as soon as the swap is seen"
        assert watcher.check_root() is False
        calls.settle()
        (tmp_path / "rev1" / "old.json").write_text("{}")
        assert calls.quiet_for(0.5), "the old tree is no longer watched"
        shutil.rmtree(tmp_path / "rev1")  # git-sync garbage-collects the old worktree
        (tmp_path / "rev2" / "new.json").write_text("{}")
        assert calls.wait()
        time.sleep(0.2)
        assert watcher.is_alive()
    finally:
        watcher.stop()


def test_root_replaced_by_a_rename_is_followed(tmp_path: Path, calls: Calls) -> None:
    root = tmp_path / "src"
    root.mkdir()
    watcher = DirectoryWatcher(root, calls)
    watcher.start()
    try:
        staged = tmp_path / "staged"
        staged.mkdir()
        os.rename(root, tmp_path / "old")
        os.rename(staged, root)
        assert calls.wait()
        watcher.check_root()  # whichever thread re-aims first, the watch is now on the new directory
        calls.settle()
        (root / "d.json").write_text("{}")
        assert calls.wait()
    finally:
        watcher.stop()


def test_root_that_appears_later_is_watched_once_it_exists(tmp_path: Path, calls: Calls) -> None:
    root = tmp_path / "later"
    watcher = DirectoryWatcher(root, calls)
    watcher.start()
    try:
        assert watcher.watching is None
        assert watcher.check_root() is False
        root.mkdir()
        assert calls.wait()
        assert watcher.watching == str(root)
        calls.settle()
        (root / "d.json").write_text("{}")
        assert calls.wait()
    finally:
        watcher.stop()
    assert not watcher.is_alive()


def test_a_deleted_root_is_let_go_and_a_new_one_watched(tmp_path: Path, calls: Calls) -> None:
    root = tmp_path / "src"
    (root / "sub").mkdir(parents=True)
    watcher = DirectoryWatcher(root, calls)
    watcher.start()
    try:
        shutil.rmtree(root)  # a mount glitch: the whole tree goes away
        assert calls.wait()
        calls.settle()
        assert watcher.watching is None
        assert watcher.is_alive(), "losing the tree is not a dead watcher"
        root.mkdir()
        (root / "d.json").write_text("{}")
        assert calls.wait()
        assert watcher.watching == str(root)
    finally:
        watcher.stop()


def test_credential_file_changes_call_the_credentials_callback(tmp_path: Path, calls: Calls) -> None:
    root = tmp_path / "src"
    root.mkdir()
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    token = secrets / "token"
    token.write_text("one")
    rotated = Calls()
    watcher = DirectoryWatcher(root, calls, (token,), rotated)
    watcher.start()
    try:
        (secrets / "unrelated").write_text("x")
        assert rotated.quiet_for(0.4)
        token.write_text("two")
        assert rotated.wait()
        assert calls.count == 0
    finally:
        watcher.stop()


def test_the_changed_files_are_reported_by_path_and_directory_events_as_unknown(
    watch: tuple[DirectoryWatcher, Path], calls: Calls
) -> None:
    watcher, root = watch
    assert watcher.take_changes() is None  # nothing taken yet: the first load walks the tree
    (root / "team").mkdir()
    assert calls.wait()
    calls.settle()
    assert watcher.take_changes() is None  # a directory appeared: only a walk can tell what is in it
    (root / "team" / ".d.json.tmp").write_text('{"title": "x"}')
    os.replace(root / "team" / ".d.json.tmp", root / "team" / "d.json")  # an editor's save
    (root / "e.json").write_text("{}")
    (root / "notes.txt").write_text("not a dashboard")
    assert calls.wait()
    calls.settle()
    assert watcher.take_changes() == frozenset({"team/d.json", "e.json"})
    assert watcher.take_changes() == frozenset()  # taken: the next call starts afresh
    (root / "e.json").unlink()
    assert calls.wait()
    calls.settle()
    assert watcher.take_changes() == frozenset({"e.json"})
