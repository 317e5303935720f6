"""Issue 18: what `syncer plan` says is what is so, and its text, JSON and exit code agree.

Real `python -m syncer` subprocesses against the emulator over HTTP, real files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.emulator import Emulator
from test_cli_oneshot import board, conn, source, syncer, write


def plan_json(src: Path, emulator: Emulator, *extra: str) -> tuple[dict[str, Any], int]:
    done = syncer("plan", str(src), "--output", "json", *extra, *conn(emulator))
    return json.loads(done.stdout), done.returncode


def ui_edit(emulator: Emulator, uid: str, **changes: Any) -> int:
    current = emulator.api("GET", f"/api/dashboards/uid/{uid}").json()
    body = {
        "dashboard": {**current["dashboard"], **changes},
        "folderUid": current["meta"].get("folderUid", ""),
    }
    saved = emulator.api("POST", "/api/dashboards/db", json=body, auth="admin")
    assert saved.status_code == 200, saved.text
    version: int = saved.json()["version"]
    return version


def test_a_deleted_file_is_listed_not_called_in_sync(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    assert syncer("apply", str(src), *conn(emulator)).returncode == 0
    (src / "home.json").unlink()

    text = syncer("plan", str(src), *conn(emulator))
    doc, code = plan_json(src, emulator)
    exit_code = syncer("plan", str(src), "--exit-code", *conn(emulator)).returncode

    assert "In sync" not in text.stdout
    assert "1 managed dashboard is no longer in the source; `--prune` deletes it." in text.stdout
    assert "home.json [home]" in text.stdout
    assert doc["inSync"] is False and code == 0 and exit_code == 2
    assert doc["orphans"] == [
        {"uid": "home", "title": "Home", "path": "home.json", "liveFolderUid": None, "liveVersion": 1}
    ]
    assert doc["summary"]["orphans"] == 1 and doc["summary"]["writes"] == 0
    pruned = syncer("plan", str(src), "--prune", *conn(emulator))
    assert "- delete" in pruned.stdout and "orphan" not in pruned.stdout


def test_a_source_error_never_prints_in_sync(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    assert syncer("apply", str(src), *conn(emulator)).returncode == 0
    write(src, "broken.json", "{")

    text = syncer("plan", str(src), *conn(emulator))
    doc, code = plan_json(src, emulator)

    assert text.returncode == 1 and code == 1 and doc["inSync"] is False
    assert "In sync" not in text.stdout
    assert "Not in sync: the source has 1 error(s)" in text.stdout
    assert "broken.json" in text.stderr and doc["summary"]["sourceErrors"] == 1

    write(src, "home.json", "{")  # a managed dashboard's file breaks: it is not "gone"
    broken = syncer("plan", str(src), *conn(emulator))
    assert broken.returncode == 1 and "no longer in the source" not in broken.stdout
    assert "Not in sync: the source has 2 error(s)" in broken.stdout


def test_a_ui_edit_about_to_be_reverted_has_its_cause_symbol_and_count(
    emulator: Emulator, tmp_path: Path
) -> None:
    src = source(tmp_path)
    assert syncer("apply", str(src), *conn(emulator)).returncode == 0
    edited = ui_edit(emulator, "home", description="edited in the UI")

    text = syncer("plan", str(src), *conn(emulator))
    doc, _ = plan_json(src, emulator)

    (home,) = [d for d in doc["dashboards"] if d["uid"] == "home"]
    assert home["action"] == "update" and home["cause"] == "drift"
    assert home["overwritesVersion"] == edited
    assert doc["summary"]["cause:drift"] == 1 and doc["summary"]["overwrites"] == 1
    assert doc["summary"]["cause:git"] == 0
    assert "  ! revert-drift  home.json [home]" in text.stdout
    assert "! 1 overwrites a Grafana edit (1 drift revert)" in text.stdout
    assert "0 to update" in text.stdout

    write(src, "home.json", board("Home", "home", tags=["from git"]))
    both, _ = plan_json(src, emulator)
    (home,) = [d for d in both["dashboards"] if d["uid"] == "home"]
    assert home["cause"] == "conflict" and home["overwritesVersion"] == edited
    assert both["summary"]["cause:conflict"] == 1


def test_diff_summarises_new_dashboards_unless_asked(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    short = syncer("plan", str(src), "--diff", *conn(emulator))
    full = syncer("plan", str(src), "--diff", "--diff-new", *conn(emulator))
    assert "+++ home.json: new dashboard," in short.stdout and '+  "title": "Home"' not in short.stdout
    assert '+  "title": "Home"' in full.stdout
    assert full.stdout.rstrip().splitlines()[-1].startswith("Plan: dashboards 2 to create")  # headline last


def test_quiet_and_colour(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    for n in range(3):
        write(src, f"v{n}.json", board(f"V{n}", f"v{n}", version=7))
    quiet = syncer("plan", str(src), "--quiet", *conn(emulator))
    assert quiet.stdout.splitlines() == [
        "Plan: dashboards 5 to create, 0 to update, 0 to move, 0 to delete, 0 unchanged; folders 2 to create."
    ]
    assert quiet.stderr == ""
    loud = syncer("plan", str(src), *conn(emulator))
    assert "3 files carry an exported `version`" in loud.stderr and "v0.json" not in loud.stderr
    assert "v0.json: warning: version" in syncer("plan", str(src), "-v", *conn(emulator)).stderr
    assert "\x1b[" not in loud.stdout  # not a terminal: no colour


def on_a_terminal(*args: str, env: dict[str, str] | None = None) -> str:
    """stdout of `python -m syncer ARGS` written to a real pseudo-terminal."""
    import os
    import pty
    import subprocess
    import sys

    from test_cli_oneshot import REPO

    master, slave = pty.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "syncer", *args],
            cwd=REPO,
            env={**os.environ, **(env or {})},
            stdout=slave,
            stderr=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        os.set_blocking(master, False)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except (BlockingIOError, OSError):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", "replace")
    finally:
        os.close(master)
        os.close(slave)


def test_colour_on_a_terminal_unless_no_color(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    args = ("plan", str(src), *conn(emulator))
    assert "\x1b[32m+ create" in on_a_terminal(*args)
    assert "\x1b[" not in on_a_terminal(*args, "--no-color")
    assert "\x1b[" not in on_a_terminal(*args, env={"NO_COLOR": "1"})


def test_apply_quiet_prints_the_summary_only(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    done = syncer("apply", str(src), "-q", *conn(emulator))
    assert done.returncode == 0
    assert done.stdout.startswith("Applied: 2 folder(s) created, 2 created;") and done.stdout.count("\n") == 1
