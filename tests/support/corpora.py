"""Where the real-world corpora are: one locator for every test.

The corpora are read in place, never copied into the repository: `$SYNCER_CORPORA` when set, else
`../shared/corpora` beside the checkout. A test that needs one calls `require(...)`: a missing
corpus fails under CI (`CI` set) whenever `../shared` itself is there, so a renamed or lost corpus can
never pass silently; a checkout with no shared data at all (a contributor's laptop) skips instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# the steering data beside the checkout: corpora, Grafana's OpenAPI description, the API seed pages
SHARED = REPO.parent / "shared"
ROOT = Path(os.environ.get("SYNCER_CORPORA") or SHARED / "corpora")
# directories of exported dashboard JSON (the jsonnet corpus is source code, not exports)
DASHBOARD_CORPORA = ("grafana-operator", "kube-prometheus", "rfmoz")
JSONNET = ROOT / "jsonnet"


def require(path: Path = ROOT) -> Path:
    """`path` if it exists; else fail under CI, skip elsewhere (see the module docstring)."""
    if path.exists():
        return path
    message = f"corpus missing: {path} (set SYNCER_CORPORA to the corpora directory)"
    if os.environ.get("CI") and (ROOT.parent.exists() or "SYNCER_CORPORA" in os.environ):
        pytest.fail(message)
    pytest.skip(message)


def dashboard_dirs() -> list[Path]:
    """The exported-dashboard corpora, each required."""
    return [require(ROOT / name) for name in DASHBOARD_CORPORA]


def dashboard_files() -> list[Path]:
    """Every exported dashboard JSON file of the corpora, sorted; at least one, or fail/skip."""
    files = sorted(path for directory in dashboard_dirs() for path in directory.rglob("*.json"))
    if not files:
        pytest.fail(f"no dashboard files under {ROOT}")
    return files
