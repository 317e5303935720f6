"""Command-line entry point: parse, build settings, hand over to a use case, render, exit.

Each sub-command lives in its own module with `register(subparsers)`; the handler it sets
returns the process exit code. This module only dispatches.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from syncer import __version__
from syncer.cli import emulator, oneshot, run
from syncer.model.errors import ConfigError, SourceError

COMMAND_MODULES = (oneshot, run, emulator)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="syncer",
        description="Keep Grafana dashboards equal to a directory of dashboard files.",
    )
    parser.add_argument("--version", action="version", version=f"syncer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except (ConfigError, SourceError) as exc:
        print(f"syncer: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code
