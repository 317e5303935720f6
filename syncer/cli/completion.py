"""`syncer completion bash|zsh|fish`: print a shell completion script for the whole command line.

Why shtab: it turns the argparse parser itself into a static script, so completion knows every
sub-command, option and choice that `syncer --help` does, stays in step with them, and costs nothing
at run time (the shell never starts Python to complete). shtab is imported only by this command, so
`syncer --help` and every other command do not pay for it. Arguments whose metavar says DIR or FILE
complete paths; the mapping is done here, by introspection, so the command modules stay as they are.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

SHELLS = ("bash", "zsh", "fish")
INSTALL = """\
Print a completion script for your shell. Install it, for example:
  bash:  syncer completion bash > ~/.local/share/bash-completion/completions/syncer
  zsh:   syncer completion zsh > "${fpath[1]}/_syncer"   (a directory on $fpath; then restart zsh)
  fish:  syncer completion fish > ~/.config/fish/completions/syncer.fish
or load it for the current bash session: source <(syncer completion bash)"""


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, fish)",
        description=INSTALL,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    p.set_defaults(handler=completion_command)


def completion_command(args: argparse.Namespace) -> int:
    sys.stdout.write(completion_script(args.shell))
    return 0


def completion_script(shell: str) -> str:
    """The completion script for `shell`, generated from the full `syncer` parser."""
    import shtab  # why lazy: only this command needs it

    from syncer.cli import build_parser

    parser = build_parser()
    _mark_paths(parser, shtab.DIRECTORY, shtab.FILE)
    script: str = shtab.complete(parser, shell=shell)
    return script


def _mark_paths(parser: argparse.ArgumentParser, directory: Any, file: Any) -> None:
    """Tell shtab which arguments are paths: DIR ones complete directories, FILE ones files."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                _mark_paths(sub, directory, file)
        elif action.metavar in ("DIR", "FILE"):
            action.complete = directory if action.metavar == "DIR" else file  # type: ignore[attr-defined]
