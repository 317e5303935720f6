"""`syncer.logs.note`: a structured event in the daemon, plain stderr (never stdout) in one-shot commands."""

from __future__ import annotations

import io

import pytest
import structlog

from syncer.logs import configure_logging, note


@pytest.fixture(autouse=True)
def _unconfigured() -> None:
    structlog.reset_defaults()


def test_one_shot_writes_plain_text_to_stderr_only(capsys: pytest.CaptureFixture[str]) -> None:
    note(structlog.get_logger("t"), "warning", "dashboard left out", uid="a", plain="dashboard a left out")
    note(structlog.get_logger("t"), "debug", "retrying request", route="/api/x")  # no plain: silent
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "dashboard a left out\n"


def test_daemon_logs_a_structured_event_and_prints_nothing_plain(capsys: pytest.CaptureFixture[str]) -> None:
    stream = io.StringIO()
    configure_logging("info", "json", stream=stream)
    try:
        note(
            structlog.get_logger("t"), "warning", "dashboard left out", uid="a", plain="dashboard a left out"
        )
        note(structlog.get_logger("t"), "debug", "retrying request", route="/api/x")  # below info
    finally:
        structlog.reset_defaults()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and '"event": "dashboard left out"' in lines[0] and '"uid": "a"' in lines[0]
    assert capsys.readouterr().err == ""
