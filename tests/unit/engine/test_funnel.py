"""The trigger funnel: coalescing, debouncing, full-subsumes-incremental, no overlap, close."""

from __future__ import annotations

import asyncio

import pytest

from syncer.engine.funnel import Funnel, Trigger


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_full_request_is_served_at_once_with_its_trigger() -> None:
    async def scenario() -> None:
        funnel = Funnel(debounce_s=10.0, max_delay_s=60.0)
        funnel.request_full(Trigger.TIMER)
        batch = await asyncio.wait_for(funnel.next_batch(), 1.0)
        assert batch is not None
        assert batch.full
        assert batch.triggers == {Trigger.TIMER}
        assert batch.coalesced == 1
        assert not funnel.pending

    run(scenario())


def test_requests_arriving_together_coalesce_into_one_batch() -> None:
    async def scenario() -> None:
        funnel = Funnel(debounce_s=0.0, max_delay_s=0.0)
        for _ in range(5):
            funnel.request_full(Trigger.HTTP)
        funnel.request_full(Trigger.TIMER)
        batch = await funnel.next_batch()
        assert batch is not None
        assert batch.coalesced == 6
        assert batch.triggers == {Trigger.HTTP, Trigger.TIMER}
        assert not funnel.pending

    run(scenario())


def test_full_request_subsumes_pending_incremental_changes() -> None:
    async def scenario() -> None:
        funnel = Funnel(debounce_s=30.0, max_delay_s=60.0)
        funnel.notify_change()
        funnel.notify_change()
        funnel.request_full(Trigger.HTTP)
        batch = await asyncio.wait_for(funnel.next_batch(), 1.0)  # no debounce wait: full goes now
        assert batch is not None
        assert batch.full
        assert batch.triggers == {Trigger.WATCH, Trigger.HTTP}
        assert not funnel.pending

    run(scenario())


def test_burst_of_changes_becomes_one_incremental_batch_after_the_quiet_period() -> None:
    async def scenario() -> None:
        funnel = Funnel(debounce_s=0.15, max_delay_s=10.0)
        got: list[object] = []

        async def consumer() -> None:
            got.append(await funnel.next_batch())

        task = asyncio.create_task(consumer())
        loop = asyncio.get_running_loop()
        started = loop.time()
        for _ in range(20):  # 1,000 files' worth of events in 0.2 s: never quiet for 0.15 s
            for _ in range(50):
                funnel.notify_change()
            await asyncio.sleep(0.01)
        assert not got, "a batch must not be served while the burst goes on"
        await asyncio.wait_for(task, 2.0)
        waited = loop.time() - started
        batch = got[0]
        assert batch is not None and not batch.full  # type: ignore[attr-defined]
        assert batch.coalesced == 1000  # type: ignore[attr-defined]
        assert waited >= 0.15

    run(scenario())


def test_never_quiet_tree_is_still_served_by_the_max_delay() -> None:
    clock = FakeClock()

    async def scenario() -> None:
        funnel = Funnel(debounce_s=1.0, max_delay_s=5.0, clock=clock)
        funnel.notify_change()  # t = 0
        for _ in range(5):  # an event every 0.9 s: never quiet for 1 s
            clock.now += 0.9
            funnel.notify_change()
        clock.now = 1000.0 + 5.0  # the last event was 0.5 s ago, but 5 s have passed since the first
        batch = await asyncio.wait_for(funnel.next_batch(), 0.5)
        assert batch is not None and not batch.full and batch.coalesced == 6

    run(scenario())


def test_quiet_period_uses_the_last_event_time() -> None:
    clock = FakeClock()

    async def scenario() -> None:
        funnel = Funnel(debounce_s=1.0, max_delay_s=100.0, clock=clock)
        funnel.notify_change()
        clock.now += 0.8
        funnel.notify_change()
        clock.now += 0.5  # 1.3 s after the first, 0.5 s after the last: not quiet yet
        consumer = asyncio.create_task(funnel.next_batch())
        await asyncio.sleep(0.05)
        assert not consumer.done()
        clock.now += 0.6  # now 1.1 s after the last
        batch = await asyncio.wait_for(consumer, 2.0)
        assert batch is not None

    run(scenario())


def test_one_consumer_never_overlaps_and_triggers_during_a_run_coalesce() -> None:
    async def scenario() -> None:
        funnel = Funnel(debounce_s=0.0, max_delay_s=0.0)
        running = 0
        overlaps = 0
        batches = []

        async def runner() -> None:
            nonlocal running, overlaps
            while (batch := await funnel.next_batch()) is not None:
                running += 1
                overlaps += running > 1
                batches.append(batch)
                await asyncio.sleep(0.1)  # a reconcile in progress
                running -= 1

        task = asyncio.create_task(runner())
        funnel.request_full(Trigger.STARTUP)
        await asyncio.sleep(0.02)
        for _ in range(10):  # all arrive while the first run is going on
            funnel.request_full(Trigger.HTTP)
            funnel.notify_change()
        await asyncio.sleep(0.35)
        funnel.close()
        await asyncio.wait_for(task, 1.0)
        assert overlaps == 0
        assert len(batches) == 2
        assert batches[1].full and batches[1].coalesced == 20

    run(scenario())


def test_close_wakes_a_waiting_consumer_and_refuses_new_triggers() -> None:
    async def scenario() -> None:
        funnel = Funnel(debounce_s=0.0, max_delay_s=0.0)
        waiter = asyncio.create_task(funnel.next_batch())
        await asyncio.sleep(0.01)
        funnel.close()
        assert await asyncio.wait_for(waiter, 1.0) is None
        assert not funnel.request_full(Trigger.HTTP)
        assert not funnel.notify_change()
        assert await funnel.next_batch() is None

    run(scenario())


@pytest.mark.parametrize("debounce", [0.0, 0.05])
def test_incremental_batch_is_not_full(debounce: float) -> None:
    async def scenario() -> None:
        funnel = Funnel(debounce_s=debounce, max_delay_s=1.0)
        funnel.notify_change()
        batch = await asyncio.wait_for(funnel.next_batch(), 1.0)
        assert batch is not None and not batch.full and batch.triggers == {Trigger.WATCH}

    run(scenario())
