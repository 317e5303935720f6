"""The peer tool the benchmarks compare syncer with: grafana-dashboard-manager (`upload`).

Role: install the peer into its own virtual environment (bench/.peer-venv, git-ignored) on first use
with pip from the configured index, lay the generated tree out the way the peer reads it, and build
its command line.

Why this peer: of the Python tools on PyPI (see /work/shared/peers.md section 3) it is the only one
that takes a directory of dashboard files and a URL in one command. grafana-sync `restore` needs its
own backup layout and re-reads every dashboard file once per folder while walking it (quadratic), so
a 1,000-dashboard restore would measure that walk rather than the API work.

The peer's limits, which shape the comparison: it reads ONE level of folders (each sub-directory of
the source is a folder; a nested directory inside it would be opened as a file and crash), so it gets
the same dashboards in a flattened copy of the tree (`team/service/env` -> folder `team-service-env`);
it always posts every dashboard with `overwrite: true` and never reads before writing.

Who calls it: bench/cold_apply.py. It must not import syncer.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from gen import GenStats

PEER_PACKAGE = "grafana-dashboard-manager"
PEER_VENV = Path(__file__).resolve().parent / ".peer-venv"


def peer_executable() -> Path:
    """The peer's console script, installing it into its own venv the first time."""
    exe = PEER_VENV / "bin" / "grafana-dashboard-manager"
    if exe.exists():
        return exe
    print(f"installing {PEER_PACKAGE} into {PEER_VENV} ...", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    pip = [str(PEER_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", PEER_PACKAGE]
    subprocess.run(pip, check=True)
    return exe


def peer_version() -> str:
    peer_executable()  # installs the peer on first use (its version is asked before it first runs)
    python = PEER_VENV / "bin" / "python"
    code = f"import importlib.metadata as m; print(m.version({PEER_PACKAGE!r}))"
    done = subprocess.run([str(python), "-c", code], check=False, capture_output=True, text=True)
    return done.stdout.strip()


def flatten_for_peer(stats: GenStats, out: Path) -> Path:
    """Hard-link (or copy) every generated file into one folder level: `a/b/c/x.json` -> `a-b-c/x.json`."""
    for generated in stats.files:
        target = out / "-".join(generated.folder_parts) / generated.path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.hardlink_to(generated.path)
        except OSError:
            shutil.copyfile(generated.path, target)
    return out


def upload_argv(source: Path, host: str, port: int, token: str) -> list[str]:
    return [
        str(peer_executable()),
        "upload",
        "--scheme",
        "http",
        "--host",
        host,
        "--port",
        str(port),
        "-t",
        token,
        "-s",
        str(source),
        "--overwrite",
        "--non-interactive",
        "--skip-home",
    ]
