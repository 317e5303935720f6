"""Typed, frozen settings. Precedence: command-line flags > environment > YAML config file > defaults.

Who calls it: the CLI builds a `Settings` with `load_settings`; `syncer.app` turns it into adapters.
It must not talk to Grafana or touch the source directory. Secrets are `SecretStr` and never print.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from syncer.model.errors import ConfigError
from syncer.model.limits import DEFAULT_CONCURRENCY
from syncer.model.plan import ConflictPolicy, DriftPolicy
from syncer.settings.checks import check_url, header_safe, one_of
from syncer.settings.durations import OLD_KEYS, GrafanaInterval, Seconds, rename_old_file_keys, renamed_keys
from syncer.settings.errors import Origins, describe
from syncer.settings.file import ENV_MAP, file_layer, overlay, read_yaml


class ApiFlavour(StrEnum):
    AUTO = "auto"
    LEGACY = "legacy"
    RESOURCES = "resources"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    _section: ClassVar[str] = ""

    @model_validator(mode="before")
    @classmethod
    def _old_keys(cls, data: Any) -> Any:
        """Code may say `timeout_s=`; a file's old keys are renamed, with a warning, by load_settings."""
        return renamed_keys(data, cls._section, OLD_KEYS.get(cls._section, {}))


class GrafanaSettings(_Frozen):
    """How to reach one Grafana organisation. An empty `url` means: start the built-in emulator."""

    _section: ClassVar[str] = "grafana"
    url: str = ""
    token: SecretStr | None = None
    token_file: Path | None = None
    user: str | None = None
    password: SecretStr | None = None
    org_id: int = Field(default=1, ge=1)  # Grafana org ids start at 1; 0 or less is always a 401
    namespace: str | None = None  # k8s namespace; default derived from org_id ("default", "org-N")
    ca_cert: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    insecure_skip_verify: bool = False
    api: ApiFlavour = ApiFlavour.AUTO
    timeout_s: Seconds = Field(default=15.0, alias="timeout", gt=0)  # key `timeout: 15s`
    retries: int = Field(default=4, ge=0)
    min_refresh_interval: GrafanaInterval = "5s"

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        """A typo in the URL is a configuration error at start, not a traceback or "cannot reach
        Grafana" on the first request. Surrounding whitespace (a Secret written with `echo`) is dropped."""
        url = url.strip()
        if url:
            check_url(url)
        return url

    @field_validator("token", mode="before")
    @classmethod
    def _strip_token(cls, token: object) -> object:
        """As for `token_file`: a trailing newline (an env var from a Secret made with `echo`) is
        never part of a token."""
        return token.strip() if isinstance(token, str) else token

    def read_token(self) -> SecretStr | None:
        """The token, re-read from `token_file` on every call so rotated tokens take effect."""
        if self.token is not None:
            return header_safe(self.token, "--token, GRAFANA_TOKEN or grafana.token")
        if self.token_file is not None:
            try:
                text = self.token_file.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
                # from None: a UnicodeDecodeError carries the bytes read, i.e. the token itself
                raise ConfigError(f"cannot read token file {self.token_file}: {reason}") from None
            return header_safe(SecretStr(text), f"token file {self.token_file}")
        return None


class JsonnetSettings(_Frozen):
    """How `.jsonnet` sources are evaluated (docs/jsonnet.md). `jpath` unset: `vendor/` beside the
    file, then `vendor/` at the source root; relative entries are relative to the source root."""

    jpath: tuple[Path, ...] | None = None
    ext_vars: Mapping[str, str] = Field(default_factory=dict)  # std.extVar, as strings
    ext_code: Mapping[str, str] = Field(default_factory=dict)  # std.extVar, as jsonnet code
    tla_vars: Mapping[str, str] = Field(default_factory=dict)  # top-level arguments, as strings
    tla_code: Mapping[str, str] = Field(default_factory=dict)  # top-level arguments, as jsonnet code


class SyncSettings(_Frozen):
    """What to reconcile and how carefully."""

    dir: Path | None = None
    prune: bool = False
    max_deletes: int = Field(default=50, ge=0)
    on_conflict: ConflictPolicy = ConflictPolicy.OVERWRITE
    on_drift: DriftPolicy = DriftPolicy.REVERT
    concurrency: int = Field(default=DEFAULT_CONCURRENCY, ge=1, le=64)
    # None: derived from the source (engine.source_identity), so two sources never own each other's
    manager_id: str | None = None
    adopt: bool = False  # take over unowned dashboards whose uid a file uses (else: exit 3)
    allow_ui_edits: bool = True  # k8s managerAllowsEdits; on the legacy API UI edits are always possible
    inputs: Mapping[str, str] = Field(default_factory=dict)  # DS_PROMETHEUS -> datasource uid
    # Source limits (the loader's defaults): Grafana 11 nests folders 8 deep, 12+ only 4.
    max_folder_depth: int = Field(default=4, ge=1, le=8)
    max_file_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    jsonnet: JsonnetSettings = JsonnetSettings()

    @field_validator("dir", mode="before")
    @classmethod
    def _not_empty(cls, value: object) -> object:
        """`dir: ""` would be the current directory (Path("") is "."), not "no directory"."""
        if isinstance(value, str) and not value.strip():
            raise ValueError("is an empty string; give the directory of dashboard files")
        return value

    @field_validator("manager_id")
    @classmethod
    def _readable_manager_id(cls, manager_id: str | None) -> str | None:
        """The id must read back from every marker: an empty one reads as "no marker" (so every run
        re-adopts, and writes, every dashboard) and whitespace breaks the folder marker line."""
        if manager_id is None:
            return None
        if not manager_id or any(c.isspace() for c in manager_id) or not manager_id.isprintable():
            raise ValueError(f"must be non-empty, without spaces or control characters, got {manager_id!r}")
        return manager_id


class TargetSettings(_Frozen):
    name: str = "default"
    grafana: GrafanaSettings = GrafanaSettings()
    sync: SyncSettings = SyncSettings()


class DaemonSettings(_Frozen):
    _section: ClassVar[str] = "daemon"
    listen: str = "0.0.0.0:8080"
    # Durations: keys without `_s` (`interval: 5m`); the attributes hold seconds.
    interval_s: Seconds = Field(default=300.0, alias="interval", gt=0)
    jitter: float = Field(default=0.1, ge=0, le=0.5)
    debounce_s: Seconds = Field(default=0.3, alias="debounce", ge=0)
    sync_token_file: Path | None = None
    log_format: str = "auto"  # auto | json | console
    max_debounce_s: Seconds = Field(default=5.0, alias="max_debounce", ge=0)  # never-quiet tree still synced
    backoff_max_s: Seconds = Field(default=30.0, alias="backoff_max", gt=0)  # retry backoff cap, Grafana down
    shutdown_timeout_s: Seconds = Field(default=20.0, alias="shutdown_timeout", ge=0)  # SIGTERM grace
    probe_interval_s: Seconds = Field(default=15.0, alias="probe_interval", ge=0)  # idle health probe; 0 off

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, fmt: str) -> str:
        return one_of(fmt, ("auto", "json", "console"))


class Settings(_Frozen):
    targets: tuple[TargetSettings, ...] = (TargetSettings(),)
    daemon: DaemonSettings = DaemonSettings()
    log_level: str = "info"

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, level: str) -> str:
        return one_of(level, ("debug", "info", "warning", "error"))

    @field_validator("targets")
    @classmethod
    def _unique_names(cls, targets: tuple[TargetSettings, ...]) -> tuple[TargetSettings, ...]:
        names = [t.name for t in targets]
        if len(set(names)) != len(names):
            raise ValueError(f"target names must be unique, got {names}")
        if not targets:
            raise ValueError("at least one target is required")
        _no_shared_ownership(targets)
        return targets


def _no_shared_ownership(targets: tuple[TargetSettings, ...]) -> None:
    """Two targets writing to one Grafana organisation under one manager id each take the other's
    dashboards for their own; with prune they delete each other's on every pass, forever."""
    seen: dict[tuple[str, int, str | None, str], TargetSettings] = {}
    for target in targets:
        grafana = target.grafana
        # a default id is derived from the directory: the same directory gives the same id
        owner = target.sync.manager_id or f"derived from {target.sync.dir}"
        key = (grafana.url.rstrip("/").lower(), grafana.org_id, grafana.namespace, owner)
        other = seen.setdefault(key, target)
        if other is not target and (other.sync.prune or target.sync.prune):
            raise ValueError(
                f"targets {other.name!r} and {target.name!r} prune the same Grafana organisation with the "
                f"same manager_id {_owner_shown(target.sync)}: each would delete the other's dashboards; "
                "give each target its own sync.manager_id"
            )


def _owner_shown(sync: SyncSettings) -> str:
    if sync.manager_id is not None:
        return repr(sync.manager_id)
    return f"(the default, derived from the same directory {sync.dir})"


def load_settings(
    config_file: Path | None,
    environ: Mapping[str, str] | None = None,
    flags: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Merge file < environment < flags. Env and flags apply to every target (usually just one).

    `flags` has sections "grafana", "sync", "daemon" holding only the options the user gave.
    """
    environ = os.environ if environ is None else environ
    where = f"{config_file}: " if config_file else ""
    raw = read_yaml(config_file) if config_file else {}
    data: dict[str, Any] = file_layer(raw) if config_file else {}
    try:
        deprecations = rename_old_file_keys(data)
    except ValueError as exc:
        raise ConfigError(f"{where}invalid configuration: {exc}") from exc
    env_grafana = {field: environ[name] for name, (_, field) in ENV_MAP.items() if environ.get(name)}
    targets = [dict(t) for t in data.get("targets") or [{"name": "default"}]]
    for target in targets:
        overlay(target, "grafana", env_grafana)
        if flags:
            overlay(target, "grafana", flags.get("grafana", {}))
            overlay(target, "sync", flags.get("sync", {}))
    data["targets"] = targets
    if flags and flags.get("daemon"):
        daemon = dict(data.get("daemon") or {})
        daemon.update({k: v for k, v in flags["daemon"].items() if v is not None})
        data["daemon"] = daemon
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        flagged = {section: tuple(values) for section, values in (flags or {}).items()}
        env = {ENV_MAP[name]: name for name in ENV_MAP if environ.get(name)}
        origins = Origins(config_file, "targets" not in raw, flagged, env)
        models: dict[str, type[BaseModel]] = {
            "grafana": GrafanaSettings,
            "sync": SyncSettings,
            "daemon": DaemonSettings,
            "target": TargetSettings,
            "": Settings,
        }
        # the keys as written in a file: a field's alias where it has one (`timeout`, not `timeout_s`)
        fields = {
            name: tuple(f.alias or key for key, f in model.model_fields.items())
            for name, model in models.items()
        }
        problems = describe(exc.errors(include_url=False), origins, fields)
        # from None: pydantic's error repeats every input value, a token or password among them
        raise ConfigError(f"invalid configuration: {problems}") from None
    for note in dict.fromkeys(deprecations):  # one note per key, not one per target
        print(f"syncer: warning: {where}{note}", file=sys.stderr)
    return settings
