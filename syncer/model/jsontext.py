"""JSON text to values and back: fast through orjson, exact through the standard library.

Who calls it: the state's compact contents, the source loader, the Grafana adapters (request bodies
and responses). Why: a pass parses every source file and every live dashboard and encodes every
body it sends; orjson does each several times faster than `json`, which made syncer's CPU the limit
of a cold apply. The values must stay exactly what `json` gives: the fast path and its agreement
checks (64-bit integers, lone surrogates, NaN/Infinity) are the leaf `syncer.fastjson`, shared with
the emulator; this module keeps the client's policy: Python's float spelling in `dumps_canonical`,
mappings that are not dicts (lazy contents) encoded as dicts, `plain_numbers`.

Unlike `json.loads`, `NaN`, `Infinity` and numbers too large for a float are refused (ValueError):
they are not JSON, and re-encoding them would produce text no JSON parser accepts.

`loads_checked` also tells, from the text and at C speed, whether every number in it is *plain*
(see `plain_numbers`), so that callers skip the per-value walk of `core.jsonvalues.normalise_numbers`
where the text shows it would change nothing.
Pure: no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import orjson

from syncer import fastjson
from syncer.fastjson import Encoded

__all__ = [
    "Encoded",
    "dumps",
    "dumps_canonical",
    "extend_object",
    "loads",
    "loads_checked",
    "may_hold_long_numbers",
    "plain_numbers",
]

# shapes come from `fastjson.number_shape`: every digit and point as "0", "E" as "e"
_SIXTEEN_DIGITS = b"0" * 16  # a number past float64's 15-16 exact digits (see plain_numbers)
_DIGIT_THEN_E = b"0e"
_AFTER_E = frozenset(b"0-+")
_ZERO, _MINUS = ord("0"), ord("-")
_BEFORE_A_VALUE = frozenset(b":,[ \t\r\n")
_INTEGRAL_DECIMAL = re.compile(rb"\.0+(?:[\s,\]}]|\Z)")  # "2.0," "1.00}" (a literal start: fast search)
_MAYBE_TINY_FLOAT = b".0000"  # see dumps_canonical
_EXPONENT_MINUS = re.compile(rb"e-")
_DIGIT_BYTES = frozenset(b"0123456789")
_ORJSON_REFUSED_DEPTH = 256  # orjson.dumps refuses this many nested containers, always (pinned by a test)


def loads(data: bytes | str) -> Any:
    """The JSON value of `data` (UTF-8 bytes or text), as `json.loads` would give it.

    Raises ValueError (json.JSONDecodeError with line and column for syntax errors) on bad input.
    """
    return _loads(data, fastjson.number_shape(fastjson.as_bytes(data)))


def loads_checked(data: bytes) -> tuple[Any, bool]:
    """`loads(data)`, and `plain_numbers(data)` from the same scan of the text."""
    shape = fastjson.number_shape(data)
    return _loads(data, shape), _plain(data, shape)


def plain_numbers(data: bytes) -> bool:
    """True when every number in the JSON text `data` is plain: no exponent, no fraction of zeros
    only ("2.0"), fewer than 16 digits. A float64 round trip (Grafana's Go code) keeps such numbers
    exactly as they are, so `normalise_numbers` would return the value unchanged. False only means
    "maybe not": a string holding such characters (a version "11.3.0" or a hex checksum does not,
    "x 2.0, y" does) costs the walk, never a wrong answer. Why 16: a decimal of 15 significant
    digits or fewer that is not an integer never reads as an integral float, and 16 or more shows
    as a run of 16 digits-or-point characters."""
    return _plain(data, fastjson.number_shape(data))


def may_hold_long_numbers(data: bytes) -> bool:
    """Whether the JSON text `data` may hold a number of 16 or more digits (an integer a float64
    round trip would change); False is certain."""
    return _SIXTEEN_DIGITS in fastjson.number_shape(data)


def nests_within(value: Any, limit: int) -> bool:
    """Whether `value` nests at most `limit` containers deep (as `normalise_numbers` counts), in C:
    orjson refuses to encode `_ORJSON_REFUSED_DEPTH` nested containers, so `value` wrapped in that
    many lists less `limit` encodes only if it is no deeper. It may refuse a value exactly `limit`
    deep too (orjson accepts one level more when the innermost container is empty), and refuses
    for other reasons (a lone surrogate): either only costs the full path, never a wrong answer.
    tests/unit/adapters/files/test_parse_depth.py pins orjson's limit."""
    wrapped: Any = value
    for _ in range(_ORJSON_REFUSED_DEPTH - 1 - limit):
        wrapped = [wrapped]
    try:
        orjson.dumps(wrapped)
    except TypeError:
        return False
    return True


def _plain(data: bytes, shape: bytes) -> bool:
    return not (_SIXTEEN_DIGITS in shape or _exponent(shape) or _INTEGRAL_DECIMAL.search(data))


def _exponent(shape: bytes) -> bool:
    """Whether a number with an exponent may be in the text: a digit run followed by e/E and a digit
    or sign, that starts where a JSON value can (after `:`, `,`, `[` or white space). Why the start is
    looked at: hex in strings (checksums, uids: "ae8da6c0a0e05...") has digit-e-digit all over."""
    at = shape.find(_DIGIT_THEN_E)
    while at != -1:
        if at + 2 < len(shape) and shape[at + 2] in _AFTER_E:
            start = at
            while start > 0 and shape[start - 1] == _ZERO:
                start -= 1
            if start > 0 and shape[start - 1] == _MINUS:
                start -= 1
            if start == 0 or shape[start - 1] in _BEFORE_A_VALUE:
                return True
        at = shape.find(_DIGIT_THEN_E, at + 1)
    return False


def _loads(data: bytes | str, shape: bytes) -> Any:
    return fastjson.read(
        data, shape, parse_constant=fastjson.refuse_constant, parse_float=fastjson.finite_float
    )


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON text of `value` (no spaces; key order kept); `Encoded` parts as they are."""
    fast = fastjson.write(value, default=_fragment_or_dict)
    if fast is not None:
        return fast
    # a lone surrogate, an integer beyond 64 bits: `json` escapes or writes them
    return json.dumps(value, separators=(",", ":"), default=_value_or_dict).encode("ascii")


def extend_object(text: bytes, members: Mapping[str, Any]) -> bytes:
    """The JSON object `text` with `members` appended, without parsing it; the caller knows the object
    holds none of their keys (a repeated key would be read as the last one by Go and by `json`)."""
    body = text.rstrip()
    if not body.endswith(b"}"):
        raise ValueError("not the text of a JSON object")
    added = dumps(dict(members))
    if added == b"{}":
        return text
    head = body[:-1].rstrip()
    return head + (b"" if head.endswith(b"{") else b",") + added[1:]


def dumps_canonical(value: Any) -> str:
    """`json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`, faster.

    Checksums stored in Grafana were computed from exactly that text, so it must not change by a
    byte. orjson's sorted output equals it except for floats below 1e-4, which Python writes as
    `1e-05` and orjson as `0.00001` or `1e-5`; such literals always show a digit followed by "e-"
    or the run ".0000" in orjson's text, so any text holding one (a string may raise a false alarm)
    is made by `json` instead. (The few "e-" in a dashboard's text are found with one fast search
    and their preceding byte looked at, instead of one scan per digit.) Integers beyond 64 bits,
    lone surrogates and non-string keys make orjson refuse, and `json` answers then too. (NaN and
    infinities, which the two spell differently, never get here: `loads` refuses them and so does
    the YAML reader.)
    """
    text = fastjson.write(value, option=orjson.OPT_SORT_KEYS)
    if text is None or _MAYBE_TINY_FLOAT in text or _digit_then_exponent_minus(text):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.decode("utf-8")


def _digit_then_exponent_minus(text: bytes) -> bool:
    return any(text[found.start() - 1] in _DIGIT_BYTES for found in _EXPONENT_MINUS.finditer(text, 1))


def _fragment_or_dict(value: Any) -> Any:
    if isinstance(value, Encoded):
        return fastjson.fragment(value)
    return _mapping_as_dict(value)


def _value_or_dict(value: Any) -> Any:
    if isinstance(value, Encoded):
        return loads(value.text)  # the standard library cannot insert text: the rare slow path
    return _mapping_as_dict(value)


def _mapping_as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
