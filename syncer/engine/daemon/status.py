"""What each daemon target is doing, as `/readyz` and the logs tell it.

Who calls it: `syncer.engine.daemon.target.TargetRunner` records every outcome here; the HTTP server reads
it through `syncer.engine.daemon.loop.Daemon.readiness()`. A target is ready once a reconcile has completed
since start and its last contact with Grafana worked (reachable, credentials accepted). A broken source
does not make a target unready (Grafana still matches the last good files) but shows in
`source_problem`. It must not keep histories: one value per field, so memory stays flat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class TargetStatus:
    name: str
    completed: bool = False  # a reconcile has completed since start
    grafana_ok: bool | None = None  # did the last contact with Grafana work? None until contacted
    reason: str = "starting: no reconcile has completed yet"
    source_problem: str | None = None
    running: bool = False
    last_success_unix: float | None = None
    last_attempt_unix: float | None = None
    consecutive_failures: int = 0
    # the last completed pass, as `syncer apply` would report it (issue 18: one truth everywhere)
    last_result: str | None = None
    last_exit_code: int | None = None

    @property
    def ready(self) -> bool:
        return self.completed and self.grafana_ok is True

    def succeeded(self, now: float) -> None:
        self.completed = True
        self.grafana_ok = True
        self.reason = "ok"
        self.last_success_unix = now
        self.consecutive_failures = 0

    def failed(self, reason: str) -> None:
        self.grafana_ok = False
        self.reason = reason
        self.consecutive_failures += 1

    def as_json(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "reason": self.reason if not self.ready else "ok",
            "completed_reconcile": self.completed,
            "grafana_ok": self.grafana_ok,
            "source_problem": self.source_problem,
            "reconciling": self.running,
            "last_success_unix": self.last_success_unix,
            "consecutive_failures": self.consecutive_failures,
            "last_result": self.last_result,
            "last_exit_code": self.last_exit_code,
        }
