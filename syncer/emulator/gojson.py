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


def _go_float(text: str) -> int | float:
    value = float(text)
    if value.is_integer() and abs(value) < _GO_EXPONENT_THRESHOLD:
        return int(value)
    return value


def loads(raw: bytes | str, *, float64: bool = True) -> Any:
    """Parse like Go: NaN/Infinity are syntax errors.

    `float64=True` reads numbers the way a Go `interface{}`/unstructured decode leaves them
    (`1.0` becomes `1`), as Grafana 12's k8s-backed storage does; `False` keeps floats as written
    (Grafana 11's simplejson keeps number literals). Normalising during the parse, instead of
    walking the result, keeps a 30 kB save cheap. Stored documents are re-read with `False`.
    """
    try:
        return json.loads(raw, parse_constant=_reject_constant, parse_float=_go_float if float64 else float)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidJSON(str(exc)) from exc


def dumps(value: Any) -> bytes:
    """Compact, key-sorted UTF-8 JSON (what Go's json.Marshal of a map produces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def dumps_ordered(value: Any) -> bytes:
    """Compact UTF-8 JSON keeping insertion order (Go structs serialise in field order)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
