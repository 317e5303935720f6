"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit framework the way another
repository uses them: a `repo:` entry pinned to a commit of a git repository holding syncer.

pre-commit clones that repository and pip-installs syncer into its own environment for
`syncer-validate` (language: python; dependencies come from PyPI, cached by pip), so the first test
here takes a while; the environment is shared by the module. `syncer-plan` (language: script) runs
deploy/hooks/pre-deploy with the `syncer` found on PATH, against a real emulator.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from deploy_helpers import REPO
from support.emulator import Emulator

pytestmark = pytest.mark.slow

VENV_BIN = Path(sys.executable).parent
PRE_COMMIT = VENV_BIN / "pre-commit"

if not PRE_COMMIT.exists():
    pytest.skip("pre-commit is not installed", allow_module_level=True)


def _git_env(tmp: Path) -> dict[str, str]:
    gitconfig = tmp / "gitconfig"
    gitconfig.write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n", encoding="utf-8")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GRAFANA_", "SYNCER_", "GIT_"))},
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Dashboards Author",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Dashboards Author",
        "GIT_COMMITTER_EMAIL": "author@example.com",
        "PRE_COMMIT_HOME": str(tmp / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
    }


def run(
    argv: list[str | Path], cwd: Path, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{argv} -> {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, dict[str, str]]]:
    """A git repository holding syncer (what users point `repo:` at), and the shared environment."""
    tmp = tmp_path_factory.mktemp("precommit")
    env = _git_env(tmp)
    source = tmp / "syncer-repo"
    # What a clone of syncer's repository holds: tracked files plus new ones not yet committed.
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO, env).stdout
    for name in filter(None, listed.split("\0")):
        origin = REPO / name
        if not origin.exists() and not origin.is_symlink():
            continue  # deleted in the working tree
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, source / name, follow_symlinks=False)
    run(["git", "init", "-q"], source, env)
    run(["git", "add", "-A"], source, env)
    run(["git", "commit", "-q", "-m", "syncer"], source, env)
    rev = run(["git", "rev-parse", "HEAD"], source, env).stdout.strip()
    yield source, rev, env


def _dashboard(uid: str, title: str) -> str:
    return json.dumps({"uid": uid, "title": title, "panels": [], "schemaVersion": 39}, indent=2) + "\n"


def consumer_repo(tmp_path: Path, hook_repo: tuple[Path, str, dict[str, str]]) -> Path:
    source, rev, env = hook_repo
    work = tmp_path / "dashboards-repo"
    work.mkdir()
    run(["git", "init", "-q"], work, env)
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n"
        f"  - repo: {source}\n"
        f"    rev: {rev}\n"
        f"    hooks:\n"
        f"      - id: syncer-validate\n"
        f"        args: [dashboards]\n"
        f"      - id: syncer-plan\n"
        f"        args: [dashboards]\n",
        encoding="utf-8",
    )
    (work / "dashboards" / "team").mkdir(parents=True)
    (work / "dashboards" / "team" / "a.json").write_text(_dashboard("pc-a", "A"), encoding="utf-8")
    (work / "dashboards" / "b.json").write_text(_dashboard("pc-b", "B"), encoding="utf-8")
    return work


def test_syncer_validate_passes_and_blocks_a_commit_with_a_broken_dashboard(
    tmp_path: Path, hook_repo: tuple[Path, str, dict[str, str]]
) -> None:
    _, _, env = hook_repo
    work = consumer_repo(tmp_path, hook_repo)
    run(["git", "add", "-A"], work, env)
    first = run([PRE_COMMIT, "run", "--all-files"], work, env, check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "syncer validate" in first.stdout and "Passed" in first.stdout
    assert "syncer plan" not in first.stdout  # a pre-push hook: not run at commit time

    run([PRE_COMMIT, "install"], work, env)
    run(["git", "commit", "-q", "-m", "dashboards"], work, env)
    (work / "dashboards" / "team" / "broken.json").write_text('{"uid": "pc-x", "title": ', encoding="utf-8")
    run(["git", "add", "-A"], work, env)
    blocked = run(["git", "commit", "-m", "broken"], work, env, check=False)
    assert blocked.returncode != 0
    assert "broken.json" in blocked.stdout + blocked.stderr
    assert run(["git", "rev-list", "--count", "HEAD"], work, env).stdout.strip() == "1"


def test_syncer_plan_blocks_a_push_that_conflicts_with_a_grafana_edit(
    tmp_path: Path, hook_repo: tuple[Path, str, dict[str, str]], emulator: Emulator
) -> None:
    _, _, base_env = hook_repo
    env = dict(base_env, GRAFANA_URL=emulator.url, GRAFANA_TOKEN=emulator.token)
    work = consumer_repo(tmp_path, hook_repo)
    remote = tmp_path / "remote.git"
    run(["git", "init", "-q", "--bare", remote], tmp_path, env)
    run(["git", "remote", "add", "origin", remote], work, env)
    run(["git", "add", "-A"], work, env)
    run(["git", "commit", "-q", "-m", "dashboards"], work, env)
    run(["syncer", "apply", "dashboards"], work, env)
    run([PRE_COMMIT, "install", "-t", "pre-push"], work, env)

    (work / "dashboards" / "b.json").write_text(_dashboard("pc-b", "B v2"), encoding="utf-8")
    run(["git", "commit", "-q", "-am", "b v2"], work, env)
    allowed = run(["git", "push", "-q", "origin", "main"], work, env, check=False)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr

    current = emulator.api("GET", "/api/dashboards/uid/pc-a", auth="admin").json()
    edited = dict(current["dashboard"], title="A (edited in the UI)")
    response = emulator.api(
        "POST",
        "/api/dashboards/db",
        json={"dashboard": edited, "folderUid": current["meta"].get("folderUid", ""), "overwrite": False},
        auth="admin",
    )
    assert response.status_code == 200
    (work / "dashboards" / "team" / "a.json").write_text(_dashboard("pc-a", "A from git"), encoding="utf-8")
    run(["git", "commit", "-q", "-am", "a from git"], work, env)
    blocked = run(["git", "push", "origin", "main"], work, env, check=False)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "CONFLICT pc-a" in output and "syncer plan" in output
    assert emulator.token not in output
    remote_head = run(["git", "--git-dir", remote, "rev-parse", "main"], work, env).stdout.strip()
    assert remote_head == run(["git", "rev-parse", "HEAD~1"], work, env).stdout.strip()
