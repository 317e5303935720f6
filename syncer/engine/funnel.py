"""The trigger funnel of one daemon target: every reason to reconcile goes in, one batch at a time comes out.

Who calls it: producers are the file watcher (`notify_change`, debounced), the periodic timer and
`POST /sync` (`request_full`); the single consumer is that target's runner (`next_batch`) in
`syncer.engine.daemon.target`. Because there is exactly one consumer that awaits a batch, runs it to the
end and only then asks for the next one, reconciles of a target never overlap; whatever arrives meanwhile
is coalesced into the next batch, and a pending full resync subsumes pending incremental work.

It must not do I/O or know what a reconcile is: it only decides *when* and *what kind*. It is not
thread-safe: callers on other threads (watchdog) hop onto the loop with `call_soon_threadsafe` first.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Trigger(StrEnum):
    """Why a reconcile was asked for (the `source` label of the triggers metric)."""

    STARTUP = "startup"
    WATCH = "watch"
    TIMER = "timer"
    HTTP = "http"
    RETRY = "retry"
    CREDENTIALS = "credentials"
    SIGNAL = "signal"  # SIGHUP: a full resync, as daemons conventionally reload on it


@dataclass(frozen=True)
class Batch:
    """What the runner should do next: a full resync (scope None) or an incremental one."""

    full: bool
    triggers: frozenset[Trigger]
    coalesced: int  # how many requests this batch answers


class Funnel:
    """Coalescing, debouncing trigger queue with at most one pending batch.

    `debounce_s`: file events are folded together until the tree has been quiet this long, so a checkout
    touching 1,000 files gives one batch. `max_delay_s` bounds the wait under a never-ending stream of
    events, so a constantly-written tree still gets reconciled.
    """

    def __init__(
        self,
        *,
        debounce_s: float,
        max_delay_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._debounce_s = debounce_s
        self._max_delay_s = max(max_delay_s, debounce_s)
        self._clock = clock
        self._wake = asyncio.Event()
        self._closed = False
        self._full = False
        self._changed = False
        self._first_change = 0.0
        self._last_change = 0.0
        self._triggers: set[Trigger] = set()
        self._count = 0

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def pending(self) -> bool:
        return self._full or self._changed

    def request_full(self, trigger: Trigger) -> bool:
        """Ask for a full resync as soon as the current run (if any) ends. False once closed."""
        if self._closed:
            return False
        self._full = True
        self._note(trigger)
        return True

    def notify_change(self, trigger: Trigger = Trigger.WATCH) -> bool:
        """Files changed: ask for an incremental run once the burst has settled. False once closed."""
        if self._closed:
            return False
        now = self._clock()
        if not self._changed:
            self._first_change = now
        self._changed = True
        self._last_change = now
        self._note(trigger)
        return True

    def close(self) -> None:
        """Stop taking triggers; a waiting `next_batch` returns None, pending work is dropped."""
        self._closed = True
        self._wake.set()

    async def next_batch(self) -> Batch | None:
        """Wait for the next batch; None when the funnel is closed."""
        while not self._closed:
            if self._full:
                return self._take(full=True)
            if self._changed:
                delay = self._settle_delay()
                if delay <= 0:
                    return self._take(full=False)
                await self._wait(delay)
            else:
                await self._wait(None)
        return None

    def _note(self, trigger: Trigger) -> None:
        self._triggers.add(trigger)
        self._count += 1
        self._wake.set()

    def _settle_delay(self) -> float:
        now = self._clock()
        quiet_at = self._last_change + self._debounce_s
        deadline = self._first_change + self._max_delay_s
        return min(quiet_at, deadline) - now

    async def _wait(self, timeout: float | None) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def _take(self, *, full: bool) -> Batch:
        batch = Batch(full=full, triggers=frozenset(self._triggers), coalesced=self._count)
        self._full = self._changed = False
        self._triggers = set()
        self._count = 0
        return batch
