"""What the one-shot commands print besides the report: problems, warnings, colour, quiet, and
the diagnosis of a Grafana URL that did not work.

Who calls it: `syncer.cli.oneshot`. Results go to stdout, problems to stderr (so `--output json`
stays parseable). Errors are always printed; warnings are summarised (render.warnings) unless
`-v`, and left out with `--quiet`.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from syncer.render.style import Style, wants_colour

if TYPE_CHECKING:  # what the handlers print is imported when printed: start-up stays light
    from syncer.model.results import RunReport
    from syncer.settings.model import TargetSettings

NOT_GRAFANA_FAILURES = ("cannot read the source", "interrupted")


def add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-color", action="store_true", help="no colour even on a terminal (also: NO_COLOR set)"
    )
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="print only the summary and errors (no warnings, no lines)"
    )


def announce_api(args: argparse.Namespace) -> None:
    """With -v, say which Grafana API `api: auto` chose (stderr)."""
    from syncer.adapters.grafana.resources import auto as resources_auto

    resources_auto.ANNOUNCE_ON_STDERR[0] = bool(getattr(args, "verbose", False))


def style_for(args: argparse.Namespace, stream: TextIO) -> Style:
    return Style(enabled=wants_colour(stream, no_color_flag=getattr(args, "no_color", False)))


def report_warnings(report: RunReport) -> tuple[str, ...]:
    from syncer.engine.reconcile import WARNINGS

    found = report.extra.get(WARNINGS, ())
    return tuple(str(w) for w in found) if isinstance(found, tuple | list) else ()


def print_problems(report: RunReport, args: argparse.Namespace) -> None:
    """Errors always; warnings (things syncer fixes itself) summarised unless -v, none with -q."""
    for problem in report.source_errors:
        print(problem, file=sys.stderr)
    if getattr(args, "quiet", False):
        return
    from syncer.render.warnings import summarise

    for line in summarise(report_warnings(report), verbose=getattr(args, "verbose", False)):
        print(line, file=sys.stderr)


def print_fatal(fatal: str, target: TargetSettings) -> None:
    """The fatal error, then, for a Grafana failure, what answers at the URL (when that helps)."""
    print(f"syncer: error: {fatal}", file=sys.stderr)
    if fatal.startswith(NOT_GRAFANA_FAILURES) or not target.grafana.url:
        return
    import asyncio

    from syncer.app import diagnose_url

    hint = asyncio.run(diagnose_url(target.grafana))
    if hint:
        print(f"syncer: hint: {hint}", file=sys.stderr)
