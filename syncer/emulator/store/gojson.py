"""JSON as Grafana's Go backend reads and writes it.

Role: parse request bodies strictly and serialise stored documents the way Go's encoding/json
would hand them back (float64 numbers: integral floats become ints; map keys sorted).
Called by every route module and the store. Does no I/O and knows nothing about HTTP.

Speed: every save parses and serialises a whole dashboard, so orjson does the work where its
result is provably the standard library's, and `json` takes over in the corners where they differ
(a false alarm there only costs speed, never changes a byte):

- reading: integers beyond 64 bits (orjson turns them into floats; a run of 19 digits anywhere
  sends the text to `json`), whatever orjson refuses (`1e400`, lone surrogates, a BOM, deep
  nesting), and every float64 read (the integral-float rewrite needs `json`'s float hook);
- writing: floats below 1e-4 in magnitude (orjson prints `1e-5`/`0.00001` where Python prints
  `1e-05`), NaN and infinities (orjson writes `null`, `json` writes `Infinity`), subclasses and
  types orjson serialises natively but `json` refuses (dataclasses, datetimes, enums...), deep
  nesting, integers beyond 64 bits, lone surrogates.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

# Go's float64 formatting switches to exponent notation at 1e21; below that an integral
# float prints without a fraction, so `1.0` reads back as `1`.
_GO_EXPONENT_THRESHOLD = 1e21

_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGIT_RUN = b"0" * 19  # the shortest integer that may not fit orjson's 64 bits
# Make orjson raise (and `json` decide) for anything `json` itself would not serialise the same way.
_STRICT = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS
_MANTISSA = frozenset(b"0123456789.")
_MINUS = ord("-")
_NUMBER_OPENERS = frozenset(b":,[")


class InvalidJSON(ValueError):
    """The body is not JSON that Go's decoder would accept."""


class RawJSON:
    """JSON text that `dumps` produced, embedded as it is in a larger document being written.

    Writing it gives the same bytes as parsing it (`float64=False`) and writing the value:
    `dumps` output is compact with sorted keys, so it is its own re-encoding.
    """

    __slots__ = ("text",)

    def __init__(self, text: bytes) -> None:
        self.text = text


class _NonFinite:
    """Whether any parse so far produced an infinite float (`1e400`); sticky for the process.

    orjson writes such a float as `null` where `json` writes `Infinity`, and the value cannot be
    spotted in the output cheaply; once one has been read, every write goes through `json`.
    """

    seen = False


def _reject_constant(name: str) -> Any:
    raise InvalidJSON(f"invalid JSON constant {name}")


def _checked_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        _NonFinite.seen = True
    return value


def _go_float(text: str) -> int | float:
    value = _checked_float(text)
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
    if not float64 and _fits_orjson(raw):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # `json` decides (it accepts a few things orjson refuses)
    parse_float = _go_float if float64 else _checked_float
    try:
        return json.loads(raw, parse_constant=_reject_constant, parse_float=parse_float)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidJSON(str(exc)) from exc


def loads_lenient(raw: bytes) -> Any:
    """`json.loads` as it is (NaN and Infinity accepted): for the state file, which `json` wrote."""
    return json.loads(raw, parse_constant=_checked_float, parse_float=_checked_float)


def _fits_orjson(raw: bytes | str) -> bool:
    """No run of 19+ digits: every integer in the text fits orjson's 64-bit integers."""
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
    return _LONG_DIGIT_RUN not in data.translate(_DIGITS_AS_ZERO)


def dumps(value: Any) -> bytes:
    """Compact, key-sorted UTF-8 JSON (what Go's json.Marshal of a map produces)."""
    fast = _orjson_dumps(value, orjson.OPT_SORT_KEYS | _STRICT)
    if fast is not None:
        return fast
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_parsed_raw)
    return text.encode()


def dumps_ordered(value: Any) -> bytes:
    """Compact UTF-8 JSON keeping insertion order (Go structs serialise in field order)."""
    fast = _orjson_dumps(value, _STRICT)
    if fast is not None:
        return fast
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_parsed_raw).encode()


def _orjson_dumps(value: Any, option: int) -> bytes | None:
    """orjson's text when it is byte-for-byte what `json.dumps` gives, else None.

    Embedded `RawJSON` is exact already (`dumps` wrote it, with `json` where needed), so only the
    text around it is checked for tiny floats: a k8s LIST of 500 stored dashboards must not fall
    back to `json` (and re-parse every spec) because one of them holds a `1e-05`.
    """
    if _NonFinite.seen:
        return None
    embedded = _EmbeddedRaw()
    try:
        outside = orjson.dumps(value, default=embedded.placeholder, option=option)
    except orjson.JSONEncodeError:
        return None
    if _has_tiny_float(outside):
        return None
    if not embedded.seen:
        return outside
    return orjson.dumps(value, default=_raw_fragment, option=option)


class _EmbeddedRaw:
    """`default` hook of the checking pass: writes `null` for each `RawJSON`, noting it saw one."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        self.seen = False

    def placeholder(self, value: Any) -> None:
        if isinstance(value, RawJSON):
            self.seen = True
            return None
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _raw_fragment(value: Any) -> orjson.Fragment:
    if isinstance(value, RawJSON):
        return orjson.Fragment(value.text)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _parsed_raw(value: Any) -> Any:
    if isinstance(value, RawJSON):
        return loads(value.text, float64=False)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _has_tiny_float(text: bytes) -> bool:
    """A float below 1e-4 in magnitude, the only ones orjson and Python print differently.

    orjson prints them either with a negative exponent (`1.5e-7`) or as `0.0000…`. The output is
    compact, so a number starts right after `:`, `,` or `[`; a string that merely looks like one
    (`"a:1e-3"`) is a false alarm that sends the value to `json`.
    """
    at = text.find(b"0.0000")
    while at != -1:
        if _starts_number(text, at):
            return True
        at = text.find(b"0.0000", at + 6)
    at = text.find(b"e-")
    while at > 0:
        start = at
        while start > 0 and text[start - 1] in _MANTISSA:
            start -= 1
        if start < at and _starts_number(text, start):
            return True
        at = text.find(b"e-", at + 2)
    return False


def _starts_number(text: bytes, at: int) -> bool:
    """Whether a number token (with its sign) may start at `at` in compact JSON."""
    if at > 0 and text[at - 1] == _MINUS:
        at -= 1
    return at == 0 or text[at - 1] in _NUMBER_OPENERS
