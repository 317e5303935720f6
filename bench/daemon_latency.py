"""Edit-to-Grafana latency of a running daemon, and its resident memory.

Role: start `syncer emulator` and `syncer run --dir DIR` on N generated dashboards, wait until the
daemon is ready (`/readyz` 200 and every dashboard on the server), then make E edits one at a time
(write-to-temp-and-rename, as editors and git do) and time each from the file write to the moment
the server returns the new content (polling GET /api/dashboards/uid/:uid every 20 ms). Prints p50,
p95 and max (target: p95 under 1 s including debounce), the requests each edit cost, and the
daemon's resident memory once it holds all N dashboards (target at 10,000: under 300 MB).

Usage: python bench/daemon_latency.py --size 200 --edits 50 [--debounce 0.2] [--api resources] [--json OUT]
       python bench/daemon_latency.py --size 10000 --edits 0      (memory only)
       python bench/daemon_latency.py --size 10000 --edits 20 --source /tmp/daemon10k/src
           (reuses a tree written by `bench/gen.py DIR --count N --seed 11`, or writes it there once)
Who calls it: bench/run_all.py, or a person. It prints figures; it asserts no timing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from gen import GeneratedFile, GenStats, edit_dashboard_file, generate
from harness import (
    BENCH_TOKEN,
    REPO,
    SYNCER,
    BenchEmulator,
    machine,
    percentile,
    rss_mb,
    running_emulator,
)

SERVING = re.compile(r"serving http on (http://[\d.]+:\d+)")


class Daemon:
    """A `syncer run` subprocess whose logs go to a file (a full pipe would stall it)."""

    def __init__(self, argv: list[str], log: Path) -> None:
        self.log = log
        self._log_handle = log.open("w")
        self.process = subprocess.Popen(argv, stdout=self._log_handle, stderr=subprocess.STDOUT, cwd=REPO)
        self.url = self._wait_for_listen_line(timeout=60)

    def _wait_for_listen_line(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = SERVING.search(self.log.read_text(errors="replace"))
            if match:
                return match.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"daemon did not start; log tail:\n{self.log.read_text()[-3000:]}")

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/readyz", timeout=5) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def metrics(self) -> str:
        with urllib.request.urlopen(self.url + "/metrics", timeout=10) as response:
            return str(response.read().decode())

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_handle.close()
        return self.process.returncode


@contextlib.contextmanager
def running_daemon(
    source: Path, emulator: BenchEmulator, log: Path, debounce: float | None, api: str = "legacy"
) -> Iterator[Daemon]:
    argv = [
        *SYNCER,
        "run",
        "--dir",
        str(source),
        "--url",
        emulator.url,
        "--token",
        BENCH_TOKEN,
        "--listen",
        "127.0.0.1:0",
        "--interval",
        "3600",  # no periodic resync during the measurement: only the watcher is measured
        "--api",
        api,
    ]
    if debounce is not None:
        argv += ["--debounce", str(debounce)]
    daemon = Daemon(argv, log)
    try:
        yield daemon
    finally:
        daemon.stop()


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.05)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def edit_latency(
    emulator: BenchEmulator, path: Path, uid: str, marker: str, timeout: float
) -> tuple[float, int]:
    """Seconds from the file write until the server returns the edit, and how many polls that took."""
    started = time.perf_counter()
    edit_dashboard_file(path, marker)
    expected = f"edited {marker}"
    polls = 0
    while time.perf_counter() - started < timeout:
        found = emulator.get_dashboard(uid)
        polls += 1
        if found and found["dashboard"].get("description") == expected:
            return time.perf_counter() - started, polls
        time.sleep(0.02)  # coarse enough that the polling itself does not load the server
    raise TimeoutError(f"edit {marker} of {uid} not on the server after {timeout:.0f}s")


def reuse_or_generate(source: Path | None, tmp: Path, size: int, seed: int) -> GenStats:
    """The tree to run on: a fresh one in `tmp`, or `source` (written there first if it is missing;
    at 10,000 dashboards that is about 530 MB and minutes, so a person can keep it between runs)."""
    if source is None:
        return generate(tmp / "src", size, seed)
    if not source.exists():
        return generate(source, size, seed)
    paths = sorted(source.rglob("*.json"), key=lambda p: p.name)  # gen's uids sort in index order
    if len(paths) != size:
        raise SystemExit(f"{source} holds {len(paths)} dashboards, not {size}")
    files = [
        GeneratedFile(p, p.stem, "", p.parent.relative_to(source).parts, p.stat().st_size) for p in paths
    ]
    return GenStats(source, tuple(files))


def main() -> int:
    parser = argparse.ArgumentParser(description="daemon edit latency and resident memory")
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--debounce", type=float, default=None, help="syncer run --debounce (s)")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between edits")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--api", default="legacy", help="syncer run --api: legacy (default), resources, auto")
    parser.add_argument("--source", type=Path, default=None, help="reuse (or write once) the tree here")
    args = parser.parse_args()
    run = time.strftime("%H%M%S")  # edit markers differ between runs on a reused tree

    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="syncer-bench-daemon-") as tmp:
        stats = reuse_or_generate(args.source, Path(tmp), args.size, args.seed)
        print(f"data: {args.size} dashboards, {stats.total_bytes / 1e6:.1f} MB; api {args.api}", flush=True)
        with running_emulator() as emulator:
            debounce = args.debounce
            with running_daemon(stats.root, emulator, Path(tmp) / "daemon.log", debounce, args.api) as daemon:
                initial = wait_until(daemon.ready, timeout=max(120.0, args.size * 0.1), what="/readyz")
                rss_ready = rss_mb(daemon.process.pid)
                print(f"daemon ready after {initial:.1f}s; rss={rss_ready:.0f}MB with {args.size} dashboards")
                latencies: list[float] = []
                polls = 0
                emulator.reset(counters_only=True)
                for i in range(args.edits):
                    generated = stats.files[(i * 7) % len(stats.files)]
                    time.sleep(args.pause)
                    marker = f"e{i}-{run}"
                    latency, polled = edit_latency(emulator, generated.path, generated.uid, marker, 30.0)
                    latencies.append(latency)
                    polls += polled
                counters = emulator.counters()
                rss_after = rss_mb(daemon.process.pid)
            code = daemon.process.returncode
    result: dict[str, object] = {
        "size": args.size,
        "api": args.api,
        "ready_s": initial,
        "rss_ready_mb": rss_ready,
        "rss_after_mb": rss_after,
        "daemon_exit": code,
    }
    if latencies:
        daemon_requests = counters.total - polls
        result |= {
            "edits": len(latencies),
            "p50_s": percentile(latencies, 0.50),
            "p95_s": percentile(latencies, 0.95),
            "max_s": max(latencies),
            "daemon_writes": counters.writes,
            "daemon_requests": daemon_requests,
        }
        print(
            f"edit latency over {len(latencies)} edits (debounce {debounce or 'default'}s): "
            f"p50={result['p50_s']:.3f}s p95={result['p95_s']:.3f}s max={result['max_s']:.3f}s; "
            f"daemon writes={counters.writes} (one per edit expected); "
            f"daemon requests={daemon_requests} ({daemon_requests / len(latencies):.1f} per edit; "
            f"this script's {polls} polling GETs excluded)"
        )
    print(f"daemon rss after edits={rss_after:.0f}MB; exit code on SIGTERM={code}")
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
