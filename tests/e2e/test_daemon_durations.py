"""The real daemon process reads durations as users write them: `--interval 30s` on the command line
and a YAML config whose every duration key is a Go duration; a bad one exits with an example."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import syncer
from support.daemon import running_daemon, wait_until
from support.emulator import Emulator

CONFIG = """\
grafana:
  timeout: 10s
daemon:
  interval: 1h
  debounce: 200ms
  max_debounce: 2s
  backoff_max: 2s
  shutdown_timeout: 10s
  probe_interval: 1m30s
"""


def test_interval_flag_and_a_config_in_durations(emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "d.json").write_text(json.dumps({"uid": "dur", "title": "Durations"}), encoding="utf-8")
    config = tmp_path / "syncer.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    with running_daemon(emulator, source, "--config", str(config), "--interval", "30s") as daemon:
        wait_until(daemon.ready)
        (started,) = daemon.logs("daemon started")
        assert started["interval"] == "30s" and started["interval_s"] == 30  # the flag beats `interval: 1h`
        assert "deprecated" not in daemon.output
    assert emulator.api("GET", "/api/dashboards/uid/dur").status_code == 200


def test_old_seconds_keys_still_work_with_a_warning(emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    config = tmp_path / "old.yaml"
    config.write_text("daemon:\n  interval_s: 90\n", encoding="utf-8")
    with running_daemon(emulator, source, "--config", str(config)) as daemon:
        wait_until(daemon.ready)
        (started,) = daemon.logs("daemon started")
        assert started["interval"] == "1m30s"
        warning = f"syncer: warning: {config}: daemon.interval_s is deprecated; write interval: 1m30s"
        assert warning in daemon.output


def test_a_bad_interval_is_refused_with_an_example(tmp_path: Path) -> None:
    done = syncer("run", "--dir", str(tmp_path), "--interval", "5x", timeout=60)
    assert done.returncode == 1
    assert "'5x' is not a duration" in done.stderr and "unknown unit 'x'" in done.stderr
    assert "write e.g. 30s, 5m, 1h30m" in done.stderr
    assert "Traceback" not in done.stderr
