"""Bounded concurrency for one adapter's requests: `fn` over many items, at most `concurrency` at once.

Used by both Grafana adapters (legacy reads, resources reads), which must not import each other, so
the one implementation sits here. Why bounded: one request per dashboard on 10,000 dashboards must
not open 10,000 requests at once (the HTTP pool and Grafana both have limits).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class BoundedGather:
    """Call it like `asyncio.gather` over `fn(item)`; results keep the order of `items`."""

    def __init__(self, concurrency: int) -> None:
        self._limit = asyncio.Semaphore(concurrency)

    async def __call__(self, fn: Callable[[T], Awaitable[R]], items: Iterable[T]) -> list[R]:
        async def bounded(item: T) -> R:
            async with self._limit:
                return await fn(item)

        return list(await asyncio.gather(*(bounded(i) for i in items)))


async def together(first: Awaitable[T], second: Awaitable[R]) -> tuple[T, R]:
    """Both results, run concurrently; when one fails the other is cancelled and awaited before the
    error goes on (`asyncio.gather` would leave it running against a client about to be closed)."""
    tasks = (asyncio.ensure_future(first), asyncio.ensure_future(second))
    try:
        one, two = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return one, two
