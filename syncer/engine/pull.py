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

from syncer.model.state import LiveDashboard, LiveFolder, LiveState
from syncer.ports import GrafanaPort

TreeWriter = Callable[[Path, Mapping[str, LiveFolder], Sequence[LiveDashboard]], object]
"""Writes the chosen folders and dashboards under a directory (`syncer.adapters.files.writer.write_tree`)."""


@dataclass
class PullSummary:
    directory: Path
    dashboards: int = 0
    folders: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        if self.errors:
            return "\n".join(f"error: {e}" for e in self.errors)
        return f"Pulled {self.dashboards} dashboard(s) in {self.folders} folder(s) into {self.directory}."


async def pull(
    grafana: GrafanaPort,
    directory: Path,
    *,
    writer: TreeWriter,
    folder_uid: str | None = None,
    force: bool = False,
) -> PullSummary:
    summary = PullSummary(directory)
    if directory.exists() and any(directory.iterdir()) and not force:
        summary.errors.append(f"{directory} is not empty; pull into an empty directory or pass --force")
        return summary
    live = await grafana.fetch_live(None)
    if folder_uid is not None and folder_uid not in live.folders:
        summary.errors.append(f"folder {folder_uid} not found in Grafana")
        return summary
    folders, dashboards = select(live, folder_uid)
    writer(directory, folders, dashboards)
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
