"""Profile names and aliases (`profiles.py`)."""

from __future__ import annotations

import pytest

from syncer.emulator.profiles import resolve_profile


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
