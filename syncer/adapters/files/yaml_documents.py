"""YAML dashboards read as JSON values: YAML 1.2's core scalars, one JSON value per document.

Who calls it: `parse.read_document` for `.yaml`/`.yml` files, importing this module only then (PyYAML
costs about 12 ms to import, which a tree of JSON files, and every `syncer --help`, should not pay).
It raises `YamlProblem` for bad input, never anything else: syntax errors (with line and column), a
value JSON has no equivalent for, an alias bomb.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import yaml

from syncer.model.state import JSON

# Without aliases a YAML document has fewer values than bytes; aliases may repeat a part a little,
# but an alias bomb multiplies it, so the budget grows with the text, not with what it expands to.
_YAML_VALUES_PER_BYTE = 2
_YAML_MIN_VALUES = 10_000


class YamlProblem(Exception):
    """Why a YAML text is no dashboard, with the position where the parser knows it."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"


class _JsonSchemaLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader with YAML 1.2's core scalars instead of YAML 1.1's: `no`, `on`, `off`, `y`
    stay strings (a country code `NO` is not False), `12:30` is not 750, `0123` is not octal and
    dates stay strings. Dashboards are JSON; YAML is only another way to write them."""


_JsonSchemaLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regex)
        for tag, regex in resolvers
        if tag not in {_TAG + t for t in ("bool", "int", "float", "timestamp")}
    ]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_JsonSchemaLoader.add_implicit_resolver(
    _TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_JsonSchemaLoader.add_implicit_resolver(
    _TAG + "int", re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_JsonSchemaLoader.add_implicit_resolver(
    _TAG + "float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def yaml_documents(text: str) -> list[object]:
    """The text's documents (empty ones left out), as PyYAML's safe loader gives them."""
    try:
        return [doc for doc in yaml.load_all(text, Loader=_JsonSchemaLoader) if doc is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        raise YamlProblem(f"invalid YAML: {exc.problem}", line, column) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}") from exc


def as_json(document: object, text_length: int) -> JSON:
    """One document as a JSON value, within a budget of values that grows with the text's length."""
    try:
        return _to_json(document, [_YAML_MIN_VALUES + _YAML_VALUES_PER_BYTE * text_length])
    except _NotJson as exc:
        raise YamlProblem(f"YAML cannot be used as JSON: {exc}") from exc


class _NotJson(Exception):
    pass


def _to_json(value: object, budget: list[int]) -> JSON:
    """YAML values as JSON values: timestamps become ISO strings, non-string keys strings."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _NotJson("it expands to too many values (an alias bomb?)")
    if isinstance(value, dict):
        return {
            str(key) if not isinstance(key, str) else key: _to_json(item, budget)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_to_json(item, budget) for item in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, float) and not math.isfinite(value):
        raise _NotJson(f"{value} is not a valid JSON number")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise _NotJson(f"a {type(value).__name__} value has no JSON equivalent")
