"""A dashboard's stored JSON bytes, and where its server-owned members sit in them.

Role: `store.dashboard_writes` and `store.snapshot` serialise content through `encode`, which also
returns the byte spans of the top-level `id`, `uid` and `version` members; the k8s routes then
serve the spec (the content without those members) as `spec_of(data, spans)`, a byte slice,
instead of parsing 30 kB of stored JSON and encoding it again for every GET and LIST item.
The slice is byte-for-byte what parsing and re-encoding gave, because the stored bytes are
already compact and key-sorted. Pure: no I/O, no store access.

How the spans are found: the members are serialised with a per-process random probe string
as their value, which is then found (exactly once, or no spans are returned and callers fall
back to parsing) and replaced by the real value.
"""

from __future__ import annotations

import secrets
from typing import Any

from syncer.emulator.store import gojson

SERVER_KEYS = ("id", "uid", "version")
Spans = tuple[tuple[int, int], ...]  # [start, end) of each `"key":value` member, in order

_NONCE = secrets.token_hex(16)
_PROBES = {key: f"emulator-probe-{_NONCE}-{key}" for key in SERVER_KEYS}
_PROBE_PREFIX = f"emulator-probe-{_NONCE}-".encode()


def encode(content: dict[str, Any]) -> tuple[bytes, Spans | None]:
    """`gojson.dumps(content)` and the spans of its server-owned members (None: not located)."""
    present = [key for key in SERVER_KEYS if key in content]
    probe_text = gojson.dumps({**content, **{key: _PROBES[key] for key in present}})
    if probe_text.count(_PROBE_PREFIX) != len(present):  # the content itself holds a probe
        return gojson.dumps(content), None
    located = []
    for key in present:
        needle = b'"%s":"%s"' % (key.encode(), _PROBES[key].encode())
        at = probe_text.find(needle)
        if at == -1:
            return gojson.dumps(content), None
        located.append((at, key, len(needle)))
    pieces: list[bytes] = []
    spans: list[tuple[int, int]] = []
    size = previous = 0
    for at, key, length in sorted(located):
        before = probe_text[previous:at]
        member = b'"%s":%s' % (key.encode(), gojson.dumps(content[key]))
        pieces += [before, member]
        size += len(before)
        spans.append((size, size + len(member)))
        size += len(member)
        previous = at + length
    pieces.append(probe_text[previous:])
    return b"".join(pieces), tuple(spans)


def spec_of(data: bytes, spans: Spans) -> bytes:
    """`data` (a compact JSON object) without the members at `spans`.

    Members never start or end with a comma, so stripping commas at the edges of what lies
    between the removed members leaves exactly the other members.
    """
    kept: list[bytes] = []
    start = 1  # after "{"
    for begin, end in spans:
        kept.append(data[start:begin].strip(b","))
        start = end
    kept.append(data[start:-1].strip(b","))
    return b"{" + b",".join(part for part in kept if part) + b"}"
