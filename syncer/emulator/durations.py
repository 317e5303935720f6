"""Grafana's duration syntax (Go time.ParseDuration plus d/w/M/y), for `refresh` checks.

Role: used by the dashboard save paths to decide whether `refresh` is below the server's
minimum. Pure.
"""

from __future__ import annotations

import re

_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_CALENDAR_UNITS = {"d": 86400.0, "w": 7 * 86400.0, "M": 30 * 86400.0, "y": 365 * 86400.0}
_CALENDAR = re.compile(r"^(\d+)([dwMy])$")
_GO_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def parse_seconds(text: str) -> float | None:
    """Seconds in `text`, or None when Grafana could not parse it."""
    calendar = _CALENDAR.match(text)
    if calendar:
        return int(calendar.group(1)) * _CALENDAR_UNITS[calendar.group(2)]
    if text == "0":
        return 0.0
    position, total = 0, 0.0
    for part in _GO_PART.finditer(text):
        if part.start() != position:
            return None
        total += float(part.group(1)) * _GO_UNITS[part.group(2)]
        position = part.end()
    return total if position == len(text) and position > 0 else None


def refresh_below_minimum(refresh: object, minimum_s: float) -> bool:
    """True when Grafana would replace `refresh` with the minimum (too short or unparsable)."""
    if not isinstance(refresh, str) or refresh in ("", "auto"):
        return False
    seconds = parse_seconds(refresh)
    return seconds is None or seconds < minimum_s
