"""Grafana version profiles: the documented behaviour differences, as data.

Role: `config.py` resolves `--profile` to a `Profile`; route modules branch on its fields
instead of on version strings. See docs/emulator.md for the table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Profile:
    name: str
    grafana_version: str
    unique_titles: bool  # 11.2: 412 name-exists for a duplicate title in a folder
    versions_as_object: bool  # >= 11.5: versions list is {"versions": [...], "continueToken": ""}
    legacy_conflict_409: bool  # 13: 409 "Use overwrite flag" instead of 412 version-mismatch
    legacy_refuses_managed: bool  # 13: 400 "Cannot save provisioned dashboard" for managed objects
    legacy_noop_keeps_version: bool  # 13: legacy saves go through k8s, identical saves keep the version
    random_ids: bool  # 13: unified storage hands out large random ids
    folder_exists_412: bool  # >= 12: duplicate folder uid maps k8s AlreadyExists to 412
    max_folder_depth: int
    k8s_backed_legacy: bool  # legacy API served through the k8s store: meta.apiVersion, k8s-style messages
    float64_numbers: bool  # legacy saves read numbers as float64 (`1.0` -> `1`); 11.x keeps literals
    dashboard_versions: tuple[str, ...]
    folder_versions: tuple[str, ...]


PROFILE_11_2 = Profile(
    name="11.2",
    grafana_version="11.2.0",
    unique_titles=True,
    versions_as_object=False,
    legacy_conflict_409=False,
    legacy_refuses_managed=False,
    legacy_noop_keeps_version=False,
    random_ids=False,
    folder_exists_412=False,
    max_folder_depth=8,
    k8s_backed_legacy=False,
    float64_numbers=False,
    dashboard_versions=("v0alpha1",),
    folder_versions=("v0alpha1",),
)

PROFILE_12 = Profile(
    name="12",
    grafana_version="12.1.0",
    unique_titles=False,
    versions_as_object=True,
    legacy_conflict_409=False,
    legacy_refuses_managed=False,
    legacy_noop_keeps_version=False,
    random_ids=False,
    folder_exists_412=True,
    max_folder_depth=4,
    k8s_backed_legacy=True,
    float64_numbers=True,
    dashboard_versions=("v0alpha1", "v1beta1", "v2beta1"),
    folder_versions=("v1beta1",),
)

# 13 (main in 2026): the legacy API routed to the k8s store; these are its only differences from 12.
PROFILE_13 = replace(
    PROFILE_12,
    name="13",
    grafana_version="13.0.0",
    legacy_conflict_409=True,
    legacy_refuses_managed=True,
    legacy_noop_keeps_version=True,
    random_ids=True,
)

# 11.3-11.4: no unique titles yet SQL-backed folders (409 on a duplicate uid), bare versions list.
PROFILE_11_4 = replace(
    PROFILE_12,
    name="11.4",
    grafana_version="11.4.0",
    versions_as_object=False,
    folder_exists_412=False,
    max_folder_depth=8,
    k8s_backed_legacy=False,
    float64_numbers=False,
    dashboard_versions=("v0alpha1",),
    folder_versions=("v0alpha1",),
)

_ALIASES = {
    "11.2": PROFILE_11_2,
    "11.1": PROFILE_11_2,
    "11.0": PROFILE_11_2,
    "a": PROFILE_11_2,
    "11.3": PROFILE_11_4,
    "11.4": PROFILE_11_4,
    "11.5": PROFILE_12,
    "11.6": PROFILE_12,
    "12": PROFILE_12,
    "b": PROFILE_12,
    "13": PROFILE_13,
    "c": PROFILE_13,
}


def resolve_profile(name: str) -> Profile:
    """`11.2`, `11.3`/`11.4`, `11.5`/`11.6`, `12`, `12.x`, `13`, `13.x` (or A/B/C) -> Profile."""
    key = name.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    major = key.split(".")[0]
    if major in ("12", "13"):
        return _ALIASES[major]
    raise ValueError(f"unknown profile {name!r} (use 11.2, 12 or 13)")
