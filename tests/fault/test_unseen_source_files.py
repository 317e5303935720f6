"""Source trees a real dashboard repository ends up holding, beyond the cases of test_bad_input.py
(issue 7: "bad inputs you have not seen"): empty and blank files, UTF-16 files written by Windows
PowerShell, file and directory names that are not UTF-8, a `.syncignore` with a broken pattern,
JSON that is not an object, titles and uids Grafana refuses, FIFOs, sockets, symlink loops, folders
too deep or named "General", broken `_folder.json`, a dashboard uid that is also a folder's uid,
and (on Grafana 11.2) titles that collide in one folder or with a root folder. Odd but valid names
(`dots..json`, a newline in a file name, a UTF-8 BOM) are applied like any other file, and the
documented `sync.max_folder_depth` (refused as an unknown key before) lets Grafana 11 nest deeper.
`syncer pull` into a checkout never writes through a symbolic link in it.

Each bad file must be named with its problem, the valid files must still be applied, nothing may be
deleted while the source has errors, and nothing unmanaged may be touched. Real `syncer`
subprocesses against a real emulator; the server state is checked afterwards.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.emulator import Emulator
from support.inprocess import serving

from fault.kit import (
    Unmanaged,
    apply,
    assert_server_has,
    connection,
    dashboard,
    get_dashboard,
    run_syncer,
    write_json,
    write_tree,
)

pytestmark = pytest.mark.fault

Maker = Callable[[Path], None]


def text(content: str | bytes) -> Maker:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return lambda path: path.write_bytes(data)


def as_json(content: object) -> Maker:
    return lambda path: path.write_text(json.dumps(content), encoding="utf-8")


def fifo(path: Path) -> None:
    os.mkfifo(path)  # reading it would block forever: it must be skipped, not opened


def unix_socket(path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))


def symlink_loop(path: Path) -> None:
    partner = path.with_name("loop-partner.json")
    path.symlink_to(partner.name)
    partner.symlink_to(path.name)


# (path relative to the root, how to make it, what the error must say); each line of output is
# `PATH[:LINE:COL]: error: MESSAGE`
BAD_FILES: list[tuple[str, Maker, str]] = [
    ("empty.json", text(""), "invalid JSON: the file is empty"),
    ("blank.yaml", text("  \n\t\n"), "invalid YAML: the file is empty"),
    # Windows PowerShell 5: `ConvertTo-Json | Out-File x.json` writes UTF-16 LE with a BOM
    ("powershell.json", text(json.dumps(dashboard("ps-1", "PS")).encode("utf-16")), "UTF-16"),
    ("utf16-be.json", text(b"\xfe\xff" + json.dumps(dashboard("be-1", "BE")).encode("utf-16-be")), "UTF-16"),
    ("array.json", as_json([dashboard("arr-1", "In an array")]), "top level must be an object, got an array"),
    ("null.json", text("null"), "top level must be an object, got null"),
    ("scalar.json", text("42"), "top level must be an object, got a number"),
    ("title-null.json", as_json({"uid": "t-null", "title": None}), "dashboard has no title"),
    ("title-number.json", as_json({"uid": "t-num", "title": 12}), "title must be a string"),
    ("title-blank.json", as_json({"uid": "t-blank", "title": "   "}), "title is empty"),
    ("title-long.json", as_json({"uid": "t-long", "title": "x" * 5001}), "max 5000"),
    ("uid-slash.json", as_json({"uid": "team/a", "title": "Slash"}), "contains illegal characters"),
    ("uid-space.json", as_json({"uid": "my dash", "title": "Space"}), "contains illegal characters"),
    ("uid-unicode.json", as_json({"uid": "düsseldorf", "title": "Umlaut"}), "contains illegal characters"),
    ("uid-41.json", as_json({"uid": "u" * 41, "title": "Long uid"}), "is 41 characters long, max 40"),
    ("fifo.json", fifo, "not a regular file"),
    ("socket.json", unix_socket, "not a regular file"),
    ("loop.json", symlink_loop, "broken symlink"),
    ("a/b/c/d/e/deep.json", as_json(dashboard("deep-5", "Five deep")), "nested 5 deep"),
    ("General/in-general.json", as_json(dashboard("gen-dir", "In General/")), "folder General/ is invalid"),
    ("broken-meta/_folder.json", text('{"title": '), "invalid JSON"),
    ("broken-meta/inside.json", as_json(dashboard("bm-1", "Under broken")), "see broken-meta/_folder.json"),
    ("typed-meta/_folder.json", as_json({"uid": ["x"], "title": 5}), "title must be a string"),
    ("typed-meta/inside.json", as_json(dashboard("tm-1", "Under typed")), "see typed-meta/_folder.json"),
    ("clash/_folder.json", as_json({"uid": "shared-uid", "title": "Clash"}), ""),
    ("clash/dash.json", as_json(dashboard("shared-uid", "Same uid")), "is also the uid of folder clash/"),
]


def write_bad_files(root: Path) -> list[tuple[str, str]]:
    expected = []
    for rel, make, message in BAD_FILES:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            make(path)
        except OSError as exc:  # e.g. a socket path longer than AF_UNIX allows
            if make is not unix_socket:
                raise
            print(f"skipping {rel}: {exc}")
            continue
        if message:
            expected.append((rel, message))
    return expected


def write_names_not_utf8(root: Path) -> list[tuple[str, str]]:
    """Names from a Latin-1 machine or an old zip: bytes that are not UTF-8 (Python holds them as
    lone surrogates). One such name used to crash every run, validate included, with a traceback."""
    latin1_dir = root / "equipe-\udce9t\udce9"  # b"equipe-\xe9t\xe9"
    latin1_dir.mkdir()
    write_json(latin1_dir / "inside.json", dashboard("latin1-dir-1", "In a Latin-1 directory"))
    write_json(root / "r\udcf4le.json", {"title": "Latin-1 file name, no uid"})
    return [
        ("equipe-\\xe9t\\xe9/", "directory name is not valid UTF-8"),
        ("r\\xf4le.json", "file name is not valid UTF-8"),
    ]


def write_syncignore_with_a_bad_pattern(root: Path) -> list[tuple[str, str]]:
    """A reversed range `[z-a]` is no regular expression; it used to crash every run (and every
    daemon pass) with a traceback. Now that line is an error and the other lines still apply."""
    (root / ".syncignore").write_text("# drafts stay local\ndrafts/\n**/[z-a]*.json\n")
    write_json(root / "drafts" / "wip.json", dashboard("draft-1", "Work in progress"))
    return [(".syncignore", "pattern '**/[z-a]*.json' is not valid (bad character range z-a)")]


def assert_named(output: str, rel: str, message: str) -> None:
    line = re.compile(rf"^{re.escape(rel)}(:\d+(:\d+)?)?: error: .*{re.escape(message)}", re.MULTILINE)
    assert line.search(output), f"expected an error naming {rel} with {message!r}:\n{output}"


def test_unseen_bad_files_are_named_and_block_prune(emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "src"
    applied = write_tree(source, 4)
    assert apply(emulator, source, "--prune").returncode == 0
    hand_made = Unmanaged.seed(emulator)
    (source / "team-0" / "service-0" / "d-0000.json").unlink()  # a healthy prune would delete it
    valid = {  # odd but valid: applied like any other file
        "bom-1": dashboard("bom-1", "Saved by Notepad with a BOM"),
        "dots-1": dashboard("dots-1", "Two dots in the name"),
        "newline-1": dashboard("newline-1", "A newline in the file name"),
    }
    (source / "team-1" / "bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(valid["bom-1"]).encode())
    write_json(source / "team-1" / "dots..json", valid["dots-1"])
    write_json(source / "team-1" / "new\nline.json", valid["newline-1"])
    expected = (
        write_bad_files(source) + write_names_not_utf8(source) + write_syncignore_with_a_bad_pattern(source)
    )

    done = apply(emulator, source, "--prune", timeout=60)

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    for rel, message in expected:
        assert_named(output, rel, message)
    assert_server_has(emulator, {**applied, **valid})  # d-0000 kept: no prune on errors
    hand_made.assert_untouched(emulator)
    for uid in ("ps-1", "be-1", "arr-1", "deep-5", "gen-dir", "bm-1", "tm-1", "latin1-dir-1", "draft-1"):
        assert get_dashboard(emulator, uid) is None, f"{uid} came from a bad file and must not be applied"

    offline = run_syncer("validate", str(source), timeout=60)

    assert offline.returncode == 1
    for rel, message in expected:
        assert_named(offline.stdout + offline.stderr, rel, message)


def test_dashboard_sharing_a_folder_uid_is_not_sent(emulator: Emulator, tmp_path: Path) -> None:
    """The loader reports the clash as an error; an error keeps the dashboard out of the run, so it
    must not be sent at all (it used to be sent anyway and fail with Grafana's 400)."""
    source = tmp_path / "src"
    write_json(source / "ops" / "_folder.json", {"uid": "ops", "title": "Operations"})
    write_json(source / "ops" / "ops.json", dashboard("ops", "Ops overview"))
    fine = dashboard("ops-latency", "Ops latency")
    write_json(source / "ops" / "latency.json", fine)

    done = apply(emulator, source)

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert_named(output, "ops/ops.json", "uid 'ops' is also the uid of folder ops/")
    assert "HTTP 400" not in output
    assert "400" not in emulator.requests()["by_status"], "the clashing dashboard was still sent"
    assert_server_has(emulator, {"ops-latency": fine})
    folder = emulator.api("GET", "/api/folders/ops", auth="admin")
    assert folder.status_code == 200 and folder.json()["title"] == "Operations"


@pytest.fixture
def grafana_11_2() -> Iterator[Emulator]:
    with serving(profile="11.2") as emulator:
        yield emulator


def test_titles_colliding_on_grafana_11_2_are_named_and_do_not_flap(
    grafana_11_2: Emulator, tmp_path: Path
) -> None:
    """Grafana before 11.3 wants unique titles per folder (412 name-exists) and unique folder titles
    per parent (409). The loser is named with Grafana's reason, the winner is applied, and further
    runs neither rewrite the winner nor loop."""
    emulator = grafana_11_2
    source = tmp_path / "src"
    rivals: dict[str, dict[str, object]] = {}  # uid -> content; saved concurrently, either may win
    for n, folder in ((1, "api"), (2, "api"), (3, "x1"), (4, "x2")):
        rivals[f"rival-{n}"] = dashboard(f"rival-{n}", "Latency" if folder == "api" else f"In {folder}")
        write_json(source / folder / f"d{n}.json", rivals[f"rival-{n}"])
    for folder in ("x1", "x2"):
        write_json(source / folder / "_folder.json", {"uid": f"twin-{folder}", "title": "Twin"})
    write_json(source / "like-a-folder.json", dashboard("like-folder", "Twin"))  # root: 400 name-match
    deep = dashboard("deep-6", "Six folders deep")  # Grafana 11 nests folders 8 deep (12+: 4)
    write_json(source / "l1" / "l2" / "l3" / "l4" / "l5" / "l6" / "deep.json", deep)
    config = tmp_path / "syncer.yaml"
    config.write_text("sync: {max_folder_depth: 8}\n")  # documented, and refused as unknown before

    runs = [apply(emulator, source, "--config", str(config)) for _ in range(2)]

    for done in runs:
        output = done.stdout + done.stderr
        assert done.returncode == 1, output
        assert "Traceback" not in output
        assert re.search(r"api/d[12]\.json \[rival-[12]\]: .*HTTP 412: .*same name", output), output
        assert re.search(r"x[12]/d[34]\.json \[rival-[34]\]: folder twin-x[12] failed: .*409", output), output
        assert re.search(r"like-a-folder\.json \[like-folder\]: .*HTTP 400: .*same as folder", output), output
    placed = [uid for uid in rivals if get_dashboard(emulator, uid) is not None]
    assert len(placed) == 2, f"one dashboard of each rival pair must exist, found {placed}"
    assert get_dashboard(emulator, "like-folder") is None
    assert placed[0] in ("rival-1", "rival-2") and placed[1] in ("rival-3", "rival-4")
    assert_server_has(emulator, {"deep-6": deep} | {uid: rivals[uid] for uid in placed})
    for uid in [*placed, "deep-6"]:
        found = get_dashboard(emulator, uid)
        assert found is not None and found["dashboard"]["version"] == 1, f"{uid} was rewritten by a rerun"


def test_pull_never_writes_through_a_link_in_the_checkout(emulator: Emulator, tmp_path: Path) -> None:
    """`syncer pull --force` into a checkout holding `team -> somewhere else` or `a.json -> a file
    outside` used to write through the link: out of the directory, or over the linked file."""
    folder = emulator.api("POST", "/api/folders", json={"uid": "team", "title": "team"}, auth="admin")
    assert folder.status_code == 200, folder.text
    body = {"dashboard": dashboard("payload", "payload"), "folderUid": "team"}
    assert emulator.api("POST", "/api/dashboards/db", json=body, auth="admin").status_code == 200
    outside = tmp_path / "outside"
    outside.mkdir()
    precious = outside / "precious.txt"
    precious.write_text("keep me\n")
    checkouts = {"dir-link": tmp_path / "a", "file-link": tmp_path / "b"}
    checkouts["dir-link"].mkdir()
    (checkouts["dir-link"] / "team").symlink_to(outside, target_is_directory=True)
    (checkouts["file-link"] / "team").mkdir(parents=True)
    (checkouts["file-link"] / "team" / "payload.json").symlink_to(precious)

    runs = {
        name: run_syncer("pull", str(root), *connection(emulator), "--force")
        for name, root in checkouts.items()
    }

    for name, done in runs.items():
        output = done.stdout + done.stderr
        assert done.returncode == 1, f"{name}: {output}"
        assert "is a symbolic link; pull never writes through links" in output, output
        assert "Traceback" not in output
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"], "pull wrote outside the checkout"
    assert precious.read_text() == "keep me\n", "pull overwrote the file a link pointed to"
