"""The published distribution: PyPI name `grafana-syncer` (PyPI's `syncer` is an unrelated project),
console command `syncer`. Builds the sdist and, from it, the wheel exactly as `make dist` and a
release do (`python -m build`), checks both with `twine check`, and runs the wheel's entry point."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml
from deploy_helpers import DEPLOY, REPO

from syncer import __version__

NAME = "grafana-syncer"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_wheel_and_sdist_are_named_and_pass_twine(dist: Path) -> None:
    wheel = dist / f"grafana_syncer-{__version__}-py3-none-any.whl"
    sdist = dist / f"grafana_syncer-{__version__}.tar.gz"
    assert sorted(p.name for p in dist.iterdir()) == sorted([wheel.name, sdist.name])
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"grafana_syncer-{__version__}.dist-info/METADATA").decode()
        entry_points = archive.read(f"grafana_syncer-{__version__}.dist-info/entry_points.txt").decode()
        names = archive.namelist()
    assert f"Name: {NAME}\n" in metadata and f"Version: {__version__}\n" in metadata
    assert re.search(r"^\[console_scripts\]\nsyncer = syncer\.cli:main$", entry_points, re.MULTILINE)
    assert entry_points.count(" = ") == 1  # one command, `syncer`
    assert "syncer/py.typed" in names and "syncer/durations.py" in names
    assert not any(n.startswith(("tests/", "bench/")) for n in names)
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    assert f"grafana_syncer-{__version__}/pyproject.toml" in members
    assert f"grafana_syncer-{__version__}/README.md" in members


def test_the_wheel_installs_a_working_syncer_command(dist: Path, tmp_path: Path) -> None:
    """Installed (without dependencies: the test venv has them) into a fresh target, the console
    script `syncer` runs and is this version."""
    wheel = next(dist.glob("*.whl"))
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    script = target / "bin" / "syncer"
    assert script.exists() and not (target / "bin" / "grafana-syncer").exists()
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [str(script), "--version"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == f"syncer {__version__}", done.stdout + done.stderr
    where = subprocess.run(
        [sys.executable, "-c", "import syncer; print(syncer.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=True,
    )
    assert where.stdout.startswith(str(target))  # it ran the installed wheel, not the checkout


def test_docs_and_examples_install_the_published_name() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    operations = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    assert f"pipx install {NAME}" in readme and f"pip install {NAME}" in operations
    for text in (readme, operations):
        assert "git+https://" not in text
    for ci in ("github-actions.yml", "gitlab-ci.yml"):
        variables = yaml.safe_load((DEPLOY / "ci" / ci).read_text(encoding="utf-8"))
        spec = (variables.get("env") or variables.get("variables"))["SYNCER_PIP_SPEC"]
        assert spec == f"{NAME}=={__version__}"
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert f'name = "{NAME}"' in pyproject and 'syncer = "syncer.cli:main"' in pyproject
