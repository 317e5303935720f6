"""Grafana's save-time rules for dashboards and folders, checked offline so `syncer validate` can
say up front what the server would reject (grafana-api.md §1.2, §4.4, §7.1).

Called by the source loader for each file; every problem names that file. Warnings are for things
syncer fixes itself. Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

from syncer.core.essence import MARKER_KEY
from syncer.core.uids import MAX_UID_LENGTH, UID_PATTERN
from syncer.model.state import JSON, Severity, SourceProblem

MAX_TITLE_LENGTH = 5000
MAX_TAG_LENGTH = 50
RESERVED_FOLDER_TITLE = "general"
RESERVED_FOLDER_UIDS = frozenset({"general", "sharedwithme"})


def uid_problems(path: str, uid: str, what: str = "uid") -> list[SourceProblem]:
    """Errors for a uid Grafana would refuse ("uid contains illegal characters", "uid too long")."""
    problems = []
    if not UID_PATTERN.match(uid):
        problems.append(
            SourceProblem(path, f"{what} {uid!r} contains illegal characters (allowed: a-z A-Z 0-9 _ -)")
        )
    if len(uid) > MAX_UID_LENGTH:
        problems.append(
            SourceProblem(path, f"{what} {uid[:50]!r}… is {len(uid)} characters long, max {MAX_UID_LENGTH}")
        )
    return problems


def title_problems(path: str, title: JSON, what: str = "dashboard") -> list[SourceProblem]:
    if title is None:
        return [SourceProblem(path, f"{what} has no title")]
    if not isinstance(title, str):
        return [SourceProblem(path, f"{what} title must be a string, got {type(title).__name__}")]
    if not title.strip():
        return [SourceProblem(path, f"{what} title is empty")]
    if len(title.strip()) > MAX_TITLE_LENGTH:
        return [
            SourceProblem(
                path, f"{what} title is {len(title.strip())} characters long, max {MAX_TITLE_LENGTH}"
            )
        ]
    return []


def tag_problems(path: str, tags: JSON) -> list[SourceProblem]:
    if tags is None:
        return []
    if not isinstance(tags, list):
        return [SourceProblem(path, f"tags must be a list of strings, got {type(tags).__name__}")]
    problems = []
    for tag in tags:
        if not isinstance(tag, str):
            problems.append(SourceProblem(path, f"tag {tag!r} is not a string"))
        elif len(tag) > MAX_TAG_LENGTH:
            problems.append(
                SourceProblem(path, f"tag {tag[:20]!r}… is {len(tag)} characters long, max {MAX_TAG_LENGTH}")
            )
    return problems


def dashboard_problems(path: str, content: Mapping[str, JSON]) -> list[SourceProblem]:
    """Errors and warnings for a classic dashboard body (title, tags, server-owned fields)."""
    problems = title_problems(path, content.get("title"))
    problems += tag_problems(path, content.get("tags"))
    problems += _server_owned_warnings(path, content)
    return problems


def _server_owned_warnings(path: str, content: Mapping[str, JSON]) -> list[SourceProblem]:
    warnings = []
    if content.get("id") is not None:
        warnings.append(
            _warning(path, f"id {content['id']!r} is ignored: Grafana assigns ids, syncer sends null")
        )
    if "version" in content:
        warnings.append(_warning(path, "version field is ignored: syncer writes with the live version"))
    if MARKER_KEY in content:
        warnings.append(
            _warning(path, f"{MARKER_KEY} (syncer's ownership marker) is ignored in source files")
        )
    return warnings


def folder_title_problems(path: str, title: str) -> list[SourceProblem]:
    problems = title_problems(path, title, "folder")
    if not problems and title.strip().lower() == RESERVED_FOLDER_TITLE:
        problems.append(
            SourceProblem(
                path, f"folder title {title!r} is reserved by Grafana; set another title in _folder.json"
            )
        )
    return problems


def folder_uid_problems(path: str, uid: str) -> list[SourceProblem]:
    problems = uid_problems(path, uid, "folder uid")
    if uid.strip().lower() in RESERVED_FOLDER_UIDS:
        problems.append(SourceProblem(path, f"folder uid {uid!r} is reserved by Grafana"))
    return problems


def _warning(path: str, message: str) -> SourceProblem:
    return SourceProblem(path, message, Severity.WARNING)
