"""Library panels: their essence and checksum, and which library panels a dashboard uses.

Called by the loader (desired checksums, each dashboard's references), the library adapter (live
checksums), `syncer validate` and the reconcile pass (references that exist nowhere). A library
panel's essence is its name and its model as Grafana stores it: Grafana writes `type` and
`description` into every stored model (`syncFieldsWithModel`), so both sides fill them the same
way, or a second run would see a change that is not one. Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from syncer.core.essence import MARKER_KEY, checksum
from syncer.core.jsonvalues import normalise_numbers
from syncer.model.state import JSON, DesiredState, SourceProblem

LIBRARY_MARKER_KEY = MARKER_KEY
"""The ownership marker lives in the element's model, like a legacy dashboard's (Grafana keeps it)."""

OFFLINE = "is not in the source (validate cannot see Grafana: plan/apply also accept one that exists there)"
ONLINE = "exists neither in the source nor in Grafana (the dashboard would show an empty panel)"


def normalise_model(model: Mapping[str, JSON]) -> dict[str, JSON]:
    """The model as Grafana will store it: numbers as float64 leaves them, `type` and
    `description` present, no ownership marker."""
    result: dict[str, JSON] = normalise_numbers({k: v for k, v in model.items() if k != LIBRARY_MARKER_KEY})
    for key in ("type", "description"):
        if result.get(key) is None:
            result[key] = ""
    return result


def library_checksum(name: str, model: Mapping[str, JSON], folder_uid: str | None) -> str:
    """`sha256:` of name + normalised model + folder: a rename, an edit and a move are all changes."""
    return checksum({"libraryPanel": {"name": name, "model": normalise_model(model)}}, folder_uid)


def panel_references(content: JSON) -> frozenset[str]:
    """Every `libraryPanel.uid` a dashboard uses (top-level panels, rows' panels, v2 elements)."""
    return frozenset(_references(content))


def _references(value: JSON) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            ref = item.get("libraryPanel")
            if isinstance(ref, Mapping) and isinstance(ref.get("uid"), str) and ref["uid"]:
                yield ref["uid"]
            stack.extend(v for v in item.values() if isinstance(v, Mapping | list))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, Mapping | list))


def without_missing_references(desired: DesiredState, known: frozenset[str], why: str) -> DesiredState:
    """Each dashboard using a library panel uid outside `known` becomes an error naming file and uid,
    and is left out of the run (its errors also stop prune, so nothing is deleted because of it)."""
    problems: list[SourceProblem] = []
    dropped: set[str] = set()
    for uid, dashboard in desired.dashboards.items():
        for missing in sorted(dashboard.library_panel_uids - known):
            problems.append(SourceProblem(dashboard.path, f"library panel {missing!r} {why}"))
            dropped.add(uid)
    if not problems:
        return desired
    kept = {uid: d for uid, d in desired.dashboards.items() if uid not in dropped}
    return replace(desired, dashboards=kept, problems=(*desired.problems, *problems))
