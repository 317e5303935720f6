"""The three states of design.md: desired (files), live (Grafana) and base (read from markers).

A dashboard's *content* here is always plain JSON (dicts, lists, str, int, float, bool, None).
`checksum` fields hold the hash of the *essence* (see `syncer.core.essence`), never of raw JSON.
`folder_uid` is `None` for Grafana's root ("General"/"Dashboards").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

JSON = Any
"""A JSON value as produced by `json.loads`."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class SourceProblem:
    """One problem found while loading the source directory; always names the file."""

    path: str
    message: str
    severity: Severity = Severity.ERROR
    line: int | None = None
    column: int | None = None
    code: str | None = None  # stable id for problems code must recognise (e.g. "input-pending")

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.severity.value}: {self.message}"


@dataclass(frozen=True)
class OwnershipMarker:
    """What syncer stamps on every object it writes, so a fresh process can read base from Grafana.

    `checksum` is the essence checksum (content + folder) of what syncer wrote: the *base*.
    """

    manager_id: str
    source_path: str
    checksum: str
    commit: str | None = None
    timestamp_ms: int | None = None


@dataclass(frozen=True)
class DesiredFolder:
    uid: str
    title: str
    parent_uid: str | None
    path: str  # directory relative to the source root, posix separators ("" never appears)


@dataclass(frozen=True)
class DesiredDashboard:
    uid: str
    title: str
    folder_uid: str | None
    path: str  # file relative to the source root, posix separators
    content: Mapping[str, JSON]  # normalised dashboard JSON to send (no id/version/marker)
    checksum: str  # essence checksum of content + folder_uid
    api_version: str | None = None  # e.g. "dashboard.grafana.app/v2beta1" for v2 resources


@dataclass(frozen=True)
class DesiredState:
    folders: Mapping[str, DesiredFolder]
    dashboards: Mapping[str, DesiredDashboard]
    problems: tuple[SourceProblem, ...] = ()
    files_seen: int = 0

    @property
    def errors(self) -> tuple[SourceProblem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[SourceProblem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)


@dataclass(frozen=True)
class LiveFolder:
    uid: str
    title: str
    parent_uid: str | None
    version: int | None = None
    marker: OwnershipMarker | None = None
    resource_version: str | None = None


@dataclass(frozen=True)
class LiveDashboard:
    uid: str
    title: str
    folder_uid: str | None
    version: int
    content: Mapping[str, JSON]  # as stored, with the ownership marker removed
    checksum: str  # essence checksum of content + folder_uid, computed like desired's
    marker: OwnershipMarker | None = None
    updated_by: str | None = None
    resource_version: str | None = None
    api_version: str | None = None


@dataclass(frozen=True)
class LiveState:
    """What Grafana holds. `complete` is False when only some dashboards were fetched
    (the caller asked for specific uids), in which case prune must not run."""

    folders: Mapping[str, LiveFolder]
    dashboards: Mapping[str, LiveDashboard]
    complete: bool = True
    other_dashboard_uids: frozenset[str] = field(default_factory=frozenset)
