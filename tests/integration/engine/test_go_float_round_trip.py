"""Floats Grafana's Go backend spells its own way still read back as what syncer wrote.

The emulator answers with Go's spelling (`0.00001`, `0.0000015`, `1e-7` where Python writes
`1e-05`, `1.5e-06`, `1e-07`); syncer compares normalised numbers, so a second apply makes zero
writes on both APIs, on a float64 profile (12) and on one that keeps number literals (11.4).
(Integral floats, `-0.0` among them, are sent as integers: syncer normalises them first.)
Real files, the real engine, real HTTP to an emulator subprocess.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from support.emulator import Emulator
from support.inprocess import serving

from integration.engine_helpers import dashboard, write
from syncer.app import open_target
from syncer.engine.reconcile import reconcile_once
from syncer.model.results import RunReport
from syncer.settings.model import ApiFlavour, GrafanaSettings, SyncSettings, TargetSettings

FLOATS = {"tiny": 1e-05, "band": 1.5e-06, "tinier": 1e-07, "plain": 0.25, "negativeZero": -0.0}
FLOATS |= {"one": 1.0, "big": 6.797629976285857e16, "huge": 1e21}
GO_TEXT = {"tiny": "0.00001", "band": "0.0000015", "tinier": "1e-7", "plain": "0.25"}


@pytest.fixture(params=["12", "11.4"])
def profiled(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    with serving(profile=request.param) as emulator:
        yield emulator


def apply(emulator: Emulator, source: Path, api: str) -> RunReport:
    grafana = GrafanaSettings(url=emulator.url, token=SecretStr(emulator.token), api=ApiFlavour(api))
    settings = TargetSettings(grafana=grafana, sync=SyncSettings(dir=source))

    async def go() -> RunReport:
        async with open_target(settings) as target:
            return await reconcile_once(target, dry_run=False)

    return asyncio.run(go())


@pytest.mark.parametrize("api", ["legacy", "resources"])
def test_go_spelled_floats_read_back_equal(profiled: Emulator, tmp_path: Path, api: str) -> None:
    if api == "resources" and profiled.api("GET", "/apis").status_code != 200:
        pytest.skip("no resource API in this profile")
    src = tmp_path / "src"
    body = dashboard("Floats", "floats")
    body["panels"][0]["fieldConfig"] = {"defaults": {"custom": dict(FLOATS)}}
    write(src, "floats.json", body)

    first = apply(profiled, src, api)
    assert not first.failures and first.fatal is None, first.results
    raw = profiled.api("GET", "/api/dashboards/uid/floats").text
    for key, text in GO_TEXT.items():
        assert f'"{key}":{text},' in raw or f'"{key}":{text}}}' in raw, (key, raw[:400])
    profiled.reset(counters_only=True)

    second = apply(profiled, src, api)

    assert profiled.writes() == 0
    assert second.plan.in_sync, second.plan
