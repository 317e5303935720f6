"""What a pass keeps of every dashboard: packed small, unpacked exactly, and really small in memory.

python-zstandard hands back its worst-case-sized output buffer with a shorter length set; kept as it
is, each blob would hold as much memory as the text it compresses. The heap is traced (tracemalloc,
independent of the machine's load) while blobs are kept.
"""

from __future__ import annotations

import json
import tracemalloc

from syncer.model import packing


def _dashboard_text(n: int) -> bytes:
    panels = [
        {"id": p, "type": "timeseries", "title": f"panel {p} of {n}", "targets": [{"expr": f"up{{p='{p}'}}"}]}
        for p in range(200)
    ]
    return json.dumps({"uid": f"d{n}", "title": f"Dashboard {n}", "panels": panels}).encode()


def test_unpack_gives_back_the_exact_bytes() -> None:
    for data in (b"", b"{}", _dashboard_text(1), bytes(range(256)) * 50):
        assert packing.unpack(packing.pack(data)) == data


def test_kept_blobs_hold_about_their_compressed_size() -> None:
    texts = [_dashboard_text(n) for n in range(20)]
    packing.pack(texts[0])  # this thread's compressor exists before the heap is traced
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [packing.pack(text) for text in texts]
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    total = sum(map(len, texts))
    assert sum(map(len, kept)) < total / 5  # the premise: the texts compress well
    assert held < total / 4, f"{held} bytes held for {sum(map(len, kept))} bytes of blobs"
