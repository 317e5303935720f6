"""`syncer emulator fault` takes durations like every other syncer flag (`--latency 250ms`,
`--down-for 5s`, `--retry-after 2s`); the old `--latency-ms` / `--down-for-s` keep their units."""

from __future__ import annotations

import subprocess

import pytest
from support.cli import syncer
from support.emulator import Emulator

from syncer.cli import build_parser


def fault(emulator: Emulator, *args: str) -> subprocess.CompletedProcess[str]:
    return syncer("emulator", "fault", "--url", emulator.url, *args, timeout=60)


def test_fault_durations_reach_the_running_emulator(emulator: Emulator) -> None:
    done = fault(
        emulator, "--route", "GET /api/search", "--latency", "250ms", "--retry-after", "2s", "--count", "1"
    )
    assert done.returncode == 0, done.stderr
    (rule,) = emulator.faults()
    assert rule["latency_ms"] == 250 and rule["retry_after"] == 2
    emulator.clear_faults()
    old = fault(emulator, "--route", "GET /api/search", "--latency-ms", "40", "--count", "1")
    assert old.returncode == 0, old.stderr
    assert emulator.faults()[0]["latency_ms"] == 40
    emulator.clear_faults()


@pytest.mark.parametrize(
    ("flags", "key", "value"),
    [(["--down-for", "1m30s"], "down_for", 90.0), (["--down-for-s", "5"], "down_for_s", 5.0)],
)
def test_down_for_parses_both_spellings(flags: list[str], key: str, value: float) -> None:
    args = build_parser().parse_args(["emulator", "fault", "--url", "http://127.0.0.1:1", *flags])
    assert getattr(args, key) == value


def test_a_bad_duration_is_refused_with_an_example(emulator: Emulator) -> None:
    done = fault(emulator, "--latency", "5x")
    assert done.returncode == 1  # usage errors exit 1, never plan's "changes pending" 2 (issue 18)
    assert "argument --latency: '5x' is not a duration" in done.stderr and "30s, 5m, 1h30m" in done.stderr
    both = fault(emulator, "--latency", "1s", "--latency-ms", "5")
    assert both.returncode == 1 and "not allowed with argument" in both.stderr
    assert emulator.faults() == []
