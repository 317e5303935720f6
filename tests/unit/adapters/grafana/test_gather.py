"""The one bounded gather both Grafana adapters use: order kept, never more than `concurrency` at once."""

from __future__ import annotations

import asyncio

import pytest

from syncer.adapters.grafana.gather import BoundedGather


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
