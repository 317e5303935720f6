"""Human names for places and people in plan reasons ("folder 'Team A'", "General", "admin").

Used by the planner modules. Pure; no I/O.
"""

from __future__ import annotations

from syncer.model.state import DesiredState, LiveDashboard, LiveState

ROOT_NAME = "General"


def folder_name(uid: str | None, desired: DesiredState, live: LiveState) -> str:
    """A folder as a user knows it: its title (desired first, then live), else its uid."""
    if uid is None:
        return ROOT_NAME
    folder = desired.folders.get(uid) or live.folders.get(uid)
    return f"'{folder.title}'" if folder else f"'{uid}'"


def live_edit(live: LiveDashboard) -> str:
    """`version N by USER`: where to find a Grafana-side edit in the version history."""
    who = f" by {live.updated_by}" if live.updated_by else ""
    return f"version {live.version}{who}"
