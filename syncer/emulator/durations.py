"""Grafana's duration syntax (`gtime.ParseDuration`: Go's syntax plus d/w/M/y), for `refresh` checks.

Role: used by the dashboard save paths to decide whether `refresh` is below the server's minimum,
and by the emulator CLI to check `--min-refresh-interval`. The parser is the project's one parser,
the leaf `syncer.durations` (which imports nothing from the client), so the emulator and the client
it tests agree on every input. Pure.
"""

from __future__ import annotations

from syncer.durations import grafana_seconds


def parse_seconds(text: str) -> float | None:
    """Seconds in `text`, or None when Grafana could not parse it or it is negative (never a
    valid server minimum; as a `refresh` it is below any minimum either way)."""
    seconds = grafana_seconds(text)
    return seconds if seconds is not None and seconds >= 0 else None


def refresh_below_minimum(refresh: object, minimum_s: float) -> bool:
    """True when Grafana would replace `refresh` with the minimum (too short or unparsable)."""
    if not isinstance(refresh, str) or refresh in ("", "auto"):
        return False
    seconds = parse_seconds(refresh)
    return seconds is None or seconds < minimum_s
