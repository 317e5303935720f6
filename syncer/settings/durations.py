"""Duration settings: the pydantic type every duration key uses, and the `*_s` key deprecation.

Why: users write `interval: 5m` and `--interval 30s` as in every tool next to syncer; before 0.2 the
keys were `interval_s: 300`. The old keys still read (so no deployed config breaks), with one warning
per key saying what to write instead. The attribute names keep their `_s` suffix: in code a duration
setting is a float of seconds, whatever the user wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from syncer.durations import DurationError, format_duration, grafana_seconds, parse_setting_seconds

# Before 0.2 durations were float seconds under `*_s` keys.
OLD_GRAFANA_KEYS = {"timeout_s": "timeout"}
OLD_DAEMON_KEYS = {
    f"{key}_s": key
    for key in ("interval", "debounce", "max_debounce", "backoff_max", "shutdown_timeout", "probe_interval")
}
OLD_KEYS = {"grafana": OLD_GRAFANA_KEYS, "daemon": OLD_DAEMON_KEYS}  # by config section


def _seconds(value: object) -> float:
    try:
        return parse_setting_seconds(value)
    except DurationError as exc:
        raise ValueError(str(exc)) from exc


def _grafana_interval(interval: str) -> str:
    """An interval Grafana cannot parse would make syncer send refresh values Grafana rewrites,
    so every run would see drift and write again."""
    seconds = grafana_seconds(interval)
    if seconds is None:
        raise ValueError(f"{interval!r} is not a Grafana interval such as '5s', '1m' or '1d'")
    if seconds < 0:
        raise ValueError(f"{interval!r} is negative")
    return interval


# A duration setting: `30s`, `5m`, `1h30m`, `300ms` (Go's syntax) or a bare number of seconds.
Seconds = Annotated[float, BeforeValidator(_seconds)]
# A Grafana interval kept as text (`min_refresh_interval: 5s`): Go's syntax or one `<n>d|w|M|y`.
GrafanaInterval = Annotated[str, AfterValidator(_grafana_interval)]


def renamed_keys(data: Any, section: str, renames: Mapping[str, str], notes: list[str] | None = None) -> Any:
    """`data` with each old key (`interval_s`) read as its new one (`interval`), and a note per old
    key appended to `notes` (when given) saying what to write instead. Both names set: ValueError."""
    if not isinstance(data, Mapping):
        return data
    result = dict(data)
    for old, new in renames.items():
        if old not in result:
            continue
        if new in result:
            raise ValueError(f"{section}: both {new!r} and its old name {old!r} are set; keep only {new!r}")
        value = result.pop(old)
        result[new] = value
        if notes is not None:
            notes.append(f"{section}.{old} is deprecated; write {new}: {_suggested(value)}")
    return result


def rename_old_file_keys(data: dict[str, Any]) -> list[str]:
    """A config file's old duration keys (`interval_s: 300`) under their new names, in place, before
    flags overlay them (so `--interval` beats a file's `interval_s`); one deprecation note per old key."""
    notes: list[str] = []
    for target in data.get("targets") or ():
        if isinstance(target, dict) and "grafana" in target:
            target["grafana"] = renamed_keys(target["grafana"], "grafana", OLD_GRAFANA_KEYS, notes)
    if "daemon" in data:
        data["daemon"] = renamed_keys(data["daemon"], "daemon", OLD_DAEMON_KEYS, notes)
    return notes


def _suggested(value: object) -> str:
    """The new spelling of an old value (`300` -> `5m`), or the value itself when it is invalid."""
    try:
        return format_duration(parse_setting_seconds(value))
    except DurationError:
        return repr(value)
