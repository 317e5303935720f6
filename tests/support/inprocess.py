"""The emulator served from a thread of the test process: the in-process test seam.

Role: `InProcessEmulator.start()` builds the emulator's aiohttp app from the same command line
`syncer emulator` parses (`syncer.emulator.cli.build_config`), serves it with the emulator's own
runner settings (`lifecycle.make_runner`) on 127.0.0.1 port 0 from a background thread with its
own event loop, and hands back the `Emulator` interface (url, tokens, `api`, `reset`, `requests`,
`fault`, `state`). Clients still talk real HTTP over loopback, so the wire, keep-alive, faults
that drop connections and a `syncer` subprocess pointed at `url` all behave as with the process.

Why a thread and a socket, not an httpx transport: aiohttp has no httpx transport, and the engine
builds its own clients from a URL; a loopback socket needs no hook in `syncer/`.

Decision, by measurement (2 cores shared with other jobs, load ~3, 2026-12-07): a start takes
0.05-0.08 s in-process against 0.29 s for `python -m syncer.emulator` (plus 0.06 s to stop it);
300 GETs take 0.17-0.19 s either way; `pytest -n 0 tests/integration` (271 tests) ran 38.2 s
in-process vs 40.4 s with the subprocess, and 41.6 s vs 38.0 s in the other order: per request the
two are equal within noise (the server thread shares the GIL, the subprocess a core). So the seam
wins on starts (one per xdist worker, one per profile fixture) and on simplicity, not per request;
the suite-wide `emulator` fixture and the per-profile fixtures serve it. Tests whose subject IS the
emulator process (its CLI, signals, `--state` persistence, a restart on the same port, binding
0.0.0.0) keep `Emulator.start()`. `SYNCER_TEST_EMULATOR=process` switches the session fixture back.
"""

from __future__ import annotations

import argparse
import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

from support.emulator import ADMIN_TOKEN, VIEWER_TOKEN, Emulator, EmulatorStartError
from syncer.emulator.app.lifecycle import make_runner
from syncer.emulator.app.server import build_context
from syncer.emulator.cli import build_config, configure_parser

STARTUP_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0


def _new_loop() -> asyncio.AbstractEventLoop:
    """uvloop where installed, as the emulator process itself runs (`lifecycle._loop_factory`)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class _ServerThread:
    """One event loop in one daemon thread, serving one emulator app until `stop()`."""

    def __init__(self, argv: list[str]) -> None:
        parser = argparse.ArgumentParser(prog="syncer emulator")
        configure_parser(parser)
        self.config = build_config(parser.parse_args(argv))
        self.loop = _new_loop()
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="in-process-emulator", daemon=True)

    def start(self) -> str:
        self.thread.start()
        if not self._ready.wait(STARTUP_TIMEOUT_S) or self._error is not None:
            raise EmulatorStartError(f"in-process emulator did not start: {self._error!r}")
        return self.url

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to start(); the thread must not die silently
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()
        self.loop.close()

    async def _serve(self) -> None:
        runner = make_runner(build_context(self.config))
        await runner.setup()
        self._runner = runner
        await web.TCPSite(runner, self.config.host, self.config.port, backlog=128).start()
        self.url = f"http://{self.config.host}:{runner.addresses[0][1]}"

    def alive(self) -> bool:
        return self.thread.is_alive() and self.loop.is_running()

    def stop(self) -> None:
        if self._runner is not None and self.loop.is_running():
            cleanup = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop)
            cleanup.result(STOP_TIMEOUT_S)
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(STOP_TIMEOUT_S)


class _ThreadProcess:
    """The slice of `subprocess.Popen` the fixtures look at (`poll`), answered by the thread."""

    def __init__(self, server: _ServerThread) -> None:
        self._server = server

    def poll(self) -> int | None:
        return None if self._server.alive() else 0


class InProcessEmulator(Emulator):
    """An `Emulator` whose server is a thread of this process (see the module docstring)."""

    def __init__(self, server: _ServerThread) -> None:
        super().__init__(_ThreadProcess(server), server.url)  # type: ignore[arg-type]
        self._server = server

    @classmethod
    def start(cls, *extra_args: str, profile: str | None = None) -> InProcessEmulator:  # type: ignore[override]
        """`Emulator.start` without a process: the same flags; no `--state` (a process concern)."""
        argv = ["--host", "127.0.0.1", "--port", "0", "--token", f"ci={ADMIN_TOKEN}"]
        argv += ["--token", f"ro={VIEWER_TOKEN}:viewer", *extra_args]
        argv += ["--profile", profile] if profile is not None else []
        server = _ServerThread(argv)
        server.start()
        return cls(server)

    def alive(self) -> bool:
        return self._server.alive()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int:
        self._client.close()
        self._server.stop()
        return 0

    def kill(self) -> None:
        self.stop()


@contextmanager
def serving(*extra_args: str, profile: str | None = None) -> Iterator[InProcessEmulator]:
    """An in-process emulator for one `with` block (a fixture's `yield`), stopped on the way out."""
    emulator = InProcessEmulator.start(*extra_args, profile=profile)
    try:
        yield emulator
    finally:
        emulator.stop()
