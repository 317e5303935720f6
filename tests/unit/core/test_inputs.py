"""`__inputs` / `${DS_*}` resolution: never saved with raw placeholders."""

from __future__ import annotations

from typing import Any

import pytest

from syncer.core.essence import canonical_json, checksum
from syncer.core.inputs import needs_datasources, resolve_inputs
from syncer.model.inputs import DataSourceRef
from syncer.model.state import DesiredState, Severity
from unit.core_factories import desired, want

PROM = DataSourceRef("prom-uid", "Prometheus", "prometheus")
PROM2 = DataSourceRef("prom-2", "Other Prometheus", "prometheus")
LOKI = DataSourceRef("loki", "Loki", "loki", is_default=True)
DS_INPUT = {"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource", "pluginId": "prometheus"}


def exported(inputs: list[dict[str, Any]] | None = None, extra: dict[str, Any] | None = None) -> DesiredState:
    body: dict[str, Any] = {
        "title": "Node",
        "panels": [
            {"datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}, "title": "up ${DS_PROMETHEUS}"}
        ],
        "templating": {"list": [{"name": "job", "query": 'label_values(up{x="${job}"}, job)'}]},
        **(extra or {}),
    }
    if inputs is not None:
        body["__inputs"] = inputs
    return desired([want("node", body, path="node.json")])


def resolved_content(state: DesiredState) -> str:
    return canonical_json(dict(state.dashboards["node"].content))


@pytest.mark.parametrize(
    ("mapping", "datasources", "expected_uid"),
    [
        ({"DS_PROMETHEUS": "mapped"}, None, "mapped"),
        ({"${DS_PROMETHEUS}": "mapped"}, [PROM], "mapped"),
        ({}, [PROM, LOKI], "prom-uid"),
        ({}, [PROM2, PROM], "prom-uid"),  # the one named like the export's label
        ({}, [PROM2, DataSourceRef("p3", "Zeta", "prometheus", is_default=True)], "p3"),  # the default
    ],
)
def test_datasource_input_is_resolved(mapping, datasources, expected_uid) -> None:  # type: ignore[no-untyped-def]
    state = resolve_inputs(exported([DS_INPUT]), mapping, datasources)
    text = resolved_content(state)
    assert "${DS_PROMETHEUS}" not in text and "__inputs" not in text
    assert f'"uid":"{expected_uid}"' in text and f"up {expected_uid}" in text
    assert "${job}" in text  # the dashboard's own variables are untouched
    dashboard = state.dashboards["node"]
    assert dashboard.checksum == checksum(dashboard.content, dashboard.folder_uid)
    assert not state.errors


def test_ambiguous_datasources_pick_one_with_a_warning() -> None:
    state = resolve_inputs(
        exported([DS_INPUT]),
        {},
        [DataSourceRef("b", "B", "prometheus"), DataSourceRef("a", "A", "prometheus")],
    )
    assert '"uid":"a"' in resolved_content(state)
    assert [p.severity for p in state.problems] == [Severity.WARNING]
    assert "several prometheus data sources" in state.problems[0].message


def test_offline_datasource_input_stays_pending_with_a_warning() -> None:
    original = exported([DS_INPUT])
    state = resolve_inputs(original, {}, None)
    assert state.dashboards["node"] == original.dashboards["node"]
    assert needs_datasources(state)
    (warning,) = state.problems
    assert warning.severity is Severity.WARNING and warning.path == "node.json"
    later = resolve_inputs(state, {}, [PROM])
    assert not needs_datasources(later) and "${DS_PROMETHEUS}" not in resolved_content(later)
    assert later.problems == ()  # the offline note is settled once the server answered


def test_no_datasource_of_the_type_is_an_error_and_the_dashboard_is_dropped() -> None:
    state = resolve_inputs(exported([DS_INPUT]), {}, [LOKI])
    assert "node" not in state.dashboards
    (error,) = state.errors
    assert error.path == "node.json" and "DS_PROMETHEUS" in error.message and "prometheus" in error.message


def test_undeclared_ds_placeholder_without_mapping_is_an_error_even_offline() -> None:
    state = resolve_inputs(exported(None), {}, None)
    assert "node" not in state.dashboards
    assert "${DS_PROMETHEUS}" in state.errors[0].message and "not declared" in state.errors[0].message


def test_undeclared_lowercase_placeholder_is_an_input_too() -> None:
    state = desired(
        [want("node", {"title": "t", "panels": [{"datasource": "${ds_loki}"}]}, path="node.json")]
    )
    assert "unresolved input ${ds_loki}" in resolve_inputs(state, {}, None).errors[0].message


def test_undeclared_placeholder_with_a_mapping_is_resolved() -> None:
    state = resolve_inputs(exported(None), {"DS_PROMETHEUS": "m"}, None)
    assert '"uid":"m"' in resolved_content(state)


def test_template_variable_named_like_an_input_is_not_an_input() -> None:
    variable = {"name": "DS_PROMETHEUS", "type": "datasource", "query": "prometheus"}
    state = exported(None, {"templating": {"list": [variable]}})
    assert resolve_inputs(state, {}, None) == state


def test_constant_input_uses_its_value_and_empty_inputs_are_dropped() -> None:
    constant = {"name": "VAR_ENV", "type": "constant", "value": "prod"}
    state = exported([DS_INPUT, constant], {"description": "env ${VAR_ENV}"})
    resolved = resolve_inputs(state, {"DS_PROMETHEUS": "x"}, None)
    assert '"description":"env prod"' in resolved_content(resolved)
    empty = resolve_inputs(desired([want("node", {"title": "t", "__inputs": []})]), {}, None)
    assert "__inputs" not in empty.dashboards["node"].content


def test_dashboards_without_inputs_are_untouched() -> None:
    state = desired([want("plain")])
    assert resolve_inputs(state, {"DS_X": "y"}, [PROM]) == state
    assert not needs_datasources(state)
