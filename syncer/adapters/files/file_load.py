"""One source file (or one document of a `.jsonnet` file) loaded: parsed, unwrapped, checked, kept.

Who calls it: `loader.DirectorySource` in its own thread, and `load_workers` in worker processes
(which is why these are plain functions of picklable arguments, not loader methods). What comes
back is a `LoadedFile`: its problems, and for a valid dashboard only the compressed content and the
checksums (`file_parts`), never the parsed JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncer.adapters.files.file_parts import (
    LoadedFile,
    dashboard_parts,
    file_uid,
    foreign_warning,
    refresh_warning,
)
from syncer.adapters.files.jsonnet.tree import is_foreign_document
from syncer.adapters.files.library_files import library_element, load_library_panel
from syncer.adapters.files.parse import DEFAULT_MAX_FILE_BYTES, MULTI_DOCUMENT, read_document
from syncer.adapters.files.shapes import unwrap
from syncer.adapters.files.walk import SourceFile
from syncer.core.normalise import normalise_for_grafana
from syncer.core.rules import dashboard_problems, uid_problems
from syncer.model.state import JSON, Severity, SourceProblem


@dataclass(frozen=True)
class FileRules:
    """The settings that decide what a file loads as (the same for every file of a source)."""

    min_refresh: str = "5s"
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES


def load_file(file: SourceFile, rules: FileRules, in_jsonnet_project: bool = False) -> LoadedFile:
    """Parse, unwrap and check one file; what it contributes when it is valid. The parsed JSON
    is dropped before returning: only the compressed content and the checksums are kept."""
    parsed = read_document(file.path, file.rel, max_bytes=rules.max_file_bytes)
    several = parsed.problem is not None and parsed.problem.code == MULTI_DOCUMENT
    if in_jsonnet_project and (several or (parsed.problem is None and is_foreign_document(parsed.value))):
        return LoadedFile(file, problems=[foreign_warning(file.rel)])
    if parsed.problem is not None:
        return LoadedFile(file, problems=[parsed.problem])
    return load_value(file, file.rel, parsed.value, rules)


def load_value(file: SourceFile, rel: str, value: JSON, rules: FileRules) -> LoadedFile:
    """One document as a dashboard or a library panel; `rel` is its source path
    (`file.jsonnet#key` for one of several documents a `.jsonnet` file gives)."""
    element = library_element(value)
    if element is not None:
        library, found = load_library_panel(element, rel)
        return LoadedFile(file, rel, problems=found, library=library)
    unwrapped = unwrap(value, rel)
    body = unwrapped.dashboard
    if body is None:
        return LoadedFile(file, rel, problems=unwrapped.problems)
    problems = list(unwrapped.problems)
    uid = file_uid(unwrapped, body, rel, problems)
    problems += dashboard_problems(rel, body)
    if uid is not None:
        problems += uid_problems(rel, uid)
    if unwrapped.folder_uid is not None:
        problems += uid_problems(rel, unwrapped.folder_uid, "folder uid")
    if uid is None or any(p.severity is Severity.ERROR for p in problems):
        return LoadedFile(file, rel, problems=problems)
    content = dict(body)
    if unwrapped.api_version is None:
        content["uid"] = uid  # v2 specs keep their uid in metadata only
    # read_document normalised the numbers already
    sent = normalise_for_grafana(content, min_refresh=rules.min_refresh, numbers_normal=True)
    for key in ("uid", "id"):  # last: the legacy adapter appends to the kept text (legacy/body.py)
        if key in sent:
            sent[key] = sent.pop(key)
    if sent.get("refresh") != content.get("refresh"):
        problems.append(refresh_warning(rel, content.get("refresh"), rules.min_refresh))
    try:
        parts = dashboard_parts(uid, unwrapped, sent)
    except UnicodeEncodeError:
        # why: JSON may escape a lone UTF-16 surrogate ("\ud800"), which is no Unicode text; Grafana
        # could not store it faithfully, and hashing it would crash the whole pass for one file
        problems.append(SourceProblem(rel, "contains an unpaired UTF-16 surrogate escape (e.g. \\ud800)"))
        return LoadedFile(file, rel, problems=problems)
    return LoadedFile(file, rel, problems=problems, dashboard=parts)
