"""`syncer pull`: export a Grafana server (or one folder subtree) into a source directory.

Who calls it: `syncer.app.pull_directory` (for the CLI). Reads everything through
`GrafanaPort.fetch_live(None)` and hands the chosen folders and dashboards to the tree writer it is
given (`syncer.adapters.files.writer.write_tree`). For one folder, its ancestors are
written too (with their `_folder.json` only), so applying the pulled tree puts every dashboard back
in the same place instead of moving the folder to the root. It must not write to Grafana.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from syncer.model.state import LiveDashboard, LiveFolder, LiveState
from syncer.ports import GrafanaPort, LibraryPort


class WrittenFolders(Protocol):
    @property
    def folders(self) -> Mapping[str, Path]: ...


TreeWriter = Callable[[Path, Mapping[str, LiveFolder], Sequence[LiveDashboard]], WrittenFolders]
"""Writes the chosen folders and dashboards under a directory (`syncer.adapters.files.writer.write_tree`)."""

LibraryWriter = Callable[[Path, Mapping[str, Path], Sequence[LiveDashboard]], int]
"""Writes library panels into their folders' directories (`adapters.files.library_writer`)."""


@dataclass
class PullSummary:
    directory: Path
    dashboards: int = 0
    folders: int = 0
    library_panels: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        if self.errors:
            return "\n".join(f"error: {e}" for e in self.errors)
        panels = f", {self.library_panels} library panel(s)" if self.library_panels else ""
        where = f"in {self.folders} folder(s) into {self.directory}"
        return f"Pulled {self.dashboards} dashboard(s){panels} {where}."


async def pull(
    grafana: GrafanaPort,
    directory: Path,
    *,
    writer: TreeWriter,
    folder_uid: str | None = None,
    force: bool = False,
    library: tuple[LibraryPort, LibraryWriter] | None = None,
) -> PullSummary:
    """`library`: also export the library panels (beside the dashboards, in their folders)."""
    summary = PullSummary(directory)
    if directory.exists() and any(directory.iterdir()) and not force:
        summary.errors.append(f"{directory} is not empty; pull into an empty directory or pass --force")
        return summary
    live = await grafana.fetch_live(None)
    if folder_uid is not None and folder_uid not in live.folders:
        summary.errors.append(f"folder {folder_uid} not found in Grafana")
        return summary
    folders, dashboards = select(live, folder_uid)
    panels = list((await library[0].fetch_library_panels()).values()) if library else []
    if folder_uid is not None:
        subtree = subtree_uids(live.folders, folder_uid)
        panels = [p for p in panels if p.folder_uid in subtree]
    written = writer(directory, folders, dashboards)
    if library is not None:
        summary.library_panels = library[1](directory, written.folders, panels)
    summary.dashboards, summary.folders = len(dashboards), len(folders)
    return summary


def select(live: LiveState, folder_uid: str | None) -> tuple[dict[str, LiveFolder], list[LiveDashboard]]:
    """Everything, or one folder's subtree plus its ancestor chain (folders only)."""
    if folder_uid is None:
        return dict(live.folders), list(live.dashboards.values())
    subtree = subtree_uids(live.folders, folder_uid)
    chain = ancestors(live.folders, folder_uid)
    folders = {uid: live.folders[uid] for uid in subtree | chain}
    dashboards = [d for d in live.dashboards.values() if d.folder_uid in subtree]
    return folders, dashboards


def subtree_uids(folders: Mapping[str, LiveFolder], root_uid: str) -> set[str]:
    children: dict[str, list[str]] = {}
    for folder in folders.values():
        children.setdefault(folder.parent_uid or "", []).append(folder.uid)
    found, stack = {root_uid}, [root_uid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def ancestors(folders: Mapping[str, LiveFolder], uid: str) -> set[str]:
    chain: set[str] = set()
    current = folders[uid].parent_uid
    while current and current in folders and current not in chain:
        chain.add(current)
        current = folders[current].parent_uid
    return chain
