"""Plans and run reports as people and machines read them: text, unified diffs, JSON, Markdown.
Used by the CLI and the demo; pure functions of their inputs (the progress bar writes to a given stream).
It must not talk to Grafana or read files."""

from syncer.render.diff import plan_diff
from syncer.render.json_report import REPORT_SCHEMA_VERSION, report_document
from syncer.render.progress import Progress
from syncer.render.text import plan_text, problems_text, result_text

__all__ = [
    "REPORT_SCHEMA_VERSION",
    "Progress",
    "plan_diff",
    "plan_text",
    "problems_text",
    "report_document",
    "result_text",
]
