"""The library panel part of a reconcile pass's reads: list Grafana's library panels and settle the
dashboards' references against the source and Grafana.

Who calls it: `syncer.engine.reconcile` after reading the live state. Why a module: the list is
skipped when nothing could come of it (no library panel in the source, none used, no prune: a
source without library panels costs no request), and a Grafana that refuses the listing (404 on a
server without library elements, 403 for a token without `library.panels:read`) must not stop the
dashboards: the library panels of the source become errors naming their files (so prune stops and
nothing is lost), references stay unchecked with a warning, and the pass goes on.
"""

from __future__ import annotations

from dataclasses import replace

from syncer.core.library import ONLINE, without_missing_references
from syncer.core.library_embedded import with_embedded_panels
from syncer.model.errors import Forbidden, NotFound
from syncer.model.state import DesiredState, LiveState, Severity, SourceProblem
from syncer.ports import LibraryPort


async def with_library(
    library: LibraryPort | None, desired: DesiredState, live: LiveState, *, prune: bool
) -> tuple[DesiredState, LiveState]:
    """`desired` with embedded panels and reference errors, `live` with the library panels read."""
    if library is None:
        return desired, live
    desired = with_embedded_panels(desired)  # again: inputs resolved since the load may be in them
    used = any(d.library_panel_uids for d in desired.dashboards.values())
    if not (desired.library_panels or used or prune):
        return desired, live
    try:
        panels = await library.fetch_library_panels()
    except (Forbidden, NotFound) as exc:
        return _unreadable(desired, str(exc), used=used), live
    known = frozenset(desired.library_panels) | frozenset(panels)
    desired = without_missing_references(desired, known, ONLINE)
    return desired, replace(live, library_panels=panels, library_read=True)


def _unreadable(desired: DesiredState, why: str, *, used: bool) -> DesiredState:
    """The source's library panels become errors, and so do the dashboards using them (they would
    show empty panels); references to other library panels are left unchecked, with a warning."""
    refused = f"Grafana refused to list library panels ({why})"
    problems = [
        SourceProblem(p.path, f"library panel not synced: {refused}") for p in desired.library_panels.values()
    ]
    if used and not problems:
        problems.append(
            SourceProblem(".", f"library panel references not checked: {refused}", Severity.WARNING)
        )
    every = frozenset(uid for d in desired.dashboards.values() for uid in d.library_panel_uids)
    unsynced = replace(desired, library_panels={}, problems=(*desired.problems, *problems))
    return without_missing_references(
        unsynced, every - desired.library_panels.keys(), "is not synced: " + refused
    )
