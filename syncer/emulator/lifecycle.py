"""Run the emulator process: bind, announce, serve, stop cleanly on SIGTERM/SIGINT.

Role: the entry point `syncer emulator` calls (`run(config)`). Prints exactly
`listening on http://HOST:PORT` (flushed) as the first stdout line once the socket is bound,
then serves until a signal; exits 0 after saving `--state`. Start-up problems (unreadable state
file, port in use) are one line on stderr and exit code 2, not a traceback.
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType

from syncer.emulator.config import EmulatorConfig, EmulatorContext
from syncer.emulator.persistence import StateKeeper
from syncer.emulator.server import EmulatorServer, build_context, make_server

STARTUP_FAILED = 2


class StartupError(Exception):
    pass


def run(config: EmulatorConfig) -> int:
    ctx = build_context(config)
    keeper = StateKeeper(ctx.store, config.state_file) if config.state_file else None
    try:
        if keeper is not None:
            _load_state(keeper)
        server = _bind(config, ctx)
    except StartupError as exc:
        print(f"syncer emulator: error: {exc}", file=sys.stderr, flush=True)
        return STARTUP_FAILED
    _serve_until_signal(server, keeper, config)
    print("emulator stopped", file=sys.stderr, flush=True)
    return 0


def _load_state(keeper: StateKeeper) -> None:
    try:
        keeper.load()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StartupError(f"cannot load state file {keeper.path}: {exc}") from None


def _bind(config: EmulatorConfig, ctx: EmulatorContext) -> EmulatorServer:
    try:
        return make_server(ctx)
    except OSError as exc:
        raise StartupError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None


def _serve_until_signal(server: EmulatorServer, keeper: StateKeeper | None, config: EmulatorConfig) -> None:
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    serving.start()
    if keeper is not None:
        keeper.start()
    print(f"listening on http://{config.host}:{server.server_port}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
        if keeper is not None:
            keeper.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
