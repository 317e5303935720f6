"""JSON as Grafana's Go backend reads and writes it.

Role: parse request bodies strictly and serialise stored documents the way Go's encoding/json
would hand them back (float64 numbers: integral floats become ints, floats spelled as Go spells
them, `gofloat`; map keys sorted). Called by every route module and the store. Does no I/O and
knows nothing about HTTP.

Speed: every save parses and serialises a whole dashboard, so the shared fast path
(`syncer.fastjson`: orjson where it provably agrees with `json`) does the work; this module keeps
Go's policy and the checks of where orjson's spelling is not Go's:

- reading: every float64 read goes through `json` (the integral-float rewrite needs its float
  hook); `1e400` is read as inf, as the standard library does (noted, see `_NonFinite`);
- writing: orjson spells floats as Go does except 1e-6 <= |f| < 1e-5 (orjson `1.5e-6`, Go
  `0.0000015`) and negative zero (orjson `-0.0`, Go `-0`): when its text shows one, those floats
  are handed to it as Go's text. NaN and infinities (orjson writes `null`), subclasses and types
  orjson serialises natively but `json` refuses (dataclasses, datetimes, enums...), deep nesting,
  integers beyond 64 bits and lone surrogates go through the standard library's encoder with
  Go's float spelling. An integral float other than -0 below
  1e21 reaches the writer only as a number literal Grafana 11 keeps (float64 reads turn the
  others into ints) and keeps `json`'s spelling (`1.0`), which is orjson's too; from 1e21 up,
  `json`, orjson and Go all write `1e+21`.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

from syncer import fastjson
from syncer.emulator.store.gofloat import go_float_text, go_integer, json_text

# Go's float64 formatting switches to exponent notation at 1e21; below that an integral
# float prints without a fraction, so `1.0` reads back as `1`.
_GO_EXPONENT_THRESHOLD = 1e21

# Make orjson raise (and `json` decide) for anything `json` itself would not serialise the same way.
_STRICT = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS
_MANTISSA = frozenset(b"0123456789.")
_NUMBER_END = frozenset(b",]}")
_ORJSON_BAND_FROM, _ORJSON_BAND_BELOW = 1e-6, 1e-5  # orjson `1.5e-6` where Go writes `0.0000015`

RawJSON = fastjson.Encoded
"""JSON text that `dumps` produced, embedded as it is in a larger document being written.

Writing it gives the same bytes as parsing it (`float64=False`) and writing the value: `dumps`
output is compact, key-sorted and Go-spelled, so it is its own re-encoding."""


class InvalidJSON(ValueError):
    """The body is not JSON that Go's decoder would accept."""


class _NonFinite:
    """Whether any parse so far produced an infinite float (`1e400`); sticky for the process.

    orjson writes such a float as `null` where `json` writes `Infinity`, and the value cannot be
    spotted in the output cheaply; once one has been read, every write goes through `json`.
    """

    seen = False


def _checked_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        _NonFinite.seen = True
    return value


def _go_float(text: str) -> int | float:
    """A float64 as Go's unstructured decode leaves it: integral below 1e21 -> the integer Go
    writes for it; -0 stays a float (Go writes `-0`)."""
    value = _checked_float(text)
    if value.is_integer() and abs(value) < _GO_EXPONENT_THRESHOLD and (value or not _negative(value)):
        return go_integer(value) if abs(value) >= 2**53 else int(value)
    return value


def _negative(value: float) -> bool:
    return math.copysign(1.0, value) < 0


def _negative_zero(value: float) -> bool:
    return value == 0 and _negative(value)


def loads(raw: bytes | str, *, float64: bool = True) -> Any:
    """Parse like Go: NaN/Infinity are syntax errors.

    `float64=True` reads numbers the way a Go `interface{}`/unstructured decode leaves them
    (`1.0` becomes `1`), as Grafana 12's k8s-backed storage does; `False` keeps floats as written
    (Grafana 11's simplejson keeps number literals). Normalising during the parse, instead of
    walking the result, keeps a 30 kB save cheap. Stored documents are re-read with `False`.
    """
    try:
        if not float64:
            shape = fastjson.number_shape(fastjson.as_bytes(raw))
            constant = fastjson.refuse_constant
            return fastjson.read(raw, shape, parse_constant=constant, parse_float=_checked_float)
        return json.loads(raw, parse_constant=fastjson.refuse_constant, parse_float=_go_float)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidJSON(str(exc)) from exc


def loads_lenient(raw: bytes) -> Any:
    """`json.loads` as it is (NaN and Infinity accepted): for the state file, which `json` wrote."""
    return json.loads(raw, parse_constant=_checked_float, parse_float=_checked_float)


def float_text(value: float) -> str:
    """How the emulator writes a float: Go's spelling; a kept Grafana 11 literal that is integral
    keeps `json`'s (`1.0`, see the module docstring); NaN and infinities as `json` writes them."""
    if not math.isfinite(value):
        return json.dumps(value)
    if value.is_integer() and (value or not _negative(value)):
        return float.__repr__(value)
    return go_float_text(value)


def dumps(value: Any) -> bytes:
    """Compact, key-sorted UTF-8 JSON (what Go's json.Marshal of a map produces)."""
    fast = _orjson_dumps(value, orjson.OPT_SORT_KEYS | _STRICT)
    if fast is not None:
        return fast
    return json_text(value, sort_keys=True, float_text=float_text, default=_parsed_raw).encode()


def dumps_ordered(value: Any) -> bytes:
    """Compact UTF-8 JSON keeping insertion order (Go structs serialise in field order)."""
    fast = _orjson_dumps(value, _STRICT)
    if fast is not None:
        return fast
    return json_text(value, sort_keys=False, float_text=float_text, default=_parsed_raw).encode()


def _orjson_dumps(value: Any, option: int) -> bytes | None:
    """orjson's text when it is byte-for-byte what the standard library with Go's floats gives.

    Embedded `RawJSON` is exact already (`dumps` wrote it), so only the text around it is checked
    for floats orjson spells differently: a k8s LIST of 500 stored dashboards must not be walked
    (or fall back to `json` and re-parse every spec) because one holds a `1.5e-6`.
    """
    if _NonFinite.seen:
        return None
    embedded = _EmbeddedRaw()
    outside = fastjson.write(value, default=embedded.placeholder, option=option)
    if outside is None:
        return None
    if _spelled_unlike_go(outside):  # rare: those floats written as Go's text, still by orjson
        return fastjson.write(_go_spelled(value), default=fastjson.fragment, option=option)
    if not embedded.seen:
        return outside
    return fastjson.write(value, default=fastjson.fragment, option=option)


def _go_spelled(value: Any) -> Any:
    """`value` with each float orjson spells unlike Go replaced by Go's text (an orjson Fragment).
    Only what orjson accepted under `_STRICT` gets here: exact dicts, lists, tuples and scalars."""
    kind = type(value)
    if kind is dict:
        return {key: _go_spelled(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_go_spelled(item) for item in value]
    if kind is float and (_ORJSON_BAND_FROM <= abs(value) < _ORJSON_BAND_BELOW or _negative_zero(value)):
        return orjson.Fragment(go_float_text(value).encode())
    return value


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


def _parsed_raw(value: Any) -> Any:
    if isinstance(value, RawJSON):
        return loads(value.text, float64=False)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _spelled_unlike_go(text: bytes) -> bool:
    """Whether orjson's compact `text` may hold a float it spells unlike Go: `e-6` ending a number
    (1e-6 <= |f| < 1e-5, which Go writes `0.00000…`) or a `-0.0` token. A string that merely looks
    like one (`"a:1.5e-6"`) is a false alarm that only costs speed."""
    at = text.find(b"e-6")
    while at != -1:
        start = at
        while start > 0 and text[start - 1] in _MANTISSA:
            start -= 1
        if start < at and _ends_number(text, at + 3) and fastjson.number_may_start(text, start):
            return True
        at = text.find(b"e-6", at + 3)
    at = text.find(b"-0.0")
    while at != -1:
        if _ends_number(text, at + 4) and fastjson.number_may_start(text, at):
            return True
        at = text.find(b"-0.0", at + 4)
    return False


def _ends_number(text: bytes, at: int) -> bool:
    return at == len(text) or text[at] in _NUMBER_END
