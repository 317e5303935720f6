"""Contract: answers a client can trip on, each checked against Grafana's source (issue 17)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from support.emulator import Emulator
from support.inprocess import InProcessEmulator, serving

from .helpers import folder

UNAUTHORIZED = {"message": "Unauthorized", "messageId": "auth.unauthorized", "statusCode": 401, "traceID": ""}
INVALID_KEY = {"message": "Invalid API key", "messageId": "api-key.invalid", "statusCode": 401, "traceID": ""}
DEPTH = {"message": "Maximum nested folder depth reached", "messageId": "folder.maximum-depth-reached"}
K8S_DASHBOARDS = "/apis/dashboard.grafana.app/v1beta1/namespaces/default/dashboards"


@pytest.fixture(scope="module")
def grafana_11() -> Iterator[Emulator]:
    with serving(profile="11.2") as emulator:
        yield emulator


@pytest.mark.parametrize("path", ["/api/search", "/apis", K8S_DASHBOARDS])
@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer"}, {"Authorization": "Token glsa_test_admin"}]
)
def test_no_credentials_is_authns_unauthorized(
    emulator: Emulator, path: str, headers: dict[str, str]
) -> None:
    """pkg/services/authn/authnimpl/service.go: `errCantAuthenticateReq = errutil.Unauthorized(
    "auth.unauthorized")`, written by pkg/middleware/auth.go `notAuthorized`. `/apis` sits behind
    `middleware.ReqSignedIn` (pkg/services/apiserver/service.go), so it answers the same JSON,
    not a Kubernetes Status."""
    response = emulator.api("GET", path, auth="none", headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize("path", ["/api/search", "/apis", K8S_DASHBOARDS])
@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer glsa_not_a_known_token",
        "Bearer eyJrIjoibm90LWEta2V5In0=",
        "Basic " + base64.b64encode(b"api_key:glsa_unknown").decode(),
    ],
)
def test_unknown_token_is_invalid_api_key(emulator: Emulator, path: str, authorization: str) -> None:
    """pkg/services/authn/clients/api_key.go: any bearer token (or the password of basic user
    `api_key`) goes to the API-key client, which answers `errAPIKeyInvalid` (`api-key.invalid`,
    public message "Invalid API key") for a key it cannot find. The token is never echoed."""
    response = emulator.api("GET", path, auth="none", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.json() == INVALID_KEY
    assert authorization.rsplit(maxsplit=1)[-1] not in response.text


def test_token_for_an_org_that_does_not_exist_is_an_org_mismatch(emulator: Emulator) -> None:
    """pkg/services/authn/clients/api_key.go `validateApiKey`: `errAPIKeyOrgMismatch`."""
    response = emulator.api("GET", "/api/search", headers={"X-Grafana-Org-Id": "99"})
    assert response.status_code == 401
    assert response.json() == {
        "message": "API key does not belong to the requested organization",
        "messageId": "api-key.organization-mismatch",
        "statusCode": 401,
        "traceID": "",
    }


def test_folder_depth_error_carries_its_message_id_on_12(emulator: Emulator) -> None:
    """pkg/api/apierrors/folder.go `ToFolderErrorResponse`: `folder.ErrMaximumDepthReached` ->
    `400 {"messageId": "folder.maximum-depth-reached", "message": "Maximum nested folder depth
    reached"}` (folder.ErrMaximumDepthReached in pkg/services/folder/model.go). Default depth 4
    (pkg/setting: `[folder] max_nested_folder_depth`, MustInt(4))."""
    parent = None
    for level in range(1, 5):
        folder(emulator, f"deep{level}", parent=parent)
        parent = f"deep{level}"
    create = emulator.api(
        "POST", "/api/folders", json={"uid": "deep5", "title": "Deep 5", "parentUid": "deep4"}
    )
    assert create.status_code == 400 and create.json() == DEPTH
    folder(emulator, "other")
    move = emulator.api("POST", "/api/folders/deep1/move", json={"parentUid": "other"})
    assert move.status_code == 400 and move.json() == DEPTH
    assert "deep5" not in {f["uid"] for f in emulator.state()["orgs"]["1"]["folders"]}


def test_folder_depth_error_on_11_is_the_bracketed_message(grafana_11: Emulator) -> None:
    """Grafana 11's ToFolderErrorResponse wrote the errutil error text (`[id] message`)."""
    grafana_11.reset()
    parent = None
    for level in range(1, 9):
        folder(grafana_11, f"d{level}", parent=parent)
        parent = f"d{level}"
    response = grafana_11.api("POST", "/api/folders", json={"uid": "d9", "title": "D9", "parentUid": "d8"})
    assert response.status_code == 400
    assert response.json() == {
        "message": "[folder.maximum-depth-reached] Maximum nested folder depth reached"
    }


@pytest.mark.parametrize(("configured", "allowed"), [("2", 2), ("6", 6), ("100", 7)])
def test_max_nested_folder_depth_option(configured: str, allowed: int) -> None:
    """pkg/setting `readFolderSettings`: `[folder] max_nested_folder_depth`, clamped to 1..7."""
    emulator = InProcessEmulator.start("--max-nested-folder-depth", configured)
    try:
        parent = None
        for level in range(1, allowed + 1):
            folder(emulator, f"lvl{level}", parent=parent)
            parent = f"lvl{level}"
        too_deep = {"uid": "over", "title": "Over", "parentUid": parent}
        response = emulator.api("POST", "/api/folders", json=too_deep)
        assert response.status_code == 400 and response.json() == DEPTH
        k8s = emulator.api(
            "POST",
            "/apis/folder.grafana.app/v1beta1/namespaces/default/folders",
            json={
                "metadata": {"name": "over-k8s", "annotations": {"grafana.app/folder": parent}},
                "spec": {"title": "Over"},
            },
        )
        assert k8s.status_code == 400 and "maximum-depth-reached" in k8s.json()["message"]
    finally:
        emulator.stop()


def test_deleting_a_folder_uid_through_the_dashboard_api_on_12_is_not_found(emulator: Emulator) -> None:
    """pkg/api/dashboard.go `deleteDashboard`: `getDashboardHelper` reads through the dashboard
    service, which on 12.x goes to the k8s dashboard store, where a folder uid is no dashboard:
    `404 {"message":"Dashboard not found"}` (the `dash.IsFolder` 400 is only reachable in SQL mode)."""
    folder(emulator, "fold12")
    response = emulator.api("DELETE", "/api/dashboards/uid/fold12")
    assert response.status_code == 404 and response.json() == {"message": "Dashboard not found"}
    assert emulator.api("GET", "/api/folders/fold12").status_code == 200


def test_deleting_a_folder_uid_through_the_dashboard_api_on_11_is_refused(grafana_11: Emulator) -> None:
    """pkg/api/dashboard.go (SQL mode): `dash.IsFolder` ->
    `400 "Use folders endpoint for deleting folders."`."""
    grafana_11.reset()
    folder(grafana_11, "fold11")
    response = grafana_11.api("DELETE", "/api/dashboards/uid/fold11")
    assert response.status_code == 400
    assert response.json() == {"message": "Use folders endpoint for deleting folders."}
    assert grafana_11.api("GET", "/api/folders/fold11").status_code == 200


def test_a_trailing_slash_matches_the_route(emulator: Emulator) -> None:
    """pkg/web/tree.go `Match` trims one trailing slash before matching; the counter key and the
    404/405 distinction are those of the route itself."""
    folder(emulator, "slash")
    emulator.reset(counters_only=True)
    assert emulator.api("GET", "/api/folders/slash/").json()["uid"] == "slash"
    assert emulator.api("PATCH", "/api/folders/slash/").status_code == 405
    assert emulator.api("GET", "/api/nothing-here/").status_code == 404
    assert emulator.requests()["by_route"]["GET /api/folders/:uid"] == 1
