"""The one JSON fast path of the project: orjson where it provably agrees with `json`, `json` elsewhere.

Why one module: the client (`model/jsontext.py`: Python's spelling, stored checksums) and the
emulator (`emulator/store/gojson.py`: Go's spelling) parse and write every dashboard, and orjson
does that several times faster than the standard library; the checks that say where orjson's
answer is the standard library's are the same for both, so both import this leaf. It imports
nothing from the rest of syncer (an import-linter contract keeps it so) and does no I/O.
Each side keeps only its policy: which floats it spells how, what it refuses, its error type.

Where orjson and `json` disagree, and what is checked here:
- integers beyond 64 bits: orjson reads them as floats; a text with a run of 19 or more digits
  (or points) goes to `json` (`fits_orjson`; a false alarm, such as a long digit string, costs speed);
- whatever orjson refuses to read or write (lone UTF-16 surrogates, a BOM, deep nesting, integers
  beyond 64 bits, non-string keys): `read` hands the text to `json`, `write` answers None;
- NaN, Infinity and `1e400` (inf), which `json` accepts: `refuse_constant` and `finite_float` are
  the hooks that refuse them where a side must not accept them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, NoReturn

import orjson

# the "shape" of a text: every digit and decimal point as "0", so runs of number characters and the
# neighbours of numbers are found with plain substring searches (memchr speed, no regex backtracking)
_NUMBER_CHARS_AS_ZERO = bytes.maketrans(b"123456789.E", b"0000000000e")  # "E" as "e" too
_LONG_DIGIT_RUN = b"0" * 19  # the shortest integer that may not fit orjson's 64 bits
_NUMBER_OPENERS = frozenset(b":,[")
_MINUS = ord("-")


class Encoded:
    """JSON text written into a larger document as it is, instead of a value to encode (a stored
    or kept dashboard sent on: parsing it only to encode it again is the waste avoided)."""

    __slots__ = ("text",)

    def __init__(self, text: bytes) -> None:
        self.text = text


def as_bytes(data: bytes | str) -> bytes:
    """UTF-8 bytes of a text (lone surrogates kept, so the shape has the text's characters)."""
    return data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")


def number_shape(data: bytes) -> bytes:
    """`data` with every digit and `.` as `0` and `E` as `e` (same length, same positions)."""
    return data.translate(_NUMBER_CHARS_AS_ZERO)


def fits_orjson(shape: bytes) -> bool:
    """No run of 19+ digits in the `number_shape`: every integer in the text fits orjson's 64 bits."""
    return _LONG_DIGIT_RUN not in shape


def read(
    data: bytes | str,
    shape: bytes,
    *,
    parse_float: Callable[[str], Any],
    parse_constant: Callable[[str], Any],
) -> Any:
    """The value of the JSON text `data` as `json.loads(data, parse_float=..., parse_constant=...)`
    gives it, through orjson when the `shape` shows it agrees. The hooks are for `json`'s own
    corners (orjson refuses NaN/Infinity itself and reads floats as `float` does); a caller whose
    `parse_float` changes what a float becomes must call `json` directly."""
    if fits_orjson(shape):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # `json` decides, and words the error with the position
    return json.loads(data, parse_constant=parse_constant, parse_float=parse_float)


def write(
    value: Any, *, option: int | None = None, default: Callable[[Any], Any] | None = None
) -> bytes | None:
    """orjson's compact UTF-8 text of `value`, or None where orjson refuses it (the caller's `json`
    path answers then: lone surrogates, integers beyond 64 bits, non-string keys, deep nesting)."""
    try:
        return orjson.dumps(value, default=default, option=option)
    except orjson.JSONEncodeError:
        return None


def fragment(value: Any) -> orjson.Fragment:
    """orjson's form of an `Encoded` (a `default` hook); anything else is not JSON."""
    if isinstance(value, Encoded):
        return orjson.Fragment(value.text)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def number_may_start(text: bytes, at: int) -> bool:
    """Whether a number token (with its sign) may start at `at` in compact JSON text: right after
    `:`, `,` or `[`, or at the start. Used to tell a number from a string that looks like one."""
    if at > 0 and text[at - 1] == _MINUS:
        at -= 1
    return at == 0 or text[at - 1] in _NUMBER_OPENERS


def refuse_constant(name: str) -> NoReturn:
    """`parse_constant` hook: NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not a valid JSON number")


def finite_float(text: str) -> float:
    """`parse_float` hook refusing numbers too large for a float64 (`1e400` would read as inf,
    and re-encoding it would produce text no JSON parser accepts)."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large for a JSON number")
    return number
