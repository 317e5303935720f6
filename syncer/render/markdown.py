"""Markdown plans and apply reports for pull-request comments (`--output markdown`).

Why: plans are read in pull requests. Like Atlantis and tfcmt for Terraform, a comment carries a
one-line headline (`3 to create, 1 to update, 0 to delete; 1 conflict`), a table of actions and a
collapsible `<details>` diff per dashboard. A GitHub comment holds at most 65,536 characters, so the
document is built in whole sections and stops adding them before the limit, with a note: a fence or
a `<details>` is never cut in half. Rendered from the Plan model (not from the text renderer), so
it does not change when the terminal output does. Pure: returns a string.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from syncer.model.plan import ActionKind, Cause, DashboardAction, FolderAction, Plan
from syncer.model.results import ActionResult, Outcome, RunReport
from syncer.render.diff import DIFF_KINDS, dashboard_diff
from syncer.render.headline import label, library_counts, orphans_line, overwrites_line

GITHUB_COMMENT_LIMIT = 65_536  # characters in one GitHub issue/PR comment body
MARKER = "<!-- syncer-plan -->"  # CI finds the comment it posted earlier by this line and updates it
MAX_DIFF_CHARS = 20_000  # one dashboard's diff; longer ones are cut at a line with a note
MAX_LISTED = 50  # errors listed before "... and N more"
TABLE_SHARE = 0.5  # the action table may use this share of the limit; the rest is for diffs

_SYMBOL = {
    ActionKind.CREATE_FOLDER: "+",
    ActionKind.CREATE: "+",
    ActionKind.UPDATE_FOLDER: "~",
    ActionKind.UPDATE: "~",
    ActionKind.MOVE: "~",
    ActionKind.DELETE_FOLDER: "-",
    ActionKind.DELETE: "-",
    ActionKind.SKIP: "?",
    ActionKind.CONFLICT: "!",
    ActionKind.CREATE_LIBRARY_PANEL: "+",
    ActionKind.UPDATE_LIBRARY_PANEL: "~",
    ActionKind.DELETE_LIBRARY_PANEL: "-",
}


def plan_markdown(
    report: RunReport | Plan, *, title: str = "syncer plan", limit: int = GITHUB_COMMENT_LIMIT
) -> str:
    """The plan (of a run report, with its errors and refusals) as a PR comment under `limit` characters."""
    report = RunReport(plan=report) if isinstance(report, Plan) else report
    plan = report.plan
    head = [MARKER, f"### {_text(title)}", "", f"**{plan_headline(plan)}**", ""]
    overwrites = [a for a in plan.dashboard_actions if a.overwrites_edit]
    if overwrites:
        head += [f"**{_text(overwrites_line(overwrites))}**", ""]
    head += _status_lines(report)
    rows = [_action_row(a) for a in _changes(plan)]
    diffs = [a for a in (*plan.library_actions, *plan.dashboard_actions) if a.kind in DIFF_KINDS]
    return _assemble(head, _ACTION_HEADER, rows, diffs, limit)


def apply_markdown(
    report: RunReport, *, title: str = "syncer apply", limit: int = GITHUB_COMMENT_LIMIT
) -> str:
    """What an apply did (one row per action result) and the diffs it applied, under `limit` characters."""
    head = [MARKER, f"### {_text(title)}", "", f"**{apply_headline(report)}**", ""]
    head += _status_lines(report)
    rows = [_result_row(r) for r in _ordered(report.results)]
    applied = {(r.uid, r.kind) for r in report.results if r.outcome is Outcome.OK}
    diffs = [a for a in report.plan.dashboard_actions if a.kind in DIFF_KINDS and (a.uid, a.kind) in applied]
    return _assemble(head, _RESULT_HEADER, rows, diffs, limit)


def plan_headline(plan: Plan) -> str:
    """`3 to create, 1 to update, 0 to delete; 1 conflict` (a move counts as an update).

    A conflict is a dashboard whose Grafana edit blocks the plan (`--on-conflict skip|fail`, an
    unowned dashboard) or that the plan overwrites (git wins; the update is counted as one too):
    either way a reviewer must look at it."""
    kinds = Counter(a.kind for a in plan.dashboard_actions)
    moves = kinds[ActionKind.MOVE]
    update = f"{kinds[ActionKind.UPDATE] + moves} to update" + (f" ({moves} moved)" if moves else "")
    conflicts = sum(1 for f in plan.folder_actions if f.kind is ActionKind.CONFLICT)
    conflicts += sum(1 for a in (*plan.dashboard_actions, *plan.library_actions) if _is_conflict(a))
    text = f"{kinds[ActionKind.CREATE]} to create, {update}, {kinds[ActionKind.DELETE]} to delete"
    library = library_counts(plan)
    return f"{text}; {_plural(conflicts, 'conflict')}" + (f"; library panels {library}" if library else "")


def _is_conflict(action: DashboardAction) -> bool:
    # a drift revert also names the version it replaces, but git did not change: not a conflict
    return action.kind is ActionKind.CONFLICT or (
        action.overwrites_version is not None and action.cause is not Cause.DRIFT
    )


def apply_headline(report: RunReport) -> str:
    """`3 created, 1 updated, 0 deleted; 1 conflict, 0 failed`."""
    ok = Counter(r.kind for r in report.results if r.outcome is Outcome.OK)
    outcomes = Counter(r.outcome for r in report.results)
    done = f"{ok[ActionKind.CREATE]} created, {ok[ActionKind.UPDATE] + ok[ActionKind.MOVE]} updated"
    done += f", {ok[ActionKind.DELETE]} deleted"
    return f"{done}; {_plural(outcomes[Outcome.CONFLICT], 'conflict')}, {outcomes[Outcome.FAILED]} failed"


# ---- sections ----------------------------------------------------------------------------------------

_ACTION_HEADER = ["| | action | path | uid | title | reason |", "|---|---|---|---|---|---|"]
_RESULT_HEADER = ["| | outcome | action | path | uid | detail |", "|---|---|---|---|---|---|"]


def _status_lines(report: RunReport) -> list[str]:
    """Folder changes and the unchanged count on one line; then errors, refusals and invalid files
    in a caution block (a reviewer must not miss that the plan is incomplete)."""
    plan = report.plan
    folders = Counter(f.kind for f in plan.folder_actions)
    words = [f"{folders[k]} to {w}" for k, w in _FOLDER_WORDS if folders[k]]
    unchanged = sum(1 for a in plan.dashboard_actions if a.kind is ActionKind.NOOP)
    line = (
        f"Folders: {', '.join(words)}. " if words else ""
    ) + f"{_plural(unchanged, 'dashboard')} unchanged."
    problems = [f"error: {report.fatal}"] if report.fatal else []
    problems += [f"refused: {reason}" for reason in plan.refusals] + list(report.source_errors)
    if plan.orphans:
        line += " " + orphans_line(len(plan.orphans))
    if plan.library_orphans:
        line += " " + orphans_line(len(plan.library_orphans), "library panel")
    if plan.in_sync and not problems:
        line += " Grafana matches the directory."
    return [line, "", *_caution(problems)]


_FOLDER_WORDS = (
    (ActionKind.CREATE_FOLDER, "create"),
    (ActionKind.UPDATE_FOLDER, "update"),
    (ActionKind.DELETE_FOLDER, "delete"),
)


def _caution(problems: Sequence[str]) -> list[str]:
    if not problems:
        return []
    lines = ["> [!CAUTION]", *(f"> - {_text(p)}" for p in problems[:MAX_LISTED])]
    if len(problems) > MAX_LISTED:
        lines.append(f"> - ... and {len(problems) - MAX_LISTED} more (see the job log)")
    return [*lines, ""]


def _changes(plan: Plan) -> list[FolderAction | DashboardAction]:
    folders: list[FolderAction | DashboardAction] = [
        f for f in plan.folder_actions if f.kind is not ActionKind.NOOP
    ]
    actions = (*plan.library_actions, *plan.dashboard_actions)  # library panels are written first
    return folders + [a for a in actions if a.kind is not ActionKind.NOOP]


def _action_row(action: FolderAction | DashboardAction) -> str:
    if isinstance(action, FolderAction):
        path = action.desired.path if action.desired else ""
    else:
        path = action.path or "(not in the directory)"
    title = action.desired.title if action.desired else (action.live.title if action.live else "")
    if isinstance(action, DashboardAction):
        # the same `!` and word as the text plan: a write that replaces a Grafana edit stands out
        flagged = _is_conflict(action) or action.overwrites_edit
        symbol, word = ("!" if flagged else _SYMBOL.get(action.kind, "")), label(action)
    else:
        symbol, word = _SYMBOL.get(action.kind, ""), action.kind.value
    cells = [symbol, word, _code(path), _code(action.uid), _text(title)]
    return _row([*cells, _text(action.reason)])


def _result_row(result: ActionResult) -> str:
    detail = result.detail
    if result.version is not None:
        detail = f"version {result.version}" + (f"; {detail}" if detail else "")
    if result.overwrote_version is not None and result.outcome is Outcome.OK:
        detail += f"; overwrote a Grafana edit (restore version {result.overwrote_version})"
    cells = [_SYMBOL.get(result.kind, ""), result.outcome.value, result.kind.value]
    return _row([*cells, _code(result.path or ""), _code(result.uid), _text(detail)])


def _ordered(results: Iterable[ActionResult]) -> list[ActionResult]:
    group = {ActionKind.CREATE_FOLDER: 0, ActionKind.UPDATE_FOLDER: 0, ActionKind.DELETE: 2}
    return sorted(
        results, key=lambda r: (group.get(r.kind, 3 if "folder" in r.kind else 1), r.path or "", r.uid)
    )


def _diff_section(action: DashboardAction) -> str:
    diff = dashboard_diff(action)
    if len(diff) > MAX_DIFF_CHARS:
        kept = diff[:MAX_DIFF_CHARS].rsplit("\n", 1)[0]
        hidden = diff.count("\n") - kept.count("\n")
        diff = f"{kept}\n# ... {hidden} more line(s) not shown; run `syncer plan --diff` for all of it\n"
    added = sum(1 for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in diff.splitlines() if line.startswith("-") and not line.startswith("---"))
    name = html.escape(action.path or action.uid)
    fence = "`" * max(3, _longest_backtick_run(diff) + 1)
    summary = f"<summary><code>{name}</code>: {action.kind.value} (+{added} -{removed})</summary>"
    return "\n".join(
        ["<details>", summary, "", f"{fence}diff", diff.rstrip("\n"), fence, "", "</details>", ""]
    )


def _assemble(
    head: list[str], header: list[str], rows: list[str], diffs: Sequence[DashboardAction], limit: int
) -> str:
    """Head, table and diffs, adding whole rows and sections only while the total stays under `limit`."""
    reserve = 400  # room for the truncation notes
    text = "\n".join(head) + "\n"
    table, shown = "\n".join(header) + "\n" if rows else "", 0
    for row in rows:
        if len(text) + len(table) + len(row) + 1 > limit * TABLE_SHARE:
            break
        table, shown = table + row + "\n", shown + 1
    text += table
    if shown < len(rows):
        text += f"\n... and {len(rows) - shown} more action(s) not listed: the comment would be too long.\n"
    text += "\n"
    added = 0
    for action in diffs:
        section = _diff_section(action)
        if len(text) + len(section) + reserve >= limit:
            break
        text, added = text + section, added + 1
    if added < len(diffs):
        text += (
            f"\n_{len(diffs) - added} of {len(diffs)} diff(s) not shown: GitHub comments hold at most "
            f"{limit:,} characters. Run `syncer plan --diff` to see every diff._\n"
        )
    return text


# ---- escaping ----------------------------------------------------------------------------------------


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _text(value: str) -> str:
    """A table cell or list item: one line, no table breaks, no raw HTML."""
    flat = " ".join(value.split())
    return html.escape(flat, quote=False).replace("|", "\\|")


def _code(value: str) -> str:
    """Inline code that survives any content: a fence longer than the value's backtick runs."""
    if not value:
        return ""
    ticks = "`" * (_longest_backtick_run(value) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    flat = " ".join(value.split()).replace("|", "\\|")
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def _longest_backtick_run(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
