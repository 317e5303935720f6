"""JSON as Grafana's Go backend reads and writes it (`store.gojson`)."""

from __future__ import annotations

import pytest

from syncer.emulator.store import gojson


def test_go_json() -> None:
    assert gojson.loads(b'{"a": 1.0, "b": 2.5, "c": 1e3, "d": 1e22}') == {
        "a": 1,
        "b": 2.5,
        "c": 1000,
        "d": 1e22,
    }
    assert isinstance(gojson.loads(b"1.0"), int) and isinstance(gojson.loads(b"1.0", float64=False), float)
    assert gojson.dumps({"b": 1, "a": {"d": 2, "c": "é"}}) == '{"a":{"c":"é","d":2},"b":1}'.encode()
    for bad in (b"NaN", b"[Infinity]", b"{", b"\xff"):
        with pytest.raises(gojson.InvalidJSON):
            gojson.loads(bad)
