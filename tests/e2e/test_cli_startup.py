"""What `syncer --help` and `syncer validate` load: a pre-commit hook pays their start-up on every commit.

Timing on a shared machine is noise; which modules a command imports is not. Each case runs the real
entry point in a fresh interpreter and lists the heavy packages it loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    *("aiohttp", "httpx", "pydantic", "structlog", "watchdog", "apscheduler"),
    *("syncer.app", "syncer.engine"),
)
PROBE = """
import json, sys
from syncer.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit_:
    code = exit_.code
loaded = [name for name in sys.modules for heavy in HEAVY if name == heavy or name.startswith(heavy + ".")]
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def loaded_by(*argv: str) -> tuple[int, list[str]]:
    """Exit code and the heavy modules imported by `syncer ARGV` (stdout is the command's own)."""
    script = f"HEAVY = {HEAVY!r}\n{PROBE}"
    done = subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, timeout=60, check=False
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    names = {name if name.startswith("syncer") else name.split(".")[0] for name in report["loaded"]}
    return report["code"], sorted(names)


@pytest.mark.parametrize("argv", [("--help",), ("apply", "--help"), ("run", "--help")])
def test_help_loads_no_http_stack_engine_or_settings(argv: tuple[str, ...]) -> None:
    code, loaded = loaded_by(*argv)
    assert code == 0
    assert loaded == []


def test_validate_loads_no_http_stack_or_engine(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"uid": "a", "title": "A", "panels": []}')
    code, loaded = loaded_by("validate", str(tmp_path))
    assert code == 0
    assert not {"aiohttp", "httpx", "syncer.app", "watchdog", "apscheduler"} & set(loaded)
    assert not any(name.startswith("syncer.engine") for name in loaded)
