"""Resolution of import inputs (`__inputs`, `${DS_*}` placeholders) in exported dashboards.

Called twice: by the source loader with the configured mapping only (offline: data-source inputs it
cannot resolve yet stay pending, with a warning), and by the engine with the server's data sources
when `needs_datasources` says so. Like Grafana's import, it replaces `${NAME}` inside string values
and drops `__inputs`; a dashboard is never left to be saved with raw placeholders: anything still
unresolved once data sources are known is an error and the dashboard leaves `dashboards`.
`${...}` names that are the dashboard's own template variables are not inputs. Pure; no I/O.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from syncer.core.essence import checksum
from syncer.core.jsonvalues import map_leaves
from syncer.model import jsontext
from syncer.model.inputs import DataSourceRef
from syncer.model.state import JSON, CompactJSON, DesiredDashboard, DesiredState, Severity, SourceProblem

INPUTS_KEY = "__inputs"
PENDING_CODE = "input-pending"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
_UNDECLARED_INPUT_PREFIX = "ds_"  # compared case-insensitively: exports write DS_, hand edits vary


def needs_datasources(state: DesiredState) -> bool:
    """True when some dashboard still declares a data-source input that only the server can resolve."""
    return any(_pending_datasource_inputs(d.content) for d in state.dashboards.values() if d.may_have_inputs)


def may_have_inputs(content: Mapping[str, JSON], text: bytes | None = None) -> bool:
    """False when `content` certainly needs no input resolution: no `__inputs` and no `${DS_...`.

    `text`: the content already serialised as JSON (`jsontext.dumps`), when the caller has it. The
    loader records the answer per file (`DesiredDashboard.may_have_inputs`), so that resolution
    skips most dashboards without parsing their lazily kept content."""
    if INPUTS_KEY in content:
        return True
    # a text search decides at C speed; placeholders are plain ASCII, which JSON never escapes
    serialised = jsontext.dumps(content) if text is None else text
    return b"${" + _UNDECLARED_INPUT_PREFIX.encode("ascii") in serialised.lower()


def resolve_inputs(
    state: DesiredState, mapping: Mapping[str, str], datasources: Sequence[DataSourceRef] | None
) -> DesiredState:
    """`state` with inputs substituted; checksums of changed dashboards recomputed.

    `mapping` is input name -> value (a data-source uid for data-source inputs). `datasources`
    None means offline: data-source inputs missing from the mapping stay pending (a warning).
    """
    names = {_bare_name(key): value for key, value in mapping.items()}
    dashboards: dict[str, DesiredDashboard] = {}
    problems = list(state.problems)
    if datasources is not None:  # the offline "will be resolved from the server" notes are now settled
        problems = [p for p in problems if p.code != PENDING_CODE]
    for uid, dashboard in state.dashboards.items():
        outcome = _resolve_dashboard(dashboard, names, datasources)
        problems.extend(outcome.problems)
        if outcome.dashboard is not None:
            dashboards[uid] = outcome.dashboard
    return dataclasses.replace(state, dashboards=dashboards, problems=tuple(problems))


@dataclass
class _Outcome:
    dashboard: DesiredDashboard | None
    problems: list[SourceProblem] = field(default_factory=list)


@dataclass(frozen=True)
class _Input:
    name: str
    kind: str  # "datasource", "constant", ...
    plugin: str
    label: str
    default: str | None


def _resolve_dashboard(
    dashboard: DesiredDashboard, mapping: Mapping[str, str], datasources: Sequence[DataSourceRef] | None
) -> _Outcome:
    if not dashboard.may_have_inputs:
        return _Outcome(dashboard)  # the loader saw neither `__inputs` nor `${DS_`: not even parsed
    content = dashboard.content
    if not may_have_inputs(content):
        return _Outcome(dashboard)  # the common case
    declared = _declared_inputs(content)
    used = _placeholders(content) - _template_variables(content)
    undeclared = sorted(
        n for n in used if n.lower().startswith(_UNDECLARED_INPUT_PREFIX) and n not in declared
    )
    if INPUTS_KEY not in content and not undeclared:
        return _Outcome(dashboard)
    outcome = _Outcome(None)
    values: dict[str, str] = {}
    pending: list[JSON] = []
    for item in declared.values():
        value = _declared_value(item, mapping, datasources, dashboard.path, outcome.problems)
        if value is not None:
            values[item.name] = value
        elif datasources is None and item.kind == "datasource":
            pending.append(_raw_input(content, item.name))
            outcome.problems.append(_pending_warning(dashboard.path, item))
    for name in undeclared:
        if name in mapping:
            values[name] = mapping[name]
        else:
            outcome.problems.append(
                SourceProblem(
                    dashboard.path,
                    f"unresolved input ${{{name}}}: not declared in __inputs and no mapping given "
                    f"(set sync.inputs {name}=<data source uid>)",
                )
            )
    if any(p.severity is Severity.ERROR for p in outcome.problems):
        return outcome  # never saved with raw placeholders
    outcome.dashboard = _substituted(dashboard, values, pending)
    return outcome


def _declared_value(
    item: _Input,
    mapping: Mapping[str, str],
    datasources: Sequence[DataSourceRef] | None,
    path: str,
    problems: list[SourceProblem],
) -> str | None:
    if item.name in mapping:
        return mapping[item.name]
    if item.kind == "datasource":
        if datasources is None:
            return None
        return _choose_datasource(item, datasources, path, problems)
    if item.default is not None:
        return item.default
    problems.append(
        SourceProblem(
            path, f"unresolved input ${{{item.name}}} ({item.kind}): no value in __inputs and no mapping"
        )
    )
    return None


def _choose_datasource(
    item: _Input, datasources: Sequence[DataSourceRef], path: str, problems: list[SourceProblem]
) -> str | None:
    """The data source an import would pick: the one named like the export's label, else the
    default, else the only one of that type; several candidates without a winner -> first by name."""
    candidates = sorted((ds for ds in datasources if ds.type == item.plugin), key=lambda ds: ds.name)
    if not candidates:
        problems.append(
            SourceProblem(
                path,
                f"unresolved input ${{{item.name}}}: Grafana has no data source of type {item.plugin!r} "
                f"(set sync.inputs {item.name}=<data source uid>)",
            )
        )
        return None
    for chosen in (
        next((ds for ds in candidates if ds.name == item.label), None),
        next((ds for ds in candidates if ds.is_default), None),
    ):
        if chosen is not None:
            return chosen.uid
    if len(candidates) > 1:
        names = ", ".join(ds.name for ds in candidates)
        problems.append(
            SourceProblem(
                path,
                f"input ${{{item.name}}}: several {item.plugin} data sources ({names}); using "
                f"{candidates[0].name!r} (set sync.inputs {item.name}=<uid> to choose)",
                Severity.WARNING,
            )
        )
    return candidates[0].uid


def _substituted(
    dashboard: DesiredDashboard, values: Mapping[str, str], pending: list[JSON]
) -> DesiredDashboard:
    """`dashboard` with `values` substituted and `__inputs` reduced to the `pending` inputs."""
    original = dashboard.content
    declared = original.get(INPUTS_KEY)
    if not values and ((pending and pending == declared) or (not pending and INPUTS_KEY not in original)):
        return dashboard  # nothing to substitute and nothing to drop (offline, all pending)

    def leaf(item: JSON) -> JSON:
        if isinstance(item, str) and "${" in item:
            return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), item)
        return item

    content: dict[str, JSON] = {
        key: (value if key == INPUTS_KEY or not values else map_leaves(value, leaf))
        for key, value in original.items()
    }
    if pending:
        content[INPUTS_KEY] = pending
    else:
        content.pop(INPUTS_KEY, None)
    return dataclasses.replace(
        dashboard, content=CompactJSON.of(content), checksum=checksum(content, dashboard.folder_uid)
    )


def _declared_inputs(content: Mapping[str, JSON]) -> dict[str, _Input]:
    raw = content.get(INPUTS_KEY)
    declared: dict[str, _Input] = {}
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str):
            default = item.get("value")
            declared[item["name"]] = _Input(
                name=item["name"],
                kind=str(item.get("type") or ""),
                plugin=str(item.get("pluginId") or ""),
                label=str(item.get("label") or ""),
                default=default if isinstance(default, str) else None,
            )
    return declared


def _raw_input(content: Mapping[str, JSON], name: str) -> JSON:
    raw = content.get(INPUTS_KEY)
    return next(i for i in raw if isinstance(i, Mapping) and i.get("name") == name)  # type: ignore[union-attr]


def _pending_datasource_inputs(content: Mapping[str, JSON]) -> list[_Input]:
    return [i for i in _declared_inputs(content).values() if i.kind == "datasource"]


def _pending_warning(path: str, item: _Input) -> SourceProblem:
    return SourceProblem(
        path,
        f"input ${{{item.name}}} ({item.plugin or 'any'} data source) will be resolved from the server's "
        f"data sources (or set sync.inputs {item.name}=<uid>)",
        Severity.WARNING,
        code=PENDING_CODE,
    )


def _placeholders(content: Mapping[str, JSON]) -> set[str]:
    """`${NAME}` names used anywhere but in `__inputs` (found in the serialised text: placeholders
    are plain ASCII, which JSON never escapes)."""
    text = json.dumps({k: v for k, v in content.items() if k != INPUTS_KEY})
    return set(PLACEHOLDER.findall(text))


def _template_variables(content: Mapping[str, JSON]) -> set[str]:
    """Names of the dashboard's variables: classic `templating.list[].name`, v2 `variables[].spec.name`."""
    names: set[str] = set()
    templating = content.get("templating")
    listed = templating.get("list") if isinstance(templating, Mapping) else None
    for variable in listed if isinstance(listed, list) else []:
        if isinstance(variable, Mapping) and isinstance(variable.get("name"), str):
            names.add(variable["name"])
    variables = content.get("variables")
    for variable in variables if isinstance(variables, list) else []:
        spec = variable.get("spec") if isinstance(variable, Mapping) else None
        if isinstance(spec, Mapping) and isinstance(spec.get("name"), str):
            names.add(spec["name"])
    return names


def _bare_name(key: str) -> str:
    """Accept `DS_X`, `$DS_X` and `${DS_X}` as the same mapping key."""
    return key.strip().removeprefix("$").removeprefix("{").removesuffix("}")
