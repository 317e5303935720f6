"""Run every benchmark and print its figures (`make bench`).

Role: one entry point for the benchmark scripts in this folder, each run as its own process so a
crash in one leaves the others' figures intact. `--size small` (the default, a few minutes) runs the
1,000-dashboard comparison with the peer, the daemon edit latency and the emulator's own figures;
`--size full` adds the 10,000-dashboard cold/no-change runs and the daemon memory at 10,000. CI never
runs this file (figures are not assertions); tests live in tests/.

Who calls it: the Makefile (`make bench`) or a person. JSON results go to bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
OURS = {"cold_apply.py", "daemon_latency.py"}  # the scripts that take --json (others' scripts may not)


def plan(size: str) -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = [
        ("cold + no-change, 1,000, vs peer, loopback", ["cold_apply.py", "--size", "1000"]),
        (
            "cold + no-change, 1,000, vs peer, 25 ms per request",
            ["cold_apply.py", "--size", "1000", "--latency-ms", "25"],
        ),
        (
            "cold + no-change, 1,000, vs peer, syncer's default API choice",
            ["cold_apply.py", "--size", "1000", "--api", "auto"],
        ),
        ("daemon edit latency, 200 dashboards", ["daemon_latency.py", "--size", "200", "--edits", "50"]),
    ]
    if (HERE / "emulator_bench.py").exists():
        steps.append(("emulator throughput", ["emulator_bench.py"]))
    if size == "full":
        steps += [
            ("cold + no-change, 10,000, vs peer, loopback", ["cold_apply.py", "--size", "10000"]),
            ("daemon memory, 10,000 dashboards", ["daemon_latency.py", "--size", "10000", "--edits", "10"]),
        ]
        if (HERE / "daemon_memory.py").exists():
            steps.append(("daemon memory over resyncs", ["daemon_memory.py"]))
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("small", "full"), default="small")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    failed = []
    for title, (script, *rest) in plan(args.size):
        print(f"\n=== {title}: {script} {' '.join(rest)}", flush=True)
        out = RESULTS / f"{Path(script).stem}-{'-'.join(rest[1::2]) or 'default'}.json"
        argv = [sys.executable, str(HERE / script), *rest]
        if script in OURS:
            argv += ["--json", str(out)]
        started = time.perf_counter()
        code = subprocess.call(argv, cwd=HERE.parent)
        print(f"=== {script} exit {code} after {time.perf_counter() - started:.0f}s", flush=True)
        if code != 0:
            failed.append(script)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
