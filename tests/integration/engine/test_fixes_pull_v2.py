"""Pull of v2 (layout-schema) dashboards through the resources API: the pulled files are k8s
resources that `validate` accepts and that `apply` takes back as v2 with the content unchanged.
Real `syncer` subprocesses against the emulator; real files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from support import cli
from support.emulator import Emulator

from syncer.adapters.files.loader import DirectorySource
from syncer.adapters.files.pull.writer import write_tree
from syncer.model.state import LiveDashboard, LiveFolder

V2 = "dashboard.grafana.app/v2beta1"
DASHBOARDS = f"/apis/{V2}/namespaces/default/dashboards"


def spec(title: str) -> dict[str, Any]:
    panel = {"kind": "Panel", "spec": {"id": 1, "title": f"{title} panel", "links": [], "description": ""}}
    return {
        "title": title,
        "elements": {"panel-1": panel},
        "layout": {"kind": "GridLayout", "spec": {"items": []}},
        "cursorSync": "Off",
    }


def make_v2_by_hand(emulator: Emulator, uid: str, folder: str | None) -> None:
    metadata: dict[str, Any] = {"name": uid}
    if folder:
        metadata["annotations"] = {"grafana.app/folder": folder}
    body = {"apiVersion": V2, "kind": "Dashboard", "metadata": metadata, "spec": spec(uid)}
    response = emulator.api("POST", DASHBOARDS, json=body, auth="admin")
    assert response.status_code == 201, response.text


def syncer(emulator: Emulator | None, *args: str) -> subprocess.CompletedProcess[str]:
    return cli.syncer(*args, *(cli.connection(emulator, api="resources") if emulator else []))


def stored_spec(emulator: Emulator, uid: str) -> dict[str, Any]:
    obj: dict[str, Any] = emulator.api("GET", f"{DASHBOARDS}/{uid}").json()
    return obj["spec"]


def test_pulled_v2_dashboards_validate_and_apply_back_unchanged(emulator: Emulator, tmp_path: Path) -> None:
    assert emulator.api("POST", "/api/folders", json={"uid": "ops", "title": "Ops"}).status_code == 200
    make_v2_by_hand(emulator, "v2-root", None)
    make_v2_by_hand(emulator, "v2-ops", "ops")
    before = {uid: stored_spec(emulator, uid) for uid in ("v2-root", "v2-ops")}
    out = tmp_path / "out"

    pulled = syncer(emulator, "pull", str(out))

    assert pulled.returncode == 0, pulled.stderr
    files = {
        json.loads(p.read_text())["metadata"]["name"]: p
        for p in out.rglob("*.json")
        if p.name != "_folder.json"
    }
    assert set(files) == {"v2-root", "v2-ops"} and files["v2-ops"].parent.name == "Ops"
    resource = json.loads(files["v2-ops"].read_text())
    assert resource["apiVersion"] == V2 and resource["kind"] == "Dashboard"
    assert resource["spec"]["elements"] == before["v2-ops"]["elements"]
    validated = syncer(None, "validate", str(out))
    assert validated.returncode == 0, validated.stdout + validated.stderr
    applied = syncer(emulator, "apply", str(out), "--adopt")  # made by hand: adopted on purpose
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert {uid: stored_spec(emulator, uid) for uid in before} == before  # adopted: content unchanged
    assert (
        emulator.api("GET", f"{DASHBOARDS}/v2-ops").json()["metadata"]["annotations"]["grafana.app/folder"]
        == "ops"
    )
    again = syncer(emulator, "plan", str(out), "--exit-code")
    assert again.returncode == 0, again.stdout + again.stderr


def test_v2_dashboard_in_a_folder_that_was_not_listed_names_its_folder(tmp_path: Path) -> None:
    """With no directory for its folder (no permission to list it), the resource names the folder,
    or applying the pulled tree would move the dashboard to the root."""
    hidden = LiveDashboard("v2-hidden", "Hidden", "secret", 3, spec("Hidden"), "sha256:x", api_version=V2)
    listed = LiveDashboard("v2-seen", "Seen", "ops", 2, spec("Seen"), "sha256:y", api_version=V2)
    write_tree(tmp_path, {"ops": LiveFolder("ops", "Ops", None)}, [hidden, listed])

    loaded = DirectorySource(tmp_path).load()

    assert not loaded.errors, loaded.errors
    assert loaded.dashboards["v2-hidden"].folder_uid == "secret"
    assert loaded.dashboards["v2-seen"].folder_uid == "ops"
    assert {d.api_version for d in loaded.dashboards.values()} == {V2}
    seen = json.loads((tmp_path / "Ops" / "Seen.json").read_text())
    assert "annotations" not in seen["metadata"]  # the directory places it: moving the file moves it
