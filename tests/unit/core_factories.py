"""Builders of desired/live states for the planner tests (real core functions compute checksums)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from syncer.core.essence import checksum
from syncer.model.state import (
    DesiredDashboard,
    DesiredFolder,
    DesiredState,
    LiveDashboard,
    LiveFolder,
    LiveState,
    OwnershipMarker,
    SourceProblem,
)

ME = "syncer"


def content(title: str = "Dash", **extra: Any) -> dict[str, Any]:
    return {"title": title, "panels": [], **extra}


def want(
    uid: str, body: dict[str, Any] | None = None, folder: str | None = None, path: str = ""
) -> DesiredDashboard:
    body = body if body is not None else content(uid)
    return DesiredDashboard(
        uid=uid,
        title=body.get("title", ""),
        folder_uid=folder,
        path=path or f"{uid}.json",
        content=body,
        checksum=checksum(body, folder),
    )


def have(
    uid: str,
    body: dict[str, Any] | None = None,
    folder: str | None = None,
    *,
    base: dict[str, Any] | None = None,
    base_folder: str | None = None,
    manager: str | None = ME,
    version: int = 3,
    updated_by: str | None = "admin",
) -> LiveDashboard:
    """A live dashboard; `base` (default: same as body) is what the marker says syncer last wrote.
    `manager=None` means unmanaged (no marker)."""
    body = body if body is not None else content(uid)
    base_body = base if base is not None else body
    marker = None
    if manager is not None:
        marker = OwnershipMarker(manager, f"{uid}.json", checksum(base_body, base_folder if base else folder))
    return LiveDashboard(
        uid=uid,
        title=body.get("title", ""),
        folder_uid=folder,
        version=version,
        content=body,
        checksum=checksum(body, folder),
        marker=marker,
        updated_by=updated_by,
    )


def wfolder(
    uid: str, title: str | None = None, parent: str | None = None, path: str | None = None
) -> DesiredFolder:
    return DesiredFolder(uid, title or uid, parent, path or uid)


def lfolder(
    uid: str, title: str | None = None, parent: str | None = None, manager: str | None = ME
) -> LiveFolder:
    marker = OwnershipMarker(manager, uid, "") if manager else None
    return LiveFolder(uid, title or uid, parent, version=1, marker=marker)


def desired(
    dashboards: Iterable[DesiredDashboard] = (),
    folders: Iterable[DesiredFolder] = (),
    problems: Iterable[SourceProblem] = (),
) -> DesiredState:
    dashboards = list(dashboards)
    return DesiredState(
        folders={f.uid: f for f in folders},
        dashboards={d.uid: d for d in dashboards},
        problems=tuple(problems),
        files_seen=len(dashboards),
    )


def live(
    dashboards: Iterable[LiveDashboard] = (), folders: Iterable[LiveFolder] = (), complete: bool = True
) -> LiveState:
    return LiveState(
        folders={f.uid: f for f in folders}, dashboards={d.uid: d for d in dashboards}, complete=complete
    )
