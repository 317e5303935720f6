"""The example configuration: it loads, and it documents every setting settings.py knows."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from syncer.settings import DaemonSettings, GrafanaSettings, Settings, SyncSettings, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "syncer.example.yaml"


def test_example_config_loads() -> None:
    settings = load_settings(EXAMPLE, environ={})
    assert settings.targets[0].grafana.url.startswith("https://")


def test_example_config_mentions_every_setting() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    models: tuple[type[BaseModel], ...] = (GrafanaSettings, SyncSettings, DaemonSettings, Settings)
    missing = [
        f"{model.__name__}.{name}"
        for model in models
        for name in model.model_fields
        if f"{name}:" not in text and name != "targets"
    ]
    assert not missing, f"document these in config/syncer.example.yaml: {missing}"
