"""The progress bar: drawn on a terminal for long runs, absent in CI logs and pipes."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from support.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]


def many_dashboards(root: Path, count: int) -> Path:
    root.mkdir(parents=True)
    for i in range(count):
        body = {"title": f"Board {i}", "uid": f"board-{i:03}", "panels": []}
        (root / f"b{i:03}.json").write_text(json.dumps(body), encoding="utf-8")
    return root


def apply_with_stderr_on_a_terminal(emulator: Emulator, src: Path, env: dict[str, str]) -> tuple[int, str]:
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "syncer",
                "apply",
                str(src),
                "--url",
                emulator.url,
                "--token",
                emulator.token,
                "--api",
                "legacy",
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=follower,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:  # the child closed its end
                break
            if not data:
                break
            chunks.append(data)
        return process.wait(timeout=60), b"".join(chunks).decode(errors="replace")
    finally:
        os.close(leader)


def test_progress_bar_on_a_terminal_only(emulator: Emulator, tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GRAFANA_") and k != "CI"}
    code, stderr = apply_with_stderr_on_a_terminal(emulator, many_dashboards(tmp_path / "a", 25), base)
    assert code == 0
    assert "] 25/25" in stderr and "[#" in stderr

    emulator.reset()  # so the second run has the same 25 creates to do
    code, stderr = apply_with_stderr_on_a_terminal(
        emulator, many_dashboards(tmp_path / "b", 25), {**base, "CI": "true"}
    )
    assert code == 0 and "25/25" not in stderr
    assert emulator.writes() == 25
