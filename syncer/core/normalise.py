"""What syncer sends: the dashboard JSON with Grafana's own save-time rewrites applied up front.

Called by the source loader for every desired dashboard. Because the legacy API trims the title,
clamps short refresh intervals and owns `id`/`version`, sending content that already has those
rewrites makes the read-back equal to what was sent, so a second run sees no change.
It must not change anything Grafana would keep as sent (no schema migration, no default filling).
Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

from syncer.core.durations import parse_duration
from syncer.core.essence import MARKER_KEY
from syncer.core.jsonvalues import normalise_numbers
from syncer.model.state import JSON


def normalise_for_grafana(
    content: Mapping[str, JSON], *, min_refresh: str = "5s", numbers_normal: bool = False
) -> dict[str, JSON]:
    """A normalised copy of `content` (the input is never modified). `numbers_normal`: the caller
    already normalised the numbers (the loader's files are read that way), so that walk is skipped."""
    result: dict[str, JSON] = dict(content) if numbers_normal else normalise_numbers(dict(content))
    result.pop("version", None)
    result.pop(MARKER_KEY, None)
    if "id" in result:
        result["id"] = None  # a foreign id would make Grafana answer 404 or a uid conflict
    title = result.get("title")
    if isinstance(title, str):
        result["title"] = title.strip()
    refresh = result.get("refresh")
    if isinstance(refresh, str) and refresh_too_short(refresh, min_refresh):
        result["refresh"] = min_refresh
    return result


def refresh_too_short(refresh: str, min_refresh: str) -> bool:
    """Mirror of Grafana's `ValidateDashboardRefreshInterval`: "" and "auto" are always fine; an
    unparsable or shorter interval is replaced by the server's minimum on the legacy API."""
    if not min_refresh or refresh in ("", "auto"):
        return False
    try:
        minimum = parse_duration(min_refresh)
    except ValueError:
        return False  # a broken server minimum is not the dashboard's fault
    try:
        return parse_duration(refresh) < minimum
    except ValueError:
        return True
