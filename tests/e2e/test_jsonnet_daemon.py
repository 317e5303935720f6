"""`syncer run` as a real subprocess on node-mixin (real jsonnet, vendored grafonnet): real file events
on an imported `.libsonnet` re-evaluate the mixin and change exactly the affected dashboard in Grafana;
a pass over an unchanged tree evaluates nothing (counted from the daemon's `jsonnet evaluated` log
lines); a syntax error deletes nothing and fixing it converges."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.daemon import DaemonProcess, running_daemon, wait_until
from support.emulator import Emulator
from support.jsonnet_corpus import (
    DASHBOARDS,
    MIXIN_FILE,
    USE_LIBRARY,
    USE_NODE,
    node_mixin_copy,
    retitle_use_node,
)

JSONNET_FILES = {MIXIN_FILE, "node-mixin/alerts.jsonnet", "node-mixin/rules.jsonnet"}


def evaluated(daemon: DaemonProcess) -> list[str]:
    return [record["path"] for record in daemon.logs("jsonnet evaluated")]


def versions(emulator: Emulator) -> dict[str, int]:
    found = {}
    for uid in DASHBOARDS.values():
        response = emulator.api("GET", f"/api/dashboards/uid/{uid}")
        if response.status_code == 200:
            found[uid] = int(response.json()["dashboard"]["version"])
    return found


def title(emulator: Emulator, uid: str) -> str:
    return str(emulator.api("GET", f"/api/dashboards/uid/{uid}").json()["dashboard"]["title"])


def full_pass(daemon: DaemonProcess) -> None:
    """A manual full resync, like the periodic one, waited for."""
    before = daemon.metric("syncer_reconcile_total")
    assert daemon.sync().status_code in (200, 202)
    wait_until(lambda: daemon.metric("syncer_reconcile_total") > before, timeout=30)


@pytest.mark.parametrize("api", ["legacy", "auto"])  # auto: the resources API the emulator offers
def test_daemon_reevaluates_only_on_import_changes(emulator: Emulator, tmp_path: Path, api: str) -> None:
    src = node_mixin_copy(tmp_path / "repo")
    with running_daemon(emulator, src, "--prune", api=api) as daemon:
        wait_until(daemon.ready, timeout=30)
        first = versions(emulator)
        assert set(first) == set(DASHBOARDS.values())
        assert sorted(evaluated(daemon)) == sorted(JSONNET_FILES)

        full_pass(daemon)
        assert len(evaluated(daemon)) == 3  # nothing changed: nothing evaluated

        emulator.reset(counters_only=True)
        retitle_use_node(src, "USE Method / Host")
        wait_until(lambda: title(emulator, USE_NODE) == "Node Exporter / USE Method / Host", timeout=30)
        after = versions(emulator)
        assert {uid for uid in after if after[uid] != first[uid]} == {USE_NODE}
        assert emulator.writes() == 1
        again = evaluated(daemon)[3:]
        assert MIXIN_FILE in again and set(again) <= JSONNET_FILES  # only files that import it

        library = src / USE_LIBRARY
        good = library.read_text(encoding="utf-8")
        library.write_text(good + "\n{ broken: }\n", encoding="utf-8")
        wait_until(lambda: "jsonnet syntax error" in daemon.output, timeout=30)
        full_pass(daemon)
        assert versions(emulator) == after  # nothing deleted, nothing written
        assert f"{USE_LIBRARY}:" in daemon.output

        library.write_text(good.replace("USE Method / Host", "USE Method / Node"), encoding="utf-8")
        wait_until(lambda: title(emulator, USE_NODE) == "Node Exporter / USE Method / Node", timeout=30)
        assert set(versions(emulator)) == set(DASHBOARDS.values())


def test_daemon_watches_a_library_path_outside_the_source(emulator: Emulator, tmp_path: Path) -> None:
    repo = node_mixin_copy(tmp_path / "repo")
    src = repo / "node-mixin"  # the source is the mixin; its vendor/ lies outside, given with -J
    with running_daemon(emulator, src, "--prune", "-J", str(repo / "vendor")) as daemon:
        wait_until(daemon.ready, timeout=30)
        assert set(versions(emulator)) == set(DASHBOARDS.values())
        assert daemon.logs("watching source tree")
        count = len(evaluated(daemon))
        grafonnet = repo / "vendor/github.com/grafana/grafonnet/gen/grafonnet-latest/main.libsonnet"
        grafonnet.write_text(grafonnet.read_text(encoding="utf-8") + "\n// touched\n", encoding="utf-8")
        # no /sync and no periodic pass (5 minutes away): only the watch on vendor/ can wake it
        wait_until(lambda: len(evaluated(daemon)) > count, timeout=30)
        assert MIXIN_FILE.partition("/")[2] in evaluated(daemon)[count:]
