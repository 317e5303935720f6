"""Issue 18: one statement per exit code, the same in docs/cli.md and README.md, and the example
configuration's "apply exits N" promises measured against the real `syncer apply` (subprocess,
emulator over HTTP), so docs cannot drift from the code again."""

from __future__ import annotations

import json
import re
from pathlib import Path

from deploy_helpers import REPO
from support.cli import connection, syncer
from support.emulator import Emulator

STATEMENT = re.compile(r"^- \*\*(\d)\*\*: .+$", re.MULTILINE)


def statements(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    section = text[text.index("Exit codes") :]
    section = section[: section.index("\n#", 1)]
    found = STATEMENT.findall(section)
    assert sorted(found) == ["0", "1", "2", "3"], f"{path}: one statement per exit code, got {found}"
    return {m.group(1): m.group(0) for m in STATEMENT.finditer(section)}


def apply(src: Path, emulator: Emulator, *extra: str) -> int:
    return syncer("apply", str(src), *connection(emulator), *extra).returncode


def test_readme_and_cli_docs_state_each_exit_code_once_and_the_same() -> None:
    assert statements(REPO / "README.md") == statements(REPO / "docs" / "cli.md")


def test_documented_policy_exit_codes_are_what_apply_returns(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    board = {"uid": "c", "title": "C", "panels": []}
    (src / "c.json").write_text(json.dumps(board), encoding="utf-8")
    assert apply(src, emulator) == 0
    current = emulator.api("GET", "/api/dashboards/uid/c").json()["dashboard"]
    edited = {"dashboard": {**current, "description": "ui"}, "overwrite": True}
    assert emulator.api("POST", "/api/dashboards/db", json=edited, auth="admin").status_code == 200
    (src / "c.json").write_text(json.dumps({**board, "tags": ["git"]}), encoding="utf-8")

    measured = {
        "skip": apply(src, emulator, "--on-conflict", "skip"),
        "fail": apply(src, emulator, "--on-conflict", "fail"),
    }

    example = (REPO / "config" / "syncer.example.yaml").read_text(encoding="utf-8")
    block = example[example.index("Both git and Grafana changed") : example.index("on_conflict:")]
    for policy, code in measured.items():
        promised = re.search(rf"#\s+{policy}:.*\(apply exits (\d)", block)
        assert promised is not None and int(promised.group(1)) == code, (policy, code)
    docs = statements(REPO / "docs" / "cli.md")
    assert "`--on-conflict skip`" in docs[str(measured["skip"])]
    assert "`--on-conflict fail`" in docs[str(measured["fail"])]
