"""The one duration parser against its references: Go's `time.ParseDuration` table
(golang/go `src/time/time_test.go`: parseDurationTests, parseDurationErrorTests) and Grafana's
`gtime.ParseDuration` (grafana/grafana `pkg/components/gtime/gtime_test.go`, grafana-plugin-sdk-go
`backend/gtime`), plus what syncer's settings add (a bare number of seconds)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncer.core.durations import parse_duration
from syncer.durations import (
    HOUR,
    MICROSECOND,
    MILLISECOND,
    MINUTE,
    NANOSECOND,
    SECOND,
    DurationError,
    format_duration,
    grafana_seconds,
    parse_go_duration,
    parse_grafana_duration,
    parse_setting_seconds,
)
from syncer.emulator.durations import parse_seconds

GO_VALID = [
    ("0", 0),
    ("5s", 5 * SECOND),
    ("30s", 30 * SECOND),
    ("1478s", 1478 * SECOND),
    ("-5s", -5 * SECOND),
    ("+5s", 5 * SECOND),
    ("-0", 0),
    ("+0", 0),
    ("5.0s", 5 * SECOND),
    ("5.6s", 5 * SECOND + 600 * MILLISECOND),
    ("5.s", 5 * SECOND),
    (".5s", 500 * MILLISECOND),
    ("1.0s", 1 * SECOND),
    ("1.00s", 1 * SECOND),
    ("1.004s", 1 * SECOND + 4 * MILLISECOND),
    ("1.0040s", 1 * SECOND + 4 * MILLISECOND),
    ("100.00100s", 100 * SECOND + 1 * MILLISECOND),
    ("10ns", 10 * NANOSECOND),
    ("11us", 11 * MICROSECOND),
    ("12µs", 12 * MICROSECOND),  # U+00B5
    ("12μs", 12 * MICROSECOND),  # U+03BC
    ("13ms", 13 * MILLISECOND),
    ("14s", 14 * SECOND),
    ("15m", 15 * MINUTE),
    ("16h", 16 * HOUR),
    ("3h30m", 3 * HOUR + 30 * MINUTE),
    ("10.5s4m", 4 * MINUTE + 10 * SECOND + 500 * MILLISECOND),
    ("-2m3.4s", -(2 * MINUTE + 3 * SECOND + 400 * MILLISECOND)),
    ("1h2m3s4ms5us6ns", HOUR + 2 * MINUTE + 3 * SECOND + 4 * MILLISECOND + 5 * MICROSECOND + 6),
    ("39h9m14.425s", 39 * HOUR + 9 * MINUTE + 14 * SECOND + 425 * MILLISECOND),
    ("52763797000ns", 52763797000),
    ("0.3333333333333333333h", 20 * MINUTE),
    ("9007199254740993ns", (1 << 53) + 1),
    ("9223372036854775807ns", (1 << 63) - 1),
    ("9223372036854775.807us", (1 << 63) - 1),
    ("9223372036s854ms775us807ns", (1 << 63) - 1),
    ("-9223372036854775808ns", -(1 << 63)),
    ("-9223372036854775.808us", -(1 << 63)),
    ("-9223372036s854ms775us808ns", -(1 << 63)),
    ("-2562047h47m16.854775808s", -(1 << 63)),
    ("0.100000000000000000000h", 6 * MINUTE),
    ("0.830103483285477580700h", 49 * MINUTE + 48 * SECOND + 372539827),
]

GO_INVALID = [
    "",
    "3",
    "-",
    "s",
    ".",
    "-.",
    ".s",
    "+.s",
    "1d",
    "\x85\x85",
    "\xffff",
    "hello \xffff world",
    "\ufffd",
    "\ufffd hello \ufffd world",
    "9223372036854775810ns",
    "9223372036854775808ns",
    "-9223372036854775809ns",
    "9223372036854776us",
    "3000000h",
    "9223372036854775.808us",
    "9223372036854ms775us808ns",
]


@pytest.mark.parametrize(("text", "nanoseconds"), GO_VALID)
def test_go_parse_duration_table(text: str, nanoseconds: int) -> None:
    assert parse_go_duration(text) == nanoseconds


@pytest.mark.parametrize("text", GO_INVALID)
def test_go_parse_duration_errors_quote_the_input(text: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_go_duration(text)
    assert repr(text) in str(caught.value)


def test_go_error_wording() -> None:
    with pytest.raises(DurationError, match=r"unknown unit 'x' in duration '5x'"):
        parse_go_duration("5x")
    with pytest.raises(DurationError, match=r"missing unit in duration '1h3'"):
        parse_go_duration("1h3")


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [
        ("1s", SECOND),
        ("1m", MINUTE),
        ("1h", HOUR),
        ("1d", 24 * HOUR),
        ("1w", 7 * 24 * HOUR),
        ("2w", 2 * 7 * 24 * HOUR),
        ("1M", int(730.5 * HOUR)),
        ("1y", int(365.25 * 24 * HOUR)),
        ("5y", 5 * int(365.25 * 24 * HOUR)),
    ],
)
def test_grafana_gtime_table(text: str, nanoseconds: int) -> None:
    assert parse_grafana_duration(text) == nanoseconds


@pytest.mark.parametrize("text", ["invalid-duration", "1d2h", "1.5d", "d", "1D", "1d\n", "\u0661d"])
def test_grafana_gtime_rejects(text: str) -> None:
    with pytest.raises(DurationError):
        parse_grafana_duration(text)
    assert grafana_seconds(text) is None


def test_client_and_emulator_agree_on_every_input() -> None:
    """The point of one parser: the refresh a client clamps is the refresh the emulator clamps."""
    for text in [t for t, _ in GO_VALID] + GO_INVALID + ["1d", "2w", "1M", "1y", "5x", "1 m"]:
        try:
            client: float | None = parse_duration(text)
        except ValueError:
            client = None
        emulator = parse_seconds(text)
        assert emulator == (client if client is not None and client >= 0 else None), text


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30s", 30.0),
        ("5m", 300.0),
        ("1h30m", 5400.0),
        ("300ms", 0.3),
        ("1µs", 1e-6),
        ("1us", 1e-6),
        ("+5s", 5.0),
        ("300", 300.0),
        ("0.5", 0.5),
        (" 5m ", 300.0),
        (300, 300.0),
        (0.3, 0.3),
        ("0", 0.0),
    ],
)
def test_setting_values(value: object, seconds: float) -> None:
    assert parse_setting_seconds(value) == pytest.approx(seconds)


@pytest.mark.parametrize("value", ["5x", "-1m", -3, "1d", "", "five", True, None, float("inf"), "nan"])
def test_setting_errors_show_an_accepted_example(value: object) -> None:
    with pytest.raises(DurationError, match=r"30s, 5m, 1h30m"):
        parse_setting_seconds(value)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(30, "30s"), (300, "5m"), (5400, "1h30m"), (0.3, "300ms"), (0, "0s"), (1.5, "1.5s"), (3601, "1h1s")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@given(st.integers(min_value=0, max_value=10**6 * SECOND))
def test_format_round_trips_through_the_parser(nanoseconds: int) -> None:
    seconds = nanoseconds / SECOND
    assert parse_setting_seconds(format_duration(seconds)) == pytest.approx(seconds, abs=1e-9)
