"""The emulator's pure helpers: slugs, generated uids, durations, token syntax, profiles, JSON."""

from __future__ import annotations

import random
import re
import uuid

import pytest

from syncer.emulator.app.auth import TokenSyntaxError, parse_token_spec
from syncer.emulator.durations import parse_seconds, refresh_below_minimum
from syncer.emulator.profiles import resolve_profile
from syncer.emulator.store import gojson
from syncer.emulator.store.ids import generate_uid, slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Production Overview", "production-overview"),
        ("  Padded  ", "padded"),
        ("Ops & Dev @ Home", "ops-and-dev-at-home"),
        ("v1.2 (beta)?", "v12-beta"),
        ("Café Über Straße", "cafe-ueber-strasse"),
        ("Привет мир", "privet-mir"),
        ("tab\there", "tab9here"),  # Go's %x per byte: no zero padding
        ("日本", "e697a5e69cac"),
        ("a--b", "a--b"),  # no collapsing of dashes
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize("title", ["   ", "x" * 51, "..."])
def test_slugify_falls_back_to_a_name_based_uuid(title: str) -> None:
    assert slugify(title) == str(uuid.uuid5(uuid.NAMESPACE_OID, title))


def test_generated_uids() -> None:
    rng = random.Random(7)
    uids = {generate_uid(rng) for _ in range(500)}
    assert len(uids) == 500
    assert all(re.fullmatch(r"[a-f][0-9a-z]{12}[a-f]", uid) for uid in uids)


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


def test_token_syntax() -> None:
    bare = parse_token_spec("glsa_abc")
    assert bare.role == "Admin" and bare.name.startswith("token-") and "glsa_abc" not in bare.name
    assert parse_token_spec("ci=glsa_abc").name == "ci"
    viewer = parse_token_spec("ro=glsa_x:viewer")
    assert (viewer.name, viewer.token, viewer.role) == ("ro", "glsa_x", "Viewer")
    assert parse_token_spec("ed=t:Editor").role == "Editor"
    assert "glsa_x" not in repr(viewer)
    for bad in ("ro=:viewer", "x:root"):
        with pytest.raises(TokenSyntaxError):
            parse_token_spec(bad)


@pytest.mark.parametrize(
    ("name", "resolved"),
    [
        ("11.2", "11.2"),
        ("11.3", "11.4"),
        ("11.6", "12"),
        ("12", "12"),
        ("12.4", "12"),
        ("13.0", "13"),
        ("C", "13"),
    ],
)
def test_profile_aliases(name: str, resolved: str) -> None:
    assert resolve_profile(name).name == resolved


def test_unknown_profile() -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        resolve_profile("9")


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
