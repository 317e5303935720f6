"""`Workers`: how many cores a one-shot run may use, as a container or CI runner limits them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from syncer.adapters import workers
from syncer.adapters.workers import usable_cores

CPU_SET = len(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [
        ("max 100000\n", CPU_SET),  # no quota
        ("100000 100000\n", 1),  # one CPU
        ("150000 100000\n", min(CPU_SET, 2)),  # 1.5 CPUs round up
        ("100000000 100000\n", CPU_SET),  # a quota above the CPU set: the CPU set
        ("garbage", CPU_SET),
        (None, CPU_SET),  # no cgroup v2 file (cgroup v1, not Linux)
    ],
)
def test_usable_cores_follow_the_cpu_set_and_the_cgroup_quota(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cpu_max: str | None, expected: int
) -> None:
    path = tmp_path / "cpu.max"
    if cpu_max is not None:
        path.write_text(cpu_max)
    monkeypatch.setattr(workers, "CGROUP_CPU_MAX", path)
    assert usable_cores() == expected
