"""Results of executing a plan: one value per action, and the run report."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from syncer.model.plan import ActionKind, Plan


class Outcome(StrEnum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class ActionResult:
    kind: ActionKind
    uid: str
    outcome: Outcome
    path: str | None = None
    folder_uid: str | None = None
    detail: str = ""  # failure cause or extra info; never contains a secret
    version: int | None = None  # version after the write
    overwrote_version: int | None = None  # Grafana version that held an overwritten edit
    retries: int = 0


@dataclass(frozen=True)
class RunReport:
    plan: Plan
    results: tuple[ActionResult, ...] = ()
    source_errors: tuple[str, ...] = ()
    fatal: str | None = None  # the run could not proceed (source or server trouble)
    duration_s: float = 0.0
    requests: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def failures(self) -> tuple[ActionResult, ...]:
        return tuple(r for r in self.results if r.outcome is Outcome.FAILED)

    @property
    def unresolved_conflicts(self) -> tuple[ActionResult, ...]:
        return tuple(r for r in self.results if r.outcome is Outcome.CONFLICT)
