"""Library panels embedded in exported dashboards (`__elements`), as Grafana's "Export for sharing
externally" writes them: `{"__elements": {"<uid>": {"name", "uid", "kind": 1, "model"}}}`, with the
panels in the dashboard reduced to `{"gridPos", "id", "libraryPanel": {"uid", "name"}}`.

Grafana's import creates such elements when they are missing; syncer keeps them like library panel
files: each becomes a desired library panel in the dashboard's folder, its path the dashboard's file
plus `#__elements/<uid>`. A library panel file with the same uid wins (it is the panel's own source);
two dashboards embedding one uid differently is a warning and the first path wins. Run after input
resolution, so `${DS_*}` placeholders in an embedded model are resolved like the dashboard's.
The dashboard itself is sent unchanged. Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from syncer.core.library import library_checksum, normalise_model
from syncer.model.state import JSON, CompactJSON, DesiredDashboard, DesiredState, Severity, SourceProblem

ELEMENTS_KEY = "__elements"
EMBEDDED = "#" + ELEMENTS_KEY + "/"


def with_embedded_panels(desired: DesiredState) -> DesiredState:
    """`desired` with the library panels of every dashboard's `__elements` (re-read on each call)."""
    own = {uid: p for uid, p in desired.library_panels.items() if EMBEDDED not in p.path}
    found: dict[str, DesiredDashboard] = {}
    problems: list[SourceProblem] = []
    users = (d for d in desired.dashboards.values() if d.library_panel_uids)
    for dashboard in sorted(users, key=lambda d: d.path):
        for panel in _embedded(dashboard):
            if panel.uid in own:
                continue
            first = found.setdefault(panel.uid, panel)
            if first is not panel and first.checksum != panel.checksum:
                message = (
                    f"__elements defines library panel {panel.uid!r} unlike {first.path}; that one is used"
                )
                problems.append(SourceProblem(dashboard.path, message, Severity.WARNING))
    if not found and len(own) == len(desired.library_panels):
        return desired
    fresh = tuple(p for p in problems if p not in desired.problems)
    return replace(desired, library_panels={**found, **own}, problems=(*desired.problems, *fresh))


def _embedded(dashboard: DesiredDashboard) -> list[DesiredDashboard]:
    elements = dashboard.content.get(ELEMENTS_KEY)
    if not isinstance(elements, Mapping):
        return []
    panels = []
    for key, element in sorted(elements.items()):
        panel = _panel(dashboard, str(key), element)
        if panel is not None:
            panels.append(panel)
    return panels


def _panel(dashboard: DesiredDashboard, key: str, element: JSON) -> DesiredDashboard | None:
    if not isinstance(element, Mapping) or element.get("kind", 1) != 1:
        return None  # library variables and broken entries: Grafana's import skips them too
    model, name = element.get("model"), element.get("name")
    uid = element.get("uid") if isinstance(element.get("uid"), str) and element.get("uid") else key
    if not isinstance(model, Mapping) or not isinstance(name, str) or not name.strip() or not uid:
        return None
    normal = normalise_model(model)
    return DesiredDashboard(
        uid=uid,
        title=name,
        folder_uid=dashboard.folder_uid,
        path=f"{dashboard.path}{EMBEDDED}{uid}",
        content=CompactJSON.of(normal),
        checksum=library_checksum(name, normal, dashboard.folder_uid),
        may_have_inputs=False,
    )
