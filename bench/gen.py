"""Realistic dashboard tree generator for the benchmarks and the fault suite.

Role: write N dashboards shaped like the real ones in /work/shared/corpora/ (open rows and collapsed
rows holding nested panels, PromQL targets, templating, annotations, links) into a folder tree three
levels deep, deterministically from a seed, with file sizes between 20 kB and 600 kB (most near 30 kB).

Who calls it: bench/*.py (cold apply, no-change, daemon latency and memory) and the fault tests
(tests/fault/), either as a library (`generate`, `make_dashboard`, `edit_dashboard_file`) or as a
script (`python bench/gen.py OUT --count 1000 --seed 7`).

What it must not do: read the corpora at run time (the shapes are baked in, so CI needs nothing), or
depend on syncer (it produces input files; it does not know how they are applied).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JSONDict = dict[str, Any]

MIN_BYTES = 20_000
MAX_BYTES = 600_000
TYPICAL_BYTES = 30_000

TEAMS = ("platform", "payments", "search", "storage", "identity", "mobile", "data", "edge", "ml", "infra")
SERVICES = ("api", "worker", "gateway", "db", "cache", "queue", "frontend", "scheduler")
ENVIRONMENTS = ("prod", "staging", "dev")
METRICS = (
    "http_requests_total",
    "http_request_duration_seconds_bucket",
    "process_resident_memory_bytes",
    "container_cpu_usage_seconds_total",
    "node_network_receive_bytes_total",
    "kube_pod_container_status_restarts_total",
    "go_goroutines",
    "grpc_server_handled_total",
    "node_filesystem_avail_bytes",
    "up",
)
PANEL_TYPES = ("timeseries",) * 6 + ("stat", "stat", "table", "gauge", "bargauge", "heatmap", "text")
UNITS = ("short", "bytes", "s", "reqps", "percentunit", "ops", "decbytes", "ms")


@dataclass(frozen=True)
class GeneratedFile:
    path: Path  # absolute path of the written file
    uid: str
    title: str
    folder_parts: tuple[str, ...]  # directory names from the root down
    size: int


@dataclass(frozen=True)
class GenStats:
    root: Path
    files: tuple[GeneratedFile, ...]

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def folders(self) -> set[tuple[str, ...]]:
        """Every folder path (each prefix of every file's folder parts)."""
        seen: set[tuple[str, ...]] = set()
        for f in self.files:
            for depth in range(1, len(f.folder_parts) + 1):
                seen.add(f.folder_parts[:depth])
        return seen


def pick_size(rng: random.Random) -> int:
    """Most dashboards near 30 kB, a tail of big ones up to 600 kB (like node-exporter-full)."""
    roll = rng.random()
    if roll < 0.80:
        size = int(rng.gauss(TYPICAL_BYTES, 5_000))
    elif roll < 0.97:
        size = rng.randint(45_000, 150_000)
    else:
        size = rng.randint(150_000, MAX_BYTES)
    return max(MIN_BYTES, min(MAX_BYTES, size))


def folder_for(rng: random.Random, index: int) -> tuple[str, ...]:
    """team / service / environment: three levels; a few dashboards sit higher up the tree."""
    team = TEAMS[index % len(TEAMS)]
    service = SERVICES[rng.randrange(len(SERVICES))]
    roll = rng.random()
    if roll < 0.05:
        return (team,)
    if roll < 0.15:
        return (team, service)
    return (team, service, ENVIRONMENTS[rng.randrange(len(ENVIRONMENTS))])


def _expr(rng: random.Random) -> str:
    metric = METRICS[rng.randrange(len(METRICS))]
    window = rng.choice(("1m", "5m", "$__rate_interval"))
    by = rng.choice(("instance", "pod", "container", "code, method", "le"))
    return (
        f'sum by ({by}) (rate({metric}{{cluster="$cluster", namespace="$namespace", job=~"$job"}}[{window}]))'
    )


def _target(rng: random.Random, ref: str) -> JSONDict:
    return {
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "editorMode": "code",
        "expr": _expr(rng),
        "interval": "",
        "legendFormat": rng.choice(("{{pod}}", "{{instance}}", "__auto", "{{code}} {{method}}")),
        "range": True,
        "refId": ref,
    }


def _field_config(rng: random.Random) -> JSONDict:
    return {
        "defaults": {
            "color": {"mode": "palette-classic"},
            "custom": {
                "axisPlacement": "auto",
                "drawStyle": "line",
                "fillOpacity": rng.choice((0, 10, 25)),
                "lineWidth": 1,
                "showPoints": "never",
                "spanNulls": False,
                "stacking": {"group": "A", "mode": "none"},
            },
            "mappings": [],
            "thresholds": {
                "mode": "absolute",
                "steps": [
                    {"color": "green", "value": None},
                    {"color": "red", "value": rng.choice((80, 90, 1.5))},
                ],
            },
            "unit": UNITS[rng.randrange(len(UNITS))],
        },
        "overrides": [
            {
                "matcher": {"id": "byRegexp", "options": "/.*errors.*/"},
                "properties": [{"id": "color", "value": {"fixedColor": "red", "mode": "fixed"}}],
            }
        ],
    }


def _panel(rng: random.Random, panel_id: int, y: int) -> JSONDict:
    kind = PANEL_TYPES[rng.randrange(len(PANEL_TYPES))]
    panel: JSONDict = {
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "description": f"Panel {panel_id}: {rng.choice(('rate', 'latency', 'saturation', 'errors'))} view",
        "gridPos": {"h": 8, "w": rng.choice((6, 8, 12, 24)), "x": rng.choice((0, 6, 12)), "y": y},
        "id": panel_id,
        "title": f"{rng.choice(('Request', 'Error', 'CPU', 'Memory', 'Disk', 'Network'))} {panel_id}",
        "type": kind,
    }
    if kind == "text":
        panel["options"] = {
            "content": "## Runbook\n\nSee the on-call guide. " * rng.randint(1, 4),
            "mode": "markdown",
        }
        return panel
    panel["fieldConfig"] = _field_config(rng)
    panel["options"] = {
        "legend": {"calcs": ["mean", "lastNotNull"], "displayMode": "table", "placement": "bottom"},
        "tooltip": {"mode": "multi", "sort": "desc"},
    }
    panel["pluginVersion"] = "11.3.0"
    panel["targets"] = [_target(rng, chr(ord("A") + i)) for i in range(rng.randint(1, 4))]
    return panel


def _row(panel_id: int, y: int, title: str, nested: list[JSONDict] | None) -> JSONDict:
    """An open row (panels follow it at top level) or a collapsed one holding its panels."""
    return {
        "collapsed": nested is not None,
        "gridPos": {"h": 1, "w": 24, "x": 0, "y": y},
        "id": panel_id,
        "panels": nested or [],
        "title": title,
        "type": "row",
    }


def _templating(rng: random.Random) -> JSONDict:
    variables: list[JSONDict] = [
        {
            "current": {"selected": False, "text": "Prometheus", "value": "prometheus"},
            "hide": 0,
            "label": "Data source",
            "name": "datasource",
            "query": "prometheus",
            "type": "datasource",
        }
    ]
    for name in ("cluster", "namespace", "job")[: rng.randint(2, 3)]:
        variables.append(
            {
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "definition": f"label_values(up, {name})",
                "hide": 0,
                "includeAll": name != "cluster",
                "label": name,
                "multi": name != "cluster",
                "name": name,
                "query": {"query": f"label_values(up, {name})", "refId": "PrometheusVariableQueryEditor"},
                "refresh": 2,
                "sort": 1,
                "type": "query",
            }
        )
    return {"list": variables}


def _annotations() -> JSONDict:
    return {
        "list": [
            {
                "builtIn": 1,
                "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                "enable": True,
                "hide": True,
                "iconColor": "rgba(0, 211, 255, 1)",
                "name": "Annotations & Alerts",
                "type": "dashboard",
            },
            {
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "enable": True,
                "expr": 'changes(kube_deployment_status_observed_generation{namespace="$namespace"}[5m]) > 0',
                "iconColor": "orange",
                "name": "Deployments",
            },
        ]
    }


def _pretty_size(value: JSONDict, depth: int) -> int:
    """Bytes `value` takes in an indent=2 file when it sits `depth` levels deep (each level adds 2 spaces)."""
    text = json.dumps(value, indent=2)
    return len(text) + (text.count("\n") + 1) * 2 * depth + 2


def _panels_until(rng: random.Random, shell_bytes: int, target_bytes: int) -> list[JSONDict]:
    """Add rows and panels until the pretty-printed dashboard reaches about `target_bytes`."""
    panels: list[JSONDict] = []
    size = shell_bytes
    next_id, y = 1, 0
    while size < target_bytes:
        collapsed = rng.random() < 0.5
        row = _row(next_id, y, f"Section {next_id}", [] if collapsed else None)
        next_id += 1
        panels.append(row)
        size += _pretty_size(row, 2)
        for _ in range(rng.randint(3, 8)):
            if size >= target_bytes:
                break
            child = _panel(rng, next_id, y + 1)
            next_id += 1
            if collapsed:
                row["panels"].append(child)  # nested: the shape of rfmoz's collapsed rows
                size += _pretty_size(child, 4)
            else:
                panels.append(child)
                size += _pretty_size(child, 2)
        y += 9
    return panels


def make_dashboard(rng: random.Random, uid: str, title: str, target_bytes: int) -> JSONDict:
    """One dashboard of roughly `target_bytes` when written with indent=2."""
    dashboard: JSONDict = {
        "annotations": _annotations(),
        "description": f"Generated benchmark dashboard {uid}",
        "editable": True,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "id": None,
        "links": [{"asDropdown": True, "icon": "external link", "tags": ["generated"], "type": "dashboards"}],
        "panels": [],
        "refresh": rng.choice(("30s", "1m", "")),
        "schemaVersion": 39,
        "tags": ["generated", rng.choice(TEAMS)],
        "templating": _templating(rng),
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "title": title,
        "uid": uid,
        "version": 1,
        "weekStart": "",
    }
    shell = len(json.dumps(dashboard, indent=2))
    dashboard["panels"] = _panels_until(rng, shell, target_bytes)
    return dashboard


def iter_dashboards(count: int, seed: int) -> Iterator[tuple[tuple[str, ...], JSONDict]]:
    rng = random.Random(seed)
    for index in range(count):
        folder = folder_for(rng, index)
        uid = f"gen-{seed}-{index:06d}"
        title = f"{folder[-1].title()} {SERVICES[index % len(SERVICES)]} overview {index}"
        yield folder, make_dashboard(rng, uid, title, pick_size(rng))


def write_json(path: Path, content: JSONDict) -> int:
    text = json.dumps(content, indent=2, sort_keys=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return len(text.encode())


def generate(root: Path, count: int, seed: int = 7) -> GenStats:
    """Write `count` dashboards below `root` (created if needed); returns what was written."""
    files: list[GeneratedFile] = []
    for folder, dashboard in iter_dashboards(count, seed):
        path = root.joinpath(*folder, f"{dashboard['uid']}.json")
        size = write_json(path, dashboard)
        files.append(GeneratedFile(path, dashboard["uid"], dashboard["title"], folder, size))
    return GenStats(root, tuple(files))


def edit_dashboard_file(path: Path, marker: str) -> JSONDict:
    """A realistic one-line edit: change the description; returns the new content."""
    content: JSONDict = json.loads(path.read_text(encoding="utf-8"))
    content["description"] = f"edited {marker}"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)  # editors and git write-then-rename; the watcher must cope with that
    return content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    stats = generate(args.out, args.count, args.seed)
    sizes = sorted(f.size for f in stats.files)
    print(
        f"wrote {len(sizes)} dashboards in {len(stats.folders)} folders to {args.out}: "
        f"{stats.total_bytes / 1e6:.1f} MB, "
        f"min {sizes[0]} B, median {sizes[len(sizes) // 2]} B, max {sizes[-1]} B"
    )


if __name__ == "__main__":
    main()
