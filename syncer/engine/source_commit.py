"""The git commit of the source directory, for version-history messages and markers.

Who calls it: `syncer.app` when it builds a target. Returns None when the directory is not inside
a git work tree or git is missing; it must never fail a run over this.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def git_commit(directory: Path) -> str | None:
    """HEAD's full sha, with a `-dirty` suffix when tracked files under `directory` differ from it."""
    head = git_output(directory, "rev-parse", "--verify", "HEAD")
    if not head:
        return None
    dirty = git_output(directory, "status", "--porcelain", "--untracked-files=no", "--", ".")
    return f"{head}-dirty" if dirty else head


def git_output(directory: Path, *args: str) -> str | None:
    """`git -C directory ARGS` stdout, stripped; None when git is missing, slow or refuses."""
    try:
        done = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
