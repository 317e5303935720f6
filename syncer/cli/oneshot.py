"""`syncer validate | plan | apply | pull`: the one-shot commands (exit codes are a contract).

Who calls it: `syncer.cli.main` dispatches here; each handler parses its options into Settings,
runs one use case through `syncer.app`/`syncer.engine`, renders with `syncer.render` and returns
the exit code:

    validate  0 valid, 1 invalid
    plan      0 (with --exit-code: 0 in sync, 2 Grafana differs from the source), 1 error
    apply     0 converged, 1 errors (input, refused prune, failed actions), 3 unresolved conflicts
    (usage errors exit 1, never 2: see syncer.cli.parser; pull and manager-id: syncer.cli.pull)

It must not contain reconcile logic; it only wires and prints (results on stdout, problems on stderr).
What a command runs is imported inside its handler: `syncer --help` and `syncer validate` (what a
pre-commit hook pays on every commit) must not load the HTTP stack, the engine or pydantic.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncer.cli.common import (
    add_connection_options,
    directory,
    install_cancel_handlers,
    require_url,
    settle_heap,
    target_from_args,
)
from syncer.cli.jsonnet_options import add_jsonnet_options
from syncer.cli.output import (
    add_output_options,
    announce_api,
    print_fatal,
    print_problems,
    report_warnings,
    style_for,
)
from syncer.cli.parser import add_dir
from syncer.cli.pull import register_manager_id, register_pull
from syncer.cli.validate import register_validate
from syncer.model.errors import ConfigError
from syncer.model.limits import DEFAULT_CONCURRENCY

if TYPE_CHECKING:
    from syncer.adapters.files.loader import DirectorySource
    from syncer.adapters.workers import Workers
    from syncer.model.plan import Plan
    from syncer.model.results import RunReport
    from syncer.settings.model import TargetSettings

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_CONFLICTS = 0, 1, 2, 3


def register(sub: Any) -> None:
    register_validate(sub)
    _register_plan(sub)
    _register_apply(sub)
    register_pull(sub)
    register_manager_id(sub)


# ---- plan / apply --------------------------------------------------------------------------------


def _add_sync_options(p: argparse.ArgumentParser) -> None:
    add_dir(p, required=False, type_=directory)
    p.add_argument(
        "--output",
        choices=("text", "json", "markdown"),
        default="text",
        help="report format on stdout (markdown: a pull-request comment with a diff per dashboard)",
    )
    p.add_argument(
        "--prune",
        action="store_true",
        default=None,
        help="delete managed dashboards absent from DIR (default: off; they are listed as orphans)",
    )
    p.add_argument(
        "--max-deletes", type=int, metavar="N", help="refuse to prune more than N dashboards (default 50)"
    )
    p.add_argument(
        "--on-conflict",
        choices=("overwrite", "skip", "fail"),
        help="git and Grafana both changed: overwrite (default: git wins; the edit stays in Grafana's "
        "version history), skip (leave both, exit 0), fail (exit 3)",
    )
    p.add_argument(
        "--on-drift",
        choices=("revert", "skip"),
        help="only Grafana changed (a UI edit): revert (default) or skip (leave it, listed in the plan)",
    )
    p.add_argument(
        "--concurrency", type=int, metavar="N", help=f"parallel requests (default {DEFAULT_CONCURRENCY})"
    )
    p.add_argument(
        "--manager-id",
        metavar="ID",
        help="this syncer instance's ownership id (default: derived from the source: git remote + path, "
        "else the directory's absolute path)",
    )
    p.add_argument(
        "--adopt",
        action="store_true",
        default=None,
        help="take over dashboards that exist in Grafana without a syncer marker (default: refuse, exit 3)",
    )
    p.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="list every source warning (and, for plan, unchanged dashboards)",
    )
    add_output_options(p)
    add_connection_options(p)
    add_jsonnet_options(p)


def _register_plan(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("plan", help="show what apply would change, with reasons")
    _add_sync_options(p)
    p.add_argument(
        "--diff",
        action="store_true",
        help="show a unified diff of each changed dashboard (new ones: one line each)",
    )
    p.add_argument("--diff-new", action="store_true", help="with --diff: show new dashboards in full too")
    p.add_argument(
        "--exit-code", action="store_true", help="exit 0 when in sync, 2 when changes are pending, 1 on error"
    )
    p.set_defaults(handler=cmd_plan)


def _register_apply(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("apply", help="make Grafana match DIR")
    _add_sync_options(p)
    p.add_argument("--dry-run", action="store_true", help="plan only; same as `syncer plan`")
    p.set_defaults(handler=cmd_apply)


def cmd_plan(args: argparse.Namespace) -> int:
    from syncer.render import plan_diff, plan_text
    from syncer.render.headline import plan_headline

    target = _target(args)
    report = _one_pass(target, args, dry_run=True, progress=False)
    code = _plan_exit_code(report, args.exit_code)
    print_problems(report, args)
    if args.output == "json":
        _print_json(report, "plan", target, code)
        return code
    if args.output == "markdown":
        _print_markdown(report, "plan", target)
        return code
    if report.fatal:
        print_fatal(report.fatal, target)
        return code
    style = style_for(args, sys.stdout)
    errors = len(report.source_errors)
    if args.quiet:
        sys.stdout.write("\n".join(plan_headline(report.plan, source_errors=errors, style=style)) + "\n")
        return code
    diff = plan_diff(report.plan, full_new=args.diff_new) if args.diff else ""
    sys.stdout.write(
        plan_text(report.plan, verbose=args.verbose, source_errors=errors, style=style, diff=diff)
    )
    return code


def cmd_apply(args: argparse.Namespace) -> int:
    if args.dry_run:
        args.diff, args.diff_new, args.exit_code = False, False, False
        return cmd_plan(args)
    from syncer.engine.reconcile import exit_code_for_apply
    from syncer.render import result_text

    target = _target(args)
    report = _one_pass(target, args, dry_run=False, progress=args.output == "text" and not args.quiet)
    code = exit_code_for_apply(report)
    print_problems(report, args)
    if args.output == "json":
        _print_json(report, "apply", target, code)
        return code
    if args.output == "markdown":
        _print_markdown(report, "apply", target)
        return code
    if report.results or not report.fatal:  # an interrupted run still lists what it did
        sys.stdout.write(result_text(report, style=style_for(args, sys.stdout), quiet=args.quiet))
    if report.fatal:
        print_fatal(report.fatal, target)
    return code


def _target(args: argparse.Namespace) -> TargetSettings:
    target = target_from_args(args)
    require_url(target)
    if target.sync.dir is None:
        raise ConfigError("no source directory given (DIR argument or sync.dir in --config)")
    return target


def _one_pass(
    target: TargetSettings, args: argparse.Namespace, *, dry_run: bool, progress: bool
) -> RunReport:
    """One reconcile pass of a one-shot command. The worker processes that parse a big source are
    forked first, while this is the only thread (`adapters.workers`); then the files start loading,
    and the HTTP stack is imported and the server read meanwhile."""
    import asyncio

    from syncer.adapters.files.load_workers import workers_for
    from syncer.adapters.workers import closing_workers
    from syncer.app import build_source

    settle_heap()
    with closing_workers(workers_for(Path(target.sync.dir or "."))) as workers:
        source = build_source(target, workers)
        source.start_loading()
        announce_api(args)  # the first import of the HTTP stack (about 0.15 s), while the files load
        run = _reconcile(target, dry_run=dry_run, progress=progress, workers=workers, source=source)
        return asyncio.run(run)


async def _reconcile(
    target: TargetSettings,
    *,
    dry_run: bool,
    progress: bool,
    workers: Workers | None,
    source: DirectorySource,
) -> RunReport:
    import asyncio

    from syncer.app import open_target
    from syncer.engine.reconcile import reconcile_once
    from syncer.render import Progress

    cancel = asyncio.Event()
    install_cancel_handlers(cancel)
    bar = Progress(total=0) if progress else None
    async with open_target(target, workers=workers, source=source) as t:
        settle_heap()  # again: the HTTP stack and the adapters were imported since the first time
        report = await reconcile_once(
            t,
            dry_run=dry_run,
            cancel=cancel,
            on_plan=(lambda plan: bar.start(_visible_actions(plan))) if bar else None,
            on_progress=bar.update if bar else None,
        )
    if bar:
        bar.close()
    return report


def _visible_actions(plan: Plan) -> int:
    from syncer.model.plan import ActionKind

    kinds = [a.kind for a in plan.folder_actions]
    kinds += [a.kind for a in (*plan.library_actions, *plan.dashboard_actions)]
    return sum(1 for kind in kinds if kind is not ActionKind.NOOP)


def _plan_exit_code(report: RunReport, exit_code_flag: bool) -> int:
    if report.fatal or report.source_errors or report.plan.refusals:
        return EXIT_ERROR
    if exit_code_flag and not report.plan.in_sync:
        return EXIT_CHANGES
    return EXIT_OK


def _print_json(report: RunReport, command: str, target: TargetSettings, code: int) -> None:
    from syncer.render import report_document

    doc = report_document(
        report,
        command=command,
        source=str(target.sync.dir),
        grafana_url=target.grafana.url,
        exit_code=code,
        warnings=report_warnings(report),
    )
    print(json.dumps(doc, indent=2, sort_keys=False))


def _print_markdown(report: RunReport, command: str, target: TargetSettings) -> None:
    """A PR comment on stdout (the fatal error, if any, also on stderr for the job log)."""
    from syncer.render.markdown import apply_markdown, plan_markdown  # why lazy: only this output needs it

    render = plan_markdown if command == "plan" else apply_markdown
    sys.stdout.write(render(report, title=f"syncer {command}: {target.sync.dir}"))
    if report.fatal:
        print_fatal(report.fatal, target)


__all__ = ["register"]
