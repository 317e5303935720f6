"""Read one source file into a JSON value, or a problem that names the file (with line and column
for syntax errors).

Called by the loader for every candidate file. It must never raise on bad input: oversized files,
binary garbage, invalid UTF-8, NaN, pathological nesting and YAML alias bombs all become problems.
YAML is read with the safe loader and converted to plain JSON values.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from syncer.core.jsonvalues import NestedTooDeep, normalise_numbers
from syncer.model import jsontext
from syncer.model.state import JSON, SourceProblem

DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
MULTI_DOCUMENT = "multi-document-yaml"  # the code of that problem (a manifest list is no dashboard)
MAX_NESTING = 100  # real dashboards nest about 10 deep; deeper input would exhaust the recursion limit
# Without aliases a YAML document has fewer values than bytes; aliases may repeat a part a little,
# but an alias bomb multiplies it, so the budget grows with the text, not with what it expands to.
_YAML_VALUES_PER_BYTE = 2
_YAML_MIN_VALUES = 10_000

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_UTF8_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")  # UTF-16 LE/BE (and UTF-32 LE), UTF-32 BE


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


@dataclass(frozen=True)
class Parsed:
    """A file's JSON value, its numbers as a Go float64 round trip leaves them (`1.0` is `1`, as
    Grafana would store it; see `normalise_numbers`), or the problem that stopped it."""

    value: JSON = None
    problem: SourceProblem | None = None


def read_document(path: Path, rel: str, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Parsed:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            limit = _human_size(max_bytes)
            return _fail(rel, f"file is {_human_size(size)}, larger than the {limit} limit (max_file_bytes)")
        data = path.read_bytes()
    except OSError as exc:
        return _fail(rel, f"cannot read: {exc.strerror or exc}")
    if not _is_yaml(rel) and (fast := _plain_json(data)) is not None:
        return Parsed(fast[0])
    text = _decode(data, rel)
    if isinstance(text, Parsed):
        return text
    try:
        parsed = _parse_yaml(text, rel) if _is_yaml(rel) else _parse_json(text, rel)
        if parsed.problem is None:
            # one walk checks the nesting and normalises the numbers (see Parsed)
            return Parsed(normalise_numbers(parsed.value, max_depth=MAX_NESTING))
    except (RecursionError, NestedTooDeep):
        return _fail(rel, f"nested too deeply (more than {MAX_NESTING} levels)")
    return parsed


def _plain_json(data: bytes) -> tuple[JSON] | None:
    """The value of a JSON text whose numbers are all plain (`jsontext.plain_numbers`) and that
    nests at most MAX_NESTING deep, read straight from the bytes; None sends the file down the full
    path, which decides and words every problem (bad UTF-8, syntax, depth) exactly as before.

    Why: the full path's walk (normalise the numbers, count the depth) was the largest cost of
    loading a real dashboard (22 % of `DirectorySource.load`, py-spy on 500 files); for plain
    numbers it would change nothing, and the depth is proven by one orjson encode (`nests_within`).
    """
    if b"\x00" in data or data.startswith(_WIDE_BOMS):
        return None  # UTF-16/32 or binary: `json` would guess an encoding where `_decode` refuses
    try:
        value, plain = jsontext.loads_checked(data.removeprefix(_UTF8_BOM))
    except (ValueError, RecursionError):
        return None
    return (value,) if plain and jsontext.nests_within(value, MAX_NESTING) else None


def _decode(data: bytes, rel: str) -> str | Parsed:
    if data.startswith(_WIDE_BOMS):
        # why: Windows PowerShell 5 `Out-File` and `>` write UTF-16; "binary file" would mislead
        return _fail(rel, "text is UTF-16 or UTF-32 encoded (byte order mark); save it as UTF-8")
    if not data.strip():
        return _fail(rel, f"invalid {'YAML' if _is_yaml(rel) else 'JSON'}: the file is empty")
    if b"\x00" in data:
        return _fail(rel, "binary file (contains NUL bytes), not JSON or YAML")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _fail(rel, f"not UTF-8 text (invalid byte at offset {exc.start})")


def _is_yaml(rel: str) -> bool:
    return rel.lower().endswith((".yaml", ".yml"))


def _parse_json(text: str, rel: str) -> Parsed:
    try:
        return Parsed(jsontext.loads(text))
    except json.JSONDecodeError as exc:
        return Parsed(
            problem=SourceProblem(rel, f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno)
        )
    except ValueError as exc:
        return _fail(rel, f"invalid JSON: {exc}")


def _parse_yaml(text: str, rel: str) -> Parsed:
    try:
        documents = [doc for doc in yaml.load_all(text, Loader=_JsonSchemaLoader) if doc is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        return Parsed(problem=SourceProblem(rel, f"invalid YAML: {exc.problem}", line=line, column=column))
    except yaml.YAMLError as exc:
        return _fail(rel, f"invalid YAML: {exc}")
    if len(documents) != 1:
        message = f"a YAML file must hold exactly one document, found {len(documents)}"
        code = MULTI_DOCUMENT if len(documents) > 1 else None
        return Parsed(problem=SourceProblem(rel, message, code=code))
    budget = [_YAML_MIN_VALUES + _YAML_VALUES_PER_BYTE * len(text)]
    try:
        return Parsed(_to_json(documents[0], budget))
    except _NotJson as exc:
        return _fail(rel, f"YAML cannot be used as JSON: {exc}")


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


def _fail(rel: str, message: str) -> Parsed:
    return Parsed(problem=SourceProblem(rel, message))


def _human_size(size: int) -> str:
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"
