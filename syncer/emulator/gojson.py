"""JSON as Grafana's Go backend reads and writes it.

Role: parse request bodies strictly and serialise stored documents the way Go's encoding/json
would hand them back (float64 numbers: integral floats become ints; map keys sorted).
Called by every route module and the store. Does no I/O and knows nothing about HTTP.
"""

from __future__ import annotations

import json
from typing import Any

# Go's float64 formatting switches to exponent notation at 1e21; below that an integral
# float prints without a fraction, so `1.0` reads back as `1`.
_GO_EXPONENT_THRESHOLD = 1e21


class InvalidJSON(ValueError):
    """The body is not JSON that Go's decoder would accept."""


def _reject_constant(name: str) -> Any:
    raise InvalidJSON(f"invalid JSON constant {name}")


def loads(raw: bytes | str) -> Any:
    """Parse like Go: NaN/Infinity are syntax errors."""
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidJSON(str(exc)) from exc


def go_normalise(value: Any) -> Any:
    """Return `value` with numbers as a Go float64 round trip leaves them."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _GO_EXPONENT_THRESHOLD:
            return int(value)
        return value
    if isinstance(value, dict):
        return {key: go_normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [go_normalise(item) for item in value]
    return value


def dumps(value: Any) -> bytes:
    """Compact, key-sorted UTF-8 JSON (what Go's json.Marshal of a map produces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def dumps_ordered(value: Any) -> bytes:
    """Compact UTF-8 JSON keeping insertion order (Go structs serialise in field order)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
