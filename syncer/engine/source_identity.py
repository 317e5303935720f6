"""The default manager id of a source: which syncer instance owns what it writes.

Who calls it: `syncer.app` when a target has no explicit `sync.manager_id`. Two syncers with default
settings on different sources must never prune or overwrite each other's dashboards, and every
machine that runs the same source (a laptop, a CI runner, the daemon's git-sync checkout) must agree.
So the id is derived from what names the source, not from where it happens to be checked out:

- inside a git work tree with an `origin` remote: the remote URL (scheme, credentials, port and
  `.git` dropped, so `https://` and `git@host:` clones agree) plus the directory's path in the repo;
- otherwise: the directory's absolute path as given (symlinks not resolved: a git-sync root link
  keeps its name while its target changes on every commit).

The id reads `<name>-<10 hex digits>`, e.g. `platform-dashboards-3fa9c2d1e0`. It must never fail a
run: git missing or refusing falls back to the path.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from syncer.engine.source_commit import git_output

# The id every syncer before 0.2 stamped by default. Markers that carry it are claimed (updated,
# restamped on their next write) by a default-id instance whose source has the dashboard, but never
# pruned by one: which source wrote them is no longer known (docs/cli.md, "Ownership").
LEGACY_DEFAULT_MANAGER_ID = "syncer"
_SLUG_MAX = 40


def default_manager_id(directory: Path) -> str:
    remote = git_output(directory, "config", "--get", "remote.origin.url")
    prefix = git_output(directory, "rev-parse", "--show-prefix") if remote else None
    if remote and prefix is not None:
        repo = normalise_remote(remote)
        key = f"git:{repo}#{prefix.strip('/')}"
        name = repo.rsplit("/", 1)[-1] + ("-" + prefix.strip("/").replace("/", "-") if prefix else "")
    else:
        absolute = os.path.abspath(directory)
        key = f"path:{absolute}"
        name = Path(absolute).name or "root"
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f"{_slug(name)}-{digest}"


def normalise_remote(url: str) -> str:
    """`host/org/repo` for every spelling of one remote: https with or without credentials and
    `.git`, `ssh://git@host:22/org/repo.git`, scp-style `git@host:org/repo`. A credential in the
    URL never reaches the id (it is hashed, but it must not even be part of the key)."""
    url = url.strip()
    scp = re.fullmatch(r"(?:[^@/]+@)?([^:/]+):(?!//)(.+)", url)
    if scp and "://" not in url:
        host, path = scp.group(1), scp.group(2)
    else:
        parts = urlsplit(url)
        host, path = (parts.hostname or ""), parts.path
    path = path.strip("/")
    path = path.removesuffix(".git")
    return f"{host.lower()}/{path}" if host else path


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return (slug[:_SLUG_MAX].rstrip("-")) or "source"
