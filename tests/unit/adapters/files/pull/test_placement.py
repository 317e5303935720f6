"""Issue 18: where `syncer pull` writes in a tree that already holds dashboards (real files in
tmp_path, the real loader reading the layout): back in place, and new files in the tree's style."""

from __future__ import annotations

import json
from pathlib import Path

from syncer.adapters.files.pull.layout import read_layout
from syncer.adapters.files.pull.writer import write_tree
from syncer.model.state import LiveDashboard, OwnershipMarker


def live(uid: str, title: str, *, source_path: str | None = None) -> LiveDashboard:
    marker = OwnershipMarker("me", source_path, "c") if source_path else None
    content = {"uid": uid, "title": title, "panels": []}
    return LiveDashboard(uid, title, None, 3, content, "x", marker=marker)


def test_new_files_follow_the_trees_naming_style(tmp_path: Path) -> None:
    for uid in ("node-a", "node-b", "node-c"):
        (tmp_path / f"{uid}.yaml").write_text(f"uid: {uid}\ntitle: {uid.upper()}\n", encoding="utf-8")
    layout = read_layout(tmp_path)
    assert layout.name_by_uid and layout.extension == ".yaml"

    written = write_tree(tmp_path, {}, [live("fresh-one", "A New Board"), live("node-a", "Renamed")], layout)

    assert written.dashboards["fresh-one"] == tmp_path / "fresh-one.yaml"
    assert written.dashboards["node-a"] == tmp_path / "node-a.yaml"  # its own file, not a copy
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fresh-one.yaml",
        "node-a.yaml",
        "node-b.yaml",
        "node-c.yaml",
    ]


def test_a_marker_path_is_used_only_inside_the_root_and_when_free(tmp_path: Path) -> None:
    (tmp_path / "keep.json").write_text(json.dumps({"uid": "keep", "title": "Keep"}), encoding="utf-8")
    layout = read_layout(tmp_path)
    boards = [
        live("escape", "Escape", source_path="../outside.json"),
        live("hinted", "Hinted", source_path="my-name.json"),
        live("taken", "Taken", source_path="keep.json"),  # another dashboard's file: never overwritten
    ]

    written = write_tree(tmp_path, {}, boards, layout)

    assert written.dashboards["hinted"] == tmp_path / "my-name.json"
    assert written.dashboards["escape"].parent == tmp_path
    assert written.dashboards["taken"] != tmp_path / "keep.json"
    assert json.loads((tmp_path / "keep.json").read_text(encoding="utf-8"))["uid"] == "keep"
    assert not (tmp_path.parent / "outside.json").exists()
