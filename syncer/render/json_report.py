"""The machine-readable report of `syncer plan|apply --output json` (schema in docs/cli.md).

Who calls it: the CLI. `schemaVersion` changes only when a field is removed or changes meaning;
new fields may appear at any time. Pure: builds a JSON-ready dict, never contains a credential
(the Grafana URL is given without user info).
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from syncer.model.plan import ActionKind, Cause, DashboardAction, FolderAction
from syncer.model.results import ActionResult, Outcome, RunReport
from syncer.model.state import LiveDashboard

REPORT_SCHEMA_VERSION = 1


def public_url(url: str) -> str:
    """The URL without any `user:password@` part."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def report_document(
    report: RunReport,
    *,
    command: str,
    source: str,
    grafana_url: str,
    exit_code: int,
    warnings: tuple[str, ...] = (),
) -> dict[str, Any]:
    plan = report.plan
    return {
        "schemaVersion": REPORT_SCHEMA_VERSION,
        "command": command,
        "source": source,
        "grafana": public_url(grafana_url),
        "inSync": plan.in_sync and not plan.refusals and not report.source_errors and report.fatal is None,
        "exitCode": exit_code,
        "summary": _summary(report),
        "folders": [_folder(a) for a in plan.folder_actions],
        "dashboards": [_dashboard(a) for a in plan.dashboard_actions],
        "libraryPanels": [_dashboard(a, name="name") for a in plan.library_actions],
        "orphans": [_orphan(d) for d in plan.orphans],
        "libraryOrphans": [_orphan(d) for d in plan.library_orphans],
        "results": [_result(r) for r in report.results] if command == "apply" else [],
        "refusals": list(plan.refusals),
        "sourceErrors": list(report.source_errors),
        "warnings": list(warnings),
        "fatal": report.fatal,
        "requests": report.requests,
        "durationSeconds": round(report.duration_s, 3),
    }


def _summary(report: RunReport) -> dict[str, int]:
    kinds = Counter(a.kind.value for a in report.plan.dashboard_actions)
    kinds.update(a.kind.value for a in report.plan.folder_actions)
    kinds.update(a.kind.value for a in report.plan.library_actions)
    outcomes = Counter(r.outcome.value for r in report.results)
    summary = {kind.value: kinds.get(kind.value, 0) for kind in ActionKind}
    summary.update({f"outcome:{o.value}": outcomes.get(o.value, 0) for o in Outcome})
    summary["writes"] = report.plan.writes
    causes = Counter(a.cause for a in report.plan.dashboard_actions if a.kind is not ActionKind.NOOP)
    summary.update({f"cause:{c.value}": causes.get(c, 0) for c in Cause})
    summary["overwrites"] = sum(1 for a in report.plan.dashboard_actions if a.overwrites_edit)
    summary["orphans"] = len(report.plan.orphans)
    summary["libraryOrphans"] = len(report.plan.library_orphans)
    summary["sourceErrors"] = len(report.source_errors)
    return summary


def _folder(action: FolderAction) -> dict[str, Any]:
    desired, live = action.desired, action.live
    return {
        "action": action.kind.value,
        "uid": action.uid,
        "title": desired.title if desired else (live.title if live else None),
        "path": desired.path if desired else None,
        "parentUid": desired.parent_uid if desired else (live.parent_uid if live else None),
        "liveParentUid": live.parent_uid if live else None,
        "reason": action.reason,
    }


def _dashboard(action: DashboardAction, *, name: str = "title") -> dict[str, Any]:
    desired, live = action.desired, action.live
    return {
        "action": action.kind.value,
        "uid": action.uid,
        name: desired.title if desired else (live.title if live else None),
        "path": action.path,
        "folderUid": desired.folder_uid if desired else None,
        "liveFolderUid": live.folder_uid if live else None,
        "liveVersion": live.version if live else None,
        "overwritesVersion": action.overwrites_version,
        "cause": action.cause.value if action.cause else None,
        "reason": action.reason,
    }


def _orphan(live: LiveDashboard) -> dict[str, Any]:
    """A managed dashboard whose file is gone and that this run does not delete (no --prune)."""
    return {
        "uid": live.uid,
        "title": live.title,
        "path": live.marker.source_path if live.marker else None,
        "liveFolderUid": live.folder_uid,
        "liveVersion": live.version,
    }


def _result(result: ActionResult) -> dict[str, Any]:
    return {
        "action": result.kind.value,
        "uid": result.uid,
        "outcome": result.outcome.value,
        "path": result.path,
        "folderUid": result.folder_uid,
        "version": result.version,
        "overwroteVersion": result.overwrote_version,
        "retries": result.retries,
        "detail": result.detail,
    }
