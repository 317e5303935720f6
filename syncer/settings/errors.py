"""Configuration errors as the user wrote them: the flag (`--url`), the environment variable, or
the config file and key (`sync.on_drfit`), with the near miss suggested, instead of pydantic's
model paths (`targets.0.sync.on_drfit: Extra inputs are not permitted`).

Who calls it: `syncer.settings.model.load_settings` when validation fails. Pure; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syncer.core.suggest import did_you_mean

FLAG_OF = {"timeout_s": "--timeout", "interval_s": "--interval", "debounce_s": "--debounce"}


@dataclass(frozen=True)
class Origins:
    """Where each setting came from, to name it as the user typed it."""

    config_file: Path | None
    single_target: bool  # the file has top-level grafana:/sync: (no `targets:` list)
    flags: Mapping[str, Collection[str]]  # section -> keys given as flags
    env: Mapping[tuple[str, str], str]  # (section, key) -> environment variable


def describe(
    errors: Sequence[Mapping[str, Any]], origins: Origins, fields: Mapping[str, Collection[str]]
) -> str:
    """One sentence per problem, joined; `fields`: the known keys of each section (for suggestions)."""
    return "; ".join(_one(e, origins, fields) for e in errors)


def _one(error: Mapping[str, Any], origins: Origins, fields: Mapping[str, Collection[str]]) -> str:
    loc = [str(p) for p in error.get("loc", ())]
    msg = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    section, key = _section_and_key(loc)
    if section and key:
        if key in origins.flags.get(section, ()):
            return f"{FLAG_OF.get(key, '--' + key.replace('_', '-'))}: {msg}{_url_hint(key, error)}"
        env = origins.env.get((section, key))
        if env:
            return f"{env}: {msg}{_url_hint(key, error)}"
    where = _file_key(loc, origins)
    if error.get("type") == "extra_forbidden":
        parent = loc[-2] if len(loc) >= 2 else ""
        known = tuple(fields.get("target" if parent.isdigit() else parent, ()))
        if not parent and origins.single_target:
            known += ("grafana", "sync")  # a single-target file has these at the top
        return f"{where}: unknown key {loc[-1]!r}{did_you_mean(loc[-1], known)}"
    return f"{where}: {msg}{_url_hint(key or '', error)}{_choice_hint(error)}"


def _choice_hint(error: Mapping[str, Any]) -> str:
    """For a misspelt choice (`on_conflict: overwrit`): the allowed value meant."""
    expected = (error.get("ctx") or {}).get("expected")
    value = error.get("input")
    if error.get("type") != "enum" or not isinstance(expected, str) or not isinstance(value, str):
        return ""
    return did_you_mean(value, re.findall(r"'([^']*)'", expected))


def _section_and_key(loc: list[str]) -> tuple[str | None, str | None]:
    """("sync", "on_drift") from ["targets", "0", "sync", "on_drift"]; ("daemon", "listen"); ("", key)."""
    if len(loc) >= 3 and loc[0] == "targets":
        return loc[2], (loc[3] if len(loc) > 3 else None)
    if loc and loc[0] == "daemon":
        return "daemon", (loc[1] if len(loc) > 1 else None)
    if len(loc) == 1:
        return "", loc[0]
    return None, None


def _file_key(loc: list[str], origins: Origins) -> str:
    path = loc
    if origins.single_target and len(loc) >= 2 and loc[0] == "targets":
        path = loc[2:]
    elif len(loc) >= 2 and loc[0] == "targets":
        path = [f"targets[{loc[1]}]", *loc[2:]]
    key = ".".join(path) or "(top level)"
    return f"{origins.config_file}: {key}" if origins.config_file else key


def _url_hint(key: str, error: Mapping[str, Any]) -> str:
    value = error.get("input")
    # why "@": user:password@host must never be echoed back
    if key != "url" or not isinstance(value, str) or "://" in value or "@" in value or not value.strip():
        return ""
    return f"; did you mean http://{value.strip()}?"
