"""Floats spelled as Go's encoding/json writes a float64 (`store.gofloat`, `gojson.float_text`).

The expected texts are what Go's `json.Marshal(float64(x))` prints (src/encoding/json/encode.go,
`floatEncoder`: `strconv.AppendFloat(b, f, 'f', -1, 64)` for 1e-6 <= |f| < 1e21, else `'e'` with
`e-09` cleaned to `e-9`), which is what a real Grafana sends back.
"""

from __future__ import annotations

import math
import random
import struct

import orjson
import pytest

from syncer.emulator.store import gojson
from syncer.emulator.store.gofloat import go_float_text, go_integer

GO_MARSHAL = [
    (0.00001, "0.00001"),
    (1e-7, "1e-7"),
    (1e21, "1e+21"),
    (123456789.0, "123456789"),
    (-0.0, "-0"),
    (0.0, "0"),
    (1.0, "1"),
    (-2.5, "-2.5"),
    (0.1 + 0.2, "0.30000000000000004"),
    (1e-6, "0.000001"),
    (1.5e-6, "0.0000015"),
    (-9.5e-6, "-0.0000095"),
    (0.0001, "0.0001"),
    (1.5e-7, "1.5e-7"),
    (1e-10, "1e-10"),
    (1.5e-300, "1.5e-300"),
    (5e-324, "5e-324"),
    (1e16, "10000000000000000"),
    (1e20, "100000000000000000000"),
    (123456789012345678.0, "123456789012345680"),
    (2.0**60, "1152921504606847000"),
    (1.5e21, "1.5e+21"),
    (1e100, "1e+100"),
    (1.7976931348623157e308, "1.7976931348623157e+308"),
]


@pytest.mark.parametrize(("number", "go_text"), GO_MARSHAL)
def test_floats_are_spelled_as_go_marshals_them(number: float, go_text: str) -> None:
    assert go_float_text(number) == go_text
    assert float(go_text) == number and math.copysign(1, float(go_text)) == math.copysign(1, number)


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_numbers_go_cannot_marshal_are_refused(number: float) -> None:
    with pytest.raises(ValueError, match="unsupported value"):
        go_float_text(number)


def test_integral_floats_become_the_integers_go_writes() -> None:
    assert go_integer(123456789.0) == 123456789
    assert go_integer(2.0**60) == 1152921504606847000  # shortest digits, zero-padded, as Go writes
    parsed = gojson.loads(b"[1.0, 1.5e3, 1.152921504606846976e18, 1e21, -0.0]")
    assert parsed == [1, 1500, 1152921504606847000, 1e21, -0.0]
    assert [type(item) for item in parsed] == [int, int, int, float, float]


def test_the_emulator_writes_go_spelling_through_orjson_and_json_alike() -> None:
    document = {"a": [0.00001, 1e-7, 1.5e-6, -0.0, 2.5, 1e21], "s": "1.5e-6"}
    expected = b'{"a":[0.00001,1e-7,0.0000015,-0,2.5,1e+21],"s":"1.5e-6"}'
    assert gojson.dumps(document) == expected
    beyond_64_bits = {**document, "z": 2**70}  # orjson refuses it: the standard library writes
    assert gojson.dumps(beyond_64_bits) == expected[:-1] + b',"z":1180591620717411303424}'
    assert gojson.dumps(gojson.loads(b'{"a":[1e-05,1E-7,0.0000015,-0.0,2.50,1e21],"s":"1.5e-6"}')) == expected


def test_a_kept_grafana_11_literal_keeps_its_fraction() -> None:
    """Integral floats reach the writer only as literals Grafana 11 keeps (`1.0` stays `1.0`)."""
    kept = gojson.loads(b'{"ratio": 1.0, "tiny": 1e-05}', float64=False)
    assert gojson.dumps(kept) == b'{"ratio":1.0,"tiny":0.00001}'
    assert gojson.float_text(1.0) == "1.0" and gojson.float_text(-0.0) == "-0"


def test_random_floats_round_trip_and_match_orjson_where_go_agrees() -> None:
    """Go's spelling reads back as the same float; orjson (whose digits are the same shortest
    ones) differs from it only in the layout `gojson` checks for."""
    rng = random.Random(20261207)
    for index in range(20000):
        if index % 2:
            number = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        else:  # magnitudes around Go's and orjson's switches
            number = rng.uniform(-1, 1) * 10.0 ** rng.randint(-9, 22)
        if not math.isfinite(number):
            continue
        text = go_float_text(number)
        assert float(text) == number
        if not number.is_integer() and not 1e-6 <= abs(number) < 1e-5:
            assert gojson.dumps([number]) == f"[{text}]".encode()


def test_floats_orjson_spells_unlike_go_stay_on_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A `1.5e-6` or a `-0.0` costs a walk handing Go's text to orjson, not the standard library
    (about six times slower on a large dashboard); a look-alike string changes nothing."""

    def no_stdlib(*args: object, **kwargs: object) -> str:
        raise AssertionError("the standard library encoder was used")

    monkeypatch.setattr(gojson, "json_text", no_stdlib)
    document = {"b": [1.5e-6, {"c": -0.0}], "a": "x:1.5e-6", "raw": gojson.RawJSON(b'{"z":0.0000015}')}
    assert gojson.dumps(document) == b'{"a":"x:1.5e-6","b":[0.0000015,{"c":-0}],"raw":{"z":0.0000015}}'
    assert (
        gojson.dumps_ordered(document) == b'{"b":[0.0000015,{"c":-0}],"a":"x:1.5e-6","raw":{"z":0.0000015}}'
    )


def test_the_orjson_spellings_the_check_rests_on() -> None:
    """`gojson` trusts orjson's float text except where it looks for `e-6` and `-0.0`; orjson
    3.11.7 changed its float writer (`1e+21`, was `1e21`), so a change there must fail here."""
    spelled = {1e21: b"1e+21", 1e-7: b"1e-7", 1e-5: b"0.00001", 1.5e-6: b"1.5e-6", -0.0: b"-0.0"}
    spelled |= {1.0: b"1.0", 1e16: b"1e+16", 0.25: b"0.25"}
    assert {number: orjson.dumps(number) for number in spelled} == spelled
