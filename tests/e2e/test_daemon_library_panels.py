"""`syncer run` with library panels: a real daemon subprocess against the emulator; an edited,
a new and a removed library panel file reach Grafana, and the metrics count library panels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.daemon import running_daemon, wait_until
from support.emulator import Emulator

MODEL = {"type": "stat", "title": "Up", "targets": [{"expr": "up", "refId": "A"}]}


def put(root: Path, rel: str, body: dict[str, Any]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body), encoding="utf-8")


def element(emulator: Emulator, uid: str) -> dict[str, Any] | None:
    response = emulator.api("GET", f"/api/library-elements/{uid}")
    return response.json()["result"] if response.status_code == 200 else None


def model_title(emulator: Emulator, uid: str) -> str | None:
    found = element(emulator, uid)
    return found["model"]["title"] if found else None


def test_the_daemon_keeps_library_panels_in_sync(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    put(src, "ops/up.library-panel.json", {"uid": "lib-up", "name": "Up", "kind": 1, "model": MODEL})
    put(
        src,
        "ops/board.json",
        {"uid": "board", "title": "Board", "panels": [{"id": 1, "libraryPanel": {"uid": "lib-up"}}]},
    )
    with running_daemon(emulator, src, "--prune") as daemon:
        wait_until(daemon.ready)
        assert model_title(emulator, "lib-up") == "Up"
        assert emulator.api("GET", "/api/dashboards/uid/board").status_code == 200
        assert daemon.metric("syncer_managed_library_panels") == 1
        assert daemon.metric("syncer_actions_total", action="create-library-panel", result="ok") == 1

        put(
            src,
            "ops/up.library-panel.json",
            {"uid": "lib-up", "name": "Up", "kind": 1, "model": {**MODEL, "title": "Up!"}},
        )
        wait_until(lambda: model_title(emulator, "lib-up") == "Up!", timeout=20)

        put(
            src, "ops/down.library-panel.json", {"uid": "lib-down", "name": "Down", "kind": 1, "model": MODEL}
        )
        wait_until(lambda: element(emulator, "lib-down") is not None, timeout=20)

        (src / "ops/down.library-panel.json").unlink()
        wait_until(lambda: element(emulator, "lib-down") is None, timeout=20)
        assert element(emulator, "lib-up") is not None
