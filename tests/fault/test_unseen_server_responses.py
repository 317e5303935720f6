"""Grafana (or whatever answers at its URL) misbehaving in ways a real estate meets (issue 7, unseen
cases): a gateway answering 200 with its own JSON, a login page answering 200 with HTML, a URL with
`/api` appended, writes forbidden to the token, a file-provisioned dashboard Grafana refuses to save.

Syncer must never take such an answer for data: a listing that is not a list used to read as "no
dashboards" (an incomplete live state planned against), a save answered without a save result was
reported as applied ("ok create -> version 0", on both APIs), a folder create answered that way
crashed the run with a KeyError, and on the resources API an object without metadata read as
"absent" (so syncer created what existed and looped on 409s). Now each is a failure that names the
route, and nothing is written or deleted on the strength of it.

Real `syncer` subprocesses against the emulator, faults through its control API; the server state
is checked afterwards.
"""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from support.emulator import Emulator

from fault.kit import (
    Unmanaged,
    apply,
    assert_server_has,
    connection,
    dashboard,
    get_dashboard,
    run_syncer,
    write_json,
    write_tree,
)
from syncer.app import open_target
from syncer.engine.reconcile import reconcile_once
from syncer.settings.model import ApiFlavour, GrafanaSettings, SyncSettings, TargetSettings

pytestmark = pytest.mark.fault


def edited_tree(emulator: Emulator, source: Path) -> dict[str, dict[str, object]]:
    """An applied tree, then one file edited and one removed (so a run would update and prune)."""
    applied = write_tree(source, 4)
    assert apply(emulator, source, "--prune").returncode == 0
    edited = sorted(applied)[1]
    for path in source.rglob("*.json"):
        if path.stem == sorted(applied)[0]:
            path.unlink()
        if path.stem == edited:
            write_json(path, dashboard(edited, "Edited title", note="v2"))
    return applied


@pytest.mark.parametrize("route", ["GET /api/search", "GET /api/folders"])
def test_a_listing_that_is_not_a_list_stops_the_pass_before_any_write(
    emulator: Emulator, tmp_path: Path, route: str
) -> None:
    source = tmp_path / "src"
    applied = edited_tree(emulator, source)
    hand_made = Unmanaged.seed(emulator)
    writes = emulator.writes()
    emulator.fault(route=route, status=200, message="gateway says hello")

    done = apply(emulator, source, "--prune")
    emulator.clear_faults()

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert f"{route}: HTTP 200 but the body is an object, not a list" in output
    assert "Traceback" not in output
    assert emulator.writes() == writes, "syncer wrote on the strength of a listing it could not read"
    assert_server_has(emulator, applied)  # the edit is not applied, the removed file is not pruned
    hand_made.assert_untouched(emulator)


@pytest.mark.parametrize(
    ("api", "message"),
    [
        ("legacy", "HTTP 200 but the body is not a save result (no version)"),
        ("resources", "HTTP 200 but the body is not the saved k8s object"),
    ],
)
def test_a_save_answered_without_a_save_result_is_a_failure(
    emulator: Emulator, tmp_path: Path, api: str, message: str
) -> None:
    """A gateway answering the POST itself (200 with its own JSON) saved nothing: each dashboard is
    reported failed (it used to read "ok create -> version 0"), and a run after the gateway is
    fixed applies them and then converges."""
    source = tmp_path / "src"
    write_json(source / "top.json", dashboard("save-top", "At the root"))
    written = {"save-top": dashboard("save-top", "At the root"), **write_tree(source, 2)}
    emulator.fault(route="POST *", status=200, message="accepted for review")

    blocked = apply(emulator, source, "--api", api)

    output = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1, output
    assert message in output, output
    assert "ok       create" not in output, "something was reported created that Grafana never saved"
    emulator.clear_faults()
    assert all(get_dashboard(emulator, uid) is None for uid in written)

    fixed = apply(emulator, source, "--api", api)
    writes = emulator.writes()
    again = apply(emulator, source, "--api", api)

    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert again.returncode == 0 and emulator.writes() == writes, "no convergence after the fix"
    assert_server_has(emulator, written)


@pytest.mark.parametrize(
    "route",
    [
        "GET /apis/folder.grafana.app/v1beta1/namespaces/:ns/folders",
        # issue 18: a full pass lists every dashboard (orphans are read from their markers), so the
        # one-by-name route is met by scoped (daemon) passes: see the test after this one
        "GET /apis/dashboard.grafana.app/v0alpha1/namespaces/:ns/dashboards",
    ],
)
def test_resources_api_answers_without_k8s_objects_stop_the_pass(
    emulator: Emulator, tmp_path: Path, route: str
) -> None:
    source = tmp_path / "src"
    first = dashboard("res-1", "Resource one")
    write_json(source / "team" / "res-1.json", first)
    resources = ("--api", "resources")
    assert apply(emulator, source, *resources).returncode == 0
    write_json(source / "team" / "res-1.json", dashboard("res-1", "Resource one, edited"))
    writes = emulator.writes()
    emulator.fault(route=route, status=200, message="gateway says hello")

    done = apply(emulator, source, *resources)
    emulator.clear_faults()

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "not a list response" in output or "not a k8s object" in output, output
    assert "already exists" not in output, "an unreadable object was taken for an absent one"
    assert emulator.writes() == writes
    found = get_dashboard(emulator, "res-1")
    assert found is not None and found["dashboard"]["title"] == "Resource one"


def test_a_scoped_pass_never_takes_an_unreadable_object_for_an_absent_one(
    emulator: Emulator, tmp_path: Path
) -> None:
    """The daemon's incremental pass reads its few dashboards one by name: a 200 without a k8s
    object there must stop the pass, not read as "absent" (which would create what exists)."""
    source = tmp_path / "src"
    write_json(source / "team" / "res-1.json", dashboard("res-1", "Resource one"))
    assert apply(emulator, source, "--api", "resources").returncode == 0
    write_json(source / "team" / "res-1.json", dashboard("res-1", "Resource one, edited"))
    settings = TargetSettings(
        grafana=GrafanaSettings(url=emulator.url, token=SecretStr(emulator.token), api=ApiFlavour.RESOURCES),
        sync=SyncSettings(dir=source),
    )
    writes = emulator.writes()
    emulator.fault(
        route="GET /apis/dashboard.grafana.app/v0alpha1/namespaces/:ns/dashboards/:name",
        status=200,
        message="gateway says hello",
    )

    async def scoped() -> str | None:
        async with open_target(settings) as target:
            return (await reconcile_once(target, scope={"res-1"})).fatal

    fatal = asyncio.run(scoped())
    emulator.clear_faults()

    assert fatal is not None and "not a k8s object" in fatal, fatal
    assert emulator.writes() == writes
    found = get_dashboard(emulator, "res-1")
    assert found is not None and found["dashboard"]["title"] == "Resource one"


class _LoginPage(http.server.BaseHTTPRequestHandler):
    """What a wrong --url often reaches: an SSO proxy's login page, 200 and HTML for every path."""

    def _page(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<!doctype html><html><head><title>Sign in</title></head><body>SSO</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _page

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def login_page() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _LoginPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_html_login_page_at_the_url_is_a_clear_error(login_page: str, tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_tree(source, 2)

    done = run_syncer("apply", str(source), "--url", login_page, "--token", "glsa_login")

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "HTTP 200 but the body is not JSON" in output
    assert "Traceback" not in output and "glsa_login" not in output


def test_writes_forbidden_fail_each_dashboard_alone_and_change_nothing(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A token that may read but not write (Viewer role, or RBAC without dashboards:write)."""
    source = tmp_path / "src"
    applied = edited_tree(emulator, source)
    write_json(source / "team-9" / "new.json", dashboard("new-1", "New"))
    hand_made = Unmanaged.seed(emulator)
    denial = "You'll need additional permissions to perform this action. Permissions needed: dashboards:write"
    emulator.fault(route="POST *", status=403, message=denial)
    emulator.fault(route="DELETE *", status=403, message=denial)

    done = apply(emulator, source, "--prune")
    emulator.clear_faults()

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    for name in ("new.json", "d-0001.json"):
        assert any(
            name in line and "HTTP 403" in line and "dashboards:write" in line for line in output.splitlines()
        )
    assert_server_has(emulator, applied)
    assert get_dashboard(emulator, "new-1") is None
    hand_made.assert_untouched(emulator)


def test_file_provisioned_dashboard_fails_alone(emulator: Emulator, tmp_path: Path) -> None:
    """Grafana refuses API saves of a dashboard provisioned from its own files (400 on the legacy
    API). That one dashboard fails with Grafana's reason and keeps its content; the rest apply."""
    provisioned = {
        "apiVersion": "dashboard.grafana.app/v1beta1",
        "kind": "Dashboard",
        "metadata": {
            "name": "node-exporter",
            "annotations": {
                "grafana.app/managedBy": "classic-file-provisioning",
                "grafana.app/managerId": "default",
                "grafana.app/sourcePath": "node-exporter.json",
            },
        },
        "spec": {"title": "Node exporter (provisioned)", "schemaVersion": 39},
    }
    created = emulator.api(
        "POST",
        "/apis/dashboard.grafana.app/v1beta1/namespaces/default/dashboards",
        json=provisioned,
        auth="admin",
    )
    assert created.status_code in (200, 201), created.text
    source = tmp_path / "src"
    others = write_tree(source, 2)
    write_json(source / "node-exporter.json", dashboard("node-exporter", "Node exporter from git"))

    untaken = run_syncer("apply", str(source), *connection(emulator))
    assert untaken.returncode == 3, untaken.stdout + untaken.stderr  # not syncer's: never taken over
    assert "node-exporter" in untaken.stdout and "--adopt" in untaken.stdout

    done = run_syncer("apply", str(source), *connection(emulator), "--adopt")

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert any(
        "node-exporter.json" in line and "Cannot save provisioned dashboard" in line
        for line in output.splitlines()
    ), output
    assert_server_has(emulator, others)
    found = get_dashboard(emulator, "node-exporter")
    assert found is not None and found["dashboard"]["title"] == "Node exporter (provisioned)"
    assert found["meta"]["provisioned"] is True


def test_url_with_api_appended_names_the_likely_mistake(emulator: Emulator, tmp_path: Path) -> None:
    """`--url https://grafana.example.com/api` (or a missing sub-path) reaches a server that answers
    404 to every Grafana route; "GET /api/search: HTTP 404: Not found" alone used to leave people
    guessing which of their settings was wrong."""
    source = tmp_path / "src"
    write_tree(source, 1)

    done = run_syncer("plan", str(source), "--url", emulator.url + "/api", "--token", emulator.token)

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "HTTP 404" in output and "is the URL Grafana's base URL" in output, output
    assert "Traceback" not in output and emulator.token not in output
