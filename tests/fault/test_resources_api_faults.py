"""The same transient faults on the k8s-style resources API, which `--api auto` picks on a Grafana
12 server (the emulator's default profile). Fault rules use "METHOD *" routes so they hit whichever
resource version syncer chose. The server state is checked through the legacy API, which shows the
same store: every dashboard once, with the file's content, and a rerun writes nothing.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
from support.emulator import Emulator

from fault.kit import SYNCER, Tree, Unmanaged, assert_server_has, run_syncer, wait_for, write_tree

pytestmark = pytest.mark.fault


def apply_auto(emulator: Emulator, source: Path) -> subprocess.CompletedProcess[str]:
    return run_syncer("apply", str(source), "--url", emulator.url, "--token", emulator.token)


def settle(emulator: Emulator, source: Path, expected: Tree, hand_made: Unmanaged) -> None:
    emulator.clear_faults()
    assert_server_has(emulator, expected)
    hand_made.assert_untouched(emulator)
    before = emulator.writes()
    again = apply_auto(emulator, source)
    assert again.returncode == 0, again.stderr
    assert emulator.writes() == before, "a converged tree must cost zero writes"


def test_resources_api_rides_out_5xx_and_429(emulator: Emulator, tmp_path: Path) -> None:
    hand_made = Unmanaged.seed(emulator)
    expected = write_tree(tmp_path / "src", 6)
    emulator.fault(route="POST *", status=503, count=3)
    emulator.fault(route="GET *", status=429, count=2, retry_after=1)

    done = apply_auto(emulator, tmp_path / "src")

    assert done.returncode == 0, done.stdout + done.stderr
    assert any(route.startswith("POST /apis/") for route in emulator.requests()["by_route"]), (
        "the auto API choice should have used the resources API"
    )
    settle(emulator, tmp_path / "src", expected, hand_made)


def test_resources_api_sigkill_mid_apply_then_rerun(emulator: Emulator, tmp_path: Path) -> None:
    hand_made = Unmanaged.seed(emulator)
    expected = write_tree(tmp_path / "src", 16)
    emulator.fault(route="POST *", latency_ms=200)
    process = subprocess.Popen(
        [*SYNCER, "apply", str(tmp_path / "src"), "--url", emulator.url, "--token", emulator.token],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: emulator.requests()["by_method"].get("POST", 0) >= 4, 60, "some writes")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    emulator.clear_faults()

    done = apply_auto(emulator, tmp_path / "src")

    assert done.returncode == 0, done.stdout + done.stderr
    settle(emulator, tmp_path / "src", expected, hand_made)
