"""The command line: parse, build settings, hand over to a use case, render, exit with its code.
Each sub-command is a module with `register(subparsers)`; this module only dispatches. Used by `syncer`.
It must not hold logic a daemon or a test would need: that lives in `app`, `engine` and `core`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from syncer import __version__
from syncer.cli.parser import SyncerParser, merge_dir
from syncer.model.errors import ConfigError, GrafanaError, SourceError

COMMAND_MODULES = ("syncer.cli.oneshot", "syncer.cli.run", "syncer.cli.emulator", "syncer.cli.completion")
MODULE_OF_COMMAND = {
    "validate": "syncer.cli.oneshot",
    "plan": "syncer.cli.oneshot",
    "apply": "syncer.cli.oneshot",
    "pull": "syncer.cli.oneshot",
    "manager-id": "syncer.cli.oneshot",
    "run": "syncer.cli.run",
    "emulator": "syncer.cli.emulator",
    "completion": "syncer.cli.completion",
}


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = SyncerParser(
        prog="syncer",
        description="Keep Grafana dashboards equal to a directory of dashboard files.",
    )
    parser.add_argument("--version", action="version", version=f"syncer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in modules:
        importlib.import_module(name).register(sub)
    return parser


def _modules_for(argv: Sequence[str]) -> Sequence[str]:
    """Only the module of the command given, when one is: importing the daemon, its scheduler and
    metrics, and the emulator costs a one-shot `plan` (a git hook, a CI step) about 0.3 s."""
    module = MODULE_OF_COMMAND.get(argv[0]) if argv else None
    return (module,) if module else COMMAND_MODULES


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_modules_for(arguments))
    args = parser.parse_args(arguments)
    merge_dir(parser, args)
    try:
        code: int = args.handler(args)
    except (ConfigError, SourceError, GrafanaError) as exc:
        # why GrafanaError: `plan`/`apply` report it in their RunReport; `pull` and discovery raise it.
        # Its text went through the HTTP adapter's credential scrubbing.
        print(f"syncer: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code
