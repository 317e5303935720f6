"""Turn one reconcile's RunReport into log lines and daemon metrics.

Who calls it: `syncer.engine.daemon.target.TargetRunner` after each reconcile. Every action that did
something gets one log line carrying target, uid, path, folder, action and result; each run gets one
summary line. It must not decide anything: the report is already final.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from syncer.engine.daemon.config import DaemonMetrics
from syncer.engine.reconcile import exit_code_for_apply
from syncer.logs import get_logger
from syncer.model.plan import ActionKind, Cause, DashboardAction, Plan
from syncer.model.results import ActionResult, Outcome, RunReport

log = get_logger("syncer.daemon")


def is_drift(action: DashboardAction) -> bool:
    """Live moved away from base (someone edited in Grafana) while the file still says base."""
    live, desired = action.live, action.desired
    if live is None or desired is None or live.marker is None:
        return False
    return live.checksum != live.marker.checksum and desired.checksum == live.marker.checksum


def count_drift(plan: Plan) -> int:
    return sum(1 for a in plan.dashboard_actions if is_drift(a))


def drifted_after(report: RunReport) -> set[str]:
    """Uids still holding a Grafana edit after the pass: drift found and not reverted by it."""
    reverted = {r.uid for r in report.results if r.outcome is Outcome.OK and r.kind is not ActionKind.NOOP}
    return {a.uid for a in report.plan.dashboard_actions if is_drift(a) and a.uid not in reverted}


def pass_result(report: RunReport) -> str:
    """The pass's outcome in one word, agreeing with the exit code `syncer apply` would give."""
    if report.source_errors:
        return "source_errors"
    if report.plan.refusals:
        return "refused"
    if report.failures:
        return "partial"
    if report.unresolved_conflicts:
        return "conflicts"
    return "ok"


def log_actions(target: str, report: RunReport) -> None:
    for result in report.results:
        if result.kind is ActionKind.NOOP:
            continue
        _log_action(target, result)


def _log_action(target: str, result: ActionResult) -> None:
    fields: dict[str, object] = {
        "target": target,
        "uid": result.uid,
        "path": result.path,
        "folder": result.folder_uid,
        "action": result.kind.value,
        "result": result.outcome.value,
    }
    if result.detail:
        fields["detail"] = result.detail
    if result.version is not None:
        fields["version"] = result.version
    if result.overwrote_version is not None:
        fields["overwrote_version"] = result.overwrote_version
    if result.outcome is Outcome.FAILED:
        log.warning("action", **fields)
    else:
        log.info("action", **fields)


def record_report(
    target: str,
    report: RunReport,
    *,
    metrics: DaemonMetrics,
    mode: str,
    scope: Collection[str] | None,
    triggers: Collection[str],
) -> None:
    """Log the run and feed the daemon-only metrics (conflicts, drift). Reconcile/action counters
    come from the engine itself through the MetricsPort it was given."""
    plan = report.plan
    drift = count_drift(plan) + sum(1 for a in plan.library_actions if is_drift(a))
    # a conflict git won (or an adoption): drift reverts have their own gauge
    overwritten = sum(
        1
        for a in (*plan.dashboard_actions, *plan.library_actions)
        if a.overwrites_edit and a.cause is not Cause.DRIFT
    )
    unresolved = len(report.unresolved_conflicts)
    if drift:
        metrics.drift(target, drift)
    if overwritten:
        metrics.conflicts(target, "overwritten", overwritten)
    if unresolved:
        metrics.conflicts(target, "unresolved", unresolved)
    log_actions(target, report)
    for refusal in plan.refusals:
        log.warning("refused", target=target, reason=refusal)
    kinds = Counter(r.kind.value for r in report.results if r.outcome is Outcome.OK)
    log.info(
        "reconcile",
        target=target,
        mode=mode,
        triggers=sorted(triggers),
        scope=None if scope is None else len(scope),
        result=pass_result(report),
        exit_code=exit_code_for_apply(report),
        duration_s=round(report.duration_s, 3),
        requests=report.requests,
        writes=sum(n for k, n in kinds.items() if k != ActionKind.NOOP.value),
        created=kinds.get(ActionKind.CREATE.value, 0),
        updated=kinds.get(ActionKind.UPDATE.value, 0) + kinds.get(ActionKind.MOVE.value, 0),
        deleted=kinds.get(ActionKind.DELETE.value, 0),
        folders_written=sum(n for k, n in kinds.items() if k.endswith("folder")),
        library_panels_written=sum(n for k, n in kinds.items() if k.endswith("library-panel")),
        failed=len(report.failures),
        conflicts=unresolved + overwritten,
        drift=drift,
        in_sync=plan.in_sync and not report.source_errors and not report.failures,
        source_errors=len(report.source_errors),
        orphans=len(plan.orphans),
    )
