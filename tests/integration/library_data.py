"""Real-looking library panel data in Grafana's own formats (built the way Grafana builds them).

- `element(...)`: the `result` of `GET /api/library-elements/:uid` (what a library panel file holds);
- `exported_dashboard(...)`: "Export for sharing externally" (DashboardExporter.ts): `__inputs`,
  `__requires`, `__elements` keyed by uid, and library panels reduced to gridPos/id/libraryPanel.
"""

from __future__ import annotations

from typing import Any


def model(
    title: str, expr: str, *, kind: str = "timeseries", datasource: str = "prometheus-main"
) -> dict[str, Any]:
    return {
        "type": kind,
        "title": title,
        "datasource": {"type": "prometheus", "uid": datasource},
        "fieldConfig": {"defaults": {"unit": "percentunit", "min": 0, "max": 1.0}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "single"}},
        "targets": [{"expr": expr, "legendFormat": "{{instance}}", "refId": "A"}],
    }


def element(uid: str, name: str, panel_model: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A library element as Grafana returns it (server-owned fields included: the loader ignores them)."""
    return {
        "id": 17,
        "orgId": 1,
        "folderId": 0,
        "uid": uid,
        "name": name,
        "kind": 1,
        "type": panel_model["type"],
        "description": "",
        "model": panel_model,
        "version": 3,
        "meta": {"folderName": "General", "connectedDashboards": 1},
        **extra,
    }


def using(uid: str, title: str, *elements: tuple[str, str], extra_panels: int = 1) -> dict[str, Any]:
    """A dashboard whose first panels are library panels (`(uid, name)`), then ordinary ones."""
    panels: list[dict[str, Any]] = [
        {
            "id": n + 1,
            "gridPos": {"h": 8, "w": 12, "x": 12 * (n % 2), "y": 8 * (n // 2)},
            "libraryPanel": {"uid": u, "name": name},
        }
        for n, (u, name) in enumerate(elements)
    ]
    for n in range(extra_panels):
        panels.append(
            {
                "id": 100 + n,
                "type": "stat",
                "title": f"Requests {n}",
                "gridPos": {"h": 4, "w": 6, "x": 6 * n, "y": 40},
                "targets": [{"expr": "sum(rate(http_requests_total[5m]))", "refId": "A"}],
            }
        )
    return {"uid": uid, "title": title, "schemaVersion": 39, "tags": ["libpanels"], "panels": panels}


def exported_dashboard(
    uid: str, title: str, library: dict[str, tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    """`library`: uid -> (name, model). Data sources become `${DS_PROMETHEUS}` like a real export."""
    body = using(uid, title, *((u, name) for u, (name, _) in library.items()))
    elements = {}
    for element_uid, (name, panel_model) in library.items():
        templated = {**panel_model, "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}}
        elements[element_uid] = {"name": name, "uid": element_uid, "kind": 1, "model": templated}
    return {
        "__inputs": [
            {
                "name": "DS_PROMETHEUS",
                "label": "Prometheus",
                "type": "datasource",
                "pluginId": "prometheus",
                "pluginName": "Prometheus",
            }
        ],
        "__elements": elements,
        "__requires": [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "11.4.0"}],
        **body,
    }
