"""`make demo`'s main job (`python -m syncer.demo`): starts its own emulator, plans, applies, and
shows a second plan in sync; no secret printed, the emulator stopped afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_demo_applies_the_examples_and_ends_in_sync() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAFANA_")}
    done = subprocess.run(
        [sys.executable, "-m", "syncer.demo"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "built-in emulator was started" in out
    assert "Applied: " in out and "0 failed" in out
    last_plan = out.rsplit("=== plan again", 1)[1]
    assert "In sync:" in last_plan and "=== exit code 0" in last_plan
    assert "--password admin" not in out
