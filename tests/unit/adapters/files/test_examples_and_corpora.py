"""The example repository (config/examples, applied by the demo) and the real-world corpora load
cleanly. The corpora are read in place and skipped when absent."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import corpora

from syncer.adapters.files.loader import DirectorySource, validate_directory
from syncer.core.inputs import needs_datasources, resolve_inputs
from syncer.model.inputs import DataSourceRef

REPO = Path(__file__).resolve().parents[4]
EXAMPLES = REPO / "config" / "examples"
EMULATOR_DEFAULT_DS = [DataSourceRef("prometheus", "Prometheus", "prometheus", is_default=True)]


def test_examples_validate_without_errors() -> None:
    state = validate_directory(EXAMPLES)
    assert state.errors == (), [str(e) for e in state.errors]
    assert 6 <= len(state.dashboards) <= 10
    # the broken draft is excluded by .syncignore; every other file is a dashboard or a library panel
    assert state.files_seen == len(state.dashboards) + len(state.library_panels)
    assert set(state.library_panels) == {"api-error-ratio"}
    assert state.dashboards["api-slo"].library_panel_uids == {"api-error-ratio"}
    depths = [d.path.count("/") for d in state.dashboards.values()]
    assert max(depths) >= 3
    assert "platform" in state.folders and state.folders["platform"].title == "Platform"
    shapes = {d.path for d in state.dashboards.values()}
    assert any(p.endswith(".yaml") for p in shapes)
    assert state.dashboards["api-errors"].folder_uid == "platform"  # k8s folder annotation


def test_examples_exported_dashboard_resolves_against_the_emulator_default() -> None:
    state = validate_directory(EXAMPLES)
    assert needs_datasources(state)
    resolved = resolve_inputs(state, {}, EMULATOR_DEFAULT_DS)
    assert resolved.errors == ()
    assert not needs_datasources(resolved)
    assert "${DS_PROMETHEUS}" not in str(resolved.dashboards["node-exporter-lite"].content)


@pytest.mark.parametrize("name", corpora.DASHBOARD_CORPORA)
def test_every_corpus_file_loads_without_errors(name: str) -> None:
    corpus = corpora.require(corpora.ROOT / name)
    state = DirectorySource(corpus).load()
    files = [p for p in corpus.rglob("*") if p.suffix in (".json", ".yaml", ".yml")]
    assert state.errors == (), [str(e) for e in state.errors]
    assert state.files_seen == len(files) == len(state.dashboards)
    resolved = resolve_inputs(state, {}, EMULATOR_DEFAULT_DS)
    assert resolved.errors == ()
    for dashboard in resolved.dashboards.values():
        text = str(dashboard.content)
        assert "${DS_" not in text or _only_template_variables(dashboard.content), dashboard.path


def _only_template_variables(content: object) -> bool:
    """Some corpus dashboards name a datasource *variable* DS_PROMETHEUS; those stay as they are."""
    templating = content.get("templating", {}) if isinstance(content, dict) else {}
    names = {v.get("name") for v in templating.get("list", [])}
    return any(str(n).startswith("DS_") for n in names)
