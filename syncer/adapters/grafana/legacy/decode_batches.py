"""Live dashboards decoded by worker processes (`syncer.adapters.workers`), in batches, while the
reads go on.

Who uses it: `LegacyGrafana.fetch_live` hands every `GET /api/dashboards/uid/:uid` body here when
the run has workers. Why: decoding a body (parse, checksum of the canonical text, compress) is
about 0.35 ms of CPU per dashboard, and on the legacy API a one-shot run reads every dashboard, one
request each, on the same core as the event loop; in the workers that CPU runs beside the reads.
Why batches: one task per body cost the event loop's process 0.22 ms in pickling and futures, most
of what it saved; a batch of 16 costs it about 0.03 ms per body (500 bodies: 0.03 s of the parent's
CPU against 0.17-0.21 s decoded in place; 2026-12-07). A batch goes out when it is full or
`FLUSH_AFTER_S` after its first body, so the last few never wait for company.

Decoding gives what `wire.live_dashboard` gives in place, errors included: each body's own error
comes back with it. A batch the workers cannot take (a worker died) is decoded in place, and so is
everything after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial

from syncer.adapters.grafana.legacy.wire import live_dashboard
from syncer.adapters.workers import Workers
from syncer.logs import get_logger
from syncer.model.state import LiveDashboard

BATCH = 16
FLUSH_AFTER_S = 0.002

Body = tuple[str, bytes]  # uid, the response body
_Waiting = list["asyncio.Future[LiveDashboard]"]


class DecodeBatches:
    """`decode(uid, body)` -> a future of the `LiveDashboard`; decoded in the workers."""

    def __init__(self, workers: Workers) -> None:
        self._workers: Workers | None = workers
        self._bodies: list[Body] = []
        self._waiting: _Waiting = []
        self._timer: asyncio.TimerHandle | None = None

    def decode(self, uid: str, body: bytes) -> asyncio.Future[LiveDashboard]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[LiveDashboard] = loop.create_future()
        if self._workers is None:
            _hand_out([future], decode_all([(uid, body)]))
            return future
        self._bodies.append((uid, body))
        self._waiting.append(future)
        if len(self._bodies) >= BATCH:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(FLUSH_AFTER_S, self.flush)
        return future

    def flush(self) -> None:
        """Send what has gathered now (the reads are done, or the batch is full)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        bodies, waiting = self._bodies, self._waiting
        self._bodies, self._waiting = [], []
        if not bodies:
            return
        if self._workers is None:
            _hand_out(waiting, decode_all(bodies))
            return
        try:
            done = asyncio.wrap_future(self._workers.submit(decode_all, bodies))
        except RuntimeError:  # the pool is broken or shut down: it takes no more work
            self._give_up("the workers take no more work", bodies, waiting)
            return
        done.add_done_callback(partial(self._deliver, bodies, waiting))

    def _deliver(self, bodies: list[Body], waiting: _Waiting, done: asyncio.Future[list[object]]) -> None:
        if done.cancelled():
            for future in waiting:
                future.cancel()
            return
        failure = done.exception()
        if failure is not None:
            self._give_up(str(failure) or type(failure).__name__, bodies, waiting)
            return
        _hand_out(waiting, done.result())

    def _give_up(self, why: str, bodies: list[Body], waiting: _Waiting) -> None:
        if self._workers is not None:
            get_logger(__name__).warning("decode_workers_failed", error=why)
        self._workers = None
        _hand_out(waiting, decode_all(bodies))  # in place


def decode_all(bodies: Sequence[Body]) -> list[object]:
    """Each body's `LiveDashboard`, or the error decoding it raised (in a worker, or in place)."""
    outcomes: list[object] = []
    for uid, body in bodies:
        try:
            outcomes.append(live_dashboard(uid, body))
        except Exception as exc:
            outcomes.append(exc)
    return outcomes


def _hand_out(waiting: _Waiting, outcomes: list[object]) -> None:
    """Each outcome of `decode_all`, wherever it ran, to the future awaiting it (one cancelled
    meanwhile keeps its cancellation)."""
    for future, outcome in zip(waiting, outcomes, strict=True):
        if future.done():
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)  # type: ignore[arg-type]
