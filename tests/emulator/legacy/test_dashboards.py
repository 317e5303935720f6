"""Contract: POST /api/dashboards/db, GET and DELETE /api/dashboards/uid/:uid (profile 12)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from support.emulator import Emulator

from ..helpers import folder, get, save

UID_SCHEME = re.compile(r"^[a-f][0-9a-z]{12}[a-f]$")


def test_create_returns_grafana_save_result(emulator: Emulator) -> None:
    result = save(emulator, {"id": None, "uid": "prod", "title": "Production Overview"})
    assert result == {
        "id": result["id"],
        "uid": "prod",
        "url": "/d/prod/production-overview",
        "status": "success",
        "version": 1,
        "slug": "production-overview",
        "folderUid": "",
    }
    assert isinstance(result["id"], int) and 0 < result["id"] < 1000


def test_every_save_bumps_the_version_even_when_identical(emulator: Emulator) -> None:
    save(emulator, {"uid": "v", "title": "V"})
    for expected in (2, 3):
        result = save(emulator, {"uid": "v", "title": "V", "version": expected - 1})
        assert result["version"] == expected
    assert get(emulator, "v")["dashboard"]["version"] == 3


def test_stale_missing_or_newer_version_is_412_unless_overwrite(emulator: Emulator) -> None:
    save(emulator, {"uid": "c", "title": "C"})
    save(emulator, {"uid": "c", "title": "C", "version": 1})
    for version in (1, None, 7):
        body = {"uid": "c", "title": "C"} | ({"version": version} if version is not None else {})
        refused = save(emulator, body, expect=412)
        assert refused == {
            "status": "version-mismatch",
            "message": "The dashboard has been changed by someone else",
        }
    assert save(emulator, {"uid": "c", "title": "C", "version": 1}, overwrite=True)["version"] == 3


def test_round_trip_is_go_shaped(emulator: Emulator) -> None:
    sent = {
        "uid": "rt",
        "title": "  Padded  ",
        "zeta": 1.0,
        "alpha": {"b": 2.5, "a": [1.0, 2]},
        "__syncer": {"owner": "syncer", "checksum": "abc"},
        "refresh": "1s",
        "schemaVersion": 39,
    }
    result = save(emulator, sent)
    stored = get(emulator, "rt")["dashboard"]
    assert list(stored) == sorted(stored)
    assert stored["title"] == "Padded"
    assert stored["zeta"] == 1 and isinstance(stored["zeta"], int)
    assert stored["alpha"] == {"a": [1, 2], "b": 2.5}
    assert stored["__syncer"] == {"owner": "syncer", "checksum": "abc"}
    assert stored["refresh"] == "5s"
    assert (stored["id"], stored["uid"], stored["version"]) == (result["id"], "rt", 1)


@pytest.mark.parametrize("refresh", ["", "auto", "10s", "1m", "1h", "1d"])
def test_refresh_at_or_above_minimum_is_kept(emulator: Emulator, refresh: str) -> None:
    save(emulator, {"uid": "r", "title": "R", "refresh": refresh})
    assert get(emulator, "r")["dashboard"]["refresh"] == refresh


@pytest.mark.parametrize("refresh", ["1s", "4999ms", "nonsense"])
def test_refresh_below_minimum_or_unparsable_is_rewritten(emulator: Emulator, refresh: str) -> None:
    save(emulator, {"uid": "r", "title": "R", "refresh": refresh})
    assert get(emulator, "r")["dashboard"]["refresh"] == "5s"


def test_generated_uid_follows_grafana_scheme(emulator: Emulator) -> None:
    result = save(emulator, {"title": "No uid"})
    assert UID_SCHEME.match(result["uid"]), result["uid"]
    assert get(emulator, result["uid"])["dashboard"]["uid"] == result["uid"]


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (
            {"dashboard": {"title": "   "}},
            400,
            {"status": "empty-name", "message": "Dashboard title cannot be empty"},
        ),
        ({"dashboard": {}}, 400, {"status": "empty-name", "message": "Dashboard title cannot be empty"}),
        (
            {"dashboard": {"title": "x" * 5001}},
            400,
            {
                "status": "title-too-long",
                "message": "Dashboard title cannot contain more than 5 000 characters",
            },
        ),
        (
            {"dashboard": {"title": "m"}, "message": "m" * 501},
            400,
            {"message": "message too long, max 500 characters"},
        ),
        ({"dashboard": {"title": "u", "uid": "a/b"}}, 400, {"message": "uid contains illegal characters"}),
        ({"dashboard": {"title": "u", "uid": "a" * 41}}, 400, {"message": "uid too long, max 40 characters"}),
        ({"dashboard": {"title": "f"}, "folderUid": "missing"}, 400, {"message": "folder not found"}),
        ({"dashboard": {"title": "f"}, "folderId": 999}, 400, {"message": "folder not found"}),
        (
            {"dashboard": {"title": "i", "id": 424242}},
            404,
            {"status": "not-found", "message": "Dashboard not found"},
        ),
        (
            {"dashboard": {"title": "f"}, "isFolder": True},
            400,
            {"message": "Use folders endpoint for saving folders."},
        ),
        ({"dashboard": ["not", "an", "object"]}, 400, {"message": "bad request data"}),
    ],
)
def test_save_validation(
    emulator: Emulator, body: dict[str, object], status: int, expected: dict[str, str]
) -> None:
    response = emulator.api("POST", "/api/dashboards/db", json=body)
    assert response.status_code == status
    assert response.json() == expected


@pytest.mark.parametrize("raw", [b"{not json", b"", b'{"dashboard": {"title": NaN}}', b"[1, 2]"])
def test_body_that_does_not_bind_is_bad_request_data(emulator: Emulator, raw: bytes) -> None:
    response = emulator.api(
        "POST", "/api/dashboards/db", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"message": "bad request data"}


def test_id_and_uid_naming_different_dashboards_is_400(emulator: Emulator) -> None:
    first = save(emulator, {"uid": "one", "title": "One"})
    save(emulator, {"uid": "two", "title": "Two"})
    response = emulator.api(
        "POST",
        "/api/dashboards/db",
        json={"dashboard": {"id": first["id"], "uid": "two", "title": "X", "version": 1}},
    )
    assert response.status_code == 400
    assert response.json() == {"message": "A dashboard with the same uid already exists"}


def test_update_by_id_keeps_uid(emulator: Emulator) -> None:
    first = save(emulator, {"uid": "byid", "title": "One"})
    result = save(emulator, {"id": first["id"], "title": "Renamed", "version": 1})
    assert (result["uid"], result["version"], result["slug"]) == ("byid", 2, "renamed")


def test_omitting_folder_on_update_moves_to_general(emulator: Emulator) -> None:
    folder(emulator, "team")
    save(emulator, {"uid": "m", "title": "M"}, folder_uid="team")
    assert get(emulator, "m")["meta"]["folderUid"] == "team"
    result = save(emulator, {"uid": "m", "title": "M", "version": 1})
    assert result["folderUid"] == ""
    meta = get(emulator, "m")["meta"]
    assert (meta["folderUid"], meta["folderTitle"], meta["folderUrl"], meta["folderId"]) == (
        "",
        "General",
        "",
        0,
    )


def test_duplicate_titles_are_allowed_in_profile_12(emulator: Emulator) -> None:
    save(emulator, {"uid": "t1", "title": "Same"})
    save(emulator, {"uid": "t2", "title": "Same"})


def test_get_meta_is_complete(emulator: Emulator) -> None:
    created = folder(emulator, "ops", "Ops Team")
    save(emulator, {"uid": "g", "title": "Get Me"}, folder_uid="ops")
    document = get(emulator, "g")
    meta = document["meta"]
    assert meta["folderUid"] == "ops"
    assert meta["folderTitle"] == "Ops Team"
    assert meta["folderId"] == created["id"]
    assert meta["folderUrl"] == "/dashboards/f/ops/ops-team"
    assert meta["url"] == "/d/g/get-me" and meta["slug"] == "get-me"
    assert meta["createdBy"] == meta["updatedBy"] == emulator.admin_login
    assert meta["version"] == document["dashboard"]["version"] == 1
    assert meta["canSave"] and meta["canEdit"] and meta["canDelete"]
    assert meta["provisioned"] is False and meta["provisionedExternalId"] == ""
    assert meta["expires"] == "0001-01-01T00:00:00Z"
    assert meta["isFolder"] is False and meta["type"] == "db"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", meta["created"])


def test_updated_by_reflects_the_last_writer(emulator: Emulator) -> None:
    save(emulator, {"uid": "who", "title": "Who"})
    save(emulator, {"uid": "who", "title": "Who", "version": 1}, auth="admin")
    meta = get(emulator, "who")["meta"]
    assert meta["createdBy"] == emulator.admin_login
    assert meta["updatedBy"] == "admin"


def test_viewer_reads_but_cannot_write(emulator: Emulator) -> None:
    save(emulator, {"uid": "ro", "title": "RO"})
    meta = get(emulator, "ro", auth="viewer")["meta"]
    assert meta["canSave"] is False and meta["canEdit"] is False
    refused = emulator.api("POST", "/api/dashboards/db", json={"dashboard": {"title": "x"}}, auth="viewer")
    assert refused.status_code == 403
    assert refused.json()["title"] == "Access denied"
    assert emulator.api("DELETE", "/api/dashboards/uid/ro", auth="viewer").status_code == 403


def test_get_unknown_is_404(emulator: Emulator) -> None:
    response = emulator.api("GET", "/api/dashboards/uid/nope")
    assert response.status_code == 404
    assert response.json() == {"message": "Dashboard not found"}


def test_delete(emulator: Emulator) -> None:
    save(emulator, {"uid": "del", "title": "Delete Me"})
    response = emulator.api("DELETE", "/api/dashboards/uid/del")
    assert response.status_code == 200
    assert response.json() == {"title": "Delete Me", "message": "Dashboard Delete Me deleted", "uid": "del"}
    assert emulator.api("GET", "/api/dashboards/uid/del").status_code == 404
    again = emulator.api("DELETE", "/api/dashboards/uid/del")
    assert again.status_code == 404 and again.json() == {"message": "Dashboard not found"}


def test_delete_of_a_folder_uid_is_refused(emulator: Emulator) -> None:
    """12.x reads through the k8s dashboard store, where a folder is no dashboard: 404, folder kept
    (11.x's 400 is covered in test_grafana_fidelity.py)."""
    folder(emulator, "fold")
    response = emulator.api("DELETE", "/api/dashboards/uid/fold")
    assert response.status_code == 404
    assert response.json() == {"message": "Dashboard not found"}
    assert emulator.api("GET", "/api/folders/fold").status_code == 200


def test_large_dashboard_round_trips(emulator: Emulator) -> None:
    panels = [
        {"id": i, "type": "timeseries", "title": f"P{i}", "targets": [{"expr": "up" * 50}]}
        for i in range(300)
    ]
    save(emulator, {"uid": "big", "title": "Big", "panels": panels})
    assert get(emulator, "big")["dashboard"]["panels"] == panels


def test_concurrent_saves_of_the_same_version_let_exactly_one_win(emulator: Emulator) -> None:
    save(emulator, {"uid": "race", "title": "Race"})

    def attempt(n: int) -> int:
        body = {"dashboard": {"uid": "race", "title": f"Writer {n}", "version": 1}}
        with httpx.Client(base_url=emulator.url, headers=emulator.headers()) as client:
            return client.post("/api/dashboards/db", json=body).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(attempt, range(8)))
    assert statuses == [200] + [412] * 7
    assert get(emulator, "race")["dashboard"]["version"] == 2
