"""deploy/grafana/syncer-metrics.json: syncer's own metrics dashboard.

It must pass `syncer validate`, apply cleanly and idempotently (the demo syncs it), query only
metrics syncer really exposes (checked against the daemon's Prometheus registry, so a renamed
metric breaks this test rather than a panel), cover every metric family, and use the data source
variable rather than a fixed data source uid. docs/operations.md must explain every family."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from deploy_helpers import DEPLOY, REPO
from prometheus_client.parser import text_string_to_metric_families
from support import cli
from support.emulator import Emulator

from syncer.endpoints.metrics import GAUGES, PrometheusMetrics

DASHBOARD_DIR = DEPLOY / "grafana"
DASHBOARD = DASHBOARD_DIR / "syncer-metrics.json"
OPERATIONS = REPO / "docs" / "operations.md"
VENV_BIN = Path(sys.executable).parent


def exposed_families() -> set[str]:
    """Every metric family the daemon exposes, with each labelled series touched once."""
    metrics = PrometheusMetrics()
    metrics.reconcile_finished("t", 0.2, ok=True)
    metrics.action_finished("t", "update", "ok")
    metrics.api_request_for("t", "GET", "/api/search", 200)
    metrics.gauges("t", dict.fromkeys(GAUGES, 1.0))
    metrics.trigger("t", "watch")
    metrics.source_error("t", "missing")
    metrics.conflicts("t", "overwritten", 1)
    metrics.drift("t", 1)
    body, _ = metrics.exposition()
    return {family.name for family in text_string_to_metric_families(body.decode())}


def series_names(
    family: str, kind_suffixes: tuple[str, ...] = ("_total", "_bucket", "_sum", "_count")
) -> set[str]:
    return {family} | {family + suffix for suffix in kind_suffixes}


def queries(dashboard: dict[str, Any]) -> list[str]:
    found = []
    for panel in dashboard["panels"]:
        found.extend(t["expr"] for t in panel.get("targets", []))
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            found.append(variable["definition"])
    return found


def test_validates_with_syncer() -> None:
    result = cli.syncer("validate", str(DASHBOARD_DIR))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 dashboard(s)" in result.stdout


def test_queries_only_exposed_metrics_and_covers_every_family() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    families = exposed_families()
    known_series = set().union(*(series_names(f) for f in families))
    used = {name for expr in queries(dashboard) for name in re.findall(r"\bsyncer_[a-z_]+", expr)}
    assert used, "no syncer metric queried"
    assert used <= known_series, f"queried but not exposed: {sorted(used - known_series)}"
    covered = {f for f in families if series_names(f) & used}
    assert families - covered <= {"syncer_build_info"}, f"not on the dashboard: {sorted(families - covered)}"


def test_panels_use_the_data_source_variable_and_do_not_overlap() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] == "syncer-metrics" and dashboard["id"] is None
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    occupied: set[tuple[int, int]] = set()
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
            assert panel.get("description"), f"{panel['title']}: say what it shows"
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24
        cells = {
            (x, y) for x in range(pos["x"], pos["x"] + pos["w"]) for y in range(pos["y"], pos["y"] + pos["h"])
        }
        assert not cells & occupied, f"{panel['title']} overlaps another panel"
        occupied |= cells


def test_applies_idempotently(tmp_path: Path, emulator: Emulator) -> None:
    env = {"GRAFANA_URL": emulator.url, "GRAFANA_TOKEN": emulator.token, "HOME": str(tmp_path)}

    def syncer(*args: str) -> subprocess.CompletedProcess[str]:
        return cli.syncer(*args, env=env, without=cli.grafana_variable)

    applied = syncer("apply", str(DASHBOARD_DIR))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    stored = emulator.api("GET", "/api/dashboards/uid/syncer-metrics").json()["dashboard"]
    assert stored["title"] == "syncer" and len(stored["panels"]) == len(
        json.loads(DASHBOARD.read_text())["panels"]
    )
    writes = emulator.writes()
    again = syncer("plan", str(DASHBOARD_DIR), "--exit-code")
    assert again.returncode == 0, again.stdout + again.stderr
    assert emulator.writes() == writes


def test_operations_guide_explains_every_metric() -> None:
    text = OPERATIONS.read_text(encoding="utf-8")
    missing = [f for f in sorted(exposed_families()) if f not in text]
    assert not missing, f"docs/operations.md does not mention {missing}"


def test_alert_rules_query_exposed_metrics_and_link_existing_runbooks() -> None:
    import yaml

    rules = yaml.safe_load((DEPLOY / "prometheus" / "syncer-alerts.yaml").read_text(encoding="utf-8"))
    families = exposed_families()
    known_series = set().union(*(series_names(f) for f in families))
    headings = {
        line.lstrip("#").strip().lower().replace(" ", "-")
        for line in OPERATIONS.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }
    alerts = [rule for group in rules["groups"] for rule in group["rules"]]
    assert len({a["alert"] for a in alerts}) == len(alerts) >= 8
    for alert in alerts:
        used = set(re.findall(r"\bsyncer_[a-z_]+", alert["expr"]))
        assert used and used <= known_series, f"{alert['alert']}: {used - known_series}"
        assert alert["labels"]["severity"] in {"info", "warning", "critical"}
        anchor = alert["annotations"]["runbook"].split("#", 1)[1]
        assert anchor == alert["alert"].lower() and anchor in headings, f"no runbook for {alert['alert']}"
