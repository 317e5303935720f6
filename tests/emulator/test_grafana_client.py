"""An independent client (the PyPI `grafana-client` package) drives the emulator end to end."""

from __future__ import annotations

import pytest
from support.emulator import Emulator

grafana_client = pytest.importorskip("grafana_client")


def test_grafana_client_folder_dashboard_search_delete(emulator: Emulator) -> None:
    api = grafana_client.GrafanaApi.from_url(url=emulator.url, credential=emulator.token)
    assert api.health.check()["version"] == "12.1.0"  # reads /api/frontend/settings

    created_folder = api.folder.create_folder("Client Folder", uid="client-folder")
    assert created_folder["uid"] == "client-folder"
    child = api.folder.create_folder("Client Child", uid="client-child", parent_uid="client-folder")
    assert child["parentUid"] == "client-folder"
    assert [f["uid"] for f in api.folder.get_all_folders()] == ["client-folder"]

    saved = api.dashboard.update_dashboard(
        {
            "dashboard": {"uid": "client-dash", "title": "Client Dash", "tags": ["client"]},
            "folderUid": "client-folder",
        }
    )
    assert saved["status"] == "success" and saved["version"] == 1

    fetched = api.dashboard.get_dashboard("client-dash")
    assert fetched["dashboard"]["title"] == "Client Dash"
    assert fetched["meta"]["folderUid"] == "client-folder"

    hits = api.search.search_dashboards(query="client", type_="dash-db")
    assert [h["uid"] for h in hits] == ["client-dash"]
    assert api.search.search_dashboards(tag="client")[0]["folderTitle"] == "Client Folder"
    assert api.dashboard.get_dashboards_tags() == [{"term": "client", "count": 1}]

    with pytest.raises(grafana_client.client.GrafanaClientError) as stale:
        api.dashboard.update_dashboard({"dashboard": {"uid": "client-dash", "title": "Stale", "version": 0}})
    assert stale.value.status_code == 412

    assert api.dashboard.delete_dashboard("client-dash")["uid"] == "client-dash"
    with pytest.raises(grafana_client.client.GrafanaClientError):
        api.dashboard.get_dashboard("client-dash")
    api.folder.delete_folder("client-folder")
    assert api.folder.get_all_folders() == []


def test_grafana_client_basic_auth_and_viewer(emulator: Emulator) -> None:
    admin = grafana_client.GrafanaApi.from_url(url=emulator.url, credential=("admin", "admin"))
    assert admin.user.get_actual_user()["login"] == "admin"
    viewer = grafana_client.GrafanaApi.from_url(url=emulator.url, credential=emulator.viewer_token)
    with pytest.raises(grafana_client.client.GrafanaClientError):
        viewer.folder.create_folder("Nope")
    with pytest.raises(grafana_client.client.GrafanaUnauthorizedError):
        grafana_client.GrafanaApi.from_url(url=emulator.url, credential="wrong").search.search_dashboards()
