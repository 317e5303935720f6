"""`python -m syncer.demo` (what `make demo` runs): plan, apply and plan again on config/examples/,
and apply syncer's own metrics dashboard (deploy/grafana/) next to it.

The two directories are two sources applied by two runs with prune off (the default): prune on
either run would delete the other directory's dashboards, which carry the same manager id.

Without GRAFANA_URL it starts the built-in emulator (`syncer emulator --port 0`) as a subprocess,
talks to it with the emulator's default basic-auth account, and stops it at the end. With
GRAFANA_URL set it uses that server and the usual GRAFANA_* credentials.
Every step goes through `syncer.cli.main`, so the output is exactly what the CLI prints.
It must not take shortcuts around the CLI: the demo is also a smoke test of the real code path.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from syncer.cli import main as cli_main

EMULATOR_USER = ("admin", "admin")  # the emulator's default basic-auth account (docs/emulator.md)
STARTUP_PREFIX = "listening on "


def repo_dir(relative: str) -> Path:
    here = Path(__file__).resolve().parent.parent / relative
    return here if here.is_dir() else Path(relative)


@contextmanager
def emulator() -> Iterator[str]:
    """A fresh emulator on a free loopback port; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "syncer", "emulator", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith(STARTUP_PREFIX):
            raise SystemExit(f"demo: the emulator did not start (said {line!r})")
        yield line.removeprefix(STARTUP_PREFIX)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


SECRET_FLAGS = frozenset({"--password", "--token"})


def shown(argv: Sequence[str]) -> str:
    """The command line as printed: secret values masked, even the emulator's well-known demo password."""
    return " ".join("***" if i and argv[i - 1] in SECRET_FLAGS else arg for i, arg in enumerate(argv))


def step(title: str, argv: Sequence[str]) -> int:
    print(f"\n=== {title}: syncer {shown(argv)}", flush=True)
    code = cli_main(list(argv))
    sys.stdout.flush()
    print(f"=== exit code {code}", flush=True)
    return code


def run(url: str | None) -> int:
    examples, metrics = str(repo_dir("config/examples")), str(repo_dir("deploy/grafana"))
    connection: list[str] = []
    if url is not None:
        connection = ["--url", url, "--user", EMULATOR_USER[0], "--password", EMULATOR_USER[1]]
    step("validate the example repository", ["validate", examples])
    step("what would change", ["plan", examples, *connection])
    codes = [
        step("apply it", ["apply", examples, *connection]),
        step("apply syncer's own metrics dashboard", ["apply", metrics, *connection]),
        step("plan again (expect: in sync)", ["plan", examples, "--exit-code", *connection]),
        step(
            "plan the metrics dashboard again (expect: in sync)",
            ["plan", metrics, "--exit-code", *connection],
        ),
    ]
    if any(codes):
        print("\ndemo: FAILED (each apply should succeed and each second plan be in sync)", file=sys.stderr)
        return 1
    print(
        "\ndemo: done. Grafana matches config/examples/ and deploy/grafana/; "
        "a second apply would make zero writes."
    )
    return 0


def main() -> int:
    if os.environ.get("GRAFANA_URL"):
        print(f"demo: using the Grafana at {os.environ['GRAFANA_URL']} (GRAFANA_URL)")
        return run(None)
    with emulator() as url:
        print(f"demo: GRAFANA_URL is not set, so the built-in emulator was started at {url}")
        return run(url)


if __name__ == "__main__":
    raise SystemExit(main())
