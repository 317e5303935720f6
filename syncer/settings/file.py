"""The config file and the environment, as raw layers under the flags (`syncer.settings.model` merges
and validates them): read the YAML, accept a single-target file or a `targets:` list, map the
GRAFANA_* variables to their keys.

Who calls it: `syncer.settings.model.load_settings` only. Errors name the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncer.model.errors import ConfigError

if TYPE_CHECKING:
    import yaml

ENV_MAP: Mapping[str, tuple[str, str]] = {
    "GRAFANA_URL": ("grafana", "url"),
    "GRAFANA_TOKEN": ("grafana", "token"),
    "GRAFANA_TOKEN_FILE": ("grafana", "token_file"),
    "GRAFANA_USER": ("grafana", "user"),
    "GRAFANA_PASSWORD": ("grafana", "password"),
    "GRAFANA_ORG_ID": ("grafana", "org_id"),
    "GRAFANA_NAMESPACE": ("grafana", "namespace"),  # k8s namespace for the resources API (e.g. stacks-123)
}


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """What is wrong and where, without the quoted line (`str(exc)` shows it, secret and all)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "not valid YAML"
    return f"{problem} at line {mark.line + 1}, column {mark.column + 1}" if mark else str(problem)


def read_yaml(path: Path) -> dict[str, Any]:
    import yaml  # why here: 12 ms to import, which a run without a config file should not pay

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        # from None: the YAML error quotes lines of the file, which may hold a token or password;
        # only its problem and position are shown
        raise ConfigError(f"{path}: invalid YAML: {_yaml_problem(exc)}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the config file must be a mapping at the top level")
    return raw


def file_layer(raw: dict[str, Any]) -> dict[str, Any]:
    """Accept both a single-target file (top-level `grafana:`/`sync:`) and a `targets:` list."""
    data = dict(raw)
    if "targets" not in data:
        single = {k: data.pop(k) for k in ("grafana", "sync") if k in data}
        data["targets"] = [{"name": "default", **single}]
    return data


def overlay(target: dict[str, Any], section: str, values: Mapping[str, Any]) -> None:
    sect = dict(target.get(section) or {})
    sect.update({k: _merged(sect.get(k), v) for k, v in values.items() if v is not None})
    target[section] = sect


def _merged(old: Any, new: Any) -> Any:
    """`sync.jsonnet` from flags adds to the file's (`--ext-str a=1` keeps the file's other ext vars)."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return {**old, **{k: _merged(old.get(k), v) for k, v in new.items()}}
    return new
