"""The one duration parser of the project: Go's `time.ParseDuration`, Grafana's `gtime`, and settings.

Why one module: users write durations the way Kubernetes, Helm, Prometheus and Grafana do (`30s`,
`5m`, `1h30m`), and the client (refresh clamping, settings) and the emulator (the server's
`min_refresh_interval` check) must agree on every input, so both import this leaf. It imports
nothing from the rest of syncer (an import-linter contract keeps it so) and does no I/O.

- `parse_go_duration`: exactly Go's `time.ParseDuration` (sign, decimal fractions, `ns us µs μs ms
  s m h`, a bare `0`, int64-nanosecond overflow), ported from `src/time/format.go`.
- `parse_grafana_duration`: Grafana's `gtime.ParseDuration` (`pkg/components/gtime`), which adds a
  single `<int>d|w|M|y` term; what Grafana applies to dashboard `refresh` values.
- `parse_setting_seconds`: what syncer's flags and configuration keys accept: Go's syntax or a bare
  number of seconds (`300`, `0.5`, YAML numbers), never negative, with an error that shows an example.
"""

from __future__ import annotations

import math
import re

NANOSECOND = 1
MICROSECOND = 1_000
MILLISECOND = 1_000_000
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_GO_UNITS = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "µs": MICROSECOND,  # U+00B5 micro sign
    "μs": MICROSECOND,  # U+03BC Greek small letter mu
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}
_MAX = 1 << 63  # Go's Duration is an int64 of nanoseconds: magnitudes up to 1<<63 (negative only)
_DIGITS = "0123456789"

# gtime: `^(\d+)([dwMy])$` (Go's \d is ASCII only); a year is 365.25 days, a month a twelfth of it.
_GRAFANA_DATE_UNIT = re.compile(r"([0-9]+)([dwMy])")
_DAY = 24 * HOUR
_YEAR = int(_DAY * 365.25)
_GRAFANA_UNITS = {"d": _DAY, "w": 7 * _DAY, "M": _YEAR // 12, "y": _YEAR}

_BARE_SECONDS = re.compile(r"[+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
EXAMPLES = "30s, 5m, 1h30m, 300ms or a number of seconds"


class DurationError(ValueError):
    """A text that is not a duration; the message says why, in Go's words where Go has them."""


def parse_go_duration(text: str) -> int:
    """Nanoseconds in `text`, exactly as Go's `time.ParseDuration` (raises DurationError where Go fails)."""
    rest, negative = text, False
    if rest[:1] in ("-", "+"):
        negative, rest = rest[0] == "-", rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise DurationError(f"time: invalid duration {text!r}")
    total = 0
    while rest:
        value, rest = _go_term(rest, text)
        total += value
        if total > _MAX:
            raise DurationError(f"time: invalid duration {text!r}")
    if not negative and total > _MAX - 1:
        raise DurationError(f"time: invalid duration {text!r}")
    return -total if negative else total


def _go_term(rest: str, text: str) -> tuple[int, str]:
    """One `<decimal><unit>` term: its nanoseconds and the text after it."""
    if rest[0] != "." and rest[0] not in _DIGITS:
        raise DurationError(f"time: invalid duration {text!r}")
    whole, rest = _leading_int(rest, text)
    has_whole = whole is not None
    fraction, scale, has_fraction = 0, 1.0, False
    if rest[:1] == ".":
        fraction, scale, after = _leading_fraction(rest[1:])
        has_fraction, rest = len(after) != len(rest) - 1, after
    if not has_whole and not has_fraction:
        raise DurationError(f"time: invalid duration {text!r}")
    end = 0
    while end < len(rest) and rest[end] != "." and rest[end] not in _DIGITS:
        end += 1
    if end == 0:
        raise DurationError(f"time: missing unit in duration {text!r}")
    unit = _GO_UNITS.get(rest[:end])
    if unit is None:
        raise DurationError(f"time: unknown unit {rest[:end]!r} in duration {text!r}")
    value = whole or 0
    if value > _MAX // unit:
        raise DurationError(f"time: invalid duration {text!r}")
    value *= unit
    if fraction > 0:
        # why float: Go computes the fraction in float64 (nanosecond-accurate for hours), and its
        # rounding is part of the contract ("0.3333333333333333333h" is exactly 20m)
        value += int(float(fraction) * (float(unit) / scale))
        if value > _MAX:
            raise DurationError(f"time: invalid duration {text!r}")
    return value, rest[end:]


def _leading_int(rest: str, text: str) -> tuple[int | None, str]:
    """The leading digits as an int (None when there are none); overflow past 1<<63 is an error."""
    end = 0
    while end < len(rest) and rest[end] in _DIGITS:
        end += 1
    if end == 0:
        return None, rest
    value = int(rest[:end])
    if value > _MAX:
        raise DurationError(f"time: invalid duration {text!r}")
    return value, rest[end:]


def _leading_fraction(rest: str) -> tuple[int, float, str]:
    """Go's leadingFraction: digits after the point; those past int64 precision are dropped."""
    value, scale, end, overflow = 0, 1.0, 0, False
    while end < len(rest) and rest[end] in _DIGITS:
        if not overflow:
            candidate = value * 10 + int(rest[end])
            if value > (_MAX - 1) // 10 or candidate > _MAX:
                overflow = True
            else:
                value, scale = candidate, scale * 10
        end += 1
    return value, scale, rest[end:]


def parse_grafana_duration(text: str) -> int:
    """Nanoseconds in `text` as Grafana's `gtime.ParseDuration`: one `<int>d|w|M|y`, else Go's syntax."""
    date = _GRAFANA_DATE_UNIT.fullmatch(text)
    if date is None:
        return parse_go_duration(text)
    return int(date.group(1)) * _GRAFANA_UNITS[date.group(2)]


def grafana_seconds(text: str) -> float | None:
    """Seconds in a Grafana interval such as a dashboard's `refresh`, or None when Grafana rejects it."""
    try:
        return parse_grafana_duration(text) / SECOND
    except DurationError:
        return None


def parse_setting_seconds(value: object) -> float:
    """Seconds in a duration setting: Go's syntax (`30s`, `1h30m`) or a bare number of seconds.

    Negative, infinite or non-numeric values raise DurationError naming accepted examples.
    """
    if isinstance(value, bool):
        raise DurationError(f"{value!r} is not a duration (write e.g. {EXAMPLES})")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _text_seconds(value.strip())
    else:
        raise DurationError(f"{value!r} is not a duration (write e.g. {EXAMPLES})")
    if not math.isfinite(seconds):
        raise DurationError(f"{value!r} is not a finite duration (write e.g. {EXAMPLES})")
    if seconds < 0:
        raise DurationError(f"{value!r} is negative (write e.g. {EXAMPLES})")
    return seconds


def _text_seconds(text: str) -> float:
    if _BARE_SECONDS.fullmatch(text):
        return float(text)
    try:
        return parse_go_duration(text) / SECOND
    except DurationError as exc:
        raise DurationError(f"{text!r} is not a duration: {exc} (write e.g. {EXAMPLES})") from exc


def format_duration(seconds: float) -> str:
    """The short Go-style form (`30s`, `5m`, `1h30m`, `300ms`, `0s`) of a number of seconds."""
    nanos = round(seconds * SECOND)
    sign, nanos = ("-", -nanos) if nanos < 0 else ("", nanos)
    if nanos == 0:
        return "0s"
    if nanos < SECOND:
        for unit, name in ((MILLISECOND, "ms"), (MICROSECOND, "us"), (NANOSECOND, "ns")):
            if nanos % unit == 0 or unit == NANOSECOND:
                return f"{sign}{nanos // unit}{name}"
    hours, nanos = divmod(nanos, HOUR)
    minutes, nanos = divmod(nanos, MINUTE)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    if nanos:
        parts.append(f"{_decimal(nanos / SECOND)}s")
    return sign + "".join(parts)


def _decimal(number: float) -> str:
    """`1.5`, `30`: no trailing zeros, no exponent."""
    return f"{number:.9f}".rstrip("0").rstrip(".")
