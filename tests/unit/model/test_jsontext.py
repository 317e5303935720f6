"""The fast JSON codec gives exactly what the standard library gives (syncer.model.jsontext)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import corpora

from syncer.core.jsonvalues import normalise_numbers
from syncer.model import jsontext
from syncer.model.state import CompactJSON

_numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
)
_scalars = st.one_of(st.none(), st.booleans(), _numbers, st.text(max_size=12))
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_values)
def test_loads_agrees_with_the_standard_library(value: Any) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False, indent=1)):
        assert _same(jsontext.loads(text), json.loads(text))
        assert _same(jsontext.loads(text.encode("utf-8")), json.loads(text))


@settings(max_examples=400, deadline=None)
@given(_values)
def test_dumps_round_trips_exactly(value: Any) -> None:
    assert _same(json.loads(jsontext.dumps(value)), value)


_awkward_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",))
    | st.sampled_from(["\x7f", "\u2028", "\x1f", "é", "𝄞"]),
    max_size=8,
)
_awkward_floats = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [1e-5, 5e-5, 1.5e-7, 0.0001, 0.00012, 1e16, 1.5e300, -0.0, 0.1 + 0.2, 5e-324, 123.456]
)
_canonical_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        _awkward_floats,
        _awkward_text,
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(_awkward_text, inner, max_size=5)),
    max_leaves=30,
)


@settings(max_examples=600, deadline=None)
@given(_canonical_values)
def test_canonical_text_is_byte_for_byte_the_standard_librarys(value: Any) -> None:
    """Checksums already stored in Grafana depend on this spelling."""
    assert jsontext.dumps_canonical(value) == json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


_plain_check_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        _awkward_floats,
        st.sampled_from(
            [1.0, -0.0, 2.5, 1e5, 100.0, 2**53 + 1, 2**53 + 1.0, 1234567.0000000001, 0.99999999999999999]
        ),
        st.sampled_from(["11.3.0", "x 2.0, y", "1e5", "9007199254740993"]),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(_awkward_text, inner, max_size=5)),
    max_leaves=30,
)


@settings(max_examples=800, deadline=None)
@given(_plain_check_values)
def test_plain_numbers_means_the_normalising_walk_changes_nothing(value: Any) -> None:
    """`plain_numbers` lets callers skip `normalise_numbers`: it must never say "plain" wrongly."""
    for text in (json.dumps(value), json.dumps(value, indent=2, ensure_ascii=False)):
        data = text.encode("utf-8")
        parsed, plain = jsontext.loads_checked(data)
        assert _same(parsed, json.loads(text))
        assert plain == jsontext.plain_numbers(data)
        if plain:
            assert _same(normalise_numbers(parsed), parsed)


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": 2.0}',
        b'{"a":[1.00]}',
        b'{"a": 1e5}',
        b'{"a": 1.5E+3}',
        b'{"a": 9007199254740993}',
        b'{"a": 1234567.0000000001}',
        b'{"a": -0.0 }',
    ],
)
def test_numbers_a_float64_round_trip_changes_are_never_plain(text: bytes) -> None:
    assert not jsontext.plain_numbers(text)
    assert not _same(normalise_numbers(jsontext.loads(text)), jsontext.loads(text))


def test_ordinary_dashboard_numbers_are_plain() -> None:
    text = b'{"gridPos": {"h": 8, "w": 12}, "fillOpacity": 0.1, "pluginVersion": "11.3.0", "max": 1.05}'
    assert jsontext.plain_numbers(text)
    assert jsontext.plain_numbers(b'{"sum": "sha256:ae8da6c0a0e053b2", "uid": "0e5-1E+9", "n": [-2, 7]}')
    assert not jsontext.may_hold_long_numbers(text)
    assert jsontext.may_hold_long_numbers(b'{"id": 12345678901234567}')


def test_integers_beyond_64_bits_stay_exact() -> None:
    big = 123456789012345678901234567890
    assert jsontext.loads(f'{{"n":{big}}}') == {"n": big}
    assert jsontext.loads(f"[{-(2**63) - 1}]") == [-(2**63) - 1]
    assert json.loads(jsontext.dumps({"n": big})) == {"n": big}


def test_lone_surrogates_round_trip_through_escapes() -> None:
    value = jsontext.loads('{"s":"\\ud800"}')
    assert value == {"s": "\ud800"}
    assert jsontext.loads(jsontext.dumps(value)) == value


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a":-Infinity}', "[1e400]"])
def test_numbers_json_cannot_carry_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="JSON number"):
        jsontext.loads(text)


def test_syntax_errors_keep_the_standard_library_position() -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        jsontext.loads('{\n  "a": 1,\n  "b": ]\n}')
    assert (caught.value.lineno, caught.value.colno) == (3, 8)


def test_mappings_that_are_not_dicts_are_encoded_as_objects() -> None:
    lazy = CompactJSON.of({"b": [1, {"c": "é"}], "a": None})
    assert jsontext.dumps({"x": lazy}) == '{"x":{"b":[1,{"c":"é"}],"a":null}}'.encode()


def _same(left: Any, right: Any) -> bool:
    """Equal with the same types all the way down (1 and 1.0 and True differ here)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, Mapping):
        return list(left) == list(right) and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)


_EXAMPLES = Path(__file__).resolve().parents[3] / "config" / "examples"


def test_real_dashboards_get_the_standard_librarys_canonical_text() -> None:
    files = [*corpora.dashboard_files(), *_EXAMPLES.rglob("*.json")]
    assert len(files) > 40
    for path in files:
        value = json.loads(path.read_bytes())
        assert jsontext.dumps_canonical(value) == json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ), path
