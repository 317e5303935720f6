"""`syncer run` as a real subprocess against the emulator: files change underneath it, Grafana follows.

Each test changes real files and waits (with generous deadlines) until Grafana, read through its API,
shows the change. Latencies from file write to server change are printed, never asserted.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from support.daemon import DaemonProcess, running_daemon, wait_until
from support.emulator import Emulator


def write(root: Path, rel: str, title: str, uid: str | None = None, panels: int = 1) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    body: dict[str, Any] = {"title": title, "panels": [{"id": i + 1, "type": "text"} for i in range(panels)]}
    if uid is not None:
        body["uid"] = uid
    path.write_text(json.dumps(body, indent=2), encoding="utf-8")
    return path


def get(emulator: Emulator, uid: str) -> dict[str, Any] | None:
    response = emulator.api("GET", f"/api/dashboards/uid/{uid}")
    return response.json() if response.status_code == 200 else None


def title(emulator: Emulator, uid: str) -> str | None:
    found = get(emulator, uid)
    return found["dashboard"]["title"] if found else None


def folder_title(emulator: Emulator, uid: str) -> str | None:
    found = get(emulator, uid)
    return found["meta"].get("folderTitle") if found else None


def dashboard_uids(emulator: Emulator) -> set[str]:
    hits = emulator.api("GET", "/api/search", params={"type": "dash-db", "limit": 5000}).json()
    return {hit["uid"] for hit in hits}


def reconciles(daemon: DaemonProcess) -> float:
    return daemon.metric("syncer_reconcile_total")


def timed_change(label: str, emulator: Emulator, change: Any, done: Any, timeout: float = 20.0) -> float:
    started = time.monotonic()
    change()
    wait_until(done, timeout=timeout, interval=0.02)
    elapsed = time.monotonic() - started
    print(f"{label}: file write -> Grafana change in {elapsed * 1000:.0f} ms")
    return elapsed


@pytest.mark.parametrize("api", ["legacy", "auto"])  # auto picks the k8s-style API the emulator offers
def test_add_edit_rename_move_delete_converge(emulator: Emulator, tmp_path: Path, api: str) -> None:
    src = tmp_path / "src"
    write(src, "team-a/one.json", "One", uid="one")
    write(src, "team-a/two.json", "Two", uid="two")
    with running_daemon(emulator, src, "--prune", api=api) as daemon:
        wait_until(daemon.ready)
        assert dashboard_uids(emulator) == {"one", "two"}
        assert folder_title(emulator, "one") == "team-a"

        timed_change(
            "add",
            emulator,
            lambda: write(src, "team-a/three.json", "Three", uid="three"),
            lambda: title(emulator, "three") == "Three",
        )
        timed_change(
            "edit",
            emulator,
            lambda: write(src, "team-a/three.json", "Three v2", uid="three"),
            lambda: title(emulator, "three") == "Three v2",
        )

        # rename a file whose uid is inside it: same dashboard, no duplicate, nothing deleted
        before = reconciles(daemon)
        os.rename(src / "team-a/three.json", src / "team-a/three-renamed.json")
        wait_until(lambda: reconciles(daemon) > before)
        assert dashboard_uids(emulator) == {"one", "two", "three"}
        assert title(emulator, "three") == "Three v2"

        # move between directories: the dashboard moves to the other folder, it is not duplicated
        def move() -> None:
            (src / "team-b").mkdir()
            shutil.move(src / "team-a/two.json", src / "team-b/two.json")

        timed_change("move", emulator, move, lambda: folder_title(emulator, "two") == "team-b")
        assert dashboard_uids(emulator) == {"one", "two", "three"}

        timed_change(
            "delete (prune)",
            emulator,
            (src / "team-a/one.json").unlink,
            lambda: get(emulator, "one") is None,
        )
        assert dashboard_uids(emulator) == {"two", "three"}
        assert daemon.metric("syncer_actions_total", action="delete", result="ok") == 1
        assert daemon.stop() == 0


def test_rename_of_a_file_without_uid_replaces_the_dashboard_when_pruning(
    emulator: Emulator, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    write(src, "ops/latency.json", "Latency")
    with running_daemon(emulator, src, "--prune") as daemon:
        wait_until(daemon.ready)
        (old_uid,) = dashboard_uids(emulator)
        os.rename(src / "ops/latency.json", src / "ops/latency-p99.json")
        seen: set[str] = set()

        def replaced() -> bool:  # one snapshot per check: two reads could straddle a pass
            seen.clear()
            seen.update(dashboard_uids(emulator))
            return len(seen) == 1 and seen != {old_uid}

        wait_until(replaced)
        (new_uid,) = seen
        assert title(emulator, new_uid) == "Latency"
        wait_until(lambda: dashboard_uids(emulator) == {new_uid})  # and it stays the only one


def test_deleted_file_stays_in_grafana_without_prune(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "a.json", "A", uid="a")
    write(src, "b.json", "B", uid="b")
    with running_daemon(emulator, src) as daemon:
        wait_until(daemon.ready)
        before = reconciles(daemon)
        (src / "a.json").unlink()
        write(src, "b.json", "B2", uid="b")
        wait_until(lambda: title(emulator, "b") == "B2")
        wait_until(lambda: reconciles(daemon) > before)  # the write lands before its pass is counted
        assert reconciles(daemon) == before + 1
        assert get(emulator, "a") is not None


def test_editor_temp_write_and_rename_is_picked_up(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "d.json", "Before", uid="d")
    with running_daemon(emulator, src) as daemon:
        wait_until(daemon.ready)

        def save_like_an_editor() -> None:
            swap = src / ".d.json.swp"
            swap.write_text("vim swap garbage")
            temp = src / ".d.json.tmp-1234"
            temp.write_text(json.dumps({"uid": "d", "title": "After", "panels": []}))
            os.replace(temp, src / "d.json")
            swap.unlink()

        timed_change(
            "editor rename-on-save", emulator, save_like_an_editor, lambda: title(emulator, "d") == "After"
        )


def test_git_sync_style_symlink_swap_of_the_root(emulator: Emulator, tmp_path: Path) -> None:
    base = tmp_path / "git"
    write(base / "rev1", "svc/a.json", "A v1", uid="a")
    write(base / "rev2", "svc/a.json", "A v2", uid="a")
    write(base / "rev2", "svc/b.json", "B v1", uid="b")
    link = base / "current"
    os.symlink("rev1", link)
    with running_daemon(emulator, link, "--prune") as daemon:
        wait_until(daemon.ready)
        assert title(emulator, "a") == "A v1"

        def swap() -> None:  # what git-sync does: new link beside the old one, then rename over it
            os.symlink("rev2", base / ".current.tmp")
            os.replace(base / ".current.tmp", link)

        timed_change(
            "symlink swap",
            emulator,
            swap,
            lambda: title(emulator, "a") == "A v2" and title(emulator, "b") == "B v1",
        )
        # the watch now follows the new tree, not the old one
        timed_change(
            "edit after swap",
            emulator,
            lambda: write(base / "rev2", "svc/b.json", "B v2", uid="b"),
            lambda: title(emulator, "b") == "B v2",
        )
        shutil.rmtree(base / "rev1")  # git-sync garbage-collects the old worktree
        write(base / "rev2", "svc/a.json", "A v3", uid="a")
        wait_until(lambda: title(emulator, "a") == "A v3")
        assert dashboard_uids(emulator) == {"a", "b"}


def test_burst_of_many_files_converges_with_few_reconciles(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "seed.json", "Seed", uid="seed")
    count = 300
    # a wider quiet window than the other tests: a loaded CI machine may pause between two writes
    with running_daemon(emulator, src, debounce=0.5) as daemon:
        wait_until(daemon.ready)
        before = reconciles(daemon)
        started = time.monotonic()
        for i in range(count):  # like a checkout touching many files
            write(src, f"burst/sub{i % 7}/d{i}.json", f"Burst {i}", uid=f"burst-{i}")
        wait_until(lambda: len(dashboard_uids(emulator)) == count + 1, timeout=60)
        elapsed = time.monotonic() - started
        runs = reconciles(daemon) - before
        events = daemon.metric("syncer_triggers_total", source="watch")
        print(
            f"burst: {count} files -> {runs:.0f} reconcile(s) from {events:.0f} watch events, "
            f"converged in {elapsed:.2f} s"
        )
        assert runs <= 3
        assert events >= count  # every event was seen, and coalesced


def test_broken_file_is_reported_and_never_deletes_its_dashboard(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "a.json", "A", uid="a")
    write(src, "b.json", "B", uid="b")
    with running_daemon(emulator, src, "--prune") as daemon:
        wait_until(daemon.ready)
        (src / "a.json").write_text('{"uid": "a", "title": ')  # a half-saved file
        write(src, "b.json", "B2", uid="b")
        wait_until(lambda: title(emulator, "b") == "B2")
        assert get(emulator, "a") is not None
        wait_until(lambda: daemon.metric("syncer_source_problems") == 1)
        assert any("a.json" in str(line.get("problem")) for line in daemon.logs("source problem"))


def test_emptied_or_vanished_source_deletes_nothing(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(3):
        write(src, f"d{i}.json", f"D{i}", uid=f"d{i}")
    with running_daemon(emulator, src, "--prune") as daemon:
        wait_until(daemon.ready)
        for path in src.iterdir():
            path.unlink()  # a mount glitch: the tree is suddenly empty
        wait_until(lambda: daemon.metric("syncer_source_errors_total", kind="empty") >= 1)
        assert daemon.sync().status_code == 202
        wait_until(lambda: daemon.metric("syncer_source_errors_total", kind="empty") >= 2)
        src.rmdir()  # and then gone altogether
        assert daemon.sync().status_code == 202
        wait_until(lambda: daemon.metric("syncer_source_errors_total", kind="unreadable") >= 1)
        assert dashboard_uids(emulator) == {"d0", "d1", "d2"}
        assert daemon.get("/healthz").status_code == 200
        assert daemon.ready()  # Grafana still equals the last good files
        body = daemon.get("/readyz").json()
        assert body["targets"]["default"]["source_problem"]
        write(src, "d0.json", "D0 back", uid="d0")  # the mount comes back
        wait_until(lambda: title(emulator, "d0") == "D0 back")


def test_kubernetes_configmap_volume_update_is_picked_up(emulator: Emulator, tmp_path: Path) -> None:
    """A ConfigMap volume: visible files are symlinks through `..data`, which the kubelet swaps."""
    root = tmp_path / "configmap"
    write(root / "..2024_01_01", "cm.json", "Before", uid="cm")
    os.symlink("..2024_01_01", root / "..data")
    os.symlink("..data/cm.json", root / "cm.json")
    with running_daemon(emulator, root) as daemon:
        wait_until(daemon.ready)
        assert title(emulator, "cm") == "Before"

        def kubelet_update() -> None:
            write(root / "..2024_01_02", "cm.json", "After", uid="cm")
            os.symlink("..2024_01_02", root / "..data_tmp")
            os.replace(root / "..data_tmp", root / "..data")
            shutil.rmtree(root / "..2024_01_01")

        timed_change("configmap swap", emulator, kubelet_update, lambda: title(emulator, "cm") == "After")
