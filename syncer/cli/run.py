"""`syncer run`: the long-running daemon (file watcher + periodic full resync + HTTP endpoints).

Who calls it: `syncer.cli` dispatches here. This module parses the options, builds the settings (flags >
environment > config file), configures logging, and wires the parts: one `TargetSpec` per configured
target (its connection opened through `syncer.app.open_target`), the watchdog watcher, the Prometheus
metrics, the HTTP server and the `Daemon`. Signals set the stop event; the process exits 0 after a clean
shutdown. It holds no logic of its own.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncer.cli.common import add_connection_options, directory, given, require_url, settings_from_args
from syncer.cli.jsonnet_options import add_jsonnet_options
from syncer.cli.parser import add_dir
from syncer.logs import get_logger
from syncer.model.errors import ConfigError
from syncer.model.limits import DEFAULT_CONCURRENCY

if TYPE_CHECKING:  # imported where used: `syncer --help` must not load the daemon (docs/benchmarks.md)
    import asyncio
    from collections.abc import Callable

    from syncer.endpoints.metrics import PrometheusMetrics
    from syncer.engine.daemon.config import DaemonConfig, SourceWatcher, TargetSpec, WatcherFactory
    from syncer.engine.daemon.loop import Daemon
    from syncer.settings.model import DaemonSettings, Settings, TargetSettings


log = get_logger("syncer.run")


DAEMON_FLAGS = (
    "listen",
    "interval",
    "jitter",
    "debounce",
    "max_debounce",
    "sync_token_file",
    "log_format",
    "backoff_max",
    "shutdown_timeout",
    "probe_interval",
)


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "run",
        help="run the daemon (watcher + periodic reconcile + /healthz /readyz /metrics)",
        description="Keep Grafana equal to the directory continuously: reconcile on file changes, "
        "resync everything periodically, serve health, readiness and metrics over HTTP.",
    )
    add_connection_options(p)
    _add_sync_options(p)
    add_jsonnet_options(p)
    _add_daemon_options(p)
    p.set_defaults(handler=run_command)


def _add_sync_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("what to sync (apply to every target)")
    add_dir(p, required=False, type_=directory)
    g.add_argument(
        "--prune",
        action="store_true",
        default=None,
        help="delete managed dashboards whose file is gone (default: off)",
    )
    g.add_argument(
        "--max-deletes", type=int, metavar="N", help="refuse to prune more than N per pass (default 50)"
    )
    g.add_argument(
        "--on-conflict",
        choices=("overwrite", "skip", "fail"),
        help="git and Grafana both changed: overwrite (default: git wins; the edit stays in Grafana's "
        "version history), skip (leave both, exit 0), fail (exit 3)",
    )
    g.add_argument(
        "--on-drift",
        choices=("revert", "skip"),
        help="only Grafana changed (a UI edit): revert (default) or skip (leave it, listed in the plan)",
    )
    g.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help=f"parallel requests per target (default {DEFAULT_CONCURRENCY})",
    )
    g.add_argument(
        "--manager-id",
        metavar="ID",
        help="this syncer instance's ownership id (default: derived from the source: git remote + path, "
        "else the directory's absolute path)",
    )
    g.add_argument(
        "--adopt",
        action="store_true",
        default=None,
        help="take over dashboards that exist in Grafana without a syncer marker (default: refuse, exit 3)",
    )


def _add_daemon_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("daemon")
    g.add_argument("--listen", metavar="HOST:PORT", help="HTTP endpoints address (default 0.0.0.0:8080)")
    # durations go to the settings as given: `30s`, `5m`, `1h30m`, `300ms` or a number of seconds
    g.add_argument("--interval", metavar="DURATION", help="full resync period, e.g. 30s, 5m (default 5m)")
    g.add_argument("--jitter", type=float, metavar="SHARE", help="+- share of the interval (default 0.1)")
    g.add_argument("--debounce", metavar="DURATION", help="quiet time ending a burst (default 300ms)")
    g.add_argument("--max-debounce", metavar="DURATION", help="longest wait in a burst (default 5s)")
    g.add_argument("--sync-token-file", type=Path, metavar="FILE", help="bearer token required by POST /sync")
    g.add_argument("--backoff-max", metavar="DURATION", help="retry backoff cap (default 30s)")
    g.add_argument("--shutdown-timeout", metavar="DURATION", help="SIGTERM grace (default 20s)")
    g.add_argument(
        "--probe-interval",
        metavar="DURATION",
        help="check Grafana this often between reconciles, for /readyz (default 15s; 0 disables)",
    )
    g.add_argument("--log-format", choices=("auto", "json", "console"), help="log renderer (auto: by TTY)")
    g.add_argument("--log-level", choices=("debug", "info", "warning", "error"), help="default info")


def run_command(args: argparse.Namespace) -> int:
    import asyncio

    from syncer.logs import configure_logging, redactor

    settings = settings_from_args(args, daemon=given(args, DAEMON_FLAGS))
    targets = _selected_targets(settings, args.target)
    configure_logging(args.log_level or settings.log_level, settings.daemon.log_format)
    for target in targets:
        grafana = target.grafana
        redactor.register_credentials(
            grafana.token.get_secret_value() if grafana.token else None,
            grafana.user,
            grafana.password.get_secret_value() if grafana.password else None,
        )
    host, port = parse_listen(settings.daemon.listen)
    return asyncio.run(_serve(settings.daemon, targets, host, port))


def _selected_targets(settings: Settings, name: str | None) -> tuple[TargetSettings, ...]:
    targets = tuple(t for t in settings.targets if name is None or t.name == name)
    if not targets:
        known = ", ".join(t.name for t in settings.targets)
        raise ConfigError(f"no target named {name!r} in the configuration (known: {known})")
    for target in targets:
        require_url(target)
        if target.sync.dir is None:
            raise ConfigError(
                f"target {target.name!r}: no source directory (use --dir or sync.dir in --config)"
            )
    return targets


def parse_listen(listen: str) -> tuple[str, int]:
    """ "HOST:PORT", "[IPv6]:PORT" or ":PORT" (all interfaces)."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise ConfigError(f"--listen must be HOST:PORT, got {listen!r}")
    host = host.strip("[]") or "0.0.0.0"
    return host, int(port)


def daemon_config(settings: DaemonSettings) -> DaemonConfig:
    from syncer.engine.daemon.config import DaemonConfig

    return DaemonConfig(
        interval_s=settings.interval_s,
        jitter=settings.jitter,
        debounce_s=settings.debounce_s,
        max_debounce_s=max(settings.max_debounce_s, settings.debounce_s),
        backoff_max_s=settings.backoff_max_s,
        shutdown_timeout_s=settings.shutdown_timeout_s,
        probe_interval_s=settings.probe_interval_s,
        freeze_heap_after_full_pass=True,
    )


def _spec(target: TargetSettings, metrics: PrometheusMetrics) -> TargetSpec:
    from functools import partial

    from syncer.adapters.grafana.resources.client import DAEMON_PAGE_SIZE
    from syncer.app import open_target
    from syncer.engine.daemon.config import TargetSpec

    assert target.sync.dir is not None
    token_file = target.grafana.token_file
    return TargetSpec(
        name=target.name,
        root=Path(target.sync.dir),
        open=partial(
            open_target, target, metrics=metrics.for_target(target.name), page_size=DAEMON_PAGE_SIZE
        ),
        credential_files=(token_file,) if token_file is not None else (),
    )


def _watcher_factory(targets: tuple[TargetSettings, ...]) -> WatcherFactory:
    """Watchers that also watch each target's jsonnet library directories outside its tree."""
    from syncer.adapters.files.watcher import DirectoryWatcher
    from syncer.app import library_dirs_outside

    outside = {Path(t.sync.dir or "."): library_dirs_outside(t) for t in targets}

    def factory(
        root: Path,
        on_change: Callable[[], None],
        credentials: tuple[Path, ...],
        on_credentials: Callable[[], None],
    ) -> SourceWatcher:
        return DirectoryWatcher(
            root, on_change, credentials, on_credentials, library_dirs=outside.get(root, ())
        )

    return factory


async def _serve(settings: DaemonSettings, targets: tuple[TargetSettings, ...], host: str, port: int) -> int:
    import asyncio
    import sys

    from syncer.endpoints.http import HttpServer
    from syncer.endpoints.metrics import PrometheusMetrics
    from syncer.engine.daemon.loop import Daemon

    metrics = PrometheusMetrics()
    daemon = Daemon(
        [_spec(t, metrics) for t in targets],
        config=daemon_config(settings),
        metrics=metrics,
        watcher_factory=_watcher_factory(targets),
    )
    server = HttpServer(daemon, exposition=metrics.exposition, sync_token_file=settings.sync_token_file)
    try:
        bound_host, bound_port = await server.start(host, port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    url_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    print(f"serving http on http://{url_host}:{bound_port}", flush=True)
    log.info("serving http", url=f"http://{url_host}:{bound_port}")
    stop = asyncio.Event()
    _install_stop_handlers(stop)
    _install_resync_handler(daemon)
    try:
        await daemon.run(stop)
    finally:
        await server.close()
    sys.stdout.flush()
    return 0


def _install_resync_handler(daemon: Daemon) -> None:
    """SIGHUP asks for a full resync of every target (its default action would kill the daemon
    silently, e.g. when the terminal that started it closes)."""
    import asyncio
    import signal

    from syncer.engine.funnel import Trigger

    def on_hangup() -> None:
        log.info("signal received", signal="SIGHUP", action="full resync")
        daemon.request_sync(None, Trigger.SIGNAL)

    asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, on_hangup)


def _install_stop_handlers(stop: asyncio.Event) -> None:
    import asyncio
    import signal

    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        log.info("signal received", signal=signal.Signals(signum).name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)
