"""The one bounded gather both Grafana adapters use: order kept, never more than `concurrency` at once."""

from __future__ import annotations

import asyncio

import pytest

from syncer.adapters.grafana.gather import BoundedGather, together


@pytest.mark.parametrize(("concurrency", "items"), [(1, 5), (3, 10), (8, 4)])
def test_keeps_order_and_bounds_concurrency(concurrency: int, items: int) -> None:
    running = peak = 0

    async def work(item: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        running -= 1
        return item * 10

    result = asyncio.run(BoundedGather(concurrency)(work, range(items)))
    assert result == [i * 10 for i in range(items)]
    assert peak == min(concurrency, items)


def test_a_failure_propagates() -> None:
    async def work(item: int) -> int:
        if item == 2:
            raise ValueError("item 2")
        return item

    with pytest.raises(ValueError, match="item 2"):
        asyncio.run(BoundedGather(2)(work, range(4)))


def test_together_gives_both_results_and_cancels_the_other_when_one_fails() -> None:
    async def value(v: int, delay: float) -> int:
        await asyncio.sleep(delay)
        return v

    assert asyncio.run(together(value(1, 0.01), value(2, 0))) == (1, 2)

    finished: list[str] = []

    async def slow() -> int:
        try:
            await asyncio.sleep(5)
        finally:
            finished.append("slow")  # cancelled, and awaited before the error went on
        return 0

    async def failing() -> int:
        await asyncio.sleep(0)
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        asyncio.run(together(slow(), failing()))
    assert finished == ["slow"]
