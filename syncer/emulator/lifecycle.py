"""Run the emulator process: bind, announce, serve, stop cleanly on SIGTERM/SIGINT.

Role: the entry point `syncer emulator` calls (`run(config)`). Prints exactly
`listening on http://HOST:PORT` (flushed) as the first stdout line once the socket is bound,
then serves until a signal; exits 0 after saving `--state`.
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType

from syncer.emulator.config import EmulatorConfig
from syncer.emulator.persistence import StateKeeper
from syncer.emulator.server import build_context, make_server


def run(config: EmulatorConfig) -> int:
    ctx = build_context(config)
    keeper = StateKeeper(ctx.store, config.state_file) if config.state_file else None
    if keeper is not None:
        keeper.load()
    server = make_server(ctx)
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
    print("emulator stopped", file=sys.stderr, flush=True)
    return 0
