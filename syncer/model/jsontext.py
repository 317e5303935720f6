"""JSON text to values and back: fast through orjson, exact through the standard library.

Who calls it: the state's compact contents, the source loader, the Grafana adapters (request bodies
and responses). Why: a pass parses every source file and every live dashboard and encodes every
body it sends; orjson does each several times faster than `json`, which made syncer's CPU the limit
of a cold apply. The values must stay exactly what `json` gives, so orjson is used only where it
agrees with it, and `json` takes over in the corners where orjson differs:

- integers beyond 64 bits: orjson reads them as floats; texts with a run of 19 or more digits go to
  `json` (a false alarm, such as a long digit string, only costs speed);
- lone UTF-16 surrogate escapes ("\\ud800"), which orjson refuses to read or write;
- mappings that are not dicts (lazy contents) are encoded as dicts.

Unlike `json.loads`, `NaN`, `Infinity` and numbers too large for a float are refused (ValueError):
they are not JSON, and re-encoding them would produce text no JSON parser accepts.
Pure: no I/O.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import orjson

_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGIT_RUN = b"0" * 19  # where orjson's 64-bit integers may end (found at C speed, see loads)
_MAYBE_TINY_FLOAT = b".0000"  # see dumps_canonical
_EXPONENT_MARKERS = tuple(bytes([digit]) + b"e-" for digit in b"0123456789")


def loads(data: bytes | str) -> Any:
    """The JSON value of `data` (UTF-8 bytes or text), as `json.loads` would give it.

    Raises ValueError (json.JSONDecodeError with line and column for syntax errors) on bad input.
    """
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    if _LONG_DIGIT_RUN not in raw.translate(_DIGITS_AS_ZERO):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # `json` decides, and words the error with the position
    return json.loads(data, parse_constant=_refuse_constant, parse_float=_finite_float)


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON text of `value` (no spaces; key order kept)."""
    try:
        return orjson.dumps(value, default=_mapping_as_dict)
    except TypeError:  # a lone surrogate, an integer beyond 64 bits: `json` escapes or writes them
        return json.dumps(value, separators=(",", ":"), default=_mapping_as_dict).encode("ascii")


def dumps_canonical(value: Any) -> str:
    """`json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`, faster.

    Checksums stored in Grafana were computed from exactly that text, so it must not change by a
    byte. orjson's sorted output equals it except for floats below 1e-4, which Python writes as
    `1e-05` and orjson as `0.00001` or `1e-5`; such literals always show a digit followed by "e-"
    or the run ".0000" in orjson's text, so any text holding one (a string may raise a false alarm)
    is made by `json` instead. Integers beyond 64 bits, lone surrogates and non-string keys make
    orjson refuse, and `json` answers then too. (NaN and infinities, which the two spell
    differently, never get here: `loads` refuses them and so does the YAML reader.)
    """
    try:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        text = None
    if text is None or _MAYBE_TINY_FLOAT in text or any(marker in text for marker in _EXPONENT_MARKERS):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.decode("utf-8")


def _mapping_as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large for a JSON number")
    return number
