"""Issue 18: the daemon's `/readyz`, metrics and pass log tell the same truth as the exit code of
`syncer apply` would. A real `syncer run` subprocess against the emulator, real files."""

from __future__ import annotations

import json
from pathlib import Path

from support.daemon import running_daemon, wait_until
from support.emulator import Emulator


def test_a_broken_file_shows_in_readyz_metrics_and_the_pass_log(emulator: Emulator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.json").write_text(json.dumps({"uid": "good", "title": "Good"}), encoding="utf-8")
    with running_daemon(emulator, src) as daemon:
        wait_until(daemon.ready)
        assert daemon.get("/readyz").json()["targets"]["default"]["source_problem"] is None

        (src / "broken.json").write_text("{", encoding="utf-8")

        wait_until(lambda: daemon.metric("syncer_source_problems", target="default") == 1)
        problem = daemon.get("/readyz").json()["targets"]["default"]["source_problem"]
        assert problem is not None and "broken.json" in problem and "1 file(s) with errors" in problem
        assert daemon.sync().status_code == 202  # a full pass, logged like the periodic one
        passes = wait_until(lambda: [r for r in daemon.logs("reconcile") if r.get("source_errors") == 1])
        assert passes[-1]["result"] == "source_errors"
        assert passes[-1]["in_sync"] is False and passes[-1]["exit_code"] == 1
        status = daemon.get("/readyz").json()["targets"]["default"]
        assert (status["last_result"], status["last_exit_code"]) == ("source_errors", 1)

        (src / "broken.json").unlink()
        wait_until(lambda: daemon.metric("syncer_source_problems", target="default") == 0)
        assert daemon.get("/readyz").json()["targets"]["default"]["source_problem"] is None
