"""The resources adapter's listing holds one page, not the whole listing, over real HTTP.

A no-change pass at 10,000 dashboards used to peak at 1.6 GB because every list page's decoded
objects were alive at once (docs/benchmarks.md). Here the Python heap is traced (tracemalloc, so the
figure does not depend on the machine's load or allocator) while the adapter lists ~4 MB of
dashboards in pages of 10: holding the decoded listing costs several times its text, streaming
costs about one page plus the compact states the pass keeps. The bound below sits between the two
with a wide margin on both sides. The
timing-independent benchmark of the real thing is `bench/cold_apply.py --api auto`.
"""

from __future__ import annotations

import asyncio
import json
import math
import tracemalloc
from typing import Any

from pydantic import SecretStr
from support.emulator import Emulator

from syncer.adapters.grafana.http.session import GrafanaHttp
from syncer.adapters.grafana.resources.adapter import ResourcesGrafana
from syncer.model.state import LiveState
from syncer.ports import NullMetrics
from syncer.settings.model import ApiFlavour, GrafanaSettings

DASHBOARDS = "/apis/dashboard.grafana.app/v0alpha1/namespaces/default/dashboards"
COUNT = 100
PAGE = 10
PANELS = 60  # about 40 kB of JSON per dashboard


def big_spec(n: int) -> dict[str, Any]:
    return {
        "title": f"memory {n}",
        "schemaVersion": 39,
        "panels": [
            {
                "id": p + 1,
                "type": "timeseries",
                "title": f"panel {n}/{p}",
                "gridPos": {"h": 8, "w": 12, "x": 12 * (p % 2), "y": 8 * (p // 2)},
                "targets": [
                    {
                        "refId": r,
                        "expr": f'sum(rate(http_requests_total{{job="svc-{n}-{p}",code=~"{r}.."}}[5m]))',
                    }
                    for r in "ABCD"
                ],
                "fieldConfig": {"defaults": {"unit": "reqps", "thresholds": {"steps": [{"value": p * n}]}}},
                "options": {"legend": {"displayMode": "table", "calcs": ["mean", "max", "last"]}},
            }
            for p in range(PANELS)
        ],
    }


def seed(emulator: Emulator) -> int:
    """COUNT dashboards written straight through /apis; returns their total JSON size in bytes."""
    total = 0
    for n in range(COUNT):
        body = {"metadata": {"name": f"mem-{n}"}, "spec": big_spec(n)}
        response = emulator.api("POST", DASHBOARDS, json=body)
        assert response.status_code == 201, response.text
        total += len(json.dumps(body))
    return total


def traced_listing(emulator: Emulator) -> tuple[LiveState, int, int]:
    """(live state, requests, peak traced heap growth in bytes) of one full `fetch_live`."""

    async def run() -> tuple[LiveState, int]:
        settings = GrafanaSettings(
            url=emulator.url, token=SecretStr(emulator.token), api=ApiFlavour.RESOURCES
        )
        http = GrafanaHttp(settings, metrics=NullMetrics())
        port = ResourcesGrafana(http, namespace="default", page_size=PAGE)
        try:
            return await port.fetch_live(None), port.request_count
        finally:
            await port.aclose()

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        live, requests = asyncio.run(run())
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return live, requests, peak


def test_a_full_listing_never_holds_more_than_about_a_page(emulator: Emulator) -> None:
    listing_bytes = seed(emulator)
    assert listing_bytes > 3_000_000  # the premise: a listing big enough to tell the two apart

    live, requests, peak = traced_listing(emulator)

    assert sorted(live.dashboards) == sorted(f"mem-{n}" for n in range(COUNT))
    sample = live.dashboards["mem-42"]
    assert dict(sample.content) == {**big_spec(42), "uid": "mem-42"}  # complete, not a reduced form
    # no versions given, so 1 GET /apis (discovery) + 1 folder page + the dashboard pages (+1 empty last
    # page at most, when the count is a multiple of the page size): streaming costs no extra request
    assert requests <= 1 + 1 + math.ceil(COUNT / PAGE) + 1
    # holding every decoded object cost 7x the text (29 MB here); one page of text and one item plus the
    # compact live states kept for the pass cost 0.4x (1.6 MB)
    assert peak < listing_bytes, f"peak {peak / 1e6:.1f} MB for a {listing_bytes / 1e6:.1f} MB listing"
