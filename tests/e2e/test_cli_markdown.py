"""`syncer plan|apply --output markdown` as a CI job runs it: a real process against the emulator, the
comment it prints parsed with a CommonMark/GFM parser."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from markdown_it import MarkdownIt
from support import cli
from support.emulator import Emulator

GFM = MarkdownIt("commonmark").enable("table")


def syncer(emulator: Emulator, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.syncer(*args, *cli.connection(emulator, api="legacy"), "--manager-id", "md")


def write(path: Path, uid: str, title: str, note: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"uid": uid, "title": title, "description": note, "panels": []}
    path.write_text(json.dumps(body), encoding="utf-8")


def test_plan_and_apply_as_pull_request_comments(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "dashboards"
    write(src / "team" / "keep.json", "md-keep", "Keep")
    write(src / "team" / "edit.json", "md-edit", "Edit", "v1")
    write(src / "gone.json", "md-gone", "Gone")
    first = syncer(emulator, "apply", str(src))
    assert first.returncode == 0, first.stdout + first.stderr

    write(src / "team" / "edit.json", "md-edit", "Edit", "v2")
    write(src / "team" / "new.json", "md-new", "New | one")
    (src / "gone.json").unlink()

    plan = syncer(emulator, "plan", str(src), "--prune", "--output", "markdown", "--exit-code")
    assert plan.returncode == 2, plan.stderr
    text = plan.stdout
    assert text.startswith("<!-- syncer-plan -->\n### syncer plan: ")
    assert "**1 to create, 1 to update, 1 to delete; 0 conflicts**" in text
    tokens = GFM.parse(text)
    cells = [t.content for t in tokens if t.type == "inline"]
    assert {"create", "update", "delete", "`team/new.json`", "New | one"} <= set(cells)
    assert text.splitlines().count("<details>") == 3 == text.splitlines().count("</details>")
    assert '+  "description": "v2",' in text
    assert len([t for t in tokens if t.type == "fence"]) == 3
    assert emulator.token not in text and "glsa_" not in text

    applied = syncer(emulator, "apply", str(src), "--prune", "--output", "markdown")
    assert applied.returncode == 0, applied.stderr
    assert "**1 created, 1 updated, 1 deleted; 0 conflicts, 0 failed**" in applied.stdout
    assert "\r" not in applied.stdout  # no progress bar in a comment

    again = syncer(emulator, "plan", str(src), "--prune", "--output", "markdown")
    assert "**0 to create, 0 to update, 0 to delete; 0 conflicts**" in again.stdout
    assert "Grafana matches the directory." in again.stdout


def test_a_dashboard_edited_in_grafana_and_in_git_is_a_conflict(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "dashboards"
    write(src / "both.json", "md-both", "Both", "v1")
    assert syncer(emulator, "apply", str(src)).returncode == 0
    current = emulator.api("GET", "/api/dashboards/uid/md-both", auth="admin").json()
    edited = dict(current["dashboard"], description="edited in the UI")
    saved = emulator.api(
        "POST", "/api/dashboards/db", json={"dashboard": edited, "overwrite": True}, auth="admin"
    )
    assert saved.status_code == 200, saved.text
    write(src / "both.json", "md-both", "Both", "v2 in git")

    overwrite = syncer(emulator, "plan", str(src), "--output", "markdown").stdout  # default: git wins
    assert "**0 to create, 1 to update, 0 to delete; 1 conflict**" in overwrite
    assert "| ! | overwrite | `both.json` |" in overwrite  # the text plan's word for it
    blocked = syncer(emulator, "plan", str(src), "--output", "markdown", "--on-conflict", "fail").stdout
    assert "**0 to create, 0 to update, 0 to delete; 1 conflict**" in blocked
    assert "| ! | conflict | `both.json` |" in blocked
    assert '-  "description": "edited in the UI",' in blocked and '+  "description": "v2 in git",' in blocked
