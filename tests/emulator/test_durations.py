"""Grafana's duration syntax in the emulator (`durations.py`) and the refresh rule."""

from __future__ import annotations

import pytest

from syncer.emulator.durations import parse_seconds, refresh_below_minimum


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5s", 5),
        ("1m", 60),
        ("1h30m", 5400),
        ("500ms", 0.5),
        ("1.5s", 1.5),
        ("1d", 86400),
        ("2w", 1209600),
        ("0", 0),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "s", "1x", "1m ", "-1s"])
def test_unparsable_durations(text: str) -> None:
    assert parse_seconds(text) is None


def test_refresh_rule() -> None:
    assert refresh_below_minimum("1s", 5) and refresh_below_minimum("junk", 5)
    assert not any(refresh_below_minimum(value, 5) for value in ("", "auto", "5s", "1m", False, None, 10))
