"""Emulator benchmark: dashboard GETs per second (keep-alive) and memory with many dashboards.

Starts a real `python -m syncer.emulator` on a free port, stores N dashboards of about 30 kB
(default 20,000) through `POST /api/dashboards/db`, then times `GET /api/dashboards/uid/:uid`
from C keep-alive client connections running in separate processes, and reads the server's
resident memory from /proc. Prints figures; asserts nothing (figures go to docs/emulator.md).

It also prints the server CPU per k8s-style GET and per item of a k8s LIST page (the routes a
`--api resources` client reads through). `--repo DIR` runs the emulator of another checkout, for
before/after comparisons on the same machine.

    .venv/bin/python bench/emulator_bench.py [--dashboards 20000] [--seconds 5] [--clients 2] [--repo DIR]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOKEN = "glsa_bench"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


def make_dashboard(n: int) -> dict[str, object]:
    """A realistic dashboard of about 30 kB of JSON: timeseries panels with targets."""
    return {
        "uid": f"bench-{n:05d}",
        "title": f"Bench dashboard {n}",
        "tags": ["bench", f"team-{n % 10}"],
        "schemaVersion": 39,
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [{"name": "job", "type": "query", "query": "label_values(up, job)"}]},
        "panels": PANELS,
    }


def _panels(target_bytes: int = 30_000) -> list[dict[str, object]]:
    panels: list[dict[str, object]] = []
    panel = 0
    while len(json.dumps(panels)) < target_bytes:
        panel += 1
        panels.append(
            {
                "id": panel,
                "type": "timeseries",
                "title": f"Requests {panel}",
                "gridPos": {"h": 8, "w": 12, "x": (panel % 2) * 12, "y": panel * 8},
                "datasource": {"type": "prometheus", "uid": "prometheus"},
                "fieldConfig": {
                    "defaults": {
                        "unit": "reqps",
                        "color": {"mode": "palette-classic"},
                        "custom": {"lineWidth": 1},
                    },
                    "overrides": [],
                },
                "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}},
                "targets": [
                    {
                        "expr": "sum(rate(http_requests_total"
                        f'{{job="$job",code=~"5..",panel="{panel}"}}[5m]))',
                        "refId": "A",
                    }
                ],
            }
        )
    return panels


PANELS = _panels()


K8S_DASHBOARDS = "/apis/dashboard.grafana.app/v1beta1/namespaces/default/dashboards"
K8S_PAGE = 500  # items per LIST page


def start_emulator(repo: Path) -> tuple[subprocess.Popen[str], str, int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "syncer.emulator", "--port", "0", "--token", TOKEN],
        cwd=repo,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("listening on "):
        process.kill()
        raise SystemExit(f"emulator did not start: {line!r}")
    url = line.split()[-1]
    return process, url, int(url.rsplit(":", 1)[1])


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (independent of how busy the machine is)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(port: int, count: int) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    started = time.perf_counter()
    for n in range(count):
        body = json.dumps({"dashboard": make_dashboard(n), "overwrite": True}).encode()
        connection.request("POST", "/api/dashboards/db", body=body, headers=HEADERS)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"save failed: {response.status}")
    connection.close()
    return time.perf_counter() - started


def _get_worker(
    port: int, count: int, seconds: float, offset: int, results: multiprocessing.Queue[int]
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    done = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        connection.request(
            "GET", f"/api/dashboards/uid/bench-{(offset + done * 7919) % count:05d}", headers=HEADERS
        )
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"get failed: {response.status}")
        done += 1
    connection.close()
    results.put(done)


def get_rate(port: int, count: int, seconds: float, clients: int) -> tuple[float, int]:
    """(GETs per second, GETs done)."""
    results: multiprocessing.Queue[int] = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_get_worker, args=(port, count, seconds, n * 1000, results))
        for n in range(clients)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    total = sum(results.get(timeout=seconds + 60) for _ in workers)
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    return total / elapsed, total


def k8s_reads(port: int, count: int, pid: int) -> None:
    """Server CPU per k8s GET (one keep-alive connection) and per item of LIST pages."""
    connection = http.client.HTTPConnection("127.0.0.1", port)

    def fetch(path: str) -> bytes:
        connection.request("GET", path, headers=HEADERS)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"k8s read failed: {response.status}")
        return body

    gets = min(count, 2000)
    cpu_before = cpu_seconds(pid)
    for n in range(gets):
        fetch(f"{K8S_DASHBOARDS}/bench-{n * 7919 % count:05d}")
    per_get_us = (cpu_seconds(pid) - cpu_before) / gets * 1e6
    cpu_before, items, token = cpu_seconds(pid), 0, ""
    while items < min(count, 5 * K8S_PAGE):
        page = json.loads(
            fetch(f"{K8S_DASHBOARDS}?limit={K8S_PAGE}" + (f"&continue={token}" if token else ""))
        )
        items += len(page["items"])
        token = page["metadata"].get("continue", "")
        if not token:
            break
    per_item_us = (cpu_seconds(pid) - cpu_before) / items * 1e6
    connection.close()
    print(
        f"k8s:    server CPU {per_get_us:,.0f} us per GET of one dashboard; "
        f"{per_item_us:,.0f} us per item of LIST pages of {K8S_PAGE} ({items} items read)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=2, help="keep-alive client connections (processes)")
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout whose emulator to run")
    args = parser.parse_args()
    process, url, port = start_emulator(args.repo)
    try:
        size = len(json.dumps(make_dashboard(0)))
        idle = resident_mib(process.pid)
        cpu_before_load = cpu_seconds(process.pid)
        load_s = load(port, args.dashboards)
        per_save_us = (cpu_seconds(process.pid) - cpu_before_load) / args.dashboards * 1e6
        loaded = resident_mib(process.pid)
        print(f"emulator {url}  dashboards={args.dashboards}  size~{size / 1000:.1f} kB each")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
        print(
            f"store:  {args.dashboards / load_s:,.0f} saves/s ({load_s:.1f} s for {args.dashboards}); "
            f"server CPU {per_save_us:,.0f} us/save"
        )
        print(f"memory: RSS {idle:,.0f} MiB idle -> {loaded:,.0f} MiB with {args.dashboards} dashboards")
        for clients in sorted({1, args.clients}):
            cpu_before = cpu_seconds(process.pid)
            rate, done = get_rate(port, args.dashboards, args.seconds, clients)
            per_get_us = (cpu_seconds(process.pid) - cpu_before) / done * 1e6
            print(
                f"reads:  {rate:,.0f} dashboard GETs/s with {clients} keep-alive connection(s); "
                f"server CPU {per_get_us:,.0f} us/GET (= {1e6 / per_get_us:,.0f} GETs/s per busy core)"
            )
        k8s_reads(port, args.dashboards, process.pid)
        print(f"memory: RSS {resident_mib(process.pid):,.0f} MiB after the read runs")
    finally:
        process.terminate()
        process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
