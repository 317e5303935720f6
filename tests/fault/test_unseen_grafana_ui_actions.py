"""What people do in Grafana's UI behind syncer's back (issue 7, unseen cases): restore an old
version of a dashboard, move a dashboard into a hand-made folder, rename a managed folder, move a
managed subfolder elsewhere.

The restore used to be misread: the restored version carries the ownership marker syncer wrote
with it, whose checksum still matches its content, so syncer took it for "untouched since our
write" and overwrote it as "content changed in git", even with `--on-drift skip --on-conflict skip`.
The marker now records the version its save made; a newer live version means Grafana saved since,
and a restore plus a git change is reported as the conflict it is.

Real `syncer` subprocesses, real HTTP to the emulator (edits made through Grafana's own API, as the
UI does); the server state is checked afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.emulator import Emulator

from fault.kit import Unmanaged, apply, assert_server_has, dashboard, get_dashboard, write_json

pytestmark = pytest.mark.fault


def save_as_person(emulator: Emulator, content: dict[str, Any], folder_uid: str) -> None:
    body = {"dashboard": content, "folderUid": folder_uid, "overwrite": True}
    response = emulator.api("POST", "/api/dashboards/db", json=body, auth="admin")
    assert response.status_code == 200, response.text


def test_ui_restore_of_an_old_version_is_not_taken_for_a_git_change(
    emulator: Emulator, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    old, new = dashboard("rest-1", "Restore me", note="v1"), dashboard("rest-1", "Restore me", note="v2")
    write_json(source / "rest.json", old)
    assert apply(emulator, source).returncode == 0
    write_json(source / "rest.json", new)
    assert apply(emulator, source).returncode == 0
    restored = emulator.api("POST", "/api/dashboards/uid/rest-1/restore", json={"version": 1}, auth="admin")
    assert restored.status_code == 200, restored.text
    write_json(source / "rest.json", dashboard("rest-1", "Restore me", note="v3"))

    kept = apply(emulator, source, "--on-drift", "skip", "--on-conflict", "skip")

    output = kept.stdout + kept.stderr
    assert kept.returncode == 0, output
    assert "content changed in git" not in output, "the restore was taken for an untouched dashboard"
    assert "re-saved syncer's version 1 as 3 (a restore?)" in output, output
    found = get_dashboard(emulator, "rest-1")
    assert (
        found is not None and found["dashboard"]["version"] == 3 and found["dashboard"]["description"] == "v1"
    )

    overwritten = apply(emulator, source)  # default --on-conflict overwrite: git wins, and says so
    writes = emulator.writes()
    again = apply(emulator, source)

    assert overwritten.returncode == 0
    assert "conflict, git wins" in overwritten.stdout and "version 3" in overwritten.stdout, (
        overwritten.stdout
    )
    assert again.returncode == 0 and emulator.writes() == writes, "no convergence after the overwrite"
    assert_server_has(emulator, {"rest-1": dashboard("rest-1", "Restore me", note="v3")})


def test_ui_moves_and_renames_are_reverted_and_the_hand_made_folder_kept(
    emulator: Emulator, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    top, nested = dashboard("ui-top", "Top"), dashboard("ui-nested", "Nested")
    write_json(source / "team" / "_folder.json", {"uid": "ui-team", "title": "Team"})
    write_json(source / "team" / "top.json", top)
    write_json(source / "team" / "sub" / "_folder.json", {"uid": "ui-sub", "title": "Sub"})
    write_json(source / "team" / "sub" / "nested.json", nested)
    assert apply(emulator, source, "--prune").returncode == 0
    hand_made = Unmanaged.seed(emulator)
    made = emulator.api("POST", "/api/folders", json={"uid": "by-hand", "title": "By hand"}, auth="admin")
    assert made.status_code == 200, made.text
    live_top = get_dashboard(emulator, "ui-top")
    assert live_top is not None
    save_as_person(emulator, live_top["dashboard"], "by-hand")
    renamed = emulator.api(
        "PUT", "/api/folders/ui-team", json={"title": "Renamed", "overwrite": True}, auth="admin"
    )
    assert renamed.status_code == 200, renamed.text
    moved = emulator.api("POST", "/api/folders/ui-sub/move", json={"parentUid": "by-hand"}, auth="admin")
    assert moved.status_code == 200, moved.text

    done = apply(emulator, source, "--prune")
    writes = emulator.writes()
    again = apply(emulator, source, "--prune")

    assert done.returncode == 0, done.stdout + done.stderr
    assert again.returncode == 0 and emulator.writes() == writes, again.stdout
    assert_server_has(emulator, {"ui-top": top, "ui-nested": nested})
    placed = {uid: get_dashboard(emulator, uid) for uid in ("ui-top", "ui-nested")}
    assert {uid: found["meta"]["folderUid"] for uid, found in placed.items() if found} == {
        "ui-top": "ui-team",
        "ui-nested": "ui-sub",
    }
    team = emulator.api("GET", "/api/folders/ui-team", auth="admin").json()
    sub = emulator.api("GET", "/api/folders/ui-sub", auth="admin").json()
    assert (team["title"], team.get("parentUid")) == ("Team", None)
    assert sub["parentUid"] == "ui-team"
    assert emulator.api("GET", "/api/folders/by-hand", auth="admin").status_code == 200
    hand_made.assert_untouched(emulator)
