"""Read one source file into a JSON value, or a problem that names the file (with line and column
for syntax errors).

Called by the loader for every candidate file. It must never raise on bad input: oversized files,
binary garbage, invalid UTF-8, NaN, pathological nesting and YAML alias bombs all become problems.
YAML is read with the safe loader and converted to plain JSON values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from syncer.core.jsonvalues import NestedTooDeep, normalise_numbers
from syncer.model import jsontext
from syncer.model.state import JSON, SourceProblem

DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
MULTI_DOCUMENT = "multi-document-yaml"  # the code of that problem (a manifest list is no dashboard)
MAX_NESTING = 100  # real dashboards nest about 10 deep; deeper input would exhaust the recursion limit

_UTF8_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")  # UTF-16 LE/BE (and UTF-32 LE), UTF-32 BE


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
    from syncer.adapters.files.yaml_documents import YamlProblem, as_json, yaml_documents  # why lazy: 12 ms

    try:
        documents = yaml_documents(text)
        if len(documents) != 1:
            message = f"a YAML file must hold exactly one document, found {len(documents)}"
            code = MULTI_DOCUMENT if len(documents) > 1 else None
            return Parsed(problem=SourceProblem(rel, message, code=code))
        return Parsed(as_json(documents[0], len(text)))
    except YamlProblem as exc:
        return Parsed(problem=SourceProblem(rel, exc.message, line=exc.line, column=exc.column))


def _fail(rel: str, message: str) -> Parsed:
    return Parsed(problem=SourceProblem(rel, message))


def _human_size(size: int) -> str:
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"
