"""`syncer run` option handling: --listen parsing and the settings -> DaemonConfig mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncer.cli import build_parser
from syncer.cli.common import given, settings_from_args
from syncer.cli.run import DAEMON_FLAGS, daemon_config, parse_listen
from syncer.model.errors import ConfigError


@pytest.mark.parametrize(
    ("listen", "expected"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        ("0.0.0.0:0", ("0.0.0.0", 0)),
        (":9090", ("0.0.0.0", 9090)),
        ("[::1]:8080", ("::1", 8080)),
        ("localhost:1", ("localhost", 1)),
    ],
)
def test_parse_listen(listen: str, expected: tuple[str, int]) -> None:
    assert parse_listen(listen) == expected


@pytest.mark.parametrize("listen", ["8080", "host:", "host:http", "host:70000", ""])
def test_parse_listen_rejects_nonsense(listen: str) -> None:
    with pytest.raises(ConfigError):
        parse_listen(listen)


def test_flags_reach_the_daemon_config_and_override_the_file(tmp_path: Path) -> None:
    config = tmp_path / "syncer.yaml"
    config.write_text("daemon:\n  interval_s: 120\n  debounce_s: 1.0\n  probe_interval_s: 7\n")
    args = build_parser().parse_args(
        [
            "run",
            "--config",
            str(config),
            "--debounce",
            "0.05",
            "--backoff-max",
            "4",
            "--shutdown-timeout",
            "3",
        ]
    )
    settings = settings_from_args(args, environ={}, daemon=given(args, DAEMON_FLAGS))
    cfg = daemon_config(settings.daemon)
    assert cfg.interval_s == 120  # from the file
    assert cfg.debounce_s == 0.05  # the flag wins
    assert cfg.backoff_max_s == 4 and cfg.shutdown_timeout_s == 3 and cfg.probe_interval_s == 7
    assert cfg.max_debounce_s >= cfg.debounce_s
