"""Bytes kept small while a pass holds them: the content of every file and every live dashboard.

Who uses it: `state.CompactJSON` (file content, resources API live content) and the legacy adapter's
`StoredDashboardJSON` (the live response). Why zstd (python-zstandard) at level 1: a pass compresses
every dashboard it reads, so the codec's speed is CPU on every run. On the 500 dashboards of
`bench/gen.py --count 500 --seed 7` (26.6 MB; 2026-12-07, quiet machine) zlib at level 1 compressed
in 0.078 s and decompressed in 0.045 s at 11.6:1; zstd level 1 took 0.022-0.05 s and 0.013-0.02 s
at 14.9:1, so it is faster and the kept state is smaller. Pure: no I/O.
"""

from __future__ import annotations

import threading

import zstandard

_LEVEL = 1
_local = threading.local()  # why: a compressor is not thread-safe, and making one per call costs


def pack(data: bytes) -> bytes:
    compressor: zstandard.ZstdCompressor | None = getattr(_local, "compressor", None)
    if compressor is None:
        compressor = _local.compressor = zstandard.ZstdCompressor(level=_LEVEL)
    # why the copy: python-zstandard returns its worst-case-sized output buffer with a shorter length
    # set (0.25: tracemalloc counts 38.9 kB held for a 2.9 kB result), so every blob a pass keeps
    # would cost as much memory as the text it compresses; a copy of the few kB is right-sized
    return bytes(memoryview(compressor.compress(data)))


def unpack(blob: bytes) -> bytes:
    return zstandard.decompress(blob)
