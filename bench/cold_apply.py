"""Cold apply and no-change reconcile of N generated dashboards, syncer side by side with a peer tool.

Role: generate N realistic dashboards in nested folders (bench/gen.py), then against one fresh
`syncer emulator` per tool:
  1. cold: `syncer apply DIR` into an empty server -> wall time, requests/reads/writes (from the
     emulator's counters), the syncer process's own peak RSS;
  2. no-change: the same command again -> writes (target 0) and reads against the API minimum for
     the legacy API (search pages + one GET per dashboard + the folder listing);
  3. the same two runs with the peer (bench/peer.py) on the same dashboards, and the ratios.
Every run is checked afterwards (the server holds exactly N dashboards), so a figure never comes
from a run that silently did nothing.

Usage: python bench/cold_apply.py --size 1000 [--no-peer] [--concurrency N] [--json OUT]
Who calls it: bench/run_all.py, or a person. It prints figures; it asserts no timing.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gen import generate
from harness import BENCH_TOKEN, SYNCER, BenchEmulator, Counters, Timed, machine, run_timed, running_emulator
from peer import flatten_for_peer, peer_version, upload_argv

SEARCH_PAGE = 5000  # Grafana's cap on /api/search?limit


@dataclass(frozen=True)
class RunFigures:
    tool: str
    phase: str  # "cold" or "no-change"
    returncode: int
    wall_s: float
    peak_rss_mb: float
    requests: int
    reads: int
    writes: int
    dashboards_after: int
    cpu_s: float = 0.0  # the tool's own CPU time
    server_cpu_s: float = 0.0  # the emulator's CPU time while serving this run

    def line(self) -> str:
        return (
            f"{self.tool:<10} {self.phase:<10} rc={self.returncode} wall={self.wall_s:7.2f}s "
            f"cpu={self.cpu_s:6.2f}s server-cpu={self.server_cpu_s:6.2f}s "
            f"rss={self.peak_rss_mb:6.0f}MB requests={self.requests:6d} reads={self.reads:6d} "
            f"writes={self.writes:6d} dashboards={self.dashboards_after}"
        )


def count_dashboards(emulator: BenchEmulator) -> int:
    """Dashboards on the server, through the search API (then the counters are reset by the caller)."""
    import urllib.request

    total, page = 0, 1
    while True:
        url = f"{emulator.url}/api/search?type=dash-db&limit={SEARCH_PAGE}&page={page}"
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {BENCH_TOKEN}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            hits = json.loads(response.read())
        total += len(hits)
        if len(hits) < SEARCH_PAGE:
            return total
        page += 1


def measure(tool: str, phase: str, emulator: BenchEmulator, argv: list[str]) -> RunFigures:
    emulator.reset(counters_only=True)
    server_cpu_before = emulator.cpu_s()
    timed: Timed = run_timed(argv)
    server_cpu = emulator.cpu_s() - server_cpu_before
    counters: Counters = emulator.counters()
    if timed.returncode != 0:
        tail = timed.stderr[-2000:]
        print(f"{tool} {phase} exited {timed.returncode}; stderr tail:\n{tail}", file=sys.stderr)
    after = count_dashboards(emulator)
    return RunFigures(
        tool,
        phase,
        timed.returncode,
        timed.wall_s,
        timed.peak_rss_mb,
        counters.total,
        counters.reads,
        counters.writes,
        after,
        timed.cpu_s,
        server_cpu,
    )


def syncer_argv(source: Path, url: str, concurrency: int | None, api: str) -> list[str]:
    argv = [*SYNCER, "apply", str(source), "--url", url, "--token", BENCH_TOKEN, "--api", api]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    return argv


def api_minimum_reads(dashboards: int) -> int:
    """Legacy API: search pages + one GET per dashboard + one folder listing (a lower bound)."""
    return math.ceil(max(dashboards, 1) / SEARCH_PAGE) + dashboards + 1


def run_tool(tool: str, argv_for: Any, size: int, latency_ms: int) -> list[RunFigures]:
    with running_emulator() as emulator:
        emulator.add_latency(latency_ms)
        argv = argv_for(emulator)
        figures = [measure(tool, "cold", emulator, argv), measure(tool, "no-change", emulator, argv)]
        print(f"{tool:<10} emulator rss={emulator.rss_mb():.0f}MB", flush=True)
    for fig in figures:
        print(fig.line(), flush=True)
        if fig.dashboards_after != size:
            held = fig.dashboards_after
            print(f"WARNING: {tool} {fig.phase}: server holds {held}, expected {size}", flush=True)
    return figures


def ratio(peer: float, ours: float) -> str:
    return "inf" if ours == 0 else f"{peer / ours:.1f}x"


def main() -> int:
    parser = argparse.ArgumentParser(description="cold apply and no-change reconcile, syncer vs a peer")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=None, help="syncer apply --concurrency")
    parser.add_argument("--api", default="legacy", help="syncer --api (the peer speaks the legacy API)")
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=0,
        help="added server latency per request (a real Grafana spends ~10-50 ms per save in its database)",
    )
    parser.add_argument("--no-peer", action="store_true", help="skip the peer tool")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="syncer-bench-") as tmp:
        stats = generate(Path(tmp) / "src", args.size, args.seed)
        print(
            f"data: {args.size} dashboards, {len(stats.folders)} nested folders, "
            f"{stats.total_bytes / 1e6:.1f} MB (seed {args.seed}); "
            f"server latency {args.latency_ms} ms/request",
            flush=True,
        )
        ours = run_tool(
            "syncer",
            lambda emu: syncer_argv(stats.root, emu.url, args.concurrency, args.api),
            args.size,
            args.latency_ms,
        )
        minimum = api_minimum_reads(args.size)
        print(f"syncer no-change reads {ours[1].reads} vs API minimum {minimum} (+folders when nested)")
        theirs: list[RunFigures] = []
        if not args.no_peer:
            flat = flatten_for_peer(stats, Path(tmp) / "peer-src")
            print(f"peer: grafana-dashboard-manager {peer_version()} (one folder level: flattened copy)")
            theirs = run_tool(
                "peer",
                lambda emu: upload_argv(flat, "127.0.0.1", emu.port, BENCH_TOKEN),
                args.size,
                args.latency_ms,
            )
            for mine, peer in zip(ours, theirs, strict=True):
                print(
                    f"ratio {mine.phase:<10} wall peer/syncer = {ratio(peer.wall_s, mine.wall_s)}, "
                    f"client cpu peer/syncer = {ratio(peer.cpu_s, mine.cpu_s)}, "
                    f"writes peer={peer.writes} syncer={mine.writes}, "
                    f"requests peer/syncer = {ratio(peer.requests, mine.requests)}"
                )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        doc = {
            "size": args.size,
            "latency_ms": args.latency_ms,
            "machine": machine(),
            "runs": [asdict(f) for f in ours + theirs],
        }
        args.json.write_text(json.dumps(doc, indent=2) + "\n")
    ok = all(f.returncode == 0 and f.dashboards_after == args.size for f in ours)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
