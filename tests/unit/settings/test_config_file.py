"""A config file that is not YAML: the error names the file, the problem and the place, never the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncer.model.errors import ConfigError
from syncer.settings.model import load_settings


def test_invalid_yaml_names_the_place_without_quoting_the_secret(tmp_path: Path) -> None:
    config = tmp_path / "syncer.yaml"
    config.write_text("grafana:\n  token: glsa_topsecret: [x\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    message = str(caught.value)
    problem = "invalid YAML: mapping values are not allowed here at line 2, column "
    assert message.startswith(f"{config}: {problem}")
    assert "topsecret" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
