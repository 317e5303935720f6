"""Run the emulator process: bind, announce, serve, stop cleanly on SIGTERM/SIGINT.

Role: the entry point `syncer emulator` calls (`run(config)`). Prints exactly
`listening on http://HOST:PORT` (flushed) as the first stdout line once the socket is bound,
then serves until a signal; exits 0 after saving `--state`. Start-up problems (unreadable state
file, port in use) are one line on stderr and exit code 2, not a traceback.
aiohttp's `AppRunner`/`TCPSite` own the sockets; this module only wires signals and state.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable

from aiohttp import web

from syncer.emulator.app.server import build_app, build_context
from syncer.emulator.config import EmulatorConfig, EmulatorContext
from syncer.emulator.store.persistence import StateKeeper

STARTUP_FAILED = 2
KEEPALIVE_S = 120  # how long an idle keep-alive connection stays open
SHUTDOWN_GRACE_S = 2.0  # in-flight requests get this long after SIGTERM
MAX_LINE = 65536  # request line and header line limit (aiohttp's default 8 kB is below Go's)


class StartupError(Exception):
    pass


def run(config: EmulatorConfig) -> int:
    ctx = build_context(config)
    keeper = StateKeeper(ctx.store, config.state_file) if config.state_file else None
    try:
        if keeper is not None:
            _load_state(keeper)
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(_serve_until_signal(ctx, keeper))
    except StartupError as exc:
        print(f"syncer emulator: error: {exc}", file=sys.stderr, flush=True)
        return STARTUP_FAILED
    print("emulator stopped", file=sys.stderr, flush=True)
    return 0


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (a third less CPU per request), else asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _load_state(keeper: StateKeeper) -> None:
    try:
        keeper.load()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StartupError(f"cannot load state file {keeper.path}: {exc}") from exc


def make_runner(ctx: EmulatorContext) -> web.AppRunner:
    """The aiohttp runner with the emulator's connection settings (no aiohttp access log)."""
    return web.AppRunner(
        build_app(ctx),
        handle_signals=False,
        access_log=None,
        keepalive_timeout=KEEPALIVE_S,
        shutdown_timeout=SHUTDOWN_GRACE_S,
        max_line_size=MAX_LINE,
        max_field_size=MAX_LINE,
        auto_decompress=False,  # Grafana does not inflate request bodies either
    )


async def _serve_until_signal(ctx: EmulatorContext, keeper: StateKeeper | None) -> None:
    config = ctx.config
    runner = make_runner(ctx)
    await runner.setup()
    saving = False
    try:
        try:
            await web.TCPSite(runner, config.host, config.port, backlog=128, reuse_address=True).start()
        except OSError as exc:
            raise StartupError(
                f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}"
            ) from exc
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        if keeper is not None:
            keeper.start()
            saving = True
        print(f"listening on http://{config.host}:{runner.addresses[0][1]}", flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()  # stop serving first, so the final save sees the last write
        if keeper is not None and saving:
            keeper.stop()
