"""Deterministic uids for folders and dashboards that do not name one.

Called by the source loader. A derived uid must be a valid Grafana uid (at most 40 characters of
`[a-zA-Z0-9_-]`), stable across machines and runs (it depends only on the path relative to the
source root, with `/` separators), readable (a slug of the name) and unique per path (a hash of the
whole path). Folders and dashboards share one uid space in older Grafana, so the two kinds hash
differently. Pure; no I/O.
"""

from __future__ import annotations

import hashlib
import re

MAX_UID_LENGTH = 40
UID_PATTERN = re.compile(r"^[a-zA-Z0-9_-]*$")
_HASH_LENGTH = 10
_SLUG_LENGTH = MAX_UID_LENGTH - _HASH_LENGTH - 1
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def folder_uid_for_path(rel_dir: str) -> str:
    """uid of the folder for directory `rel_dir` (e.g. "team-a/backend")."""
    clean = _clean_path(rel_dir)
    return _derive("folder", clean, clean.rsplit("/", 1)[-1])


def dashboard_uid_for_path(rel_file: str) -> str:
    """uid of the dashboard in file `rel_file` (e.g. "team-a/backend/api.json")."""
    clean = _clean_path(rel_file)
    name = clean.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return _derive("dashboard", clean, stem)


def _clean_path(path: str) -> str:
    parts = [part for part in path.replace("\\", "/").split("/") if part not in ("", ".")]
    return "/".join(parts)


def _derive(kind: str, path: str, name: str) -> str:
    digest = hashlib.sha256(f"{kind}:{path}".encode()).hexdigest()[:_HASH_LENGTH]
    slug = _NOT_SLUG.sub("-", name.lower()).strip("-")[:_SLUG_LENGTH].strip("-")
    return f"{slug}-{digest}" if slug else f"{kind[0]}-{digest}"
