"""Part of the end-to-end CLI suite (tests/e2e/test_cli_oneshot.py), run again with `--api resources`.

Those tests build their connection flags with `conn(emulator)` (`--api legacy`); the autouse fixture
swaps it for `--api resources`, so the same subprocess scenarios (exit codes, a conflict giving exit
3, the documented JSON report) run through `/apis`. Chosen for what the CLI reports, which depends on
the adapter; option precedence, secrets and signals do not, and stay in the e2e suite only.
"""

from __future__ import annotations

import importlib
import sys

import pytest
from support.emulator import REPO_ROOT, Emulator

sys.path.insert(0, str(REPO_ROOT / "tests" / "e2e"))
cli_suite = importlib.import_module("test_cli_oneshot")

REUSED = (
    "test_plan_apply_plan_exit_codes",
    "test_apply_exit_3_on_unresolved_conflict_and_1_on_errors",
    "test_apply_json_report_matches_documented_schema",
)
globals().update({name: getattr(cli_suite, name) for name in REUSED if hasattr(cli_suite, name)})


def resources_conn(emulator: Emulator) -> list[str]:
    return ["--url", emulator.url, "--token", emulator.token, "--api", "resources"]


@pytest.fixture(autouse=True)
def _resources_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_suite, "conn", resources_conn)


def test_the_reused_tests_are_present_and_use_apis(emulator: Emulator) -> None:
    assert all(name in globals() for name in REUSED)
    assert cli_suite.conn(emulator)[-2:] == ["--api", "resources"]
