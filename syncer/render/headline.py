"""The plan's headline: one line a person (or CI grepping it) can trust to agree with the exit code
and the JSON report's `inSync`.

Who calls it: `syncer.render.text`. "In sync" appears only when nothing differs: no write pending,
no conflict, no source error, no refused prune, and no managed dashboard left behind by a deleted
file. Writes that replace a person's edit in Grafana (drift reverts, conflicts git wins, adoptions
over different content) are counted apart, with the `!` of their lines, so they stand out. Pure.
"""

from __future__ import annotations

from collections import Counter

from syncer.model.plan import ActionKind, Cause, DashboardAction, Plan
from syncer.render.style import PLAIN, Style


def label(action: DashboardAction) -> str:
    """The action's word in a plan line: the kind, or what the update really does to Grafana."""
    if action.kind is ActionKind.UPDATE and action.cause is Cause.DRIFT:
        return "revert-drift"
    if action.kind is ActionKind.UPDATE and action.cause is Cause.CONFLICT:
        return "overwrite"
    if action.kind is ActionKind.UPDATE and action.cause is Cause.ADOPT:
        return "adopt"
    return action.kind.value


def plan_headline(plan: Plan, *, source_errors: int = 0, style: Style = PLAIN) -> list[str]:
    """The summary line, then one line per thing that needs attention (overwrites, orphans, errors)."""
    labels = Counter(label(a) for a in plan.dashboard_actions)
    unchanged = labels[ActionKind.NOOP.value]
    lines: list[str] = []
    if plan.in_sync and not plan.refusals and not source_errors:
        return [style.paint(f"In sync: {unchanged} dashboard(s) unchanged, nothing to do.", "green")]
    if source_errors:
        lines.append(
            style.paint(
                f"Not in sync: the source has {source_errors} error(s) (listed on stderr); the files "
                "with errors are left out of this plan and nothing is pruned until they are fixed.",
                "red",
            )
        )
    lines.append(_counts(plan, labels))
    overwrites = [a for a in plan.dashboard_actions if a.overwrites_edit]
    if overwrites:
        lines.append(style.paint(overwrites_line(overwrites), "red"))
    if plan.orphans:
        lines.append(style.paint(orphans_line(len(plan.orphans)), "yellow"))
    if plan.library_orphans:
        lines.append(style.paint(orphans_line(len(plan.library_orphans), "library panel"), "yellow"))
    return lines


def orphans_line(count: int, what: str = "dashboard") -> str:
    if count == 1:
        return f"1 managed {what} is no longer in the source; `--prune` deletes it."
    return f"{count} managed {what}s are no longer in the source; `--prune` deletes them."


def overwrites_line(overwrites: list[DashboardAction]) -> str:
    causes = Counter(a.cause for a in overwrites)
    verb = "overwrites" if len(overwrites) == 1 else "overwrite"
    why = [
        f"{causes[cause]} {word}"
        for cause, word in (
            (Cause.DRIFT, "drift revert"),
            (Cause.CONFLICT, "conflict"),
            (Cause.ADOPT, "adoption"),
        )
        if causes[cause]
    ]
    return (
        f"! {len(overwrites)} {verb} a Grafana edit ({', '.join(why)}); each edit stays in Grafana's "
        "version history (the line names its version)."
    )


def _counts(plan: Plan, labels: Counter[str]) -> str:
    folders = Counter(a.kind for a in plan.folder_actions)
    parts = [
        f"{labels[ActionKind.CREATE.value]} to create",
        f"{labels[ActionKind.UPDATE.value]} to update",
        f"{labels[ActionKind.MOVE.value]} to move",
        f"{labels[ActionKind.DELETE.value]} to delete",
        f"{labels[ActionKind.NOOP.value]} unchanged",
    ]
    extra = (
        ("revert-drift", "drift revert(s)"),
        ("overwrite", "conflict(s) git wins"),
        ("adopt", "to adopt"),
        (ActionKind.SKIP.value, "skipped"),
        (ActionKind.CONFLICT.value, "in conflict"),
    )
    parts.extend(f"{labels[key]} {word}" for key, word in extra if labels[key])
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
    library = library_counts(plan)
    if library:
        text += "; library panels " + library
    return text + "."


def library_counts(plan: Plan) -> str:
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
