"""The example configuration: it loads, and it documents every setting settings.py knows."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from syncer.settings.model import DaemonSettings, GrafanaSettings, Settings, SyncSettings, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "syncer.example.yaml"


def test_example_config_loads() -> None:
    settings = load_settings(EXAMPLE, environ={})
    assert settings.targets[0].grafana.url.startswith("https://")


def test_example_config_mentions_every_setting() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    models: tuple[type[BaseModel], ...] = (GrafanaSettings, SyncSettings, DaemonSettings, Settings)
    missing = [  # a duration's key is its alias (`interval:`); the attribute keeps `_s` (`interval_s`)
        f"{model.__name__}.{field.alias or name}"
        for model in models
        for name, field in model.model_fields.items()
        if f"{field.alias or name}:" not in text and name != "targets"
    ]
    assert not missing, f"document these in config/syncer.example.yaml: {missing}"
