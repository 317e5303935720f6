"""Run the real `syncer` command line as a subprocess: the one helper every CLI test uses.

Role: tests whose subject is the process (exit codes, stdout/stderr, environment variables, the
working directory) run `python -m syncer ARGS` exactly as a user would and read the completed
process. `connection(emulator)` gives the flags that point a command at a test emulator. The
environment is the test process's own, minus the variables a test names in `without` (for example
every `GRAFANA_*`, so a developer's shell cannot leak into a test), plus `env`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from support.emulator import REPO_ROOT, Emulator

SYNCER = (sys.executable, "-m", "syncer")
TIMEOUT_S = 120.0


def syncer(
    *args: str,
    cwd: Path = REPO_ROOT,
    env: Mapping[str, str] | None = None,
    without: Callable[[str], bool] | None = None,
    timeout: float = TIMEOUT_S,
) -> subprocess.CompletedProcess[str]:
    """`python -m syncer ARGS` run to completion in `cwd`, stdout and stderr captured as text."""
    environment = {k: v for k, v in os.environ.items() if without is None or not without(k)}
    environment.update(env or {})
    return subprocess.run(
        [*SYNCER, *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def connection(emulator: Emulator, *, api: str | None = None) -> list[str]:
    """`--url U --token T [--api A]`: the flags that point a command at `emulator`."""
    flags = ["--url", emulator.url, "--token", emulator.token]
    return [*flags, "--api", api] if api is not None else flags


def grafana_variable(name: str) -> bool:
    """A `without` filter: the `GRAFANA_*` settings a developer's shell may carry."""
    return name.startswith("GRAFANA_")
