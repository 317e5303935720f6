"""The jsonnet flags of validate, plan, apply and run: `-J/--jpath`, `--ext-str`, `--ext-code`,
`--tla-str`, `--tla-code` (the `jsonnet` command's own spelling), and their `sync.jsonnet` settings.

Who calls it: `syncer.cli.oneshot` and `syncer.cli.run` register the options; `syncer.cli.common`
adds what was given to the settings' flag layer (flags add to, and win over, the config file's).
`-J` paths are taken relative to the current directory, as `jsonnet -J` takes them (else relative
to the source root).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

_MAPS = (("ext_str", "ext_vars"), ("ext_code", "ext_code"), ("tla_str", "tla_vars"), ("tla_code", "tla_code"))


def add_jsonnet_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("jsonnet sources (flags add to sync.jsonnet in the config file)")
    g.add_argument(
        "-J",
        "--jpath",
        action="append",
        type=Path,
        metavar="DIR",
        help="library directory, searched in the order given (default: vendor/ beside the file, "
        "then vendor/ at the source root)",
    )
    for flag, what in (
        ("--ext-str", "external variable, a string (KEY alone: from the environment)"),
        ("--ext-code", "external variable, jsonnet code"),
        ("--tla-str", "top-level argument, a string (KEY alone: from the environment)"),
        ("--tla-code", "top-level argument, jsonnet code"),
    ):
        g.add_argument(flag, action="append", type=_key_value, metavar="KEY=VALUE", help=what)


def jsonnet_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The `sync.jsonnet` settings the flags on `args` give (empty when none was given)."""
    given: dict[str, Any] = {}
    jpath = getattr(args, "jpath", None)
    if jpath:
        # as `jsonnet -J`: relative to the current directory; one that is not a directory there is
        # kept relative, which the loader takes relative to the source root
        given["jpath"] = tuple(Path(os.path.abspath(p)) if p.is_dir() else p for p in jpath)
    for dest, key in _MAPS:
        pairs = getattr(args, dest, None)
        if pairs:
            given[key] = dict(pairs)
    return given


def _key_value(text: str) -> tuple[str, str]:
    """`KEY=VALUE`, or `KEY` alone for the environment variable of that name (as `jsonnet` does)."""
    key, sep, value = text.partition("=")
    if not key:
        raise argparse.ArgumentTypeError(f"{text!r}: expected KEY=VALUE")
    if not sep:
        if key not in os.environ:
            raise argparse.ArgumentTypeError(f"{key!r}: no '=' and no environment variable of that name")
        value = os.environ[key]
    return key, value
