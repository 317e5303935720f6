"""Grafana's duration syntax (`gtime.ParseDuration`) for `normalise`, which clamps refresh intervals
exactly as the legacy API does.

Why a wrapper: the parser itself lives in the leaf `syncer.durations`, shared with the emulator so
client and emulator never disagree; this keeps the core's seconds-as-float interface. Pure; no I/O.
"""

from __future__ import annotations

from syncer.durations import SECOND, parse_grafana_duration


def parse_duration(text: str) -> float:
    """Seconds in `text`; raises ValueError (DurationError) where Grafana's parser would fail."""
    return parse_grafana_duration(text) / SECOND
