"""`gojson` through orjson gives exactly what the standard library gives (values and bytes).

The reference below is the stdlib-only implementation the emulator used before orjson, with
floats spelled as Go's encoding/json spells them (written here independently of `gofloat`, from
`decimal`); every read and write is compared with it on the real-world corpora, on generated
documents full of the corners where orjson and `json` differ (big integers, tiny floats,
exponents, negative zero, surrogates, BOMs, deep nesting), and on embedded `RawJSON`. The
process-wide switch after an infinite float is checked in a fresh interpreter, so it cannot leak
into the other tests.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from pathlib import Path
from typing import Any

import pytest
from support import corpora

from syncer.emulator.store import gojson

REPO = Path(__file__).resolve().parents[3]


def _reject_constant(name: str) -> Any:
    raise gojson.InvalidJSON(name)


def _negative_zero(value: float) -> bool:
    return value == 0 and math.copysign(1, value) < 0


def _go_float(text: str) -> int | float:
    """Go's unstructured decode: integral below 1e21 -> the integer Go writes (its shortest digits,
    zero-padded: `1152921504606847000` for 2**60); -0 stays a float."""
    value = float(text)
    if value.is_integer() and abs(value) < 1e21 and not _negative_zero(value):
        return int(Decimal(repr(value)))
    return value


def reference_loads(raw: bytes, *, float64: bool) -> Any:
    try:
        return json.loads(raw, parse_constant=_reject_constant, parse_float=_go_float if float64 else float)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise gojson.InvalidJSON(str(exc)) from exc


def go_spelling(value: float) -> str:
    """Go's floatEncoder (`'f'` for 1e-6 <= |f| < 1e21, else `'e'` with `e-07` cleaned to `e-7`),
    except that an integral float (a Grafana 11 literal such as `1.0`) keeps Python's spelling."""
    if not math.isfinite(value) or (value.is_integer() and not _negative_zero(value)):
        return repr(value).replace("inf", "Infinity").replace("nan", "NaN")
    if value == 0:
        return "-0"
    if 1e-6 <= abs(value) < 1e21:
        return format(Decimal(repr(value)), "f")
    mantissa, exponent = repr(value).split("e")
    return f"{mantissa}e{int(exponent):+d}".replace("e+-", "e-")


def reference_dumps(value: Any, *, sort_keys: bool) -> bytes:
    """`json.dumps`, each float swapped for a placeholder string and then for its Go spelling."""
    spellings: list[str] = []

    def hide_floats(item: Any) -> Any:
        if isinstance(item, float):
            spellings.append(go_spelling(item))
            return f"\x00float{len(spellings) - 1}\x00"
        if type(item) is dict:
            return {key: hide_floats(member) for key, member in item.items()}
        if type(item) is list:
            return [hide_floats(member) for member in item]
        return item

    text = json.dumps(hide_floats(value), sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=False)
    for index, spelling in enumerate(spellings):
        text = text.replace(f'"\\u0000float{index}\\u0000"', spelling, 1)
    return text.encode()


def same_value(a: Any, b: Any) -> bool:
    """Equal including types, key order and the sign of zero (== alone says 1 == 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same_value, a, b))
    return bool(a == b)


def outcome(function: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    try:
        return "ok", function(*args, **kwargs)
    except Exception as error:  # the exception class is part of the behaviour compared
        return "error", type(error).__name__


def assert_equivalent(raw: bytes) -> None:
    for float64 in (True, False):
        expected = outcome(reference_loads, raw, float64=float64)
        actual = outcome(gojson.loads, raw, float64=float64)
        assert expected[0] == actual[0], (raw[:120], float64, expected, actual)
        if expected[0] == "error":
            continue
        assert same_value(expected[1], actual[1]), (raw[:120], float64)
        for sort_keys, dump in ((True, gojson.dumps), (False, gojson.dumps_ordered)):
            assert outcome(reference_dumps, expected[1], sort_keys=sort_keys) == outcome(dump, actual[1]), (
                raw[:120]
            )


ATOMS = [
    b"0", b"-0", b"1", b"-1", b"1.0", b"-0.0", b"0.5", b"100.25", b"1e3", b"1E-7", b"1.5e-05", b"0.00001",
    b"0.0001", b"0.0000999", b"1e16", b"1e21", b"1e22", b"1.5e300", b"5e-324", b"1.0000000000000001",
    b"9007199254740993.5", b"123456789012345678", b"1234567890123456789", b"18446744073709551615",
    b"18446744073709551616", b"-9223372036854775809", b"12345678901234567890123", b"1e-400",
    b"true", b"false", b"null", b'"x"', b'"\\ud800"', b'"\\udc00\\ud800"', b'"\\u00e9\\n\\t\\u0000\\u001f"',
    b'"\xc3\xa9\xe2\x80\xa8\x7f"', b'"e-5"', b'"a:1e-5"', b'"[0.00001"', b'"\\ud83d\\ude00"',
    b"1.5e-6", b"-9.5E-6", b"1e-6", b"0.0000015", b"1e-60", b"1.152921504606846976e18", b"1e20",
    b'"x:1.5e-6"', b'"[-0.0"', b"-0.0e0",
    b"NaN", b"Infinity",
    b"00", b"[1,]", b"\xff",
]  # fmt: skip
KEYS = [b'"a"', b'"b"', b'"Z"', b'"\xc3\xa9"', b'"\\ud83d\\ude00"', b'"\xef\xbc\xa1"', b'"id"', b'"a"']


def generated(rng: random.Random, depth: int = 0) -> bytes:
    roll = rng.random()
    if depth > 3 or roll < 0.5:
        return rng.choice(ATOMS)
    if roll < 0.75:
        return b"[" + b",".join(generated(rng, depth + 1) for _ in range(rng.randint(0, 4))) + b"]"
    members = (rng.choice(KEYS) + b":" + generated(rng, depth + 1) for _ in range(rng.randint(0, 4)))
    return b"{" + b",".join(members) + b"}"


def test_generated_documents_read_and_write_like_the_standard_library() -> None:
    rng = random.Random(20261122)
    for _ in range(4000):
        assert_equivalent(generated(rng))


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf{}",
        '{"a": 1}'.encode("utf-16"),
        b" [1.0, 2.50, 3e2] ",
        b"[" * 2000 + b"]" * 2000,
        b'{"d":' + b"[" * 300 + b"0.5" + b"]" * 300 + b"}",
        b"",
        b"1" * 400,
        b'{"a":1,"b":2,"a":3}',
    ],
)
def test_corner_cases_read_and_write_like_the_standard_library(raw: bytes) -> None:
    assert_equivalent(raw)


def test_real_world_dashboards_read_and_write_like_the_standard_library() -> None:
    files = corpora.dashboard_files()
    assert files
    for path in files:
        assert_equivalent(path.read_bytes())


class Level(IntEnum):
    HIGH = 2


@dataclass
class Point:
    x: int


@pytest.mark.parametrize("value", [Level.HIGH, {"k": Level.HIGH}, Point(1), {1: "int key"}, 2**70, "\ud800"])
def test_values_orjson_would_write_differently_go_through_the_standard_library(value: Any) -> None:
    for sort_keys, dump in ((True, gojson.dumps), (False, gojson.dumps_ordered)):
        assert outcome(dump, value) == outcome(reference_dumps, value, sort_keys=sort_keys)


def test_raw_json_is_written_as_its_parsed_value_would_be() -> None:
    stored = gojson.dumps({"b": [1.5, 2, {"z": None, "a": "é"}], "a": 1e-05, "c": 2**70})
    document = {"spec": gojson.RawJSON(stored), "kind": "X", "items": [gojson.RawJSON(b"{}")]}
    parsed = {"spec": gojson.loads(stored, float64=False), "kind": "X", "items": [{}]}
    assert gojson.dumps_ordered(document) == reference_dumps(parsed, sort_keys=False)
    assert gojson.dumps(document) == reference_dumps(parsed, sort_keys=True)
    plain = gojson.dumps({"t": "time-series", "uid": "1e-0"})  # "e-" inside strings: orjson path
    assert gojson.dumps_ordered({"spec": gojson.RawJSON(plain)}) == b'{"spec":' + plain + b"}"


def test_a_tiny_float_inside_raw_json_keeps_the_fast_path_and_the_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A LIST embeds hundreds of stored specs; one `1e-05` among them must not send the whole
    answer through `json` (which re-parses every spec), and the bytes must stay the reference's."""
    tiny = gojson.dumps({"threshold": 1e-05, "panels": [{"min": 0.00001}]})
    names = [f"d{n}" for n in range(3)]
    document = {"kind": "List", "items": [{"name": n, "spec": gojson.RawJSON(tiny)} for n in names]}
    spec = gojson.loads(tiny, float64=False)
    parsed = {"kind": "List", "items": [{"name": n, "spec": spec} for n in names]}
    expected = reference_dumps(parsed, sort_keys=False)
    outside = {"spec": gojson.RawJSON(tiny), "ratio": 1.5e-06}  # orjson's 1.5e-6 outside: `json` decides
    expected_outside = reference_dumps({"spec": json.loads(tiny), "ratio": 1.5e-06}, sort_keys=False)
    assert gojson.dumps_ordered(outside) == expected_outside

    def no_stdlib(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("the standard library was used")

    monkeypatch.setattr(json, "dumps", no_stdlib)
    assert gojson.dumps_ordered(document) == expected


def test_an_infinite_float_switches_every_write_to_the_standard_library() -> None:
    """`1e400` parses to inf (json) and must be written `Infinity` as before, not orjson's `null`."""
    script = (
        "from syncer.emulator.store import gojson\n"
        "value = gojson.loads(b'[1e400, 1.5]')\n"
        "print(gojson.dumps(value).decode(), gojson.dumps_ordered({'b': value}).decode())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["[Infinity,1.5]", '{"b":[Infinity,1.5]}']


def test_the_state_file_reader_notes_infinities_too() -> None:
    script = (
        "from syncer.emulator.store import gojson\n"
        'value = gojson.loads_lenient(b\'{"x": Infinity, "y": NaN}\')\n'
        "print(gojson.dumps(value).decode())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == '{"x":Infinity,"y":NaN}'
