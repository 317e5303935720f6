"""Contract: bearer tokens, basic auth, roles, org selection by header / targetOrgId."""

from __future__ import annotations

import base64

import pytest
from support.emulator import Emulator

from ..helpers import save

NO_CREDENTIALS = {
    "message": "Unauthorized",
    "messageId": "auth.unauthorized",
    "statusCode": 401,
    "traceID": "",
}
INVALID_KEY = {"message": "Invalid API key", "messageId": "api-key.invalid", "statusCode": 401, "traceID": ""}


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({}, NO_CREDENTIALS),
        ({"Authorization": "Bearer wrong"}, INVALID_KEY),
        ({"Authorization": "Bearer"}, NO_CREDENTIALS),
        (
            {"Authorization": "Basic " + base64.b64encode(b"admin:wrong").decode()},
            {"message": "Unauthorized"},
        ),
        ({"Authorization": "Basic !!!not-base64"}, {"message": "Unauthorized"}),
        ({"Authorization": "Token glsa_test_admin"}, NO_CREDENTIALS),
    ],
)
def test_unauthenticated_api_calls_are_401(
    emulator: Emulator, headers: dict[str, str], body: dict[str, object]
) -> None:
    """Grafana's bodies (see test_grafana_fidelity.py for the source of each)."""
    response = emulator.api("GET", "/api/search", auth="none", headers=headers)
    assert response.status_code == 401
    assert response.json() == body


def test_401_never_echoes_the_token(emulator: Emulator) -> None:
    response = emulator.api(
        "GET", "/api/search", auth="none", headers={"Authorization": "Bearer glsa_SECRET_value"}
    )
    assert "glsa_SECRET_value" not in response.text


def test_org_selection_isolates_stores(emulator: Emulator) -> None:
    save(emulator, {"uid": "o1", "title": "Org one"})
    in_org2 = emulator.api(
        "POST",
        "/api/dashboards/db",
        json={"dashboard": {"uid": "o2", "title": "Org two"}},
        headers={"X-Grafana-Org-Id": "2"},
    )
    assert in_org2.status_code == 200
    assert [h["uid"] for h in emulator.api("GET", "/api/search").json()] == ["o1"]
    org2 = emulator.api("GET", "/api/search", headers={"X-Grafana-Org-Id": "2"}).json()
    assert [(h["uid"], h["orgId"]) for h in org2] == [("o2", 2)]
    by_query = emulator.api(
        "GET", "/api/search", params={"targetOrgId": 2}, headers={"X-Grafana-Org-Id": "1"}
    )
    assert [h["uid"] for h in by_query.json()] == ["o2"]
    for garbage in ("abc", "²", ""):  # unparsable values are ignored, never a 500
        ignored = emulator.api("GET", "/api/search", params={"targetOrgId": garbage})
        assert [h["uid"] for h in ignored.json()] == ["o1"]
    ignored = emulator.api("GET", "/api/search", headers={"X-Grafana-Org-Id": "abc"})
    assert [h["uid"] for h in ignored.json()] == ["o1"]


def test_unknown_org_is_401(emulator: Emulator) -> None:
    response = emulator.api("GET", "/api/search", headers={"X-Grafana-Org-Id": "99"})
    assert response.status_code == 401


def test_unknown_route_is_404_and_wrong_method_405(emulator: Emulator) -> None:
    assert emulator.api("GET", "/api/nothing-here").status_code == 404
    assert emulator.api("PATCH", "/api/dashboards/db").status_code == 405


def test_token_as_api_key_basic_password(emulator: Emulator) -> None:
    good = base64.b64encode(f"api_key:{emulator.token}".encode()).decode()
    assert (
        emulator.api(
            "GET", "/api/search", auth="none", headers={"Authorization": f"Basic {good}"}
        ).status_code
        == 200
    )
    bad = base64.b64encode(b"api_key:nope").decode()
    assert (
        emulator.api("GET", "/api/search", auth="none", headers={"Authorization": f"Basic {bad}"}).status_code
        == 401
    )


def test_json_content_type(emulator: Emulator) -> None:
    assert emulator.api("GET", "/api/search").headers["content-type"] == "application/json; charset=UTF-8"
