"""`syncer pull`: export a Grafana server (or one folder subtree) into a source directory.

Who calls it: `syncer.app.pull_directory` (for the CLI). Reads everything through
`GrafanaPort.fetch_live(None)` and hands the chosen folders and dashboards, with the layout the
directory already has, to the tree writer it is given (`syncer.adapters.files.pull.writer.write_tree`).
For one folder, its ancestors are written too (with their `_folder.json` only), so applying the
pulled tree puts every dashboard back in the same place instead of moving the folder to the root.
It must not write to Grafana.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from syncer.model.layout import TreeLayout
from syncer.model.state import LiveDashboard, LiveFolder, LiveState
from syncer.ports import GrafanaPort, LibraryPort


class WrittenFolders(Protocol):
    @property
    def folders(self) -> Mapping[str, Path]: ...


TreeWriter = Callable[[Path, Mapping[str, LiveFolder], Sequence[LiveDashboard], TreeLayout], WrittenFolders]
"""Writes the chosen folders and dashboards under a directory (`adapters.files.pull.writer.write_tree`)."""
WRITABLE_SUFFIXES = (".json", ".yaml", ".yml")
LayoutReader = Callable[[Path], TreeLayout]
"""What the directory already holds (`syncer.adapters.files.pull.layout.read_layout`)."""


@dataclass(frozen=True)
class PullOptions:
    folder_uid: str | None = None  # only this folder's subtree
    uids: frozenset[str] = frozenset()  # only these dashboards (empty: all)
    conflicts_only: bool = False  # only dashboards edited in Grafana since syncer last wrote them
    force: bool = False  # write into a non-empty directory that holds none of these dashboards
    # the manager ids of the directory's own source: into a source tree, only its own dashboards
    # (and those its files hold) are pulled, not those other sources or people made
    owners: frozenset[str] = frozenset()


LibraryWriter = Callable[[Path, Mapping[str, Path], Sequence[LiveDashboard]], int]
"""Writes library panels into their folders' directories (`adapters.files.library_writer`)."""


@dataclass
class PullSummary:
    directory: Path
    dashboards: int = 0
    folders: int = 0
    library_panels: int = 0
    unchanged: int = 0  # already in the tree and not edited in Grafana since syncer wrote them
    foreign: int = 0  # left out of a source tree: another source's, or made in Grafana by hand
    generated: list[str] = field(default_factory=list)  # edited in Grafana, but from a .jsonnet file
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        if self.errors:
            return "\n".join(f"error: {e}" for e in self.errors)
        panels = f", {self.library_panels} library panel(s)" if self.library_panels else ""
        where = f"in {self.folders} folder(s) into {self.directory}"
        text = f"Pulled {self.dashboards} dashboard(s){panels} {where}."
        if self.unchanged:
            text += (
                f" {self.unchanged} dashboard(s) unchanged in Grafana since syncer wrote them were left"
                " as the files have them (a git change not yet applied stays)."
            )
        if self.generated:
            text += (
                f" {len(self.generated)} dashboard(s) edited in Grafana come from generated sources"
                f" ({', '.join(self.generated[:5])}): carry those edits into the source by hand."
            )
        if self.foreign:
            text += (
                f" {self.foreign} dashboard(s) not managed by this source were left out"
                " (name them with --uid to bring them in)."
            )
        return text


async def pull(
    grafana: GrafanaPort,
    directory: Path,
    *,
    writer: TreeWriter,
    reader: LayoutReader,
    options: PullOptions | None = None,
    library: tuple[LibraryPort, LibraryWriter] | None = None,
) -> PullSummary:
    """Into an empty directory: everything. Into a source tree (a checkout): each dashboard back to
    its own file; dashboards Grafana holds exactly as syncer wrote them are left alone, so a pull
    brings the UI edits into git and nothing else (then `validate` and `plan` are clean).
    `library`: a full export (an empty directory, no uid or conflict filter) writes the library
    panels too, beside the dashboards in their folders; into a source tree they are left alone."""
    options = options or PullOptions()
    summary = PullSummary(directory)
    layout = reader(directory)
    live = await grafana.fetch_live(None)
    if options.folder_uid is not None and options.folder_uid not in live.folders:
        summary.errors.append(f"folder {options.folder_uid} not found in Grafana")
        return summary
    missing = sorted(options.uids - set(live.dashboards))
    if missing:
        summary.errors.append(f"no dashboard with uid {', '.join(missing)} in Grafana")
        return summary
    folders, dashboards = select(live, options.folder_uid)
    refusal = _refusal(directory, layout, dashboards, options.force)
    if refusal:
        summary.errors.append(refusal)
        return summary
    wanted = [d for d in dashboards if _wanted(d, layout, options)]
    chosen = [d for d in wanted if _writable(layout.dashboards.get(d.uid))]
    written = {d.uid for d in chosen}
    summary.generated = sorted(layout.dashboards[d.uid] for d in wanted if d.uid not in written)
    if not layout.empty or options.uids or options.conflicts_only:
        folders = _needed_folders(folders, chosen)  # no new directories for other sources' folders
    full_export = layout.empty and not options.uids and not options.conflicts_only
    tree = writer(directory, folders, chosen, replace(layout, avoid_existing=not options.force))
    if library is not None and full_export:
        summary.library_panels = await _export_library(library, directory, tree, live, options.folder_uid)
    summary.dashboards, summary.folders = len(chosen), len(folders)
    summary.unchanged = sum(1 for d in dashboards if d.uid in layout.dashboards and not edited_in_grafana(d))
    summary.foreign = sum(1 for d in dashboards if not layout.empty and not _ours(d, layout, options))
    return summary


async def _export_library(
    library: tuple[LibraryPort, LibraryWriter],
    directory: Path,
    tree: WrittenFolders,
    live: LiveState,
    folder_uid: str | None,
) -> int:
    panels = list((await library[0].fetch_library_panels()).values())
    if folder_uid is not None:
        subtree = subtree_uids(live.folders, folder_uid)
        panels = [p for p in panels if p.folder_uid in subtree]
    return library[1](directory, tree.folders, panels)


def edited_in_grafana(dashboard: LiveDashboard) -> bool:
    """Grafana holds something syncer did not write: no marker, or content other than its base."""
    return dashboard.marker is None or dashboard.checksum != dashboard.marker.checksum


def _needed_folders(
    folders: Mapping[str, LiveFolder], dashboards: Sequence[LiveDashboard]
) -> dict[str, LiveFolder]:
    """The folders the chosen dashboards sit in, with their ancestors (their directories are needed)."""
    needed: dict[str, LiveFolder] = {}
    for dashboard in dashboards:
        uid = dashboard.folder_uid
        while uid and uid in folders and uid not in needed:
            needed[uid] = folders[uid]
            uid = folders[uid].parent_uid
    return needed


def _writable(path: str | None) -> bool:
    """A new file, or one pull can rewrite in its own format; never a generated (.jsonnet) source."""
    return path is None or path.lower().endswith(WRITABLE_SUFFIXES)


def _ours(dashboard: LiveDashboard, layout: TreeLayout, options: PullOptions) -> bool:
    """Belongs in this tree: a file holds it, or this source's marker is on it."""
    marker = dashboard.marker
    return dashboard.uid in layout.dashboards or (marker is not None and marker.manager_id in options.owners)


def _wanted(dashboard: LiveDashboard, layout: TreeLayout, options: PullOptions) -> bool:
    if options.uids:
        return dashboard.uid in options.uids and (not options.conflicts_only or edited_in_grafana(dashboard))
    if not layout.empty and not _ours(dashboard, layout, options):
        return False
    if options.conflicts_only:
        return dashboard.marker is not None and edited_in_grafana(dashboard)
    # why: in a checkout, Grafana's copy of an unedited dashboard is at most older than the file
    return dashboard.uid not in layout.dashboards or edited_in_grafana(dashboard)


def _refusal(directory: Path, layout: TreeLayout, dashboards: Sequence[LiveDashboard], force: bool) -> str:
    """A non-empty directory that is not this Grafana's source tree is not written into by accident."""
    if force or not directory.exists() or not any(directory.iterdir()):
        return ""
    if any(d.uid in layout.dashboards for d in dashboards):
        return ""
    return (
        f"{directory} is not empty and holds none of these dashboards; pull into an empty directory, "
        "into the source tree syncer applies, or pass --force"
    )


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
