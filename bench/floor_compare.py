"""syncer against `shared/bench/floor.py` (the least work any Python client must do), same data, same
emulator build, one invocation: both APIs, cold and no-change, optionally with server-side latency.

Why: issue 13's targets are ratios to the floor. Each run gets a fresh `syncer emulator`; a no-change
run first applies (or floor-posts) once. Wall and CPU are of the whole child process, imports included,
for both tools (the floor's own JSON line leaves its imports out). `NAME=TREE` arguments run the
`syncer` of other checkouts too (e.g. the tree before a change), each from its own directory.

    .venv/bin/python bench/floor_compare.py DIR [--latency-ms 25] [--api A] [--mode M] [NAME=TREE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import BENCH_TOKEN, REPO, running_emulator

FLOOR = REPO.parent / "shared" / "bench" / "floor.py"


@contextmanager
def emulator(latency_ms: int) -> Iterator[str]:
    with running_emulator() as server:
        if latency_ms:
            faults = json.dumps([{"route": "*", "latency_ms": latency_ms}]).encode()
            request = urllib.request.Request(server.url + "/__emulator/faults", data=faults, method="POST")
            request.add_header("Content-Type", "application/json")
            urllib.request.urlopen(request, timeout=10).read()
        yield server.url


def timed(argv: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall and CPU (user + system, children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), done


def syncer(tree: Path, data: Path, api: str, mode: str, latency_ms: int) -> tuple[float, float, str]:
    with emulator(latency_ms) as url:
        argv = [sys.executable, "-m", "syncer", "apply", str(data), "--url", url, "--token", BENCH_TOKEN]
        argv += ["--api", api]
        if mode == "nochange":
            subprocess.run(argv, cwd=tree, capture_output=True, check=False)
        wall, cpu, done = timed(argv, tree)
    lines = done.stdout.strip().splitlines() or done.stderr.strip().splitlines() or [""]
    return wall, cpu, f"rc={done.returncode} {lines[-1][:60]}"


def floor(data: Path, api: str, mode: str, latency_ms: int) -> tuple[float, float, str]:
    with emulator(latency_ms) as url:
        argv = [sys.executable, str(FLOOR), str(data), "--url", url, "--token", BENCH_TOKEN, "--api", api]
        if mode == "nochange":
            subprocess.run([*argv, "--mode", "cold"], capture_output=True, check=False)
        wall, cpu, done = timed([*argv, "--mode", mode], REPO)
    return wall, cpu, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--api", choices=("legacy", "resources"), action="append", help="only this API")
    parser.add_argument("--mode", choices=("cold", "nochange"), action="append", help="only this run")
    parser.add_argument("trees", nargs="*", metavar="NAME=TREE", help="other checkouts to run too")
    args = parser.parse_args()
    trees = {"this": REPO, **{n: Path(t) for n, t in (a.split("=", 1) for a in args.trees)}}
    print(f"load average {os.getloadavg()[0]:.1f}; latency {args.latency_ms} ms per request")
    for api in args.api or ("legacy", "resources"):
        for mode in args.mode or ("cold", "nochange"):
            f_wall, f_cpu, f_line = floor(args.dir, api, mode, args.latency_ms)
            print(f"{api:9} {mode:8} floor          wall {f_wall:5.2f} s  cpu {f_cpu:5.2f} s  {f_line}")
            for name, tree in trees.items():
                wall, cpu, line = syncer(tree, args.dir.resolve(), api, mode, args.latency_ms)
                figures = f"wall {wall:5.2f} s  cpu {cpu:5.2f} s  {wall / f_wall:.2f}x"
                print(f"{api:9} {mode:8} syncer {name:7} {figures}  {line}")


if __name__ == "__main__":
    main()
