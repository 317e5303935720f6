"""Essence, checksum and normalisation: what makes a second run see "no change"."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncer.core.durations import parse_duration
from syncer.core.essence import canonical_json, checksum, essence
from syncer.core.normalise import normalise_for_grafana

BODY = {
    "title": "  Service  ",
    "uid": "svc",
    "id": None,
    "refresh": "1s",
    "panels": [{"id": 1, "gridPos": {"h": 8.0, "w": 12, "x": 0, "y": 0}, "title": "Rate"}],
    "tags": ["a"],
    "schemaVersion": 39,
}


def grafana_round_trip(sent: dict[str, object], *, version: int) -> dict[str, object]:
    """What the legacy API stores and returns: id/version set, title trimmed, keys re-ordered,
    numbers through Go's float64 (integral floats lose their fraction)."""
    stored = json.loads(
        json.dumps(sent), parse_float=lambda s: int(float(s)) if float(s).is_integer() else float(s)
    )
    stored.update(id=4711, version=version, title=str(stored["title"]).strip())
    items = list(stored.items())
    random.Random(version).shuffle(items)
    return dict(items)


def test_read_back_of_what_was_sent_has_the_same_checksum() -> None:
    sent = normalise_for_grafana(BODY)
    read_back = grafana_round_trip(sent, version=9)
    assert read_back != sent
    assert checksum(read_back, "f") == checksum(sent, "f")


def test_source_and_normalised_content_have_the_same_checksum() -> None:
    assert checksum(BODY, None) != checksum(normalise_for_grafana(BODY), None)  # refresh really changed
    body = {**BODY, "refresh": "30s"}
    assert checksum(body, None) == checksum(normalise_for_grafana(body), None)


def test_marker_and_server_fields_are_not_content() -> None:
    marked = {**BODY, "__syncer": {"managedBy": "syncer"}, "version": 3, "id": 5, "uid": "other"}
    assert essence(marked) == essence(BODY)


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Other"},
        {"tags": ["b"]},
        {"panels": []},
        {"refresh": "1m"},
        {"new": None},
        {"schemaVersion": 39.5},
    ],
)
def test_real_changes_change_the_checksum(change: dict[str, object]) -> None:
    assert checksum({**BODY, **change}, None) != checksum(BODY, None)


def test_checksum_covers_the_folder() -> None:
    assert checksum(BODY, "a") != checksum(BODY, "b")
    assert checksum(BODY, None) == checksum(BODY, "")
    assert checksum(BODY, "a").startswith("sha256:")


def test_canonical_json_is_order_free_and_keeps_unicode() -> None:
    assert canonical_json({"b": 1, "a": [1, {"z": "ü", "y": 2}]}) == '{"a":[1,{"y":2,"z":"ü"}],"b":1}'


def test_numbers_normalise_like_a_float64_round_trip() -> None:
    big = 2**60 + 1
    assert essence({"x": 1.0, "y": True, "z": 0.5, "big": big}) == {"x": 1, "y": True, "z": 0.5, "big": 2**60}
    assert isinstance(essence({"y": True})["y"], bool)


def test_normalise_does_not_touch_its_input_and_drops_server_fields() -> None:
    body = {**BODY, "version": 12, "id": 3, "__syncer": {}}
    before = json.dumps(body, sort_keys=True)
    sent = normalise_for_grafana(body)
    assert json.dumps(body, sort_keys=True) == before
    assert sent["id"] is None and "version" not in sent and "__syncer" not in sent
    assert sent["title"] == "Service"
    assert "id" not in normalise_for_grafana({"title": "t"})


@pytest.mark.parametrize(
    ("refresh", "minimum", "sent"),
    [
        ("1s", "5s", "5s"),
        ("5s", "5s", "5s"),
        ("4999ms", "5s", "5s"),
        ("10s", "5s", "10s"),
        ("1m", "5s", "1m"),
        ("1m", "2m", "2m"),
        ("1h", "5s", "1h"),
        ("1d", "5s", "1d"),
        ("", "5s", ""),
        ("auto", "5s", "auto"),
        ("garbage", "5s", "5s"),  # Grafana replaces what it cannot parse
        ("1s", "", "1s"),  # no server minimum
        (False, "5s", False),  # old dashboards use false for "off"
    ],
)
def test_refresh_is_clamped_like_grafanas_legacy_api(refresh: object, minimum: str, sent: object) -> None:
    assert normalise_for_grafana({"title": "t", "refresh": refresh}, min_refresh=minimum)["refresh"] == sent


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0),
        ("5s", 5),
        ("1m30s", 90),
        ("1.5h", 5400),
        ("250ms", 0.25),
        ("2d", 172800),
        ("1w", 604800),
        ("1M", 2629800),  # gtime: a twelfth of a 365.25-day year (was 30 days)
        ("1y", 31557600),  # gtime: 365.25 days (was 365)
        ("-1s", -1),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "5", "5 s", "1x", ".s", "1d2h"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6), st.text(max_size=6))
def test_normalised_content_survives_a_grafana_round_trip(body: dict[str, object], title: str) -> None:
    body = {**body, "title": title}
    sent = normalise_for_grafana(body)
    assert normalise_for_grafana(sent) == sent  # idempotent
    assert checksum(grafana_round_trip(sent, version=2), None) == checksum(sent, None)
