"""Resident memory of `syncer run` holding N dashboards (default 10,000), and whether it stays flat.

Starts `syncer emulator` and `syncer run` as subprocesses (as a user would), waits for the first full
reconcile, then runs several full resyncs (POST /sync) and an incremental burst, printing the daemon's
RSS (VmRSS) and peak (VmHWM) from /proc after each step. Linux only (reads /proc). Prints numbers, asserts
nothing. Usage: .venv/bin/python bench/daemon_memory.py [--dashboards 10000] [--resyncs 3] [--size-kb 30]
[--oneshot] [--api legacy|resources|auto]. It also times the loader on the tree, and with `--oneshot`
measures the peak RSS of one-shot `syncer apply` runs against a separate emulator first.

Without `--size-kb` every dashboard is a small ~3.4 kB one (6 panels, 50 folders); with it, realistic
dashboards of about that many kB each from bench/gen.py (rows, nested panels, templating), in gen's
three-level folder tree.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen  # bench/gen.py: realistic dashboards

REPO = Path(__file__).resolve().parents[1]
TOKEN = "glsa_bench_admin"


def dashboard(i: int) -> dict[str, object]:
    """A modest real-looking dashboard (~2.5 kB): a few panels with queries."""
    panels = [
        {
            "id": p + 1,
            "type": "timeseries",
            "title": f"Panel {p} of {i}",
            "gridPos": {"x": (p % 2) * 12, "y": (p // 2) * 8, "w": 12, "h": 8},
            "datasource": {"type": "prometheus", "uid": "prometheus"},
            "targets": [
                {"refId": "A", "expr": f'rate(http_requests_total{{job="svc-{i}",code=~"5.."}}[5m])'}
            ],
            "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []},
        }
        for p in range(6)
    ]
    return {
        "uid": f"bench-{i}",
        "title": f"Service {i}",
        "tags": ["bench"],
        "panels": panels,
        "schemaVersion": 39,
    }


def write_realistic_tree(root: Path, count: int, size_kb: int) -> list[Path]:
    """`count` gen.py dashboards of about `size_kb` kB each; returns their paths."""
    rng = random.Random(7)
    paths = []
    for index in range(count):
        folder = gen.folder_for(rng, index)
        uid = f"gen-{index:06d}"
        body = gen.make_dashboard(rng, uid, f"{folder[-1].title()} overview {index}", size_kb * 1000)
        path = root.joinpath(*folder, f"{uid}.json")
        gen.write_json(path, body)
        paths.append(path)
    return paths


def write_tree(root: Path, count: int) -> int:
    size = 0
    for i in range(count):
        folder = root / f"team-{i % 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(dashboard(i), indent=2)
        (folder / f"svc-{i}.json").write_text(text)
        size += len(text)
    return size


LOAD_TIMES = """
import sys, time
from pathlib import Path
from syncer.adapters.files.loader import DirectorySource
source = DirectorySource(Path(sys.argv[1]))
for label in ("first load (parses every file)", "reload (nothing changed)"):
    began = time.perf_counter()
    state = source.load()
    print(f"{label}: {time.perf_counter() - began:.2f} s, {len(state.dashboards)} dashboards")
"""


def print_load_times(root: Path) -> None:
    """`DirectorySource.load()` of the tree, first and again, in a fresh process of this checkout."""
    done = subprocess.run(
        [sys.executable, "-c", LOAD_TIMES, str(root)], cwd=REPO, capture_output=True, text=True, check=True
    )
    for line in done.stdout.splitlines():
        print(f"loader {line}")


def print_oneshot_apply(root: Path, tmp: Path, api: str) -> None:
    """Peak RSS of a one-shot `syncer apply` of the tree into a fresh emulator, then of a second one
    (everything in sync: it reads every dashboard back), via /usr/bin/time -v."""
    emulator, grafana = start(
        [sys.executable, "-m", "syncer", "emulator", "--port", "0", "--token", f"bench={TOKEN}"],
        tmp / "oneshot-emulator.log",
        r"listening on (\S+)",
    )
    try:
        for label in ("creates everything", "all in sync"):
            began = time.monotonic()
            command = ["/usr/bin/time", "-v", sys.executable, "-m", "syncer", "apply", str(root)]
            command += ["--url", grafana, "--api", api, "--output", "json"]
            done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
            peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
            rss = f"{int(peak.group(1)) / 1024:7.1f} MiB" if peak else "unknown"
            print(
                f"one-shot apply ({label}): peak RSS {rss}  "
                f"({time.monotonic() - began:.1f} s, exit {done.returncode})"
            )
    finally:
        emulator.terminate()
        emulator.wait(30)


def start(command: list[str], log: Path, pattern: str) -> tuple[subprocess.Popen[str], str]:
    out = log.open("w")
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=out, text=True)
    found: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            out.write(line)
            match = re.search(pattern, line)
            if match and not found:
                found.append(match.group(1))
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    if not ready.wait(30):
        process.kill()
        raise SystemExit(f"{command[3]} did not start; see {log}")
    return process, found[0]


def memory(pid: int) -> tuple[float, float]:
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def metric(client: httpx.Client, name: str) -> float:
    total = 0.0
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


def wait_runs(client: httpx.Client, at_least: float, timeout: float = 900) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = metric(client, "syncer_reconcile_total")
        if runs >= at_least:
            time.sleep(1.0)  # the counter moves just before the pass releases its memory
            return runs
        time.sleep(0.2)
    raise SystemExit("the daemon did not finish its reconcile in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dashboards", type=int, default=10_000)
    parser.add_argument("--resyncs", type=int, default=3)
    parser.add_argument("--size-kb", type=int, default=None, help="realistic dashboards of about this size")
    parser.add_argument("--oneshot", action="store_true", help="also measure a one-shot `syncer apply`")
    parser.add_argument("--api", default="legacy", help="syncer --api: legacy (default), resources or auto")
    parser.add_argument("--source", type=Path, default=None, help="a tree from bench/gen.py to reuse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="syncer-daemon-bench-") as tmp:
        root = Path(tmp) / "src"
        paths: list[Path] = []
        if args.source:  # `bench/gen.py DIR --count N`, kept between runs (10,000 are ~530 MB)
            root = args.source
            paths = sorted(root.rglob("*.json"), key=lambda p: p.name)[: args.dashboards]
            size = sum(p.stat().st_size for p in paths)
            print(f"source: {len(paths)} dashboards from {root}, {size / 1e6:.1f} MB of JSON")
        elif args.size_kb:
            paths = write_realistic_tree(root, args.dashboards, args.size_kb)
            size = sum(p.stat().st_size for p in paths)
            folders = len({p.parent for p in paths})
            print(f"source: {args.dashboards} dashboards, {size / 1e6:.1f} MB of JSON in {folders} folders")
        else:
            size = write_tree(root, args.dashboards)
            print(f"source: {args.dashboards} dashboards, {size / 1e6:.1f} MB of JSON in 50 folders")
        os.environ["GRAFANA_TOKEN"] = TOKEN  # keeps the token off the command line
        print_load_times(root)
        if args.oneshot:
            print_oneshot_apply(root, Path(tmp), args.api)
        emulator, grafana = start(
            [sys.executable, "-m", "syncer", "emulator", "--port", "0", "--token", f"bench={TOKEN}"],
            Path(tmp) / "emulator.log",
            r"listening on (\S+)",
        )
        env_command = [sys.executable, "-m", "syncer", "run", "--url", grafana, "--api", args.api]
        env_command += [
            "--dir",
            str(root),
            "--listen",
            "127.0.0.1:0",
            "--interval",
            "3600",
            "--log-format",
            "json",
        ]
        daemon, url = start(env_command, Path(tmp) / "daemon.log", r"serving http on (\S+)")
        try:
            with httpx.Client(base_url=url, timeout=30) as client:
                print(f"api {args.api}; load average {os.getloadavg()[0]:.2f}")
                idle = memory(daemon.pid)
                print(f"started:              RSS {idle[0]:7.1f} MiB")
                began = time.monotonic()
                runs = wait_runs(client, 1)
                rss, peak = memory(daemon.pid)
                requests = metric(client, "syncer_grafana_requests_total")
                print(
                    f"first full reconcile: RSS {rss:7.1f} MiB  peak {peak:7.1f} MiB  "
                    f"({time.monotonic() - began:.1f} s, {requests:.0f} requests)"
                )
                for n in range(args.resyncs):
                    began = time.monotonic()
                    client.post("/sync")
                    runs = wait_runs(client, runs + 1)
                    rss, peak = memory(daemon.pid)
                    print(
                        f"full resync {n + 1}:        RSS {rss:7.1f} MiB  peak {peak:7.1f} MiB  "
                        f"({time.monotonic() - began:.1f} s)"
                    )
                began = time.monotonic()
                print(f"load average before the burst: {os.getloadavg()[0]:.2f}")
                stamp = time.strftime("%H:%M:%S")  # a new edit on a reused tree too (else: no change)
                for i in range(0, args.dashboards, max(1, args.dashboards // 100)):
                    if paths:
                        gen.edit_dashboard_file(paths[i], f"by the memory bench at {stamp}")
                        continue
                    body = dashboard(i)
                    body["title"] = f"Service {i} (edited)"
                    (root / f"team-{i % 50:02d}" / f"svc-{i}.json").write_text(json.dumps(body))
                runs = wait_runs(client, runs + 1)
                rss, peak = memory(daemon.pid)
                print(
                    f"incremental (100 files): RSS {rss:7.1f} MiB  peak {peak:7.1f} MiB  "
                    f"({time.monotonic() - began:.1f} s from first write)"
                )
        finally:
            daemon.terminate()
            code = daemon.wait(60)
            emulator.terminate()
            emulator.wait(30)
        print(f"daemon exit code after SIGTERM: {code}")


if __name__ == "__main__":
    main()
