"""Plain-text rendering of a plan (one line per action, with its reason) and of a run's results.

Who calls it: `syncer plan`/`apply` and the demo, via `syncer.render`. Pure: returns strings.
The result text names the Grafana version that held an overwritten edit, so it can be restored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from syncer.model.plan import ActionKind, DashboardAction, FolderAction, Plan
from syncer.model.results import ActionResult, Outcome, RunReport
from syncer.model.state import LiveDashboard
from syncer.render.headline import label, orphans_line, plan_headline
from syncer.render.style import PLAIN, Style

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
    ActionKind.CONFLICT: "x",  # left unresolved (on-conflict=fail, or not adopted): exit 3
    ActionKind.CREATE_LIBRARY_PANEL: "+",
    ActionKind.UPDATE_LIBRARY_PANEL: "~",
    ActionKind.DELETE_LIBRARY_PANEL: "-",
}
# updates that replace a person's edit in Grafana, by their label (see render.headline.label)
LABEL_SYMBOL = {"revert-drift": "!", "overwrite": "!", "adopt": "@"}
ORPHAN_SYMBOL = "o"
COLOUR = {
    **{"+": "green", "~": "yellow", ">": "blue", "-": "red"},
    **{"!": "red", "@": "magenta", "x": "red", "o": "yellow"},
}

OUTCOME_WORD = {
    Outcome.OK: "ok",
    Outcome.FAILED: "FAILED",
    Outcome.SKIPPED: "skipped",
    Outcome.CONFLICT: "CONFLICT",
}


def problems_text(problems: Iterable[object]) -> str:
    return "".join(f"{p}\n" for p in problems)


def plan_text(
    plan: Plan, *, verbose: bool = False, source_errors: int = 0, style: Style = PLAIN, diff: str = ""
) -> str:
    """One line per action that does something (every action with `verbose`), one per managed
    dashboard left in Grafana without its file, refusals, the `diff` if any, then the headline
    (render.headline) last, where a terminal leaves it in view."""
    lines: list[str] = []
    for folder in plan.folder_actions:
        if verbose or folder.kind is not ActionKind.NOOP:
            lines.append(_folder_line(folder, style))
    for action in plan.library_actions:
        if verbose or action.kind is not ActionKind.NOOP:
            lines.append(_dashboard_line(action, style, what="library panel "))
    for action in plan.dashboard_actions:
        if verbose or action.kind is not ActionKind.NOOP:
            lines.append(_dashboard_line(action, style))
    lines.extend(_orphan_line(live, style) for live in plan.orphans)
    lines.extend(_orphan_line(live, style, what="library panel ") for live in plan.library_orphans)
    lines.extend(style.paint(f"refused: {reason}", "red") for reason in plan.refusals)
    if diff:
        lines.append(diff.rstrip("\n"))
    lines.extend(plan_headline(plan, source_errors=source_errors, style=style))
    return "\n".join(lines) + "\n"


def _folder_line(action: FolderAction, style: Style) -> str:
    title = action.desired.title if action.desired else (action.live.title if action.live else "")
    where = action.desired.path if action.desired else ""
    symbol = SYMBOL.get(action.kind, " ")
    where = f"folder {where or action.uid}"
    return _line(
        symbol, action.kind.value, where, uid=action.uid, title=title, reason=action.reason, style=style
    )


def _dashboard_line(action: DashboardAction, style: Style, what: str = "") -> str:
    title = action.desired.title if action.desired else (action.live.title if action.live else "")
    word = label(action)
    symbol = LABEL_SYMBOL.get(word) or SYMBOL.get(action.kind, " ")
    where = what + (action.path or "(not in the directory)")
    return _line(symbol, word, where, uid=action.uid, title=title, reason=action.reason, style=style)


def _orphan_line(live: LiveDashboard, style: Style, what: str = "") -> str:
    was = live.marker.source_path if live.marker else "?"
    reason = f"managed by this syncer, its file is gone (was {was}); left in Grafana: --prune deletes it"
    where = f"{what}{was}"
    return _line(ORPHAN_SYMBOL, "orphan", where, uid=live.uid, title=live.title, reason=reason, style=style)


def _line(symbol: str, word: str, where: str, *, uid: str, title: str, reason: str, style: Style) -> str:
    head = style.paint(f"{symbol} {word:<13}", COLOUR.get(symbol, "bold"))
    return f"  {head} {where} [{uid}] {title!r}: {reason}"


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


def result_text(report: RunReport, *, style: Style = PLAIN, quiet: bool = False) -> str:
    """Results in plan order (folders, dashboards by path, deletes), not in completion order; with
    `quiet` only the summary (and what is left in Grafana)."""
    ordered = sorted(report.results, key=lambda r: (RESULT_GROUP.get(r.kind, 1), r.path or "", r.uid))
    lines = [] if quiet else [_result_line(r, style) for r in ordered]
    lines.extend(style.paint(f"refused: {reason}", "red") for reason in report.plan.refusals)
    lines.append(result_summary(report))
    if report.plan.orphans:
        lines.append(style.paint(orphans_line(len(report.plan.orphans)), "yellow"))
    return "\n".join(lines) + "\n"


OUTCOME_COLOUR = {
    Outcome.OK: "green",
    Outcome.FAILED: "red",
    Outcome.SKIPPED: "yellow",
    Outcome.CONFLICT: "red",
}


def _result_line(result: ActionResult, style: Style = PLAIN) -> str:
    where = result.path or ""
    word = style.paint(f"{OUTCOME_WORD[result.outcome]:<8}", OUTCOME_COLOUR[result.outcome])
    text = f"  {word} {result.kind.value:<13} {where} [{result.uid}]"
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
