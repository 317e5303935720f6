"""`load_workers`: a big source parsed in forked worker processes gives exactly what the loader's
own thread gives, and the loader falls back to its own thread when workers cannot be had or die.

Real files and real processes. Which side parsed is told by a spy on `file_load.read_document` in
this (the parent) process: the workers were forked before the spy was set, so they do not count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.workers import forked_workers, kill_every_worker

from syncer.adapters.files import file_load
from syncer.adapters.files.load_workers import MIN_FILES, FolderChecksums
from syncer.adapters.files.loader import DirectorySource, validate_directory
from syncer.adapters.workers import Workers
from syncer.core.essence import checksums_by_folder
from syncer.model import jsontext, packing
from syncer.model.state import DesiredState

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or len(os.sched_getaffinity(0)) < 2, reason="workers run on Linux with two cores"
)


def write(root: Path, rel: str, value: object) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value if isinstance(value, str) else json.dumps(value, indent=2), encoding="utf-8")


def dashboard(uid: str, **extra: object) -> dict[str, object]:
    panels = [{"id": 1, "type": "timeseries", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0}}]
    return {"uid": uid, "title": f"Dashboard {uid}", "panels": panels, **extra}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Every kind of file a load meets, with more plain dashboards than `MIN_FILES`."""
    root = tmp_path / "src"
    for i in range(MIN_FILES + 6):
        write(root, f"team-{i % 3}/svc-{i % 2}/d{i}.json", dashboard(f"d{i}"))
    write(root, "team-0/_folder.json", {"uid": "team-zero", "title": "Team Zero"})  # its own folder uid
    write(root, "team-0/top.json", dashboard("top"))
    write(root, "team-1/given.json", {"dashboard": dashboard("given"), "folderUid": "elsewhere"})
    write(root, "team-1/to-root.json", {"dashboard": dashboard("to-root"), "folderUid": "general"})
    write(root, "numbers.json", dashboard("numbers", refresh="1s", graphTooltip=1.0, ratio=1e-5))
    write(root, "yaml/y.yaml", "uid: y\ntitle: From YAML\npanels: []\n")
    write(root, "broken.json", '{"uid": "broken", "title": ')
    write(root, "dup-a.json", dashboard("dup"))
    write(root, "dup-b.json", dashboard("dup"))
    write(root, "a/b/c/d/e/too-deep.json", dashboard("too-deep"))  # under a folder deeper than 4
    write(root, "lib/panel.json", {"uid": "lp", "name": "Up", "kind": 1, "model": {"type": "stat"}})
    write(root, "lib/user.json", dashboard("user", panels=[{"id": 1, "libraryPanel": {"uid": "lp"}}]))
    write(root, "gen.jsonnet", '{ uid: "from-jsonnet", title: "J", panels: [] }')
    return root


def summary(state: DesiredState) -> tuple[object, ...]:
    """Everything a pass acts on, in comparable form (content included)."""
    dashboards = {
        u: (d.checksum, d.path, d.folder_uid, d.title, dict(d.content), d.library_panel_uids)
        for u, d in state.dashboards.items()
    }
    panels = {u: (p.checksum, p.path, p.folder_uid) for u, p in state.library_panels.items()}
    return dashboards, dict(state.folders), state.problems, state.files_seen, panels


class ParentReads:
    """The dashboard files this process parsed itself."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        read = file_load.read_document

        def counting(path: Path, rel: str, **kw: object) -> object:
            self.paths.append(rel)
            return read(path, rel, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(file_load, "read_document", counting)


@pytest.fixture
def workers() -> Iterator[Workers]:
    with forked_workers() as started:
        yield started


def test_workers_give_what_the_loaders_own_thread_gives(
    tree: Path, workers: Workers, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = DirectorySource(tree).load()
    reads = ParentReads(monkeypatch)
    shared = DirectorySource(tree, workers=workers).load()
    assert reads.paths == []  # every file went to the workers
    assert summary(shared) == summary(alone)
    # the cases the tree is there for really happened
    assert shared.dashboards["top"].folder_uid == "team-zero"
    assert shared.dashboards["given"].folder_uid == "elsewhere"
    assert shared.dashboards["to-root"].folder_uid is None
    assert "too-deep" not in shared.dashboards and "dup" not in shared.dashboards
    assert any(p.path == "broken.json" for p in shared.errors)
    assert {"y", "from-jsonnet", "user"} <= set(shared.dashboards) and "lp" in shared.library_panels


def test_a_reload_parses_only_changed_files_and_small_batches_stay_in_the_thread(
    tree: Path, workers: Workers, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = DirectorySource(tree, workers=workers)
    source.load()
    write(tree, "team-2/svc-0/d2.json", dashboard("d2", description="edited"))
    reads = ParentReads(monkeypatch)
    again = source.load()
    assert reads.paths == ["team-2/svc-0/d2.json"]  # one changed file: not worth a round trip
    assert again.dashboards["d2"].content["description"] == "edited"
    assert summary(again) == summary(DirectorySource(tree).load())


def test_dead_workers_leave_the_parsing_to_the_loader(
    tree: Path, workers: Workers, monkeypatch: pytest.MonkeyPatch
) -> None:
    kill_every_worker()
    reads = ParentReads(monkeypatch)
    state = DirectorySource(tree, workers=workers).load()
    assert len(reads.paths) > MIN_FILES  # parsed here after all
    assert summary(state) == summary(DirectorySource(tree).load())


def test_validate_uses_the_same_workers(tree: Path, workers: Workers) -> None:
    assert summary(validate_directory(tree, workers=workers)) == summary(validate_directory(tree))


_STARTED = """
import sys, threading
from pathlib import Path
from syncer.adapters.files.load_workers import workers_for
if sys.argv[2] == "thread":
    threading.Thread(target=threading.Event().wait, daemon=True).start()
print(workers_for(Path(sys.argv[1])) is not None)
"""


def started_in_a_fresh_process(root: Path, beside: str = "") -> bool:
    done = subprocess.run(
        [sys.executable, "-c", _STARTED, str(root), beside], capture_output=True, text=True, check=True
    )
    return done.stdout.strip() == "True"


def test_workers_start_only_for_a_big_tree_and_only_as_the_only_thread(tmp_path: Path, tree: Path) -> None:
    for i in range(MIN_FILES - 1):
        write(tmp_path / "small", f"team/d{i}.json", dashboard(f"d{i}"))
    assert started_in_a_fresh_process(tree)
    assert not started_in_a_fresh_process(tmp_path / "small")
    assert not started_in_a_fresh_process(tree, "thread")  # forking could copy a lock it holds


def test_folder_checksums_outside_the_likely_folder_are_computed_from_the_content() -> None:
    content = {"title": "T", "panels": [{"id": 1, "type": "text"}], "uid": "x"}
    exact = checksums_by_folder(content, numbers_normal=True)
    kept = FolderChecksums({"likely": exact("likely")}, packing.pack(jsontext.dumps(content)))
    assert kept("likely") == exact("likely")
    assert kept(None) == exact(None) and kept("other") == exact("other") != exact("likely")
