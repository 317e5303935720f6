"""Generated identifiers (`store.ids`): slugs and dashboard/folder uids."""

from __future__ import annotations

import random
import re
import uuid

import pytest

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
