"""Options shared by every command that talks to Grafana, and their translation into Settings.

Who calls it: `syncer.cli.oneshot` (plan, apply, pull) and `syncer.cli.run` (the daemon).
Precedence is flags > environment > config file > defaults; the merge itself is
`syncer.settings.model.load_settings`, this module only collects the flags the user actually gave
(every option defaults to None, meaning "not given"). It must not connect to anything.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncer.cli.jsonnet_options import jsonnet_flags
from syncer.model.errors import ConfigError

if TYPE_CHECKING:  # imported where used: registering options must stay cheap (`syncer --help`)
    import asyncio

    from syncer.settings.model import Settings, TargetSettings

GRAFANA_FLAGS = (
    "url",
    "token",
    "token_file",
    "user",
    "password",
    "org_id",
    "namespace",
    "ca_cert",
    "client_cert",
    "client_key",
    "insecure_skip_verify",
    "api",
    "timeout",
)
SYNC_FLAGS = (
    "dir",
    "prune",
    "max_deletes",
    "on_conflict",
    "on_drift",
    "concurrency",
    "manager_id",
    "adopt",
    "allow_ui_edits",
)


def directory(text: str) -> Path:
    """argparse type of DIR / --dir: an empty value is refused. `Path("")` is the current directory,
    so `syncer apply "$DASHBOARDS"` with the variable unset would sync whatever the job runs in."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the directory is an empty string (an unset variable?)")
    return Path(text)


def add_connection_options(parser: argparse.ArgumentParser, *, writes: bool = True) -> None:
    """--url, credentials, TLS, org, namespace, API flavour and --config (each also settable by
    env/file); with `writes` (commands that save dashboards) also --allow-ui-edits."""
    g = parser.add_argument_group("connection (flags > environment > config file)")
    g.add_argument(
        "--config", type=Path, metavar="FILE", help="YAML config file (see config/syncer.example.yaml)"
    )
    g.add_argument("--target", metavar="NAME", help="which target of a multi-target config file to use")
    g.add_argument("--url", help="Grafana base URL [env GRAFANA_URL]")
    g.add_argument("--token", help="service-account token [env GRAFANA_TOKEN]; prefer --token-file")
    g.add_argument("--token-file", type=Path, metavar="FILE", help="file holding the token, re-read on use")
    g.add_argument("--user", help="basic-auth user [env GRAFANA_USER]")
    g.add_argument("--password", help="basic-auth password [env GRAFANA_PASSWORD]")
    g.add_argument(
        "--org-id", type=int, metavar="N", help="organisation id (X-Grafana-Org-Id) [env GRAFANA_ORG_ID]"
    )
    g.add_argument(
        "--namespace",
        metavar="NS",
        help="k8s namespace for the resources API (default from --org-id) [env GRAFANA_NAMESPACE]",
    )
    g.add_argument("--ca-cert", type=Path, metavar="FILE", help="CA bundle to verify Grafana's certificate")
    g.add_argument("--client-cert", type=Path, metavar="FILE", help="client certificate for mutual TLS")
    g.add_argument("--client-key", type=Path, metavar="FILE", help="key of the client certificate")
    g.add_argument(
        "--insecure-skip-verify",
        action="store_true",
        default=None,
        help="do not verify Grafana's TLS certificate (dangerous; prints a warning)",
    )
    g.add_argument("--api", choices=("auto", "legacy", "resources"), help="which Grafana API to use")
    g.add_argument(
        "--timeout", metavar="DURATION", help="per-request timeout, e.g. 15s, 1m or 90 (seconds; default 15s)"
    )
    if writes:
        g.add_argument(
            "--allow-ui-edits",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="resources API: allow UI edits of saved dashboards (managerAllowsEdits; default yes)",
        )


def given(args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def settings_from_args(
    args: argparse.Namespace,
    *,
    environ: Mapping[str, str] | None = None,
    daemon: Mapping[str, Any] | None = None,
) -> Settings:
    """Settings from --config, the environment and the flags present on `args`."""
    from syncer.settings.model import load_settings

    if getattr(args, "dir", None) is None and getattr(args, "dir_flag", None) is not None:
        args.dir = args.dir_flag  # `--dir DIR` (cli.parser.merge_dir does this, with its checks, in main)
    flags: dict[str, Mapping[str, Any]] = {
        "grafana": given(args, GRAFANA_FLAGS),
        "sync": given(args, SYNC_FLAGS),
    }
    if jsonnet := jsonnet_flags(args):
        flags["sync"] = {**flags["sync"], "jsonnet": jsonnet}
    if daemon:
        flags["daemon"] = daemon
    return load_settings(getattr(args, "config", None), environ, flags)


def select_target(settings: Settings, name: str | None) -> TargetSettings:
    """The target named by --target, else the only (or first) one."""
    if name is None:
        return settings.targets[0]
    for target in settings.targets:
        if target.name == name:
            return target
    known = ", ".join(t.name for t in settings.targets)
    raise ConfigError(f"no target named {name!r} in the configuration (known: {known})")


def target_from_args(args: argparse.Namespace) -> TargetSettings:
    return select_target(settings_from_args(args), getattr(args, "target", None))


def require_url(target: TargetSettings) -> None:
    if not target.grafana.url:
        raise ConfigError(
            "no Grafana URL given: use --url, GRAFANA_URL or grafana.url in --config "
            "(for a local try-out, start `syncer emulator` or run `make demo`)"
        )


def settle_heap() -> None:
    """Keep Python's cycle collector off the objects that live for the whole command.

    Why: a run parses every dashboard on both sides, about a million JSON containers, and with the
    default threshold (a collection every 700 new containers) the collector ran thousands of times,
    each time walking every object the imports made, though JSON values hold no cycles. Freezing what
    exists now and collecting less often took a no-change `syncer apply` of 500 dashboards from
    1.31 to 1.12 s (mean of 8 alternating runs, 2026-12-07); memory is unchanged (what is frozen
    lives to the end anyway, and young garbage is still collected, only in larger batches).
    """
    import gc

    gc.freeze()  # cumulative: a second call freezes what was made since the first
    gc.set_threshold(_YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])


_YOUNG_COLLECTION_EVERY = 20_000


def install_cancel_handlers(cancel: asyncio.Event) -> None:
    """SIGTERM/SIGINT finish the requests in flight and start no new ones (then the run reports)."""
    import asyncio
    import signal

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, cancel.set)
        except (NotImplementedError, RuntimeError):  # not the main thread / platform without signals
            return
