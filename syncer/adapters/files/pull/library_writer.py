"""Write library panels beside the dashboards for `syncer pull`, in the shape the loader reads back.

One `<name>.library-panel.json` per element in its folder's directory: `uid`, `name`, `kind` 1 and
the `model` as Grafana stores it, without syncer's ownership marker (pretty-printed like the
dashboards). Server-owned fields (`id`, `version`, `meta`, `folderUid`) are left out: the directory
is the folder, so moving the file moves the element. Who calls it: `syncer.engine.pull`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from syncer.adapters.files.pull.names import safe_name
from syncer.adapters.files.pull.writer import _no_link_below, dump_json
from syncer.model.state import JSON, LiveDashboard

SUFFIX = ".library-panel.json"


def exported_panel(panel: LiveDashboard) -> dict[str, JSON]:
    return {"uid": panel.uid, "name": panel.title, "kind": 1, "model": dict(panel.content)}


def write_library_panels(root: Path, directories: Mapping[str, Path], panels: Iterable[LiveDashboard]) -> int:
    """Write each panel into its folder's directory (the root for General or an unwritten folder)."""
    written = 0
    for panel in sorted(panels, key=lambda p: (p.title, p.uid)):
        directory = directories.get(panel.folder_uid or "", root)
        directory.mkdir(parents=True, exist_ok=True)
        base = safe_name(panel.title, panel.uid)
        path, n = directory / (base + SUFFIX), 2
        while path.exists():
            path, n = directory / f"{base}-{n}{SUFFIX}", n + 1
        _no_link_below(root, path)
        path.write_text(dump_json(exported_panel(panel)), encoding="utf-8")
        written += 1
    return written
