"""Durations in settings: Go's syntax or a bare number of seconds on every key and flag, the old
`*_s` keys read with a deprecation warning, and bad values refused with an accepted example."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncer.cli import build_parser
from syncer.cli.common import given, settings_from_args
from syncer.cli.run import DAEMON_FLAGS, daemon_config
from syncer.model.errors import ConfigError
from syncer.settings.durations import OLD_DAEMON_KEYS
from syncer.settings.model import load_settings

DURATIONS_YAML = """\
grafana: {url: http://127.0.0.1:3000, timeout: 1m30s}
daemon:
  interval: 5m
  debounce: 300ms
  max_debounce: 5s
  backoff_max: 1m
  shutdown_timeout: 20s
  probe_interval: 0
"""


def test_a_config_written_in_durations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "syncer.yaml"
    config.write_text(DURATIONS_YAML, encoding="utf-8")
    settings = load_settings(config, environ={})
    daemon = settings.daemon
    assert settings.targets[0].grafana.timeout_s == 90
    assert (daemon.interval_s, daemon.debounce_s, daemon.max_debounce_s) == (300, 0.3, 5)
    assert (daemon.backoff_max_s, daemon.shutdown_timeout_s, daemon.probe_interval_s) == (60, 20, 0)
    assert capsys.readouterr().err == ""  # no deprecation warning for the new keys


def test_old_keys_still_read_with_one_warning_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "old.yaml"
    old_daemon = "".join(f"  {old}: 90\n" for old in OLD_DAEMON_KEYS)
    config.write_text(
        "targets:\n"
        "  - {name: a, grafana: {timeout_s: 15}}\n"
        "  - {name: b, grafana: {timeout_s: 15}}\n"
        f"daemon:\n{old_daemon}",
        encoding="utf-8",
    )
    settings = load_settings(config, environ={})
    assert settings.daemon.interval_s == 90 and settings.daemon.probe_interval_s == 90
    assert all(t.grafana.timeout_s == 15 for t in settings.targets)
    err = capsys.readouterr().err.splitlines()
    assert f"syncer: warning: {config}: grafana.timeout_s is deprecated; write timeout: 15s" in err
    assert f"syncer: warning: {config}: daemon.interval_s is deprecated; write interval: 1m30s" in err
    assert len(err) == 1 + len(OLD_DAEMON_KEYS)  # once per key, not once per target


def test_old_and_new_key_together_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "both.yaml"
    config.write_text("daemon: {interval: 5m, interval_s: 300}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"both 'interval' and its old name 'interval_s'"):
        load_settings(config, environ={})


@pytest.mark.parametrize(
    ("yaml", "says"),
    [
        ("daemon: {interval: 5x}", "daemon.interval: '5x' is not a duration"),
        ("daemon: {interval: -1m}", "daemon.interval: '-1m' is negative"),
        ("daemon: {interval: 0}", "daemon.interval: Input should be greater than 0"),
        ("grafana: {timeout: .inf}", "grafana.timeout: inf is not a finite duration"),
        ("daemon: {debounce: [1]}", "daemon.debounce: [1] is not a duration"),
    ],
)
def test_bad_durations_name_the_file_the_key_and_an_example(tmp_path: Path, yaml: str, says: str) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(yaml + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    message = str(caught.value)
    # issue 18: the file and the key as written, without pydantic's "Value error, "
    assert message.startswith(f"invalid configuration: {config}: ")
    assert f"{config}: {says}" in message
    assert "30s, 5m, 1h30m" in message or "greater than 0" in message


def test_duration_flags_beat_the_file(tmp_path: Path) -> None:
    config = tmp_path / "syncer.yaml"
    config.write_text(DURATIONS_YAML, encoding="utf-8")
    argv = ["run", "--config", str(config), "--interval", "30s", "--debounce", "0.05", "--timeout", "2m"]
    argv += ["--backoff-max", "1h30m", "--shutdown-timeout", "500ms", "--probe-interval", "1m"]
    argv += ["--max-debounce", "10"]
    args = build_parser().parse_args(argv)
    settings = settings_from_args(args, environ={}, daemon=given(args, DAEMON_FLAGS))
    cfg = daemon_config(settings.daemon)
    assert (cfg.interval_s, cfg.debounce_s, cfg.max_debounce_s) == (30, 0.05, 10)
    assert (cfg.backoff_max_s, cfg.shutdown_timeout_s, cfg.probe_interval_s) == (5400, 0.5, 60)
    assert settings.targets[0].grafana.timeout_s == 120


def test_a_bad_flag_shows_an_accepted_example() -> None:
    args = build_parser().parse_args(["run", "--interval", "5x"])
    with pytest.raises(ConfigError) as caught:
        settings_from_args(args, environ={}, daemon=given(args, DAEMON_FLAGS))
    assert "--interval: '5x' is not a duration" in str(caught.value)  # the flag as typed (issue 18)
    assert "unknown unit 'x'" in str(caught.value) and "30s, 5m, 1h30m" in str(caught.value)


def test_help_texts_speak_durations() -> None:
    run_help = build_parser().format_help()
    parser = build_parser(("syncer.cli.run",))
    sub = next(a for a in parser._actions if a.dest == "command")
    text = sub.choices["run"].format_help()  # type: ignore[attr-defined]
    assert "--interval DURATION" in text and "--timeout DURATION" in text
    assert "SECONDS" not in text and "SECONDS" not in run_help


def test_a_flag_beats_an_old_key_in_the_file(tmp_path: Path) -> None:
    config = tmp_path / "old.yaml"
    config.write_text("grafana: {url: 'http://g:3000'}\ndaemon: {interval_s: 300}\n", encoding="utf-8")
    args = build_parser().parse_args(["run", "--config", str(config), "--interval", "30s"])
    settings = settings_from_args(args, environ={}, daemon=given(args, DAEMON_FLAGS))
    assert settings.daemon.interval_s == 30
    assert load_settings(tmp_path / "old.yaml", environ={}).daemon.interval_s == 300


def test_no_file_no_daemon_section(tmp_path: Path) -> None:
    config = tmp_path / "plain.yaml"
    config.write_text("sync: {dir: dashboards}\n", encoding="utf-8")
    assert load_settings(config, environ={}).daemon.interval_s == 300
    assert load_settings(None, environ={}).targets[0].grafana.timeout_s == 15
