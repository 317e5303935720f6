"""Rewrite a dashboard file in its own format: the same shape (bare, `{"dashboard": ...}` wrapper
or k8s resource), key order, indent and language (JSON or YAML), so a pull into a checkout changes
only what changed in Grafana and `git diff` shows just that.

Who calls it: `syncer.adapters.files.pull.writer` when the file already holds the dashboard. Keys that
syncer ignores but exports carry (`id`, `version`, `__inputs`, `__requires`, `__elements`) stay as
the file had them. A file it cannot parse is never overwritten (the writer chose it because the
loader read it, so this is a race at most).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from syncer.model.errors import SourceError

KEPT_FROM_FILE = ("id", "version", "__inputs", "__requires", "__elements")
INPUT_KEYS = frozenset({"uid", "datasource"})  # where a new part of the dashboard names a data source
PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
_INDENT = re.compile(r"^[{\[]\s*\n([ \t]+)\S", re.MULTILINE)


def is_yaml(path: Path) -> bool:
    return path.suffix.lower() in (".yaml", ".yml")


def render_new(path: Path, content: dict[str, Any]) -> str:
    """A new file: YAML or JSON (indent 2, sorted keys, trailing newline) by its extension."""
    if is_yaml(path):
        return yaml.safe_dump(content, sort_keys=True, allow_unicode=True, default_flow_style=False)
    return json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def rewrite(path: Path, exported: dict[str, Any]) -> str:
    """The new text of `path` holding `exported` (writer.exported_content) in the file's own form."""
    text = path.read_text(encoding="utf-8")
    try:
        old = yaml.safe_load(text) if is_yaml(path) else json.loads(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SourceError(f"{path}: cannot be read back to keep its format ({exc}); not overwritten") from exc
    merged = _merge(old, exported)
    if is_yaml(path):
        return yaml.safe_dump(merged, sort_keys=False, allow_unicode=True, default_flow_style=False)
    found = _INDENT.search(text)
    indent: str | int | None = found.group(1) if found else (2 if "\n" in text.strip() else None)
    escaped = "\\u" in text and not _has_non_ascii(text)  # the file spells non-ASCII as \uXXXX
    dumped = json.dumps(merged, indent=indent, ensure_ascii=escaped)
    return dumped + ("\n" if text.endswith("\n") else "")


def _has_non_ascii(text: str) -> bool:
    return any(ord(c) > 127 for c in text)


def _merge(old: Any, exported: dict[str, Any]) -> Any:
    """`exported` in the shape of `old`: the body replaced, the wrapper kept."""
    body = _body(exported)
    if isinstance(old, dict) and isinstance(old.get("spec"), dict) and "apiVersion" in old:
        return {**old, "spec": _body_like(old["spec"], body)}
    if isinstance(old, dict) and isinstance(old.get("dashboard"), dict):
        merged = {**old, "dashboard": _body_like(old["dashboard"], body)}
        if "folderUid" in exported or "folderUid" in old:
            merged["folderUid"] = exported.get("folderUid", old.get("folderUid"))
        return merged
    return _body_like(old, body)


def _body(exported: dict[str, Any]) -> dict[str, Any]:
    if isinstance(exported.get("spec"), dict) and "apiVersion" in exported:
        return dict(exported["spec"])
    if isinstance(exported.get("dashboard"), dict):
        return dict(exported["dashboard"])
    return dict(exported)


def _body_like(old: Any, body: dict[str, Any]) -> Any:
    if not isinstance(old, dict):
        return body
    if "uid" not in old:  # identity from the path or metadata.name: keep it there
        body.pop("uid", None)
    for key in KEPT_FROM_FILE:
        if key in old and key not in body:
            body[key] = old[key]
    resolved: dict[str, set[Any]] = {}
    _pair_placeholders(old, body, resolved)
    back = {next(iter(values)): name for name, values in resolved.items() if len(values) == 1}
    if len(back) != len(set(back.values())):
        back = {}
    return _ordered_like(old, body, back)


def _pair_placeholders(old: Any, new: Any, found: dict[str, set[Any]]) -> None:
    """What each `${DS_X}` input of the file resolved to in Grafana's copy (same place, same value)."""
    if isinstance(old, str) and PLACEHOLDER.fullmatch(old) and isinstance(new, str):
        found.setdefault(old, set()).add(new)
    elif isinstance(old, dict) and isinstance(new, dict):
        for key in old.keys() & new.keys():
            _pair_placeholders(old[key], new[key], found)
    elif isinstance(old, list) and isinstance(new, list):
        for before, after in zip(old, new, strict=False):
            _pair_placeholders(before, after, found)


def _ordered_like(old: Any, new: Any, back: dict[Any, str], key: str = "") -> Any:
    """`new` with its keys in `old`'s order (new keys after), recursively; a value that an input of
    the file consistently resolved to is written as that input again (`${DS_PROMETHEUS}`), so the
    file stays portable and the diff shows only the edit."""
    if isinstance(new, dict):
        before = old if isinstance(old, dict) else {}
        keys = [k for k in before if k in new] + [k for k in new if k not in before]
        return {k: _ordered_like(before.get(k), new[k], back, k) for k in keys}
    if isinstance(new, list):
        before_list = old if isinstance(old, list) else []
        return [
            _ordered_like(before_list[i] if i < len(before_list) else None, v, back)
            for i, v in enumerate(new)
        ]
    if isinstance(new, str) and new in back and (old == back[new] or (old is None and key in INPUT_KEYS)):
        return back[new]
    return new
