"""TEMP probe"""
from __future__ import annotations
from typing import Any
import pytest
import engine_helpers
from pydantic import SecretStr
from syncer.settings import GrafanaSettings, SyncSettings, TargetSettings
from test_apply_basics import *  # noqa
from test_drift_conflict import *  # noqa
from test_prune_safety import *  # noqa
from test_pull_and_corpora import *  # noqa
from test_http_resilience import *  # noqa


@pytest.fixture(autouse=True)
def _resources(monkeypatch: pytest.MonkeyPatch) -> None:
    def settings_for(emulator: Any, source: Any, **sync: Any) -> TargetSettings:
        return TargetSettings(
            grafana=GrafanaSettings(url=emulator.url, token=SecretStr(emulator.token), api="resources", retries=4),
            sync=SyncSettings(dir=source, **sync),
        )
    monkeypatch.setattr(engine_helpers, "settings_for", settings_for)
