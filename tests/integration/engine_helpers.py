"""Helpers for the engine's integration tests: write source trees, run a reconcile pass for real.

Every pass goes through `syncer.app.open_target` -> `reconcile_once`, i.e. real files, the real
loader and planner, and real HTTP to the emulator subprocess (no fakes).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from support.emulator import Emulator

from syncer.app import open_target
from syncer.engine.execute import ExecuteContext, execute
from syncer.engine.reconcile import reconcile_once
from syncer.model.results import ActionResult, RunReport
from syncer.settings.model import GrafanaSettings, SyncSettings, TargetSettings


def dashboard(title: str, uid: str | None = None, **extra: Any) -> dict[str, Any]:
    """A small but realistic dashboard body."""
    body: dict[str, Any] = {
        "title": title,
        "schemaVersion": 39,
        "tags": ["test"],
        "time": {"from": "now-6h", "to": "now"},
        "panels": [
            {
                "id": 1,
                "type": "timeseries",
                "title": f"{title} rate",
                "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
                "targets": [{"expr": "sum(rate(http_requests_total[5m]))", "refId": "A"}],
            }
        ],
    }
    if uid is not None:
        body["uid"] = uid
    body.update(extra)
    return body


def write(root: Path, rel: str, content: Any) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else json.dumps(content, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def settings_for(emulator: Emulator, source: Path, **sync: Any) -> TargetSettings:
    return TargetSettings(
        grafana=GrafanaSettings(url=emulator.url, token=SecretStr(emulator.token), api="legacy", retries=4),
        sync=SyncSettings(dir=source, **sync),
    )


def run(emulator: Emulator, source: Path, *, dry_run: bool = False, **sync: Any) -> RunReport:
    async def go() -> RunReport:
        async with open_target(settings_for(emulator, source, **sync)) as target:
            return await reconcile_once(target, dry_run=dry_run)

    return asyncio.run(go())


def live_dashboard(emulator: Emulator, uid: str) -> dict[str, Any]:
    response = emulator.api("GET", f"/api/dashboards/uid/{uid}")
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def edit_in_grafana(emulator: Emulator, uid: str, **changes: Any) -> int:
    """Edit a dashboard as another user (basic-auth admin), like a person in the UI; returns its version."""
    current = live_dashboard(emulator, uid)
    body = {**current["dashboard"], **changes}
    response = emulator.api(
        "POST",
        "/api/dashboards/db",
        json={"dashboard": body, "folderUid": current["meta"].get("folderUid", ""), "overwrite": False},
        auth="admin",
    )
    response.raise_for_status()
    return int(response.json()["version"])


def writes_during(emulator: Emulator) -> int:
    return emulator.writes()


def outcome_kinds(report: RunReport) -> list[tuple[str, str, str]]:
    return sorted((r.kind.value, r.uid, r.outcome.value) for r in report.results)


def execute_stale_plan(
    emulator: Emulator, source: Path, between: Callable[[], object], **sync: Any
) -> tuple[RunReport, tuple[ActionResult, ...]]:
    """Plan, run `between()` (e.g. someone saves in Grafana), then execute the now stale plan."""
    settings = settings_for(emulator, source, **sync)

    async def go() -> tuple[RunReport, tuple[ActionResult, ...]]:
        async with open_target(settings) as target:
            stale = await reconcile_once(target, dry_run=True)
            desired = target.source.load()
            live = await target.grafana.fetch_live(None)
            between()
            ctx = ExecuteContext(grafana=target.grafana, policy=target.policy, desired=desired, live=live)
            return stale, await execute(stale.plan, ctx)

    return asyncio.run(go())
