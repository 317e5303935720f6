"""Unified diffs of what apply would change, for `syncer plan --diff`.

Who calls it: the CLI. Both sides are shown as canonical pretty JSON of the dashboard's essence
(server-owned fields and the ownership marker removed, keys sorted), so the diff shows real content
changes only, never Grafana's own rewrites. Pure.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping

from syncer.core.essence import essence
from syncer.model.plan import ActionKind, DashboardAction, Plan
from syncer.model.state import JSON

DIFF_KINDS = frozenset(
    {
        ActionKind.CREATE,
        ActionKind.UPDATE,
        ActionKind.MOVE,
        ActionKind.DELETE,
        ActionKind.CONFLICT,
        ActionKind.CREATE_LIBRARY_PANEL,  # a library panel's diff is the diff of its model
        ActionKind.UPDATE_LIBRARY_PANEL,
        ActionKind.DELETE_LIBRARY_PANEL,
    }
)


def pretty(content: Mapping[str, JSON] | None) -> list[str]:
    if content is None:
        return []
    return (json.dumps(essence(content), indent=2, sort_keys=True, ensure_ascii=False) + "\n").splitlines(
        True
    )


def dashboard_diff(action: DashboardAction) -> str:
    live = action.live.content if action.live else None
    desired = action.desired.content if action.desired else None
    name = action.path or action.uid
    header = ""
    old_folder = action.live.folder_uid if action.live else None
    new_folder = action.desired.folder_uid if action.desired else None
    if action.live and action.desired and old_folder != new_folder:
        header = f"# {name}: folder {old_folder or 'General'} -> {new_folder or 'General'}\n"
    lines = difflib.unified_diff(
        pretty(live),
        pretty(desired),
        fromfile=f"grafana/{action.uid}" + (f" (version {action.live.version})" if action.live else ""),
        tofile=f"{name}" if desired is not None else "/dev/null",
    )
    return header + "".join(lines)


def plan_diff(plan: Plan, *, full_new: bool = False) -> str:
    """Every changing library panel's and dashboard's diff, separated by blank lines ("" when
    nothing changes). A new one is one line (its whole file would be a diff of added lines) unless
    `full_new`."""
    new_kinds = (ActionKind.CREATE, ActionKind.CREATE_LIBRARY_PANEL)
    chunks = [
        dashboard_diff(a) if full_new or a.kind not in new_kinds else _new_line(a)
        for a in (*plan.library_actions, *plan.dashboard_actions)
        if a.kind in DIFF_KINDS
    ]
    return "\n".join(c for c in chunks if c)


def _new_line(action: DashboardAction) -> str:
    lines = len(pretty(action.desired.content if action.desired else None))
    what = "library panel" if action.kind is ActionKind.CREATE_LIBRARY_PANEL else "dashboard"
    return f"+++ {action.path or action.uid}: new {what}, {lines} lines (shown in full with --diff-new)\n"
