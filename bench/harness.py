"""Shared plumbing for the benchmark scripts: a running emulator, timed child processes, counters.

Role: start `syncer emulator` on a free loopback port, read and reset its request counters
(`/__emulator/requests`, `/__emulator/reset`), and run a command as a child process measuring its
wall time and its own peak resident memory (from `wait4`, so only that child is counted).

Who calls it: bench/cold_apply.py, bench/daemon_latency.py, bench/run_all.py.

What it must not do: import syncer (the benchmarks drive the product as a user would, through its
executable), or print secrets: the benchmark token is a throwaway, but it is still never printed.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_TOKEN = "glsa_bench_admin_token"  # a throwaway token given to the emulator we start
REPO = Path(__file__).resolve().parent.parent
SYNCER = (sys.executable, "-m", "syncer")


@dataclass(frozen=True)
class Timed:
    """One finished child process."""

    argv: tuple[str, ...]
    returncode: int
    wall_s: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    cpu_s: float = 0.0  # the child's own user + system CPU time (wait4)


@dataclass(frozen=True)
class Counters:
    total: int
    reads: int
    writes: int
    by_route: Mapping[str, int]

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Counters:
        return cls(int(doc["total"]), int(doc["reads"]), int(doc["writes"]), dict(doc.get("by_route", {})))

    def route(self, name: str) -> int:
        return int(self.by_route.get(name, 0))


class BenchEmulator:
    """A `syncer emulator` subprocess owned by one benchmark."""

    def __init__(self, *extra: str) -> None:
        argv = [*SYNCER, "emulator", "--host", "127.0.0.1", "--port", "0", "--token", BENCH_TOKEN, *extra]
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=REPO)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.process.kill()
            raise RuntimeError(f"emulator did not start: {line!r}")
        self.url = line.removeprefix("listening on ")
        self.port = int(self.url.rsplit(":", 1)[1])

    def _call(self, method: str, path: str, body: object = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def counters(self) -> Counters:
        return Counters.from_doc(self._call("GET", "/__emulator/requests"))

    def reset(self, *, counters_only: bool = False) -> None:
        self._call("POST", "/__emulator/reset" + ("?counters_only=1" if counters_only else ""))

    def add_latency(self, latency_ms: int) -> None:
        """Every API request waits this long, like a real Grafana doing database work per request."""
        if latency_ms > 0:
            self._call("POST", "/__emulator/faults", [{"route": "*", "latency_ms": latency_ms}])

    def state(self) -> Any:
        return self._call("GET", "/__emulator/state")

    def get_dashboard(self, uid: str) -> Any | None:
        request = urllib.request.Request(f"{self.url}/api/dashboards/uid/{uid}")
        request.add_header("Authorization", f"Bearer {BENCH_TOKEN}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    def cpu_s(self) -> float:
        """CPU time (user + system) the emulator process has used so far: with `cpu_s` of a client
        run, where the time went on a machine whose load varies (wall times are noisy there)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        return rss_mb(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def running_emulator(*extra: str) -> Iterator[BenchEmulator]:
    emulator = BenchEmulator(*extra)
    try:
        yield emulator
    finally:
        emulator.stop()


def run_timed(argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Timed:
    """Run argv to completion; wall time and the child's own peak RSS (ru_maxrss of wait4, in kB)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd or REPO,
    )
    stdout, stderr, usage = _drain_then_wait(process)
    wall = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    return Timed(tuple(argv), process.returncode, wall, usage.ru_maxrss / 1024.0, stdout, stderr, cpu)


def _drain_then_wait(process: subprocess.Popen[str]) -> tuple[str, str, resource.struct_rusage]:
    """Read both pipes in threads and reap the child with wait4, which alone gives its own rusage
    (communicate() would reap it first and lose the figure)."""
    chunks: dict[str, str] = {}

    def reader(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    threads = [
        threading.Thread(target=reader, args=("out", process.stdout)),
        threading.Thread(target=reader, args=("err", process.stderr)),
    ]
    for thread in threads:
        thread.start()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    for thread in threads:
        thread.join()
    return chunks.get("out", ""), chunks.get("err", ""), usage


def rss_mb(pid: int) -> float:
    """Current resident memory of a live process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def machine() -> str:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {system}"


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def syncer_connection() -> tuple[str, ...]:
    return ("--token", BENCH_TOKEN)
