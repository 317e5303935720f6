"""`--output markdown`: the headline, the table, a `<details>` diff per dashboard, and the 65,536-character
limit of a GitHub comment, checked by parsing the output with a CommonMark/GFM parser (markdown-it-py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from syncer.model.plan import ActionKind, Cause, DashboardAction, FolderAction, Plan
from syncer.model.results import ActionResult, Outcome, RunReport
from syncer.model.state import DesiredDashboard, DesiredFolder, LiveDashboard
from syncer.render.markdown import (
    GITHUB_COMMENT_LIMIT,
    MARKER,
    apply_markdown,
    plan_headline,
    plan_markdown,
)

GFM = MarkdownIt("commonmark").enable("table")


def desired(uid: str, title: str = "T", body: object = None, path: str | None = None) -> DesiredDashboard:
    content = {"uid": uid, "title": title, "panels": [], "description": body or ""}
    return DesiredDashboard(uid, title, None, path or f"team/{uid}.json", content, "c-" + uid)


def live(uid: str, title: str = "T", body: object = None) -> LiveDashboard:
    return LiveDashboard(
        uid, title, None, 3, {"uid": uid, "title": title, "panels": [], "description": body or ""}, "l"
    )


def action(kind: ActionKind, uid: str, body: str = "new", reason: str = "changed in git") -> DashboardAction:
    new = desired(uid, body=body) if kind is not ActionKind.DELETE else None
    old = live(uid, body="old") if kind is not ActionKind.CREATE else None
    return DashboardAction(kind, uid, reason, desired=new, live=old)


def sample_plan() -> Plan:
    dashboards = (
        action(ActionKind.CREATE, "a"),
        action(ActionKind.CREATE, "b"),
        action(ActionKind.CREATE, "c"),
        action(ActionKind.UPDATE, "d"),
        action(ActionKind.CONFLICT, "e", reason="edited in Grafana (version 3) and in git"),
        DashboardAction(ActionKind.NOOP, "f", "unchanged", desired=desired("f"), live=live("f")),
    )
    folder = FolderAction(
        ActionKind.CREATE_FOLDER, "team", "new folder", desired=DesiredFolder("team", "Team", None, "team")
    )
    return Plan(folder_actions=(folder,), dashboard_actions=dashboards)


def balanced(markdown: str) -> None:
    """Nothing is cut: every <details> closes, every fence closes, and the table parses."""
    lines = markdown.splitlines()
    assert lines.count("<details>") == lines.count("</details>")
    tokens = GFM.parse(markdown)
    fences = [t for t in tokens if t.type == "fence"]
    assert len(fences) == lines.count("<details>")  # one closed code block per details
    # an unclosed fence would swallow the rest of the document, including the closing </details>
    assert all("</details>" not in t.content.splitlines() for t in fences)
    assert len(markdown) < GITHUB_COMMENT_LIMIT


def test_the_headline_table_and_a_details_diff_per_dashboard() -> None:
    text = plan_markdown(RunReport(plan=sample_plan()), title="syncer plan: dashboards")
    assert text.startswith(MARKER + "\n### syncer plan: dashboards\n")
    assert "**3 to create, 1 to update, 0 to delete; 1 conflict**" in text
    assert "1 dashboard unchanged." in text and "Folders: 1 to create." in text
    tokens = GFM.parse(text)
    assert any(t.type == "table_open" for t in tokens)
    cells = [t.content for t in tokens if t.type == "inline"]
    assert "edited in Grafana (version 3) and in git" in cells and "create-folder" in cells
    assert text.count("<details>") == 5  # a, b, c, d, e: every change, the noop has none
    assert "<summary><code>team/d.json</code>: update (+1 -1)</summary>" in text
    assert '-  "description": "old",' in text and '+  "description": "new",' in text
    balanced(text)


def test_a_plan_in_sync_says_so() -> None:
    plan = Plan(
        (), (DashboardAction(ActionKind.NOOP, "f", "unchanged", desired=desired("f"), live=live("f")),)
    )
    text = plan_markdown(RunReport(plan=plan))
    assert "**0 to create, 0 to update, 0 to delete; 0 conflicts**" in text
    assert "Grafana matches the directory." in text and "<details>" not in text and "|---|" not in text


def test_moves_count_as_updates_and_errors_are_called_out() -> None:
    plan = Plan(
        (), (action(ActionKind.MOVE, "m"),), refusals=("prune refused: 80 deletes > --max-deletes 50",)
    )
    report = RunReport(plan=plan, source_errors=("team/x.json:3:1: invalid JSON <here> | there",))
    assert plan_headline(plan) == "0 to create, 1 to update (1 moved), 0 to delete; 0 conflicts"
    text = plan_markdown(report)
    assert "> [!CAUTION]" in text and "> - refused: prune refused: 80 deletes" in text
    assert "invalid JSON &lt;here&gt; \\| there" in text  # no raw HTML, no table break
    assert "Grafana matches" not in text


def test_cells_survive_pipes_backticks_html_and_newlines() -> None:
    nasty = DashboardAction(
        ActionKind.CREATE,
        "u|1",
        "a\nb | c <script>",
        desired=desired("u|1", "Ti`t|le</td>", path="x/`odd`|.json"),
    )
    text = plan_markdown(RunReport(plan=Plan((), (nasty,))))
    rows = [t for t in GFM.parse(text) if t.type == "tr_open"]
    assert len(rows) == 2  # header + one row: no pipe broke it into more rows or cells
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert text.count("<td>") == 0 and "Ti`t\\|le&lt;/td&gt;" in text
    balanced(text)


def test_huge_plans_stay_under_the_github_limit_with_a_note() -> None:
    big = "x" * 3000
    actions = tuple(action(ActionKind.UPDATE, f"d{i:04}", body=f"{big}{i}\n" * 10) for i in range(400))
    text = plan_markdown(RunReport(plan=Plan((), actions)))
    balanced(text)
    assert len(text) > GITHUB_COMMENT_LIMIT * 0.7  # it uses the room it has
    shown = text.count("<details>")
    assert 0 < shown < 400
    assert f"_{400 - shown} of 400 diff(s) not shown: GitHub comments hold at most 65,536 characters." in text


def test_a_diff_with_backtick_fences_cannot_close_the_code_block() -> None:
    body = "```\n</details>\n````"
    text = plan_markdown(RunReport(plan=Plan((), (action(ActionKind.UPDATE, "f", body=body),))))
    balanced(text)
    assert re.search(r"^`{5}diff$", text, re.MULTILINE)


def test_one_enormous_dashboard_is_cut_inside_its_fence() -> None:
    lines = "\n".join(f"line {i}" for i in range(20_000))
    text = plan_markdown(RunReport(plan=Plan((), (action(ActionKind.UPDATE, "big", body=lines),))))
    balanced(text)
    assert "more line(s) not shown; run `syncer plan --diff` for all of it" in text


def test_thousands_of_actions_truncate_the_table_not_the_markdown() -> None:
    actions = tuple(action(ActionKind.CREATE, f"dashboard-{i:05}") for i in range(5000))
    text = plan_markdown(RunReport(plan=Plan((), actions)))
    balanced(text)
    assert re.search(r"\.\.\. and \d+ more action\(s\) not listed", text)
    assert "**5000 to create, 0 to update, 0 to delete; 0 conflicts**" in text


def test_apply_report() -> None:
    plan = sample_plan()
    results = (
        ActionResult(ActionKind.CREATE, "a", Outcome.OK, path="team/a.json", version=1),
        ActionResult(ActionKind.UPDATE, "d", Outcome.OK, path="team/d.json", version=4, overwrote_version=3),
        ActionResult(ActionKind.CONFLICT, "e", Outcome.CONFLICT, path="team/e.json", detail="left as is"),
        ActionResult(ActionKind.CREATE, "b", Outcome.FAILED, path="team/b.json", detail="HTTP 500"),
    )
    text = apply_markdown(RunReport(plan=plan, results=results), title="syncer apply: dashboards")
    assert "**1 created, 1 updated, 0 deleted; 1 conflict, 1 failed**" in text
    assert "overwrote a Grafana edit (restore version 3)" in text and "HTTP 500" in text
    assert text.count("<details>") == 2  # the diffs that were applied: a and d
    balanced(text)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([ActionKind.CREATE, ActionKind.UPDATE, ActionKind.DELETE, ActionKind.CONFLICT]),
            st.text(max_size=40),
            st.integers(min_value=0, max_value=4000),
        ),
        max_size=40,
    ),
    st.integers(min_value=3_000, max_value=GITHUB_COMMENT_LIMIT),
)
def test_any_plan_is_balanced_under_any_limit(items: list[tuple[ActionKind, str, int]], limit: int) -> None:
    actions = tuple(
        DashboardAction(
            kind,
            f"u{i}",
            reason,
            desired=desired(f"u{i}", body="`" * (size % 7) + "y" * size)
            if kind is not ActionKind.DELETE
            else None,
            live=live(f"u{i}", body=reason) if kind is not ActionKind.CREATE else None,
        )
        for i, (kind, reason, size) in enumerate(items)
    )
    text = plan_markdown(RunReport(plan=Plan((), actions)), limit=limit)
    assert len(text) < limit
    balanced(text)


@pytest.mark.parametrize("kind", [ActionKind.CREATE, ActionKind.DELETE])
def test_creates_and_deletes_diff_against_nothing(kind: ActionKind) -> None:
    text = plan_markdown(RunReport(plan=Plan((), (action(kind, "z"),))))
    assert ("+++ team/z.json" in text) if kind is ActionKind.CREATE else ("+++ /dev/null" in text)


def test_a_broken_source_is_called_out_and_capped() -> None:
    errors = tuple(f"team/d{i}.json:1:1: invalid JSON" for i in range(60))
    text = plan_markdown(RunReport(plan=Plan((), ()), source_errors=errors, fatal="the source has errors"))
    assert "> - error: the source has errors" in text and "> - team/d0.json:1:1: invalid JSON" in text
    assert "> - ... and 11 more (see the job log)" in text  # 61 problems, 50 listed
    assert "Grafana matches the directory." not in text
    balanced(text)


def test_a_bare_plan_renders_like_its_report() -> None:
    assert plan_markdown(sample_plan()) == plan_markdown(RunReport(plan=sample_plan()))


def test_an_overwritten_grafana_edit_counts_as_a_conflict() -> None:
    overwrite = DashboardAction(
        ActionKind.UPDATE,
        "o",
        "conflict, git wins",
        desired=desired("o"),
        live=live("o"),
        overwrites_version=3,
    )
    text = plan_markdown(Plan((), (overwrite, action(ActionKind.UPDATE, "p"))))
    assert "**0 to create, 2 to update, 0 to delete; 1 conflict**" in text
    assert "| ! | update | `team/o.json` |" in text and "| ~ | update | `team/p.json` |" in text


def test_a_drift_revert_is_flagged_like_the_text_plan_but_is_no_conflict() -> None:
    revert = DashboardAction(
        ActionKind.UPDATE,
        "r",
        "revert drift: edited in Grafana (version 2)",
        desired=desired("r"),
        live=live("r"),
        overwrites_version=2,
        cause=Cause.DRIFT,
    )
    text = plan_markdown(Plan((), (revert,)))
    assert "**0 to create, 1 to update, 0 to delete; 0 conflicts**" in text
    assert "**! 1 overwrites a Grafana edit (1 drift revert);" in text
    assert "| ! | revert-drift | `team/r.json` |" in text
    balanced(text)
