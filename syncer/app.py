"""Composition root: the one place that turns settings into real adapters and a reconcile Target.

Who calls it: the CLI (one-shot commands), the daemon and the demo. It builds the Grafana adapter
(legacy `/api` or the k8s-style resources API, per `grafana.api`), the directory source and the
policy. It must not contain business logic: everything it builds is plain wiring.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from syncer.adapters.files.jsonnet.evaluate import JsonnetOptions
from syncer.adapters.files.loader import DirectorySource
from syncer.adapters.workers import Workers
from syncer.engine.reconcile import Target
from syncer.engine.source_commit import git_commit
from syncer.engine.source_identity import LEGACY_DEFAULT_MANAGER_ID, default_manager_id
from syncer.model.errors import ConfigError
from syncer.model.limits import DEFAULT_CONCURRENCY
from syncer.model.plan import Policy
from syncer.ports import GrafanaPort, MetricsPort, NullMetrics
from syncer.settings.model import ApiFlavour, GrafanaSettings, JsonnetSettings, SyncSettings, TargetSettings

if TYPE_CHECKING:
    from syncer.adapters.grafana.http.session import GrafanaHttp
    from syncer.engine.pull import PullOptions, PullSummary

# The Grafana adapters (and the HTTP stack under them, about 0.15 s of imports) are imported where
# they are built: a one-shot command builds its source first and starts loading it meanwhile
# (`DirectorySource.start_loading`).


def build_grafana(
    settings: GrafanaSettings,
    metrics: MetricsPort,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    allow_ui_edits: bool = True,
    http: GrafanaHttp | None = None,
    page_size: int | None = None,
    workers: Workers | None = None,
) -> GrafanaPort:
    """A Grafana adapter for `settings.api`. `auto` uses the resources adapter when the server offers
    it (decided by that adapter's discovery), else the legacy API.
    `http`: share one client with the library panel adapter (one pool, one request count).
    `page_size`: objects per LIST page of the resources API (smaller in the daemon, for memory).
    `workers`: processes that decode what the legacy adapter reads (one-shot commands)."""
    from syncer.adapters.grafana.http.session import GrafanaHttp
    from syncer.adapters.grafana.legacy.adapter import LegacyGrafana
    from syncer.adapters.grafana.resources.adapter import build as build_resources
    from syncer.adapters.grafana.resources.client import PAGE_SIZE

    http = http or GrafanaHttp(settings, metrics=metrics, concurrency=concurrency)
    if settings.api is ApiFlavour.LEGACY:
        return LegacyGrafana(http, concurrency=concurrency, workers=workers)
    return build_resources(
        http,
        settings=settings,
        concurrency=concurrency,
        fallback=partial(LegacyGrafana, workers=workers),
        allow_edits=allow_ui_edits,
        page_size=page_size or PAGE_SIZE,
    )


def build_policy(sync: SyncSettings) -> Policy:
    """The policy of one target. Without an explicit manager id the id is the source's own
    (`default_manager_id`), and dashboards stamped with the pre-upgrade default stay claimable."""
    explicit = sync.manager_id
    return Policy(
        manager_id=explicit or default_manager_id(Path(sync.dir or ".")),
        claimable_ids=frozenset() if explicit else frozenset({LEGACY_DEFAULT_MANAGER_ID}),
        adopt=sync.adopt,
        on_conflict=sync.on_conflict,
        on_drift=sync.on_drift,
        prune=sync.prune,
        max_deletes=sync.max_deletes,
    )


def build_source(settings: TargetSettings, workers: Workers | None = None) -> DirectorySource:
    directory = settings.sync.dir
    if directory is None:
        raise ConfigError("no source directory given (DIR argument or sync.dir in the config file)")
    return DirectorySource(
        Path(directory),
        inputs=dict(settings.sync.inputs),
        min_refresh=settings.grafana.min_refresh_interval,
        max_file_bytes=settings.sync.max_file_bytes,
        max_folder_depth=settings.sync.max_folder_depth,
        jsonnet=jsonnet_options(settings.sync.jsonnet),
        workers=workers,
    )


def library_dirs_outside(settings: TargetSettings) -> tuple[Path, ...]:
    """The target's configured jsonnet library directories outside its source tree: the daemon
    watches them too (those inside the tree are watched with it)."""
    if settings.sync.jsonnet.jpath is None or settings.sync.dir is None:
        return ()
    root = Path(os.path.realpath(settings.sync.dir))
    dirs = (
        Path(os.path.realpath(d)) for d in jsonnet_options(settings.sync.jsonnet).library_dirs(root, root)
    )
    return tuple(d for d in dirs if d != root and root not in d.parents)


def jsonnet_options(settings: JsonnetSettings) -> JsonnetOptions:
    return JsonnetOptions(
        jpath=settings.jpath,
        ext_vars=dict(settings.ext_vars),
        ext_codes=dict(settings.ext_code),
        tla_vars=dict(settings.tla_vars),
        tla_codes=dict(settings.tla_code),
    )


@asynccontextmanager
async def open_target(
    settings: TargetSettings,
    *,
    metrics: MetricsPort | None = None,
    page_size: int | None = None,
    workers: Workers | None = None,
    source: DirectorySource | None = None,
) -> AsyncIterator[Target]:
    """A ready Target (one HTTP client for its lifetime, closed on exit). `workers`: processes that
    parse a big source and decode what the legacy API reads (one-shot commands; the caller starts
    and closes them). `source`: one built already (`build_source`), perhaps loading already."""
    from syncer.adapters.grafana.http.session import GrafanaHttp
    from syncer.adapters.grafana.legacy.library_elements import LibraryElements

    source = source or build_source(settings, workers)
    http = GrafanaHttp(
        settings.grafana, metrics=metrics or NullMetrics(), concurrency=settings.sync.concurrency
    )
    grafana = build_grafana(
        settings.grafana,
        metrics or NullMetrics(),
        concurrency=settings.sync.concurrency,
        allow_ui_edits=settings.sync.allow_ui_edits,
        http=http,
        page_size=page_size,
        workers=workers,
    )
    try:
        yield Target(
            name=settings.name,
            source=source,
            grafana=grafana,
            policy=build_policy(settings.sync),
            concurrency=settings.sync.concurrency,
            inputs=dict(settings.sync.inputs),
            commit=git_commit(Path(settings.sync.dir or ".")),
            library=LibraryElements(http),  # /api/library-elements on either API (see that module)
        )
    finally:
        await grafana.aclose()


async def pull_directory(
    settings: TargetSettings, directory: Path, options: PullOptions | None = None
) -> PullSummary:
    """`syncer pull`: export Grafana (or one folder subtree) into `directory` (back in place when it
    is the source tree); a full export writes the library panels too."""
    # why here: only `syncer pull` writes files; plan and apply need none of it
    from syncer.adapters.files.pull.layout import read_layout
    from syncer.adapters.files.pull.library_writer import write_library_panels
    from syncer.adapters.files.pull.writer import write_tree
    from syncer.adapters.grafana.http.session import GrafanaHttp
    from syncer.adapters.grafana.legacy.library_elements import LibraryElements
    from syncer.engine.pull import PullOptions, pull

    policy = build_policy(settings.sync.model_copy(update={"dir": directory}))
    owners = frozenset({policy.manager_id, *policy.claimable_ids})
    options = replace(options or PullOptions(), owners=owners)
    http = GrafanaHttp(settings.grafana, metrics=NullMetrics(), concurrency=settings.sync.concurrency)
    async with open_grafana(settings, http=http) as grafana:
        library = (LibraryElements(http), write_library_panels)
        return await pull(
            grafana, directory, writer=write_tree, reader=read_layout, options=options, library=library
        )


@asynccontextmanager
async def open_grafana(
    settings: TargetSettings, *, metrics: MetricsPort | None = None, http: GrafanaHttp | None = None
) -> AsyncIterator[GrafanaPort]:
    """Just the Grafana adapter (for `pull`, which has no source directory to read)."""
    grafana = build_grafana(
        settings.grafana,
        metrics or NullMetrics(),
        concurrency=settings.sync.concurrency,
        allow_ui_edits=settings.sync.allow_ui_edits,
        http=http,
    )
    try:
        yield grafana
    finally:
        await grafana.aclose()


async def diagnose_url(settings: GrafanaSettings) -> str | None:
    """After a failed talk with Grafana: what answers at the configured URL, in words (None when
    Grafana does, so the failure lies elsewhere). Uses the configured CA or skip-verify choice."""
    import ssl

    from syncer.adapters.grafana.diagnose import diagnose

    verify: ssl.SSLContext | bool = not settings.insecure_skip_verify
    if settings.ca_cert and verify:
        verify = ssl.create_default_context(cafile=str(settings.ca_cert))
    try:
        return await diagnose(settings.url, verify=verify, timeout_s=min(settings.timeout_s, 5.0))
    except (OSError, ValueError):  # an unreadable CA file was already reported by the real request
        return None
