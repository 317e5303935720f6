"""Plain-text rendering of a plan (one line per action, with its reason) and of a run's results.

Who calls it: `syncer plan`/`apply` and the demo, via `syncer.render`. Pure: returns strings.
The result text names the Grafana version that held an overwritten edit, so it can be restored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from syncer.model.plan import ActionKind, DashboardAction, FolderAction, Plan
from syncer.model.results import ActionResult, Outcome, RunReport

SYMBOL = {
    ActionKind.CREATE_FOLDER: "+",
    ActionKind.UPDATE_FOLDER: "~",
    ActionKind.DELETE_FOLDER: "-",
    ActionKind.CREATE: "+",
    ActionKind.UPDATE: "~",
    ActionKind.MOVE: ">",
    ActionKind.DELETE: "-",
    ActionKind.NOOP: "=",
    ActionKind.SKIP: "?",
    ActionKind.CONFLICT: "!",
    ActionKind.CREATE_LIBRARY_PANEL: "+",
    ActionKind.UPDATE_LIBRARY_PANEL: "~",
    ActionKind.DELETE_LIBRARY_PANEL: "-",
}

OUTCOME_WORD = {
    Outcome.OK: "ok",
    Outcome.FAILED: "FAILED",
    Outcome.SKIPPED: "skipped",
    Outcome.CONFLICT: "CONFLICT",
}


def problems_text(problems: Iterable[object]) -> str:
    return "".join(f"{p}\n" for p in problems)


def plan_text(plan: Plan, *, verbose: bool = False) -> str:
    lines: list[str] = []
    for folder in plan.folder_actions:
        if verbose or folder.kind is not ActionKind.NOOP:
            lines.append(_folder_line(folder))
    for action in plan.library_actions:
        if verbose or action.kind is not ActionKind.NOOP:
            lines.append(_dashboard_line(action, what="library panel "))
    for action in plan.dashboard_actions:
        if verbose or action.kind is not ActionKind.NOOP:
            lines.append(_dashboard_line(action))
    lines.extend(f"refused: {reason}" for reason in plan.refusals)
    lines.append(plan_summary(plan))
    return "\n".join(lines) + "\n"


def plan_summary(plan: Plan) -> str:
    dash = Counter(a.kind for a in plan.dashboard_actions)
    folders = Counter(a.kind for a in plan.folder_actions)
    if plan.in_sync and not plan.refusals:
        return f"In sync: {dash[ActionKind.NOOP]} dashboard(s) unchanged, nothing to do."
    parts = [
        f"{dash[ActionKind.CREATE]} to create",
        f"{dash[ActionKind.UPDATE]} to update",
        f"{dash[ActionKind.MOVE]} to move",
        f"{dash[ActionKind.DELETE]} to delete",
        f"{dash[ActionKind.NOOP]} unchanged",
    ]
    if dash[ActionKind.SKIP]:
        parts.append(f"{dash[ActionKind.SKIP]} skipped")
    if dash[ActionKind.CONFLICT]:
        parts.append(f"{dash[ActionKind.CONFLICT]} in conflict")
    folder_parts = [
        f"{folders[kind]} to {word}"
        for kind, word in (
            (ActionKind.CREATE_FOLDER, "create"),
            (ActionKind.UPDATE_FOLDER, "update"),
            (ActionKind.DELETE_FOLDER, "delete"),
        )
        if folders[kind]
    ]
    text = "Plan: dashboards " + ", ".join(parts)
    if folder_parts:
        text += "; folders " + ", ".join(folder_parts)
    library = library_summary(plan)
    if library:
        text += "; library panels " + library
    return text + "."


def library_summary(plan: Plan) -> str:
    """`1 to create, 2 to update, ...` for the library panels; "" when there are none."""
    kinds = Counter(a.kind for a in plan.library_actions)
    words = (
        (ActionKind.CREATE_LIBRARY_PANEL, "to create"),
        (ActionKind.UPDATE_LIBRARY_PANEL, "to update"),
        (ActionKind.DELETE_LIBRARY_PANEL, "to delete"),
        (ActionKind.NOOP, "unchanged"),
        (ActionKind.SKIP, "skipped"),
        (ActionKind.CONFLICT, "in conflict"),
    )
    return ", ".join(f"{kinds[kind]} {word}" for kind, word in words if kinds[kind])


def _folder_line(action: FolderAction) -> str:
    title = action.desired.title if action.desired else (action.live.title if action.live else "")
    where = action.desired.path if action.desired else ""
    return _line(action.kind, f"folder {where or action.uid}", action.uid, title, action.reason)


def _dashboard_line(action: DashboardAction, what: str = "") -> str:
    title = action.desired.title if action.desired else (action.live.title if action.live else "")
    where = what + (action.path or "(not in the directory)")
    return _line(action.kind, where, action.uid, title, action.reason)


def _line(kind: ActionKind, where: str, uid: str, title: str, reason: str) -> str:
    return f"  {SYMBOL.get(kind, ' ')} {kind.value:<13} {where} [{uid}] {title!r}: {reason}"


# the order the executor works in: folder and library panel writes, dashboards, dashboard deletes,
# library panel deletes, folder deletes
RESULT_GROUP = {
    ActionKind.CREATE_FOLDER: 0,
    ActionKind.UPDATE_FOLDER: 0,
    ActionKind.CREATE_LIBRARY_PANEL: 0,
    ActionKind.UPDATE_LIBRARY_PANEL: 0,
    ActionKind.DELETE: 2,
    ActionKind.DELETE_LIBRARY_PANEL: 3,
    ActionKind.DELETE_FOLDER: 4,
}


def result_text(report: RunReport) -> str:
    """Results in plan order (folders, dashboards by path, deletes), not in completion order."""
    ordered = sorted(report.results, key=lambda r: (RESULT_GROUP.get(r.kind, 1), r.path or "", r.uid))
    lines = [_result_line(r) for r in ordered]
    lines.extend(f"refused: {reason}" for reason in report.plan.refusals)
    lines.append(result_summary(report))
    return "\n".join(lines) + "\n"


def _result_line(result: ActionResult) -> str:
    where = result.path or ""
    text = f"  {OUTCOME_WORD[result.outcome]:<8} {result.kind.value:<13} {where} [{result.uid}]"
    if result.version is not None:
        text += f" -> version {result.version}"
    if result.overwrote_version is not None and result.outcome is Outcome.OK:
        text += (
            f" (overwrote an edit made in Grafana: restore it from version {result.overwrote_version}"
            f" with POST /api/dashboards/uid/{result.uid}/restore)"
        )
    if result.retries:
        text += f" after {result.retries} re-read(s)"
    if result.detail:
        text += f": {result.detail}"
    return text


def result_summary(report: RunReport) -> str:
    ok = Counter(r.kind for r in report.results if r.outcome is Outcome.OK)
    by_outcome = Counter(r.outcome for r in report.results)
    words = _done_words(ok)
    head = "Applied: " + (", ".join(words) if words else "no changes")
    tail = (
        f"; {by_outcome[Outcome.FAILED]} failed, {by_outcome[Outcome.CONFLICT]} unresolved conflict(s),"
        f" {by_outcome[Outcome.SKIPPED]} skipped"
    )
    return head + tail + f" ({report.requests} API requests, {report.duration_s:.2f}s)."


def _done_words(ok: Counter[ActionKind]) -> Sequence[str]:
    names = (
        (ActionKind.CREATE_FOLDER, "folder(s) created"),
        (ActionKind.UPDATE_FOLDER, "folder(s) updated"),
        (ActionKind.CREATE, "created"),
        (ActionKind.UPDATE, "updated"),
        (ActionKind.MOVE, "moved"),
        (ActionKind.DELETE, "deleted"),
        (ActionKind.CREATE_LIBRARY_PANEL, "library panel(s) created"),
        (ActionKind.UPDATE_LIBRARY_PANEL, "library panel(s) updated"),
        (ActionKind.DELETE_LIBRARY_PANEL, "library panel(s) deleted"),
        (ActionKind.DELETE_FOLDER, "folder(s) deleted"),
    )
    return [f"{ok[kind]} {word}" for kind, word in names if ok[kind]]
