"""Bad input with `--prune` on: each broken file gets a clear error naming it, the valid files are
still applied, and nothing is deleted (a broken source never makes a dashboard look "absent").

Setup for every case: a tree of managed dashboards is applied; then two of its files are removed
(a healthy prune would delete them), one new valid file is added, and the bad input is added.
`syncer apply --prune` must exit 1, name the bad file, create the new dashboard, and delete nothing.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from support.emulator import Emulator

from fault.kit import (
    JSONDict,
    Tree,
    Unmanaged,
    apply,
    assert_server_has,
    dashboard,
    get_dashboard,
    run_syncer,
    write_json,
    write_tree,
)

pytestmark = pytest.mark.fault

BadInput = Callable[[Path, Path], list[str]]  # (source root, scratch dir) -> names the error must mention


def truncated(root: Path, _: Path) -> list[str]:
    text = json.dumps(dashboard("trunc-1", "Truncated"), indent=2)
    (root / "team-0" / "truncated.json").write_text(text[: len(text) // 2])
    return ["truncated.json"]


def invalid_syntax(root: Path, _: Path) -> list[str]:
    (root / "team-1" / "invalid.json").write_text('{"title": "Invalid",, "uid": "inv"}\n')
    return ["invalid.json"]


def binary_garbage(root: Path, _: Path) -> list[str]:
    noise = random.Random(4).randbytes(4096)
    (root / "team-2" / "garbage.json").write_bytes(b"\x00\xff\xfe" + noise)
    return ["garbage.json"]


def deeply_nested(root: Path, _: Path) -> list[str]:
    depth = 100_000
    text = '{"title": "Deep", "uid": "deep-1", "panels": ' + "[" * depth + "]" * depth + "}"
    (root / "team-0" / "deep.json").write_text(text)
    return ["deep.json"]


def huge_file(root: Path, _: Path) -> list[str]:
    content = dashboard("huge-1", "Huge")
    content["description"] = "x" * (11 * 1024 * 1024)  # past the 10 MiB default cap
    write_json(root / "team-1" / "huge.json", content)
    return ["huge.json"]


def duplicate_uids(root: Path, _: Path) -> list[str]:
    write_json(root / "team-0" / "dup-a.json", dashboard("dup-uid", "Duplicate A"))
    write_json(root / "team-1" / "dup-b.json", dashboard("dup-uid", "Duplicate B"))
    return ["dup-a.json", "dup-b.json"]


def symlink_outside(root: Path, scratch: Path) -> list[str]:
    outside = write_json(scratch / "outside" / "secret.json", dashboard("outside-1", "Outside the root"))
    (root / "team-2" / "linked.json").symlink_to(outside)
    return ["linked.json"]


def symlinked_dir_outside(root: Path, scratch: Path) -> list[str]:
    write_json(scratch / "elsewhere" / "other.json", dashboard("outside-2", "Outside dir"))
    (root / "escape").symlink_to(scratch / "elsewhere", target_is_directory=True)
    return ["escape"]


def traversal_folder_uid(root: Path, _: Path) -> list[str]:
    write_json(root / "sneaky" / "_folder.json", {"uid": "../../admin", "title": "Sneaky"})
    write_json(root / "sneaky" / "inside.json", dashboard("sneaky-1", "Sneaky inside"))
    return ["_folder.json"]


def traversal_envelope_folder(root: Path, _: Path) -> list[str]:
    envelope = {"dashboard": dashboard("env-1", "Envelope"), "folderUid": "../../../etc"}
    write_json(root / "team-0" / "envelope.json", envelope)
    return ["envelope.json"]


BAD_INPUTS: dict[str, BadInput] = {
    "truncated": truncated,
    "invalid-syntax": invalid_syntax,
    "binary-garbage": binary_garbage,
    "deeply-nested": deeply_nested,
    "huge-file": huge_file,
    "duplicate-uids": duplicate_uids,
    "symlink-outside": symlink_outside,
    "symlinked-dir-outside": symlinked_dir_outside,
    "traversal-folder-uid": traversal_folder_uid,
    "traversal-envelope-folder": traversal_envelope_folder,
}


def applied_tree_with_removals(emulator: Emulator, source: Path) -> tuple[Tree, Tree]:
    """Apply a managed tree with prune, then remove two files (a healthy prune would delete them)
    and add one fresh valid file. Returns (everything that must stay on the server, the fresh one)."""
    applied = write_tree(source, 6)
    assert apply(emulator, source, "--prune").returncode == 0
    removed = sorted(applied)[:2]
    for path in source.rglob("*.json"):
        if path.stem in removed:
            path.unlink()
    fresh = {"fresh-1": dashboard("fresh-1", "Fresh and valid")}
    write_json(source / "team-1" / "fresh-1.json", fresh["fresh-1"])
    return applied, fresh


def check_refused_prune(emulator: Emulator, source: Path, must_mention: list[str], keep: Tree) -> None:
    hand_made = Unmanaged.seed(emulator)

    done = apply(emulator, source, "--prune")

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    for name in must_mention:
        assert name in output, f"the error must name {name}:\n{output}"
    assert "Traceback" not in output
    assert_server_has(emulator, keep)  # the removed ones are still there: no prune
    hand_made.assert_untouched(emulator)
    for uid in ("outside-1", "outside-2"):
        assert get_dashboard(emulator, uid) is None, "a file outside the root was read"


def test_every_kind_of_bad_input_at_once(emulator: Emulator, tmp_path: Path) -> None:
    """All bad inputs in one tree: each named, the valid files applied, nothing deleted."""
    source = tmp_path / "src"
    applied, fresh = applied_tree_with_removals(emulator, source)
    mentioned = [name for make in BAD_INPUTS.values() for name in make(source, tmp_path)]
    check_refused_prune(emulator, source, mentioned, {**applied, **fresh})


@pytest.mark.parametrize("case", ["truncated", "duplicate-uids", "symlink-outside"])
def test_one_bad_file_alone_blocks_prune(emulator: Emulator, tmp_path: Path, case: str) -> None:
    """A single bad file among good ones is enough to stop the prune."""
    source = tmp_path / "src"
    applied, fresh = applied_tree_with_removals(emulator, source)
    check_refused_prune(emulator, source, BAD_INPUTS[case](source, tmp_path), {**applied, **fresh})


def test_validate_names_every_bad_file_at_once(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_tree(source, 3)
    mentioned = [name for make in BAD_INPUTS.values() for name in make(source, tmp_path)]

    done = run_syncer("validate", str(source))

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    for name in mentioned:
        assert name in output, f"validate must name {name}:\n{output}"


def test_unicode_folder_names_are_applied(emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "src"
    names = ["Équipe données", "数据 团队", "Ünïcödé ✓"]
    expected = {}
    for i, name in enumerate(names):
        uid = f"uni-{i}"
        expected[uid] = dashboard(uid, f"Unicode {i}")
        write_json(source / name / "nested ünïcode" / f"{uid}.json", expected[uid])

    done = apply(emulator, source, "--prune")

    assert done.returncode == 0, done.stdout + done.stderr
    assert_server_has(emulator, expected)
    titles = {f["title"] for f in folder_tree(emulator)}
    assert set(names) <= titles
    assert "nested ünïcode" in titles


def folder_tree(emulator: Emulator) -> list[JSONDict]:
    """Every folder, walking parents down (nested folders are listed per parent)."""
    found: list[JSONDict] = []
    queue: list[str | None] = [None]
    while queue:
        parent = queue.pop()
        params = {"limit": 1000} | ({"parentUid": parent} if parent else {})
        response = emulator.api("GET", "/api/folders", params=params, auth="admin")
        assert response.status_code == 200, response.text
        for folder in response.json():
            found.append(folder)
            queue.append(folder["uid"])
    return found


def test_file_caught_mid_write_then_completed(emulator: Emulator, tmp_path: Path) -> None:
    """A one-shot run that reads a half-written file reports it and applies it on the next run."""
    source = tmp_path / "src"
    write_tree(source, 2)
    target = source / "team-0" / "growing.json"
    whole = json.dumps(dashboard("growing-1", "Growing"), indent=2)
    with target.open("w") as handle:
        handle.write(whole[:100])
        handle.flush()
        os.fsync(handle.fileno())
        half = apply(emulator, source, "--prune")
        handle.write(whole[100:])
    assert half.returncode == 1
    assert "growing.json" in half.stdout + half.stderr
    assert get_dashboard(emulator, "growing-1") is None

    done = apply(emulator, source, "--prune")

    assert done.returncode == 0, done.stderr
    assert_server_has(emulator, {"growing-1": json.loads(whole)})
