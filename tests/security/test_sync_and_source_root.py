"""`POST /sync` honours its token, and files are read only below the source root.

The sync trigger is the daemon's one write-ish endpoint: with `--sync-token-file`, a request
without the bearer token, or with a wrong one, gets 401 and triggers nothing; the right token
triggers a reconcile (observed on the server: a dashboard edited in Grafana is reverted).
Source-root confinement: a symlink (file or directory) leading outside the root is never read,
by the one-shot commands or by the daemon, so its content never reaches Grafana or the output.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fault.kit import (
    apply,
    dashboard,
    get_dashboard,
    run_syncer,
    running_daemon,
    wait_for,
    write_json,
    write_tree,
)
from support.emulator import Emulator

pytestmark = pytest.mark.security

SYNC_TOKEN = "sync-Secret-4d9b1f7e2a6c"
OUTSIDE_MARK = "OUTSIDE-THE-ROOT-7c1e"


def edit_in_grafana(emulator: Emulator, uid: str, note: str) -> None:
    """Someone edits the dashboard in the Grafana UI (as the admin user, not syncer's token)."""
    live = get_dashboard(emulator, uid)
    assert live is not None
    content = {**live["dashboard"], "description": note}
    response = emulator.api("POST", "/api/dashboards/db", json={"dashboard": content}, auth="admin")
    assert response.status_code == 200, response.text


def description(emulator: Emulator, uid: str) -> str:
    live = get_dashboard(emulator, uid)
    assert live is not None
    return str(live["dashboard"]["description"])


def test_sync_endpoint_requires_its_token(emulator: Emulator, tmp_path: Path) -> None:
    write_tree(tmp_path / "src", 2)
    token_file = tmp_path / "sync-token"
    token_file.write_text(SYNC_TOKEN + "\n")
    extra = ("--sync-token-file", str(token_file), "--interval", "3600")
    with running_daemon(emulator, tmp_path / "src", tmp_path / "daemon.log", *extra) as daemon:
        wait_for(daemon.ready, timeout=60, what="daemon ready")
        edit_in_grafana(emulator, "d-0000", "edited in the UI")

        assert daemon.post("/sync")[0] == 401
        assert daemon.post("/sync", token="not-" + SYNC_TOKEN)[0] == 401
        assert daemon.post("/sync", token=SYNC_TOKEN[:-1])[0] == 401
        time.sleep(1.0)
        assert description(emulator, "d-0000") == "edited in the UI", "a refused /sync must trigger nothing"

        status, _ = daemon.post("/sync", token=SYNC_TOKEN)
        assert status in (200, 202)
        wait_for(lambda: description(emulator, "d-0000") == "v1", timeout=30, what="the drift reverted")
    assert SYNC_TOKEN not in daemon.output()


def outside_tree(scratch: Path) -> Path:
    outside = scratch / "outside"
    write_json(outside / "secret.json", dashboard("outside-file", OUTSIDE_MARK))
    write_json(outside / "dir" / "inner.json", dashboard("outside-dir", OUTSIDE_MARK))
    (outside / "notes.json").write_text(f"not json at all {OUTSIDE_MARK}\n")
    return outside


def add_escapes(root: Path, outside: Path) -> None:
    (root / "team-0" / "linked.json").symlink_to(outside / "secret.json")
    (root / "team-1" / "notes.json").symlink_to(outside / "notes.json")
    (root / "escape-dir").symlink_to(outside / "dir", target_is_directory=True)


def test_one_shot_commands_never_read_outside_the_root(emulator: Emulator, tmp_path: Path) -> None:
    root = tmp_path / "src"
    expected = write_tree(root, 3)
    add_escapes(root, outside_tree(tmp_path))

    outputs = []
    for command in ("validate", "plan"):
        done = run_syncer(command, str(root), *([] if command == "validate" else ["--url", emulator.url]))
        outputs.append(done.stdout + done.stderr)
    done = apply(emulator, root)
    outputs.append(done.stdout + done.stderr)

    for output in outputs:
        assert OUTSIDE_MARK not in output, "content of a file outside the root reached the output"
    assert done.returncode == 1
    for uid in expected:
        assert get_dashboard(emulator, uid) is not None
    assert get_dashboard(emulator, "outside-file") is None
    assert get_dashboard(emulator, "outside-dir") is None


def test_daemon_never_reads_outside_the_root(emulator: Emulator, tmp_path: Path) -> None:
    root = tmp_path / "src"
    expected = write_tree(root, 2)
    outside = outside_tree(tmp_path)
    with running_daemon(emulator, root, tmp_path / "daemon.log", "--interval", "1") as daemon:
        wait_for(daemon.ready, timeout=60, what="daemon ready")
        add_escapes(root, outside)
        write_json(root / "team-2" / "fresh.json", dashboard("fresh-1", "Fresh"))
        wait_for(lambda: get_dashboard(emulator, "fresh-1") is not None, timeout=30, what="the fresh file")
        daemon.wait_for_passes(2, what="at least one periodic resync over the escapes too")
        assert daemon.alive()
    assert get_dashboard(emulator, "outside-file") is None
    assert get_dashboard(emulator, "outside-dir") is None
    assert all(get_dashboard(emulator, uid) for uid in expected)
    assert OUTSIDE_MARK not in daemon.output()
