"""The `--token` syntax `[NAME=]TOKEN[:ROLE]` (`app.auth`)."""

from __future__ import annotations

import pytest

from syncer.emulator.app.auth import TokenSyntaxError, parse_token_spec


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
