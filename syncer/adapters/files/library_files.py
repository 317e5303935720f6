"""Library panel files: how the loader recognises one and what it contributes.

A file is a library panel when its top-level object has the shape of Grafana's library element
(what `GET /api/library-elements/:uid` returns in `result`, and what `syncer pull` writes): an
object `model`, a `name`, no `dashboard`/`panels`/`title`, and `kind` 1 or absent. The whole response
`{"result": {...}}` is accepted too, and so is a `dashboard.grafana.app` resource of kind
`LibraryPanel` (Grafana 12's k8s form: `metadata.name` = uid, `spec.title` = name). Like a
dashboard, its folder is its directory (a `folderUid` or folder annotation in the file is ignored,
with a warning when it disagrees), and a missing uid is derived from the path.
Library variables (`kind` 2) are refused with an error. docs/source-format.md describes the format.

Called by `loader` for every file. Pure apart from what the loader hands it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from syncer.adapters.files.folders import FolderTree
from syncer.adapters.files.walk import SourceFile
from syncer.core.library import library_checksum, normalise_model
from syncer.core.rules import uid_problems
from syncer.core.uids import dashboard_uid_for_path
from syncer.model.state import JSON, CompactJSON, DesiredDashboard, Severity, SourceProblem

PANEL_KIND = 1
FOLDER_ANNOTATION = "grafana.app/folder"
_NOT_ELEMENT_KEYS = frozenset({"dashboard", "panels", "title", "apiVersion"})  # dashboard keys


def library_element(document: JSON) -> dict[str, JSON] | None:
    """The library element a parsed file holds, or None when the file is something else."""
    if isinstance(document, dict) and document.get("kind") == "LibraryPanel" and "apiVersion" in document:
        return _from_resource(document)
    if isinstance(document, dict) and document.keys() == {"result"}:
        document = document["result"]
    if not isinstance(document, dict) or not isinstance(document.get("model"), dict):
        return None
    if document.keys() & _NOT_ELEMENT_KEYS or not ("name" in document or "kind" in document):
        return None
    return document


def _from_resource(document: dict[str, JSON]) -> dict[str, JSON]:
    """A `dashboard.grafana.app` `LibraryPanel` resource as a legacy element, converted back the way
    Grafana's `LibraryPanelToLegacyModel` does: `spec.title` is the element's name, `spec.panelTitle`
    the model's `title`, every other spec field a model field."""
    spec = document.get("spec")
    metadata = document.get("metadata")
    spec = spec if isinstance(spec, dict) else {}
    metadata = metadata if isinstance(metadata, dict) else {}
    model = {k: v for k, v in spec.items() if k not in ("title", "panelTitle")}
    if "panelTitle" in spec:
        model["title"] = spec["panelTitle"]
    annotations = metadata.get("annotations")
    folder = annotations.get(FOLDER_ANNOTATION) if isinstance(annotations, dict) else None
    element: dict[str, JSON] = {
        "uid": metadata.get("name"),
        "name": spec.get("title"),
        "kind": 1,
        "model": model,
    }
    if isinstance(folder, str):
        element["folderUid"] = folder
    return element


@dataclass
class LibraryParts:
    """What a valid library panel file contributes (kept across daemon reloads, like `DashboardParts`)."""

    uid: str
    name: str
    compressed: bytes
    folder_hint: str | None  # the file's own folderUid, only to warn when the directory disagrees
    _checksums: dict[str | None, str] = field(default_factory=dict)

    def desired(self, rel: str, folder_uid: str | None) -> DesiredDashboard:
        content = CompactJSON(self.compressed)
        if folder_uid not in self._checksums:
            self._checksums[folder_uid] = library_checksum(self.name, content, folder_uid)
        return DesiredDashboard(
            uid=self.uid,
            title=self.name,
            folder_uid=folder_uid,
            path=rel,
            content=content,
            checksum=self._checksums[folder_uid],
            may_have_inputs=False,
        )


def load_library_panel(element: dict[str, JSON], rel: str) -> tuple[LibraryParts | None, list[SourceProblem]]:
    problems: list[SourceProblem] = []
    kind = element.get("kind", PANEL_KIND)
    if kind != PANEL_KIND:
        return None, [SourceProblem(rel, f"library element kind {kind!r} is not supported (only 1, panels)")]
    name = element.get("name")
    if not isinstance(name, str) or not name.strip():
        return None, [SourceProblem(rel, "a library panel needs a non-empty string name")]
    uid = element.get("uid")
    if uid is not None and not isinstance(uid, str):
        return None, [SourceProblem(rel, f"uid must be a string, got {uid!r}")]
    if not uid or not uid.strip():
        uid = dashboard_uid_for_path(rel)
        problems.append(
            SourceProblem(rel, f"no uid; using {uid!r} derived from the file path", Severity.WARNING)
        )
    uid = uid.strip()
    problems += uid_problems(rel, uid)
    if any(p.severity is Severity.ERROR for p in problems):
        return None, problems
    model = element["model"]
    assert isinstance(model, dict)
    hint = element.get("folderUid")
    parts = LibraryParts(
        uid=uid,
        name=name,
        compressed=CompactJSON.of(normalise_model(model)).compressed,
        folder_hint=hint.strip() or None if isinstance(hint, str) else None,
    )
    return parts, problems


def place_library_panels(
    items: Iterable[tuple[str, SourceFile, LibraryParts]], tree: FolderTree, problems: list[SourceProblem]
) -> dict[str, DesiredDashboard]:
    """Library panels keyed by uid, each in its directory's folder; duplicates are errors (neither
    is applied), and a panel in a blocked directory is left out. Items: (source path, file, parts);
    the path is the file's, or `file.jsonnet#key` for a document a `.jsonnet` file gives."""
    candidates: dict[str, list[DesiredDashboard]] = {}
    for rel, file, parts in items:
        blocked = tree.why_blocked(file.rel_dir)
        if blocked:
            problems.append(SourceProblem(rel, f"skipped: {blocked}"))
            continue
        folder_uid = tree.folder_of(file.rel_dir)
        if parts.folder_hint not in (None, "general", folder_uid):
            problems.append(
                SourceProblem(
                    rel,
                    f"folderUid {parts.folder_hint!r} is ignored: the directory places the library panel",
                    Severity.WARNING,
                )
            )
        candidates.setdefault(parts.uid, []).append(parts.desired(rel, folder_uid))
    placed = {}
    for uid, group in candidates.items():
        if len(group) == 1:
            placed[uid] = group[0]
            continue
        for panel in group:
            others = ", ".join(p.path for p in group if p is not panel)
            message = f"duplicate library panel uid {uid!r}, also in {others}; neither is applied"
            problems.append(SourceProblem(panel.path, message))
    return _unique_names(placed, problems)


def _unique_names(
    placed: dict[str, DesiredDashboard], problems: list[SourceProblem]
) -> dict[str, DesiredDashboard]:
    """Grafana keeps library panel names unique per folder (400 on the second): an error on each."""
    by_name: dict[tuple[str | None, str], list[DesiredDashboard]] = {}
    for panel in placed.values():
        by_name.setdefault((panel.folder_uid, panel.title), []).append(panel)
    clashing = set()
    for (_, name), group in by_name.items():
        if len(group) > 1:
            for panel in group:
                others = ", ".join(p.path for p in group if p is not panel)
                message = (
                    f"library panel name {name!r} is also used in this folder by {others}; neither is applied"
                )
                problems.append(SourceProblem(panel.path, message))
                clashing.add(panel.uid)
    return {uid: p for uid, p in placed.items() if uid not in clashing}
