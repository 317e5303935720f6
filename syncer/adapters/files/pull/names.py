"""File and directory names that pull creates: portable, never hidden, unique among siblings
(case-insensitively, for macOS/Windows), never reusing a name already on disk.

Used by the tree writer and the placement of pulled dashboards. No I/O except listing a directory.
"""

from __future__ import annotations

import re
from pathlib import Path

FOLDER_FILE = "_folder.json"
_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)
MAX_NAME = 80


def safe_name(title: str, fallback: str) -> str:
    """A portable file/directory name from a title: never hidden, never `_folder`, never empty."""
    name = _UNSAFE.sub("-", title.strip()).strip("-._")[:MAX_NAME].rstrip("-._")
    return name or fallback


def unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate.lower())
    return candidate


def existing_names(directory: Path) -> set[str]:
    """Lower-cased names in `directory` (none if it does not exist): a new name must not reuse one.
    Symbolic links are left out on purpose: pull then refuses loudly to write through one (writer)
    instead of quietly naming the new file around it."""
    if not directory.is_dir():
        return set()
    return {child.name.lower() for child in directory.iterdir() if not child.is_symlink()}
