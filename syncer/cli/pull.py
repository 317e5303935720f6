"""`syncer pull` (Grafana back into the source tree) and `syncer manager-id` (the ownership id a
hook asks the checkout for): the one-shot commands that do not plan.

Who calls it: `syncer.cli.oneshot.register` registers them with the other one-shot commands.
Exit codes: pull 0 written, 1 error; manager-id 0. It only wires and prints; what a handler runs
is imported inside it (`syncer --help` must not load the HTTP stack).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from syncer.cli.common import add_connection_options, directory, require_url, target_from_args
from syncer.cli.output import print_fatal
from syncer.cli.parser import add_dir
from syncer.model.errors import ConfigError, GrafanaError

EXIT_OK, EXIT_ERROR = 0, 1


# ---- pull ------------------------------------------------------------------------------------------


def register_pull(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "pull", help="export Grafana's dashboards into DIR (the layout apply reads back)"
    )
    add_dir(p, required=True, type_=directory)
    p.add_argument("--folder", metavar="UID", help="export only this folder's subtree (default: everything)")
    p.add_argument(
        "--uid", action="append", default=[], metavar="UID", help="only this dashboard (repeatable)"
    )
    p.add_argument(
        "--conflicts-only",
        action="store_true",
        help="only dashboards edited in Grafana since syncer last wrote them (what the pre-push hook blocks)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty DIR that is not the source tree of these dashboards",
    )
    p.add_argument(
        "--manager-id",
        metavar="ID",
        help="the source's ownership id, as for plan (default: derived from DIR)",
    )
    add_connection_options(p, writes=False)
    p.set_defaults(handler=cmd_pull)


def cmd_pull(args: argparse.Namespace) -> int:
    import asyncio

    from syncer.app import pull_directory
    from syncer.engine.pull import PullOptions

    target = target_from_args(args)
    require_url(target)
    options = PullOptions(
        folder_uid=args.folder, uids=frozenset(args.uid), conflicts_only=args.conflicts_only, force=args.force
    )
    try:
        summary = asyncio.run(pull_directory(target, args.dir, options))
    except GrafanaError as exc:
        print_fatal(str(exc), target)
        return EXIT_ERROR
    print(summary.text(), file=sys.stdout if summary.ok else sys.stderr)
    return EXIT_OK if summary.ok else EXIT_ERROR


# ---- manager-id ------------------------------------------------------------------------------------


def register_manager_id(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "manager-id",
        help="print the ownership id plan/apply use for DIR (derived from the source unless configured)",
    )
    add_dir(p, required=False, type_=directory)
    p.add_argument("--manager-id", metavar="ID", help="an explicit id (printed back as given)")
    add_connection_options(p, writes=False)
    p.set_defaults(handler=cmd_manager_id)


def cmd_manager_id(args: argparse.Namespace) -> int:
    """For hooks that plan from an exported copy of the tree (`git archive` into a temporary
    directory): they ask the repository's checkout for its id and pass it with --manager-id."""
    from syncer.app import build_policy

    target = target_from_args(args)
    if target.sync.dir is None:
        raise ConfigError("no source directory given (DIR argument or sync.dir in --config)")
    print(build_policy(target.sync).manager_id)
    return EXIT_OK
