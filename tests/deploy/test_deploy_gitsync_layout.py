"""The deployment's file layout, end to end: `syncer run` started with the shipped config file
(deploy/kubernetes/config.yaml, only URL, token file and the /git prefix pointed at test locations),
reading `<root>/current/dashboards` while git-sync v4's behaviour is reproduced on disk: worktrees in
`<root>/.worktrees/<sha>`, a relative symlink `current` swapped atomically per commit, the old
worktree removed afterwards. Each commit must reach Grafana (the emulator) without any other trigger:
the resync interval is an hour."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import yaml
from deploy_helpers import DEPLOY
from support.daemon import DaemonProcess, wait_until
from support.emulator import Emulator


def commit(root: Path, sha: str, dashboards: dict[str, tuple[str, str]]) -> None:
    """What git-sync does for a new commit: check it out as a new worktree, then swap the link."""
    tree = root / ".worktrees" / sha / "dashboards"
    for relative, (uid, title) in dashboards.items():
        path = tree / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {"uid": uid, "title": title, "panels": [], "schemaVersion": 39}
        path.write_text(json.dumps(body), encoding="utf-8")
    link = root / "current"
    previous = os.readlink(link) if link.is_symlink() else None
    temporary = root / ".current.tmp"
    os.symlink(f".worktrees/{sha}", temporary)
    os.replace(temporary, link)
    if previous is not None:
        shutil.rmtree(root / previous)


def title(emulator: Emulator, uid: str) -> str | None:
    response = emulator.api("GET", f"/api/dashboards/uid/{uid}")
    return response.json()["dashboard"]["title"] if response.status_code == 200 else None


def shipped_config(tmp_path: Path, emulator: Emulator, git_root: Path) -> Path:
    config = yaml.safe_load((DEPLOY / "kubernetes" / "config.yaml").read_text(encoding="utf-8"))
    token_file = tmp_path / "token"
    token_file.write_text(emulator.token + "\n", encoding="utf-8")
    config["grafana"]["url"] = emulator.url
    config["grafana"]["token_file"] = str(token_file)
    assert config["sync"]["dir"].startswith("/git/current/")
    config["sync"]["dir"] = str(git_root) + config["sync"]["dir"].removeprefix("/git")
    config["daemon"]["interval"] = "1h"
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_each_git_sync_commit_reaches_grafana(tmp_path: Path, emulator: Emulator) -> None:
    root = tmp_path / "git"
    commit(root, "c1", {"svc/latency.json": ("gs-latency", "Latency v1")})
    daemon = DaemonProcess.start(None, None, "--config", str(shipped_config(tmp_path, emulator, root)))
    try:
        wait_until(daemon.ready, timeout=30)
        assert title(emulator, "gs-latency") == "Latency v1"
        for sha, version in (("c2", "v2"), ("c3", "v3")):
            started = time.monotonic()
            commit(
                root,
                sha,
                {
                    "svc/latency.json": ("gs-latency", f"Latency {version}"),
                    f"svc/new-{sha}.json": (f"gs-new-{sha}", f"New in {sha}"),
                },
            )
            wait_until(
                lambda v=version, s=sha: (
                    title(emulator, "gs-latency") == f"Latency {v}"
                    and title(emulator, f"gs-new-{s}") == f"New in {s}"
                ),
                timeout=30,
            )
            print(f"git-sync commit {sha} -> Grafana in {time.monotonic() - started:.2f}s")
        assert daemon.metric("syncer_ready") == 1
    finally:
        code = daemon.stop(signal.SIGTERM)
    assert code == 0, daemon.output[-3000:]
