"""Client CPU per request of httpx on its default transport and on the `httpx-aiohttp` transport,
and of aiohttp alone (what httpx's own layer costs on top of the engine under it).

Why: syncer keeps httpx as its HTTP API; which transport runs under it decides a large share of the
client's CPU (issue 13). This starts a `syncer emulator`, then for each transport sends N POSTs
(`/api/dashboards/db`, a dashboard of about 26 kB) and N GETs of the same dashboards, 8 in flight on
keep-alive connections, and prints the client's CPU per request (process time of this process,
which does nothing else meanwhile), the wall time and the emulator's CPU per request. Asserts only
that every request succeeded.

    .venv/bin/python bench/transport_bench.py [--requests 600] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable

import aiohttp
import httpx
from harness import BENCH_TOKEN, machine, running_emulator
from httpx_aiohttp import HttpxAiohttpClient

from syncer.adapters.grafana.http.session import no_tls_needed
from syncer.adapters.grafana.http.transport import build_client

Factory = Callable[[str], httpx.AsyncClient]
IN_FLIGHT = 8


def dashboard(n: int) -> dict[str, object]:
    """About 26 kB of JSON: timeseries panels with PromQL targets, like the bench data sets."""
    panels = [
        {
            "id": p,
            "type": "timeseries",
            "title": f"Requests {p}",
            "gridPos": {"h": 8, "w": 12, "x": (p % 2) * 12, "y": p * 8},
            "datasource": {"type": "prometheus", "uid": "prometheus"},
            "fieldConfig": {"defaults": {"unit": "reqps", "custom": {"lineWidth": 1}}, "overrides": []},
            "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}},
            "targets": [
                {"expr": f'sum(rate(http_requests_total{{job="$job",code=~"5..",p="{p}"}}[5m]))', "refId": r}
                for r in "ABCD"
            ],
        }
        for p in range(1, 35)
    ]
    return {"uid": f"tb-{n:05d}", "title": f"Transport bench {n}", "schemaVersion": 39, "panels": panels}


class _AiohttpAlone:
    """aiohttp's session behind the few calls `measure` makes of an httpx client (no httpx at all)."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self._base = base_url
        self._session = aiohttp.ClientSession(
            headers=headers, connector=aiohttp.TCPConnector(limit=IN_FLIGHT + 2)
        )

    async def __aenter__(self) -> _AiohttpAlone:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._session.close()

    async def post(self, path: str, *, content: bytes, headers: dict[str, str]) -> httpx.Response:
        async with self._session.post(self._base + path, data=content, headers=headers) as answer:
            return httpx.Response(answer.status, content=await answer.read())

    async def get(self, path: str) -> httpx.Response:
        async with self._session.get(self._base + path) as answer:
            return httpx.Response(answer.status, content=await answer.read())


def clients(url: str) -> dict[str, Factory]:
    headers = {"Authorization": f"Bearer {BENCH_TOKEN}"}
    limits = httpx.Limits(max_connections=IN_FLIGHT + 2, max_keepalive_connections=IN_FLIGHT + 2)
    return {
        "httpx default (httpcore)": lambda u: httpx.AsyncClient(base_url=u, headers=headers, limits=limits),
        "httpx on httpx-aiohttp": lambda u: HttpxAiohttpClient(base_url=u, headers=headers, limits=limits),
        "syncer's client (build_client)": lambda u: build_client(
            base_url=u, verify=no_tls_needed(), max_connections=IN_FLIGHT + 2, timeout_s=30, headers=headers
        ),
        "aiohttp alone": lambda u: _AiohttpAlone(u, headers),  # type: ignore[return-value,arg-type]
    }


async def measure(make: Factory, url: str, count: int, bodies: list[bytes]) -> tuple[float, float, float]:
    """(CPU ms per POST, CPU ms per GET, wall s) for `count` of each."""
    slots = asyncio.Semaphore(IN_FLIGHT)
    async with make(url) as client:

        async def post(body: bytes) -> None:
            async with slots:
                response = await client.post(
                    "/api/dashboards/db", content=body, headers={"Content-Type": "application/json"}
                )
            assert response.status_code == 200, response.text

        async def get(n: int) -> None:
            async with slots:
                response = await client.get(f"/api/dashboards/uid/tb-{n:05d}")
            assert response.status_code == 200 and len(response.content) > 20_000, response.status_code

        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(post(body) for body in bodies[:count]))
        cpu_post = time.process_time() - cpu
        cpu = time.process_time()
        await asyncio.gather(*(get(n) for n in range(count)))
        cpu_get = time.process_time() - cpu
        return cpu_post * 1000 / count, cpu_get * 1000 / count, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=2, help="alternate the transports this many times")
    args = parser.parse_args()
    bodies = [
        json.dumps({"dashboard": dashboard(n), "overwrite": True, "folderUid": ""}).encode()
        for n in range(args.requests)
    ]
    size_kb = len(bodies[0]) / 1000
    print(f"{machine()}; {args.requests} POSTs then GETs of {size_kb:.0f} kB, {IN_FLIGHT} in flight")
    with running_emulator() as emulator:
        for round_ in range(1, args.rounds + 1):
            for name, make in clients(emulator.url).items():
                server_before = emulator.cpu_s()
                post, get, wall = asyncio.run(measure(make, emulator.url, args.requests, bodies))
                server_ms = (emulator.cpu_s() - server_before) * 1000 / (2 * args.requests)
                print(
                    f"round {round_}  {name:<26} CPU/request: POST {post:.2f} ms  GET {get:.2f} ms"
                    f"  (wall {wall:.2f} s; server {server_ms:.2f} ms/request)"
                )


if __name__ == "__main__":
    main()
