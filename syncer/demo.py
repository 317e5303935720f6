"""`python -m syncer.demo` (what `make demo` runs): plan, apply and plan again on config/examples/.

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


def examples_dir() -> Path:
    here = Path(__file__).resolve().parent.parent / "config" / "examples"
    return here if here.is_dir() else Path("config/examples")


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
    directory = str(examples_dir())
    connection: list[str] = []
    if url is not None:
        connection = ["--url", url, "--user", EMULATOR_USER[0], "--password", EMULATOR_USER[1]]
    step("validate the example repository", ["validate", directory])
    step("what would change", ["plan", directory, *connection])
    applied = step("apply it", ["apply", directory, *connection])
    again = step("plan again (expect: in sync)", ["plan", directory, "--exit-code", *connection])
    if applied != 0 or again != 0:
        print("\ndemo: FAILED (the second plan should be in sync)", file=sys.stderr)
        return 1
    print("\ndemo: done. Grafana matches config/examples/; a second apply would make zero writes.")
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
