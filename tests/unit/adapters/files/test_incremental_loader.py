"""`DirectorySource.load_changed(paths)`: the daemon's per-event reload, on real files.

What it must hold: after any change, it gives exactly what a full `load()` of the tree gives (a seeded
random walk of edits, moves, deletions, duplicates, broken files, folder files, ignored and linked
entries checks that), and an event on one file reads only that file and walks nothing. Counted with
spies on the loader's own read and walk functions, never with timings.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest

from syncer.adapters.files import file_load, loader
from syncer.adapters.files.loader import DirectorySource
from syncer.model.errors import SourceError
from syncer.model.state import DesiredState


def write(root: Path, rel: str, uid: str | None, title: str = "t", **extra: object) -> str:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    body: dict[str, object] = {"title": title, "panels": [{"id": 1, "type": "text"}], **extra}
    if uid is not None:
        body["uid"] = uid
    path.write_text(json.dumps(body, indent=2), encoding="utf-8")
    return rel


def summary(state: DesiredState) -> tuple[object, ...]:
    """Everything a pass acts on, in comparable form."""
    dashboards = {u: (d.checksum, d.path, d.folder_uid, d.title) for u, d in state.dashboards.items()}
    panels = {u: (p.checksum, p.path) for u, p in state.library_panels.items()}
    return dashboards, dict(state.folders), state.problems, state.files_seen, panels


class Spy:
    """Counts the loader's file reads and tree walks (the real functions still run)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reads: list[str] = []
        self.walks = 0
        read, walk = file_load.read_document, loader.walk_source

        def counting_read(path: Path, rel: str, **kw: object) -> object:
            self.reads.append(rel)
            return read(path, rel, **kw)  # type: ignore[arg-type]

        def counting_walk(*args: object) -> object:
            self.walks += 1
            return walk(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(file_load, "read_document", counting_read)
        monkeypatch.setattr(loader, "walk_source", counting_walk)

    def reset(self) -> None:
        self.reads.clear()
        self.walks = 0


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    for i in range(40):
        write(root, f"team-{i % 4}/svc-{i % 3}/d{i}.json", f"d{i}", title=f"D {i}")
    return root


def test_an_edit_of_one_file_reads_only_that_file_and_walks_nothing(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = DirectorySource(tree)
    spy = Spy(monkeypatch)
    source.load()
    assert spy.walks == 1 and len(spy.reads) == 40
    spy.reset()
    rel = write(tree, "team-1/svc-2/d5.json", "d5", title="edited")
    state = source.load_changed({rel})
    assert spy.walks == 0 and spy.reads == [rel]
    assert state.dashboards["d5"].title == "edited"
    assert summary(state) == summary(DirectorySource(tree).load())


def test_a_reported_file_that_did_not_change_is_not_read(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = DirectorySource(tree)
    spy = Spy(monkeypatch)
    before = source.load()
    spy.reset()
    after = source.load_changed({"team-0/svc-0/d0.json"})
    assert spy.walks == 0 and spy.reads == []
    assert summary(after) == summary(before)


@pytest.mark.parametrize(
    "change",
    ["new directory", "folder file", "syncignore", "directory event"],
)
def test_changes_beyond_files_walk_the_tree(tree: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    source = DirectorySource(tree)
    source.load()
    spy = Spy(monkeypatch)
    if change == "new directory":
        paths = {write(tree, "fresh/d99.json", "d99")}
    elif change == "folder file":
        (tree / "team-0" / "_folder.json").write_text(json.dumps({"title": "Team zero"}))
        paths = {"team-0/_folder.json"}
    elif change == "syncignore":
        (tree / ".syncignore").write_text("team-1/\n")
        paths = {".syncignore"}
    else:
        shutil.rmtree(tree / "team-2")
        paths = {"team-2"}  # what a directory path looks like: no dashboard suffix
    state = source.load_changed(paths)
    assert spy.walks == 1
    assert summary(state) == summary(DirectorySource(tree).load())


def test_a_broken_file_is_an_error_and_its_dashboard_leaves_the_run(tree: Path) -> None:
    source = DirectorySource(tree)
    source.load()
    (tree / "team-0/svc-0/d0.json").write_text('{"uid": "d0", "title": ')
    state = source.load_changed({"team-0/svc-0/d0.json"})
    assert "d0" not in state.dashboards
    assert [p.path for p in state.errors] == ["team-0/svc-0/d0.json"]  # prune is refused on errors
    assert summary(state) == summary(DirectorySource(tree).load())


def test_a_vanished_root_is_an_error_and_the_next_load_walks_again(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = DirectorySource(tree)
    source.load()
    moved = tree.with_name("away")
    tree.rename(moved)
    with pytest.raises(SourceError):
        source.load_changed({"team-0/svc-0/d0.json"})
    moved.rename(tree)
    write(tree, "team-0/svc-1/d4.json", "d4", title="changed while away")
    spy = Spy(monkeypatch)
    state = source.load_changed({"team-0/svc-0/d0.json"})  # d4's event was lost with the root
    assert spy.walks == 1
    assert state.dashboards["d4"].title == "changed while away"


def test_a_tree_with_an_unreadable_entry_always_walks(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tree / "team-0" / "gone.json").symlink_to(tree / "nowhere.json")
    source = DirectorySource(tree)
    assert source.load().errors
    spy = Spy(monkeypatch)
    rel = write(tree, "team-1/svc-1/d1.json", "d1", title="edited")
    state = source.load_changed({rel})
    assert spy.walks == 1 and state.errors


def _uid_of(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text())
    except ValueError:
        return None
    uid = data.get("uid") if isinstance(data, dict) else None
    return uid if isinstance(uid, str) else None


OPERATIONS = ("edit", "edit", "edit", "add", "delete", "rename", "move", "duplicate", "broken", "no uid")


def _apply(rng: random.Random, root: Path, step: int) -> set[str]:
    """One random change like a person or git makes; returns the paths a watcher reports."""
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.json") if "_folder" not in p.name)
    rel = rng.choice(files)
    uid = f"u{step}"
    operation = rng.choice(OPERATIONS)
    dirs = sorted({f.rpartition("/")[0] for f in files})
    if operation == "edit":
        own = _uid_of(root / rel) if rng.random() < 0.5 else None
        return {write(root, rel, own or uid, title=f"edit {step}")}
    if operation == "add":
        return {write(root, f"{rng.choice(dirs)}/new{step}.json", uid)}
    if operation == "delete" and len(files) > 2:
        (root / rel).unlink()
        return {rel}
    if operation in ("rename", "move"):
        target = f"{rel.rpartition('/')[0] if operation == 'rename' else rng.choice(dirs)}/moved{step}.json"
        os.replace(root / rel, root / target)
        return {rel, target}
    if operation == "duplicate":
        return {write(root, rel, _uid_of(root / rng.choice(files)) or uid)}
    if operation == "broken":
        (root / rel).write_text("{ not json")
        return {rel}
    return {write(root, rel, None, title=f"derived {step}")}


@pytest.mark.parametrize("seed", range(6))
def test_every_incremental_load_equals_a_full_load(tree: Path, seed: int) -> None:
    rng = random.Random(seed)
    (tree / "team-3" / "_folder.json").write_text(json.dumps({"title": "Team three", "uid": "team-three"}))
    write(tree, "team-2/pinned.json", "pinned", folderUid="team-three")
    source = DirectorySource(tree)
    source.load()
    for step in range(40):
        paths = set().union(*(_apply(rng, tree, step) for _ in range(rng.randint(1, 3))))
        assert summary(source.load_changed(paths)) == summary(DirectorySource(tree).load()), (seed, step)
