"""Emulator settings and the shared context every route module receives.

Role: `syncer/emulator/cli.py` builds an `EmulatorConfig` from flags; `app/server.py` turns it into
an `EmulatorContext` (store, auth, profile, counters, faults) handed to each route module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from syncer.emulator.app.auth import Authenticator, TokenSpec
from syncer.emulator.app.counters import RequestCounters
from syncer.emulator.app.faults import FaultBook
from syncer.emulator.durations import parse_seconds
from syncer.emulator.profiles import PROFILE_12, Profile
from syncer.emulator.store.state import OrgStore, Store
from syncer.emulator.web.values import Request


@dataclass(frozen=True)
class DataSourceSpec:
    type: str
    uid: str
    name: str

    @classmethod
    def parse(cls, text: str) -> DataSourceSpec:
        """`TYPE:UID:NAME` (NAME may contain colons)."""
        parts = text.split(":", 2)
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"datasource must be TYPE:UID:NAME, got {text!r}")
        return cls(type=parts[0], uid=parts[1], name=parts[2])


DEFAULT_DATASOURCE = DataSourceSpec(type="prometheus", uid="prometheus", name="Prometheus")
# Grafana's apiserver.MaxRequestBodyBytes (pkg/services/apiserver/service.go): 16 MiB, the size of
# a MySQL `mediumtext`, where dashboards are stored.
MAX_BODY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 3000
    tokens: tuple[TokenSpec, ...] = ()
    basic_auth: tuple[str, str] | None = ("admin", "admin")
    profile: Profile = PROFILE_12
    state_file: Path | None = None
    min_refresh_interval: str = "5s"  # Grafana writes this text back into a too-short `refresh`
    datasources: tuple[DataSourceSpec, ...] = (DEFAULT_DATASOURCE,)
    org_ids: tuple[int, ...] = (1, 2)
    access_log: bool = False
    # Real Grafana 11/12 never returns `description` in legacy folder DTOs; the emulator does
    # unless started with --no-folder-description (see docs/emulator.md).
    folder_description_in_dto: bool = True
    max_body_bytes: int = MAX_BODY_BYTES  # larger request bodies get Grafana's 413
    # Grafana's `[folder] max_nested_folder_depth` (pkg/setting); None = the profile's limit.
    max_nested_folder_depth: int | None = None
    # Without it the control API (/__emulator/*) answers loopback clients only; with it, only
    # requests bearing it (from anywhere). Kept out of repr() so it never reaches a log line.
    control_token: str | None = field(default=None, repr=False)

    @property
    def min_refresh_interval_s(self) -> float:
        seconds = parse_seconds(self.min_refresh_interval)
        return seconds if seconds is not None else 5.0


@dataclass
class EmulatorContext:
    config: EmulatorConfig
    store: Store
    auth: Authenticator
    counters: RequestCounters = field(default_factory=RequestCounters)
    faults: FaultBook = field(default_factory=FaultBook)

    @property
    def profile(self) -> Profile:
        return self.config.profile

    @property
    def max_folder_depth(self) -> int:
        """`--max-nested-folder-depth` when given, else the profile's default."""
        configured = self.config.max_nested_folder_depth
        return configured if configured is not None else self.profile.max_folder_depth


def org_of(ctx: EmulatorContext, request: Request) -> OrgStore:
    """The caller's org store: every route, legacy or resources, works inside one org."""
    org = ctx.store.org(request.org_id)
    assert org is not None, "server resolves the org before routing"
    return org
