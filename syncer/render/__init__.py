"""Turn plans and run reports into what people and machines read: text, unified diffs, JSON.

Who calls it: the CLI and the demo. Everything here is a pure function of its inputs (plus the
progress bar, which writes to a stream it is given). It must not talk to Grafana or read files.
"""

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
