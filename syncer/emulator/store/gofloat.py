"""Floats spelled as Grafana's Go backend writes them: `encoding/json`'s `floatEncoder` for float64.

Why: the emulator must send what a real Grafana sends, and Go (like orjson) writes `0.00001` where
Python writes `1e-05`. Go's rule (src/encoding/json/encode.go): the shortest digits that read back
as the same float64, `strconv.FormatFloat(f, 'f', -1, 64)` when 1e-6 <= |f| < 1e21 (and for zero),
else the `'e'` format with a two-digit negative exponent cleaned up (`1e-07` -> `1e-7`; `1e+21`
stays). So integral floats print as integers (`123456789`), and negative zero as `-0`.
Python's `repr` gives the same shortest digits (both are correctly rounded, shortest round trip);
only their layout is rearranged here. Pure: no I/O.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

_FIXED_FROM = 1e-6  # below this magnitude Go switches to exponent notation...
_FIXED_BELOW = 1e21  # ...and from this one up


def go_float_text(number: float) -> str:
    """`number` as Go's `json.Marshal` writes a float64 (NaN and infinities: ValueError, as Go errs)."""
    if not math.isfinite(number):
        raise ValueError(f"json: unsupported value: {number!r}")
    magnitude = abs(number)
    sign = "-" if math.copysign(1.0, number) < 0 else ""
    if magnitude == 0:
        return sign + "0"
    digits, exponent = _shortest_digits(magnitude)
    if _FIXED_FROM <= magnitude < _FIXED_BELOW:
        return sign + _fixed(digits, exponent)
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    # Go pads the exponent to two digits and then strips the pad of a negative one: e-7, e-10, e+21
    return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}".replace("e-0", "e-")


def go_integer(number: float) -> int:
    """The integer Go writes for an integral float64 below 1e21 (above 2**53 its shortest digits
    padded with zeros, `1152921504606847000`, not the float's exact value `...846976`)."""
    return int(go_float_text(number))


def _shortest_digits(magnitude: float) -> tuple[str, int]:
    """The shortest round-trip digits of a positive finite float (no leading or trailing zeros) and
    the decimal exponent of the first one: 0.00015 -> ("15", -4)."""
    mantissa, _, power = repr(magnitude).partition("e")
    whole, _, fraction = mantissa.partition(".")
    joined = whole + fraction
    significant = joined.lstrip("0")
    leading_zeros = len(joined) - len(significant)
    exponent = int(power or 0) + len(whole) - 1 - leading_zeros
    return significant.rstrip("0") or "0", exponent


def _fixed(digits: str, exponent: int) -> str:
    if exponent < 0:
        return "0." + "0" * (-exponent - 1) + digits
    if exponent >= len(digits) - 1:
        return digits + "0" * (exponent - len(digits) + 1)
    return digits[: exponent + 1] + "." + digits[exponent + 1 :]


# The standard library's own pure-Python encoder (what `json.dumps` runs when its C accelerator is
# absent) is the one place a float's spelling can be chosen; `json.dumps` itself always uses repr.
_MAKE_ITERENCODE: Callable[..., Callable[[Any, int], Any]] = vars(json.encoder)["_make_iterencode"]


def json_text(value: Any, *, sort_keys: bool, float_text: Callable[[float], str], default: Any) -> str:
    """`json.dumps(value, sort_keys=..., separators=(",", ":"), ensure_ascii=False, default=...)`,
    except that every float is spelled by `float_text` (the emulator's slow path, for what orjson
    refuses or spells differently)."""
    encode = _MAKE_ITERENCODE(
        {},  # markers: circular references are refused, as json.dumps does
        default,
        json.encoder.encode_basestring,
        None,
        float_text,
        ":",
        ",",
        sort_keys,
        False,
        True,
    )
    return "".join(encode(value, 0))
