"""The engine's integration suite, run again with the resources (`/apis`) adapter selected.

The engine's tests build their settings through `engine_helpers.settings_for` (legacy API); the
autouse fixture below swaps it for one with `api: resources` everywhere the suite looks it up, so
the same scenarios (nested folders, idempotency with Grafana's rewrites, moves, drift, conflicts,
concurrent edits, prune safety, pull round trips, the real-world corpora) run unchanged through
`/apis`. The tests are imported by name so pytest collects them here under that fixture.

Left out, because they assert legacy-API details rather than behaviour (their resources
counterparts live in test_resources_api.py):
- test_version_message_names_path_and_commit, test_unmanaged_dashboard_with_same_content_is_adopted_
  without_content_change: read the legacy in-JSON marker `"__syncer"`, which the resources adapter
  replaces by annotations;
- test_412_race_rereads_and_replans: injects a 412 on `POST /api/dashboards/db`;
- the HTTP-layer tests of test_http_resilience.py: they exercise `GrafanaHttp` directly or fault
  legacy routes.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from support.emulator import Emulator

from integration import engine_helpers
from syncer.settings.model import ApiFlavour, GrafanaSettings, SyncSettings, TargetSettings

# Engine tests (and the fixtures they need) that assert behaviour, not legacy-API details.
REUSED = {
    "test_apply_basics": (
        "test_broken_file_is_reported_and_others_still_apply",
        "test_creates_nested_folders_parent_first_and_places_dashboards",
        "test_inputs_resolved_from_server_datasources",
        "test_moving_a_file_moves_the_dashboard_without_duplicate",
        "test_one_edited_file_is_exactly_one_write",
        "test_second_apply_makes_zero_writes_despite_grafana_rewrites",
    ),
    "test_drift_conflict": (
        "test_conflict_overwrite_names_the_version_holding_the_lost_edit",
        "test_conflict_skip_and_fail",
        "test_drift_is_reverted_by_default",
        "test_drift_skip_leaves_the_edit_and_reports_it",
        "test_foreign_managed_dashboard_is_never_taken_over",
        "test_real_concurrent_edit_between_read_and_write_is_replanned",
    ),
    "test_prune_safety": (
        "seeded",  # fixture
        "test_broken_file_blocks_every_delete",
        "test_empty_source_refuses_to_prune",
        "test_max_deletes_caps_the_pass",
        "test_prune_deletes_only_own_absent_dashboards_and_empty_managed_folders",
        "test_without_prune_nothing_is_deleted",
    ),
    "test_pull_and_corpora": (
        "test_corpora_apply_then_second_apply_is_zero_writes",
        "test_pull_of_syncer_managed_tree_round_trips_with_zero_writes",
        "test_pull_one_folder_keeps_its_place",
        "test_pull_then_apply_changes_no_content",
    ),
}
MODULES = [importlib.import_module(f"integration.engine.{name}") for name in REUSED]
# Import by name so pytest collects them here, under this module's autouse fixture. A test the
# engine suite renamed or dropped is simply not re-run (the guard below notices a large loss).
for _module, _names in zip(MODULES, REUSED.values(), strict=True):
    globals().update({n: getattr(_module, n) for n in _names if hasattr(_module, n)})
REUSED_PRESENT = [n for names in REUSED.values() for n in names if n in globals()]


def resources_settings_for(emulator: Emulator, source: Path, **sync: Any) -> TargetSettings:
    return TargetSettings(
        grafana=GrafanaSettings(
            url=emulator.url, token=SecretStr(emulator.token), api=ApiFlavour.RESOURCES, retries=4
        ),
        sync=SyncSettings(dir=source, **sync),
    )


@pytest.fixture(autouse=True)
def _resources_api(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> None:
    # modules that imported the helper by name hold their own reference: patch those too
    for module in (engine_helpers, *MODULES):
        if hasattr(module, "settings_for"):
            monkeypatch.setattr(module, "settings_for", resources_settings_for)
    emulator.reset(counters_only=True)


def test_the_suite_really_goes_through_apis(emulator: Emulator, tmp_path: Path) -> None:
    """Guard for this module's premise: with the fixture active, writes use `/apis`, not `/api`."""
    engine_helpers.write(tmp_path, "a.json", engine_helpers.dashboard("Premise", "premise"))
    report = engine_helpers.run(emulator, tmp_path)
    assert not report.failures
    routes = emulator.requests()["by_route"]
    assert any(r.startswith("POST /apis/dashboard.grafana.app/") for r in routes), routes
    assert not any(r.startswith("POST /api/dashboards") for r in routes), routes
    assert len(REUSED_PRESENT) >= 18, REUSED_PRESENT
