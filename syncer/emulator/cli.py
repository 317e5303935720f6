"""Command line of the emulator: `syncer emulator ...` and `python -m syncer.emulator ...`.

    syncer emulator [--host H] [--port P] [--token [NAME=]TOKEN[:ROLE]]... [--profile 11.2|12|13]
                    [--state FILE] [--basic-auth USER:PASS | --no-basic-auth]
                    [--datasource TYPE:UID:NAME]... [--min-refresh-interval 5s] [--access-log]
                    [--control-token TOKEN] [--max-nested-folder-depth N]
    syncer emulator fault --url URL [--route R] [--status N] [--count N] [--retry-after S]
                          [--latency-ms MS] [--drop] [--down-for-s S] [--mode close|503] [--message M]
    syncer emulator faults|clear-faults|requests|reset|state|info --url URL

Role: flags -> `EmulatorConfig` -> `lifecycle.run`, or one control-API call printed as JSON. Building
the parser imports nothing but argparse and the duration parser: every `syncer` command builds it.
It lives inside the emulator package so the emulator starts without importing the rest of
syncer (fast start-up in tests); `syncer/cli/emulator.py` only registers it. Tokens given on
the command line are never echoed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from syncer.durations import DurationError, parse_setting_seconds

if TYPE_CHECKING:
    from syncer.emulator.config import EmulatorConfig

CONTROL_ACTIONS = {
    "faults": ("GET", "/faults", "list active fault rules"),
    "clear-faults": ("DELETE", "/faults", "remove every fault rule"),
    "requests": ("GET", "/requests", "print request counters"),
    "reset": ("POST", "/reset", "clear state, counters and faults"),
    "state": ("GET", "/state", "dump dashboards and folders"),
    "info": ("GET", "/info", "profile, Grafana version, orgs, state file"),
}


CONTROL_TOKEN_ENV = "SYNCER_EMULATOR_CONTROL_TOKEN"
ABSOLUTE_MAX_FOLDER_DEPTH = 7
DESCRIPTION = "Serve an in-memory Grafana-compatible API (legacy /api and k8s /apis)."


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m syncer.emulator`: the same command line without the rest of syncer."""
    parser = argparse.ArgumentParser(prog="syncer emulator", description=DESCRIPTION)
    configure_parser(parser)
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the serve flags and the control sub-commands to `parser`."""
    _add_serve_flags(parser)
    parser.set_defaults(handler=_serve)
    actions = parser.add_subparsers(dest="emulator_action", metavar="ACTION")
    fault = actions.add_parser("fault", help="add a fault rule to a running emulator")
    fault.add_argument("--url", required=True, help="emulator base URL, e.g. http://127.0.0.1:3000")
    fault.add_argument("--route", default="*", help='"*", "METHOD /api/template/:param" or "/template"')
    fault.add_argument("--status", type=int, help="answer with this HTTP status")
    fault.add_argument(
        "--count", type=int, help="apply to the next N matching requests (default: until cleared)"
    )
    # durations as everywhere in syncer (`2s`, `300ms`, `1m`, or a number of seconds); the old
    # --latency-ms / --down-for-s keep their units
    fault.add_argument("--retry-after", type=_duration, metavar="DURATION", help="Retry-After header value")
    delay = fault.add_mutually_exclusive_group()
    delay.add_argument(
        "--latency", type=_duration, metavar="DURATION", help="delay matching requests, e.g. 300ms"
    )
    delay.add_argument("--latency-ms", type=int, help=argparse.SUPPRESS)
    fault.add_argument("--drop", action="store_true", help="close the connection without a response")
    down = fault.add_mutually_exclusive_group()
    down.add_argument(
        "--down-for", type=_duration, metavar="DURATION", help="refuse every API request this long"
    )
    down.add_argument("--down-for-s", type=float, help=argparse.SUPPRESS)
    fault.add_argument("--mode", choices=("close", "503"), help="how a down server refuses (default close)")
    fault.add_argument("--message", help="error message in the JSON body of a --status fault")
    fault.set_defaults(handler=_add_fault)
    _add_control_token_flag(fault)
    for name, (_, _, help_text) in CONTROL_ACTIONS.items():
        action = actions.add_parser(name, help=help_text)
        action.add_argument("--url", required=True, help="emulator base URL")
        _add_control_token_flag(action)
        action.set_defaults(handler=_control)


def _add_control_token_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--control-token",
        default=os.environ.get(CONTROL_TOKEN_ENV) or None,
        help=f"the emulator's --control-token, if it has one (default ${CONTROL_TOKEN_ENV})",
    )


def _add_serve_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=3000, help="port to bind; 0 picks a free one (default 3000)"
    )
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="[NAME=]TOKEN[:ROLE]",
        help="accept this bearer token; ROLE admin (default), editor or viewer; repeatable",
    )
    parser.add_argument(
        "--basic-auth", default="admin:admin", metavar="USER:PASS", help="basic-auth admin login"
    )
    parser.add_argument("--no-basic-auth", action="store_true", help="refuse basic auth")
    parser.add_argument(
        "--profile", default="12", help="Grafana behaviour: 11.2, 12 (default; 11.3-12.x) or 13"
    )
    parser.add_argument(
        "--state", type=Path, metavar="FILE", help="persist the store in FILE across restarts"
    )
    parser.add_argument(
        "--datasource",
        action="append",
        default=[],
        metavar="TYPE:UID:NAME",
        help="datasource to serve (default prometheus:prometheus:Prometheus); repeatable",
    )
    parser.add_argument(
        "--min-refresh-interval", default="5s", help="server min_refresh_interval (default 5s)"
    )
    parser.add_argument("--access-log", action="store_true", help="log METHOD PATH -> STATUS to stderr")
    parser.add_argument(
        "--max-nested-folder-depth",
        type=int,
        metavar="N",
        help="Grafana's [folder] max_nested_folder_depth, clamped to 1..7 as Grafana does "
        "(default: the profile's, 4 on 12/13)",
    )
    parser.add_argument(
        "--control-token",
        default=os.environ.get(CONTROL_TOKEN_ENV) or None,
        metavar="TOKEN",
        help="require `Authorization: Bearer TOKEN` on /__emulator/* (default $"
        f"{CONTROL_TOKEN_ENV}); without it the control API answers loopback clients only",
    )
    parser.add_argument(
        "--no-folder-description",
        action="store_true",
        help="omit `description` from legacy folder DTOs and lists, exactly as real Grafana 11/12 does",
    )


def build_config(args: argparse.Namespace) -> EmulatorConfig:
    # why here: `syncer --help` and `syncer apply` build this command's parser too, and these
    # imports (the control client alone pulls in urllib.request) are for running it
    from syncer.emulator.app.auth import TokenSyntaxError, parse_basic_auth, parse_token_spec
    from syncer.emulator.config import DEFAULT_DATASOURCE, DataSourceSpec, EmulatorConfig
    from syncer.emulator.durations import parse_seconds
    from syncer.emulator.profiles import resolve_profile

    try:
        tokens = tuple(parse_token_spec(text) for text in args.token)
        basic = None if args.no_basic_auth else parse_basic_auth(args.basic_auth)
        profile = resolve_profile(args.profile)
        datasources = tuple(DataSourceSpec.parse(t) for t in args.datasource) or (DEFAULT_DATASOURCE,)
    except (TokenSyntaxError, ValueError) as exc:
        raise SystemExit(f"syncer emulator: error: {exc}") from exc
    min_refresh = parse_seconds(args.min_refresh_interval)
    if min_refresh is None or min_refresh < 0:
        raise SystemExit(f"syncer emulator: error: bad --min-refresh-interval {args.min_refresh_interval!r}")
    return EmulatorConfig(
        host=args.host,
        port=args.port,
        tokens=tokens,
        basic_auth=basic,
        profile=profile,
        state_file=args.state,
        min_refresh_interval=args.min_refresh_interval,
        datasources=datasources,
        access_log=args.access_log,
        folder_description_in_dto=not args.no_folder_description,
        control_token=args.control_token,
        max_nested_folder_depth=_folder_depth(args.max_nested_folder_depth),
    )


def _folder_depth(value: int | None) -> int | None:
    """Grafana's reader (pkg/setting, readFolderSettings) clamps the setting to 1..7."""
    return None if value is None else min(max(value, 1), ABSOLUTE_MAX_FOLDER_DEPTH)


def _serve(args: argparse.Namespace) -> int:
    from syncer.emulator.app.lifecycle import run

    return run(build_config(args))


def _print(document: object) -> None:
    print(json.dumps(document, indent=2, sort_keys=True))


def _duration(text: str) -> float:
    """argparse type of a duration flag: seconds, or an error that shows accepted examples."""
    try:
        return parse_setting_seconds(text)
    except DurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _add_fault(args: argparse.Namespace) -> int:
    if args.latency is not None:
        args.latency_ms = round(args.latency * 1000)
    if args.down_for is not None:
        args.down_for_s = args.down_for
    rule: dict[str, object] = {"route": args.route}
    for key in ("status", "count", "retry_after", "latency_ms", "down_for_s", "mode", "message"):
        value = getattr(args, key)
        if value is not None:
            rule[key] = value
    if args.drop:
        rule["drop"] = True
    return _send(args.url, "POST", "/faults", [rule], args.control_token)


def _control(args: argparse.Namespace) -> int:
    method, path, _ = CONTROL_ACTIONS[args.emulator_action]
    return _send(args.url, method, path, None, args.control_token)


def _send(url: str, method: str, path: str, body: object, control_token: str | None) -> int:
    from syncer.emulator.control.client import ControlError, call

    try:
        _print(call(url, method, path, body, control_token=control_token))
    except ControlError as exc:
        print(f"syncer emulator: error: {exc}", file=sys.stderr)
        return 1
    return 0
