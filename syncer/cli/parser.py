"""The argument parser every syncer command uses: strict and helpful.

Why a subclass: plain argparse takes `--prun` as `--prune` (abbreviations, dangerous on a
destructive flag), reports a sub-command's unknown flag with the top-level usage, and suggests
nothing. Here abbreviations are off, the sub-command that got the bad flag prints its own usage,
and a near miss is named ("did you mean `--prune`?", "did you mean `apply`?"). Policy defaults are
shown in `--help` (ArgumentDefaultsHelpFormatter shows only defaults that are not None).
Standard library only: it is imported on every start-up.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from syncer.core.suggest import did_you_mean

_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")
DIR_DEST, DIR_FLAG_DEST = "dir", "dir_flag"
USAGE_ERROR = 1


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Defaults in help texts, only where a help text does not already say it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS, []):
            return text
        return super()._get_help_string(action)


class SyncerParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Unknown arguments are an error of the parser that saw them (a sub-command's own usage)."""
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            unknown = extras[0]
            options = [o for a in self._actions for o in a.option_strings]
            hint = did_you_mean(unknown.split("=", 1)[0], options) if unknown.startswith("-") else ""
            self.error(f"unrecognized arguments: {' '.join(extras)}{hint}")
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        """Exit 1, not argparse's 2: 2 is `plan --exit-code`'s "changes pending", and CI scripts
        that accept 2 must never take a mistyped option for it (docs/cli.md, exit codes)."""
        found = _INVALID_CHOICE.search(message)
        if found:
            choices = [c.strip().strip("'") for c in found.group(2).split(",")]
            message += did_you_mean(found.group(1), choices)
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def add_dir(parser: argparse.ArgumentParser, *, required: bool, type_: Any) -> None:
    """DIR as a positional or as `--dir` (same meaning; every command accepts both)."""
    parser.add_argument(DIR_DEST, type=type_, metavar="DIR", nargs="?", help="directory of dashboard files")
    parser.add_argument("--dir", dest=DIR_FLAG_DEST, type=type_, metavar="DIR", help="the same as DIR")
    parser.set_defaults(dir_required=required, subparser=parser)


def merge_dir(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Fold `--dir` into `dir`; both given and different, or a required one missing, is a usage error."""
    if not hasattr(args, DIR_FLAG_DEST):
        return
    positional: Path | None = getattr(args, DIR_DEST, None)
    flag: Path | None = getattr(args, DIR_FLAG_DEST)
    if positional is not None and flag is not None and positional != flag:
        _sub_error(parser, args, f"DIR {positional} and --dir {flag} disagree; give one")
    args.dir = positional if positional is not None else flag
    if args.dir is None and getattr(args, "dir_required", False):
        _sub_error(parser, args, "the following arguments are required: DIR (or --dir DIR)")


def _sub_error(parser: argparse.ArgumentParser, args: argparse.Namespace, message: str) -> NoReturn:
    sub = getattr(args, "subparser", None)
    (sub if isinstance(sub, argparse.ArgumentParser) else parser).error(message)
