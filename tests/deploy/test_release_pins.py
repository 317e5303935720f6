"""Issue 18: the pre-commit example pinned `rev: v0.1.0`, a tag nothing created. Every pin of a
syncer release (pre-commit `rev:`, `pip install ...@vX`) must name the tag `make release-tag`
creates from pyproject's version, so copying an example works once that release exists."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib

import pytest
from deploy_helpers import REPO

PINNING = [
    REPO / ".pre-commit-hooks.yaml",
    REPO / "docs" / "operations.md",
    REPO / "deploy" / "ci" / "github-actions.yml",
    REPO / "deploy" / "ci" / "gitlab-ci.yml",
]
PIN = re.compile(r"(?:rev: |syncer@)(v[0-9][^\s\"']*)")
PYPI_PIN = re.compile(r"grafana-syncer==([0-9][^\s\"']*)")


def version() -> str:
    with (REPO / "pyproject.toml").open("rb") as f:
        found: str = tomllib.load(f)["project"]["version"]
    return found


def test_every_pin_names_the_current_release_tag() -> None:
    texts = {path.name: path.read_text(encoding="utf-8") for path in PINNING}
    tags = {(name, tag) for name, text in texts.items() for tag in PIN.findall(text)}
    assert tags, "no release tag pinned"
    assert {tag for _, tag in tags} == {f"v{version()}"}, tags
    versions = {(name, v) for name, text in texts.items() for v in PYPI_PIN.findall(text)}
    assert {v for _, v in versions} <= {version()}, versions


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_the_release_target_creates_that_tag() -> None:
    dry = subprocess.run(["make", "-n", "release-tag"], cwd=REPO, capture_output=True, text=True, check=False)
    assert dry.returncode == 0, dry.stderr
    assert f'git tag -a "v{version()}"' in dry.stdout
