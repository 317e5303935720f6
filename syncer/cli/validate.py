"""`syncer validate DIR`: the offline check (exit 0 valid, 1 invalid), what a pre-commit hook runs
on every commit, so it imports only the loader (the app and its HTTP stack only for non-default
jsonnet settings).

Who calls it: `syncer.cli.oneshot.register` registers it with the other one-shot commands.
Errors always on stderr; warnings summarised unless `-v` (render.warnings), none with `-q`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from syncer.cli.common import directory, select_target, settle_heap
from syncer.cli.jsonnet_options import add_jsonnet_options, jsonnet_flags
from syncer.cli.output import add_output_options
from syncer.cli.parser import add_dir

EXIT_OK, EXIT_ERROR = 0, 1


# ---- validate ------------------------------------------------------------------------------------


def register_validate(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "validate", help="check a directory of dashboard files offline (exit 0 valid, 1 invalid)"
    )
    add_dir(p, required=True, type_=directory)
    p.add_argument("--output", choices=("text", "json"), default="text")
    p.add_argument(
        "--config", type=Path, metavar="FILE", help="take sync.inputs and min_refresh_interval from it"
    )
    p.add_argument("--target", metavar="NAME", help="which target of a multi-target config file to use")
    p.add_argument("--verbose", "-v", action="store_true", help="list every warning (default: summarised)")
    add_output_options(p)
    add_jsonnet_options(p)
    p.set_defaults(handler=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    from syncer.adapters.files.load_workers import workers_for
    from syncer.adapters.files.loader import validate_directory
    from syncer.adapters.workers import closing_workers
    from syncer.settings.model import JsonnetSettings, load_settings

    inputs: dict[str, str] = {}
    min_refresh = "5s"
    limits: dict[str, Any] = {}
    flags = {"sync": {"jsonnet": jsonnet_flags(args)}}
    target = select_target(load_settings(args.config, environ={}, flags=flags), args.target)
    if args.config is not None:
        inputs, min_refresh = dict(target.sync.inputs), target.grafana.min_refresh_interval
        limits = {
            "max_file_bytes": target.sync.max_file_bytes,
            "max_folder_depth": target.sync.max_folder_depth,
        }
    jsonnet = None  # the loader's default options: what default settings give
    if target.sync.jsonnet != JsonnetSettings():
        from syncer.app import jsonnet_options  # why only here: the app loads the HTTP stack (0.3 s)

        jsonnet = jsonnet_options(target.sync.jsonnet)
    settle_heap()
    with closing_workers(workers_for(args.dir)) as workers:
        state = validate_directory(
            args.dir, inputs=inputs, min_refresh=min_refresh, jsonnet=jsonnet, workers=workers, **limits
        )
    valid = not state.errors
    if args.output == "json":
        doc = {
            "schemaVersion": 1,
            "valid": valid,
            "dashboards": len(state.dashboards),
            "libraryPanels": len(state.library_panels),
            "folders": len(state.folders),
            "filesSeen": state.files_seen,
            "problems": [
                {
                    "path": p.path,
                    "line": p.line,
                    "column": p.column,
                    "severity": p.severity.value,
                    "message": p.message,
                }
                for p in state.problems
            ],
        }
        print(json.dumps(doc, indent=2))
    else:
        from syncer.render.warnings import summarise

        for problem in state.errors:
            print(problem, file=sys.stderr)
        if not args.quiet:
            for line in summarise((str(w) for w in state.warnings), verbose=args.verbose):
                print(line, file=sys.stderr)
        verdict = "valid" if valid else f"INVALID ({len(state.errors)} error(s))"
        panels = f", {len(state.library_panels)} library panel(s)" if state.library_panels else ""
        print(
            f"{args.dir}: {verdict}: {len(state.dashboards)} dashboard(s){panels} in {len(state.folders)} "
            f"folder(s), {len(state.warnings)} warning(s)."
        )
    return EXIT_OK if valid else EXIT_ERROR
