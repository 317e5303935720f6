"""`make demo`'s main job (`python -m syncer.demo`): starts its own emulator, plans, applies the
examples and syncer's own metrics dashboard (deploy/grafana/), and shows second plans in sync; no
secret printed, the emulator stopped afterwards."""

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
    examples_again = out.split("=== plan again", 1)[1].split("\n===", 2)
    assert "In sync:" in examples_again[0] and examples_again[1].startswith(" exit code 0")
    metrics = out.split("=== apply syncer's own metrics dashboard", 1)[1].split("=== exit code", 1)[0]
    assert "deploy/grafana" in metrics and "[syncer-metrics]" in metrics and "Applied: 1 created" in metrics
    metrics_again = out.rsplit("=== plan the metrics dashboard again", 1)[1]
    assert "In sync: 1 dashboard(s)" in metrics_again and "=== exit code 0" in metrics_again
    assert "--prune" not in out  # two directories, one manager id: a prune would delete across them
    assert "--password admin" not in out
