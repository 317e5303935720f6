"""The `syncer` executable with library panels: validate, plan text, apply, JSON report, a UI edit
shown as drift, pull, prune; `python -m syncer` subprocesses against the emulator subprocess."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.emulator import Emulator
from test_cli_oneshot import conn, syncer, write

MODEL = {
    "type": "timeseries",
    "title": "Error ratio",
    "targets": [{"expr": "sum(rate(errors[5m]))", "refId": "A"}],
}


def source(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    write(
        root,
        "web/errors.library-panel.json",
        {"uid": "lib-errors", "name": "Error ratio", "kind": 1, "model": MODEL},
    )
    panels = [
        {
            "id": 1,
            "gridPos": {"h": 8, "w": 24, "x": 0, "y": 0},
            "libraryPanel": {"uid": "lib-errors", "name": "Error ratio"},
        }
    ]
    write(root, "web/frontend.json", {"uid": "frontend", "title": "Frontend", "panels": panels})
    return root


def report(result: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_validate_plan_apply_drift_pull_and_prune(emulator: Emulator, tmp_path: Path) -> None:
    root = source(tmp_path)
    assert syncer("validate", str(root)).returncode == 0
    write(
        root,
        "web/broken.json",
        {"uid": "broken", "title": "Broken", "panels": [{"libraryPanel": {"uid": "lib-ghost"}}]},
    )
    invalid = syncer("validate", str(root))
    assert invalid.returncode == 1 and "web/broken.json" in invalid.stdout + invalid.stderr
    assert "lib-ghost" in invalid.stdout + invalid.stderr
    (root / "web/broken.json").unlink()

    planned = syncer("plan", str(root), *conn(emulator), "--exit-code", "--manager-id", "web")
    assert planned.returncode == 2, planned.stderr
    assert "create-library-panel library panel web/errors.library-panel.json [lib-errors]" in planned.stdout
    assert "library panels 1 to create" in planned.stdout
    applied = syncer("apply", str(root), *conn(emulator), "--manager-id", "web", "--output", "json")
    assert applied.returncode == 0, applied.stderr
    results = [(r["action"], r["uid"]) for r in report(applied)["results"]]
    assert results.index(("create-library-panel", "lib-errors")) < results.index(("create", "frontend"))

    current = emulator.api("GET", "/api/library-elements/lib-errors").json()["result"]
    edit = {"kind": 1, "version": current["version"], "model": {**current["model"], "title": "UI title"}}
    assert (
        emulator.api("PATCH", "/api/library-elements/lib-errors", json=edit, auth="admin").status_code == 200
    )
    drift = syncer("plan", str(root), *conn(emulator), "--manager-id", "web", "--output", "json")
    (panel,) = report(drift)["libraryPanels"]
    assert panel["action"] == "update-library-panel" and panel["reason"].startswith("revert drift")
    assert syncer("apply", str(root), *conn(emulator), "--manager-id", "web").returncode == 0
    again = syncer("plan", str(root), *conn(emulator), "--manager-id", "web", "--exit-code")
    assert again.returncode == 0, again.stdout

    pulled = tmp_path / "pulled"
    pull = syncer("pull", str(pulled), *conn(emulator))
    assert pull.returncode == 0 and "1 library panel(s)" in pull.stdout, pull.stderr
    back = syncer("plan", str(pulled), *conn(emulator), "--manager-id", "web", "--prune", "--exit-code")
    assert back.returncode == 0, back.stdout

    (root / "web/frontend.json").unlink()
    (root / "web/errors.library-panel.json").unlink()
    write(root, "keep.json", {"uid": "keep", "title": "Keep", "panels": []})
    pruned = syncer("apply", str(root), *conn(emulator), "--manager-id", "web", "--prune", "--output", "json")
    assert pruned.returncode == 0, pruned.stdout
    done = [(r["action"], r["uid"]) for r in report(pruned)["results"] if r["outcome"] == "ok"]
    assert done.index(("delete", "frontend")) < done.index(("delete-library-panel", "lib-errors"))
    assert emulator.api("GET", "/api/library-elements/lib-errors").status_code == 404
