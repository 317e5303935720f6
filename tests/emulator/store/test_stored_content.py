"""Stored dashboard bytes: the k8s spec as a byte slice, and history compressed only when superseded.

`content_codec.encode` must give exactly `gojson.dumps(content)` and spans such that
`spec_of` equals the old parse-and-re-encode of the spec; the history's newest entry shares
the dashboard's bytes and is compressed (identically to before) once a newer one arrives.
"""

from __future__ import annotations

import json
import random
import zlib
from typing import Any

import pytest
from support import corpora

from syncer.emulator.identity import Identity
from syncer.emulator.store import content_codec, gojson
from syncer.emulator.store.dashboard_writes import DashboardWrite, write_dashboard
from syncer.emulator.store.state import Store

CALLER = Identity(id=1, uid="admin", login="admin", name="admin", role="Admin", is_service_account=False)


def old_spec_bytes(data: bytes) -> bytes:
    """What the k8s routes wrote before: parse the stored bytes, drop the keys, encode in order."""
    document = gojson.loads(data, float64=False)
    return gojson.dumps_ordered({k: v for k, v in document.items() if k not in content_codec.SERVER_KEYS})


def assert_encodes_exactly(content: dict[str, Any]) -> None:
    data, spans = content_codec.encode(content)
    assert data == gojson.dumps(content)
    assert spans is not None
    assert content_codec.spec_of(data, spans) == old_spec_bytes(data)


def with_server_keys(content: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    return {
        **content,
        "id": rng.randint(1, 2**52),
        "uid": f"u{rng.randint(0, 999)}",
        "version": rng.randint(1, 9),
    }


@pytest.mark.parametrize(
    "content",
    [
        {"id": 1, "uid": "a", "version": 1},
        {"id": 1, "uid": "a", "version": 1, "title": "only title"},
        {
            "annotations": {},
            "id": 7,
            "panels": [{"id": 2, "uid": "nested"}],
            "uid": "x",
            "version": 3,
            "z": 1,
        },
        {"title": "no server keys"},
        {"uid": "only-uid", "title": "t"},
        {"a": "id", "b": '"id":1,', "id": 5, "title": "a,b", "uid": "q", "version": 2, "zz": [",", ""]},
        {"id": 1, "uid": "a", "version": 1, "t": 1e-05, "big": 2**70, "s": "\u00e9\u2028"},
    ],
)
def test_encoding_gives_the_stored_bytes_and_an_exact_spec(content: dict[str, Any]) -> None:
    assert_encodes_exactly(content)


def test_content_holding_the_probe_is_encoded_without_spans() -> None:
    probe = content_codec._PROBES["uid"]
    content = {"id": 1, "uid": "a", "version": 1, "title": probe}
    data, spans = content_codec.encode(content)
    assert data == gojson.dumps(content) and spans is None


def test_real_world_dashboards_encode_exactly() -> None:
    rng = random.Random(7)
    for path in corpora.dashboard_files():
        document = json.loads(path.read_bytes())
        if isinstance(document.get("dashboard"), dict):
            document = document["dashboard"]
        assert_encodes_exactly(with_server_keys(document, rng))


def test_history_is_compressed_only_when_superseded() -> None:
    store = Store()
    org = store.orgs[1]
    first = write_dashboard(
        store, org, None, DashboardWrite(uid="d", content={"title": "one"}, folder_uid="", caller=CALLER)
    )
    newest = first.versions[-1]
    assert newest.fresh is first.data and newest.packed is None  # shared, not compressed
    first_bytes = first.data
    record = write_dashboard(
        store, org, first, DashboardWrite(uid="d", content={"title": "two"}, folder_uid="", caller=CALLER)
    )
    older, newest = record.versions
    assert older.fresh is None and older.packed == zlib.compress(first_bytes, 1)  # what was stored before
    assert older.data == first_bytes and older.compressed == zlib.compress(first_bytes, 1)
    assert newest.data is record.data and newest.compressed == zlib.compress(record.data, 1)
    assert newest.fresh is record.data  # the state file's compression is cached, the bytes kept shared
