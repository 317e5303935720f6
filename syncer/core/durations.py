"""Grafana's duration syntax (`gtime.ParseDuration`): `30s`, `1m30s`, `500ms`, `2d`, `1w`, `1M`, `1y`.

Used by `normalise` to clamp refresh intervals exactly as the legacy API does. Pure; no I/O.
"""

from __future__ import annotations

import re

_DATE_UNIT = re.compile(r"^(\d+)([dwMy])$")
_DATE_UNIT_SECONDS = {"d": 86_400, "w": 7 * 86_400, "M": 30 * 86_400, "y": 365 * 86_400}

# Go's time.ParseDuration: an optional sign, then one or more <decimal><unit> pairs, or a bare "0".
_GO_PART = re.compile(r"(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)")
_GO_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def parse_duration(text: str) -> float:
    """Seconds in `text`; raises ValueError where Grafana's parser would fail."""
    match = _DATE_UNIT.match(text)
    if match:
        return int(match.group(1)) * float(_DATE_UNIT_SECONDS[match.group(2)])
    return _parse_go_duration(text)


def _parse_go_duration(text: str) -> float:
    sign = -1.0 if text.startswith("-") else 1.0
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return 0.0
    if not body:
        raise ValueError(f"invalid duration {text!r}")
    total, position = 0.0, 0
    while position < len(body):
        part = _GO_PART.match(body, position)
        if part is None or part.group(1) in ("", "."):
            raise ValueError(f"invalid duration {text!r}")
        total += float(part.group(1)) * _GO_UNIT_SECONDS[part.group(2)]
        position = part.end()
    return sign * total
