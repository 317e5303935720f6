"""`DirectorySource.start_loading`: a one-shot command's first load, begun before the command
needs it (while it imports its HTTP stack). `load()` then returns that load, errors included, and
loads afresh after it. Real files; the walks are counted with a spy on the loader's walk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from syncer.adapters.files import loader
from syncer.adapters.files.loader import DirectorySource
from syncer.model.errors import SourceError


def write(root: Path, rel: str, uid: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"uid": uid, "title": uid, "panels": []}), encoding="utf-8")


def counted_walks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    walks: list[int] = []
    walk = loader.walk_source

    def counting(*args: object) -> object:
        walks.append(1)
        return walk(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "walk_source", counting)
    return walks


def test_the_early_load_is_the_first_load_and_the_next_ones_are_fresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "a/one.json", "one")
    walks = counted_walks(monkeypatch)
    source = DirectorySource(tmp_path)
    source.start_loading()
    first = source.load()
    assert set(first.dashboards) == {"one"} and len(walks) == 1  # that load, not a second one
    write(tmp_path, "b/two.json", "two")
    assert set(source.load().dashboards) == {"one", "two"} and len(walks) == 2


def test_an_early_load_that_fails_fails_the_load_that_takes_it(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    write(gone, "one.json", "one")
    source = DirectorySource(gone)
    shutil.rmtree(gone)
    source.start_loading()
    with pytest.raises(SourceError, match="does not exist"):
        source.load()
    write(gone, "one.json", "one")
    assert set(source.load().dashboards) == {"one"}  # and the next load is a load again
