"""deploy/hooks/pre-push (and its pre-deploy mode) in real temporary git repositories, pushing to a
real bare remote, planning against a real `syncer emulator` over HTTP.

The hook must block a push whose dashboards conflict with edits made in Grafana (and leave the
remote untouched), block invalid dashboards even offline, and let everything else through."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from deploy_helpers import REPO
from support.emulator import Emulator

HOOK = REPO / "deploy" / "hooks" / "pre-push"
PRE_DEPLOY = REPO / "deploy" / "hooks" / "pre-deploy"
VENV_BIN = Path(sys.executable).parent


def dashboard(uid: str, title: str, panels: int = 1) -> str:
    body = {
        "uid": uid,
        "title": title,
        "tags": ["hook-test"],
        "panels": [
            {
                "id": n + 1,
                "type": "timeseries",
                "title": f"panel {n}",
                "gridPos": {"h": 8, "w": 12, "x": 0, "y": 8 * n},
            }
            for n in range(panels)
        ],
        "schemaVersion": 39,
    }
    return json.dumps(body, indent=2) + "\n"


@dataclass
class Repo:
    work: Path
    remote: Path
    env: dict[str, str]
    emulator: Emulator

    def run(
        self, *argv: str | Path, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(a) for a in argv],
            cwd=self.work,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{argv} -> {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("git", *args, check=check)

    def write(self, relative: str, text: str) -> None:
        path = self.work / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD").stdout.strip()

    def push(self, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return self.run("git", "push", "origin", *extra, check=False, env=env)

    def remote_head(self, branch: str = "main") -> str:
        return self.run("git", "--git-dir", self.remote, "rev-parse", branch).stdout.strip()

    def edit_in_grafana(self, uid: str, title: str) -> int:
        """A person edits the dashboard in the Grafana UI (basic-auth admin, not syncer's token)."""
        current = self.emulator.api("GET", f"/api/dashboards/uid/{uid}", auth="admin").json()
        body = dict(current["dashboard"], title=title)
        response = self.emulator.api(
            "POST",
            "/api/dashboards/db",
            json={"dashboard": body, "folderUid": current["meta"].get("folderUid", ""), "overwrite": False},
            auth="admin",
        )
        assert response.status_code == 200, response.text
        version: int = response.json()["version"]
        return version


@pytest.fixture
def repo(tmp_path: Path, emulator: Emulator) -> Repo:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Dashboards Author",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Dashboards Author",
        "GIT_COMMITTER_EMAIL": "author@example.com",
        "GRAFANA_URL": emulator.url,
        "GRAFANA_TOKEN": emulator.token,
        "TMPDIR": str(tmp_path),
    }
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    work.mkdir()
    r = Repo(work, remote, env, emulator)
    r.run("git", "init", "-q", "--bare", "-b", "main", remote)
    r.git("init", "-q", "-b", "main")
    r.write("dashboards/team-a/latency.json", dashboard("hook-latency", "Latency"))
    r.write("dashboards/team-a/errors.json", dashboard("hook-errors", "Errors"))
    r.write("dashboards/overview.json", dashboard("hook-overview", "Overview"))
    r.write("README.md", "dashboards\n")
    r.commit("initial dashboards")
    r.git("remote", "add", "origin", str(remote))
    r.git("push", "-q", "origin", "main")
    # What the deployment did for the current main: Grafana holds exactly these dashboards.
    r.run("syncer", "apply", "dashboards")
    hook = work / ".git" / "hooks" / "pre-push"
    shutil.copy2(HOOK, hook)
    hook.chmod(0o755)
    return r


def test_push_without_conflicts_is_allowed(repo: Repo) -> None:
    repo.write("dashboards/team-a/latency.json", dashboard("hook-latency", "Latency (p99)", panels=2))
    head = repo.commit("latency: add a panel")
    result = repo.push("main")
    assert result.returncode == 0, result.stderr
    assert repo.remote_head() == head
    assert "hook-latency" in result.stderr  # the plan was shown
    assert "ok: no conflicts" in result.stderr
    assert repo.emulator.token not in result.stdout + result.stderr


def test_push_is_blocked_when_grafana_has_a_conflicting_edit(repo: Repo) -> None:
    before = repo.remote_head()
    ui_version = repo.edit_in_grafana("hook-latency", "Latency (edited in the UI)")
    repo.write("dashboards/team-a/latency.json", dashboard("hook-latency", "Latency from git", panels=3))
    repo.commit("latency: rework")
    result = repo.push("main")
    assert result.returncode != 0
    assert repo.remote_head() == before, "a blocked push must not reach the remote"
    assert "CONFLICT hook-latency (team-a/latency.json)" in result.stderr
    assert f"version {ui_version}" in result.stderr
    assert "BLOCKED" in result.stderr
    assert repo.emulator.token not in result.stdout + result.stderr
    # The documented escape hatch for an intended overwrite.
    assert repo.push("--no-verify", "main").returncode == 0


def test_an_edit_in_grafana_of_another_dashboard_does_not_block(repo: Repo) -> None:
    """Drift on a dashboard this push does not touch is the periodic resync's business, not a conflict."""
    repo.edit_in_grafana("hook-errors", "Errors (edited in the UI)")
    repo.write("dashboards/team-a/latency.json", dashboard("hook-latency", "Latency v2"))
    head = repo.commit("latency v2")
    result = repo.push("main")
    assert result.returncode == 0, result.stderr
    assert repo.remote_head() == head


def test_invalid_dashboards_are_blocked_even_without_grafana(repo: Repo) -> None:
    offline = {k: v for k, v in repo.env.items() if not k.startswith("GRAFANA_")}
    before = repo.remote_head()
    repo.write("dashboards/broken.json", '{"uid": "hook-broken", "title": "Broken",\n  "panels": [\n')
    repo.commit("oops")
    result = repo.push("main", env=offline)
    assert result.returncode != 0
    assert "broken.json" in result.stderr
    assert "does not validate" in result.stderr
    assert repo.remote_head() == before


def test_the_hook_checks_the_pushed_commit_not_the_working_tree(repo: Repo) -> None:
    repo.write("dashboards/overview.json", dashboard("hook-overview", "Overview v2"))
    head = repo.commit("overview v2")
    repo.write("dashboards/scratch.json", "{ not json, not committed")
    result = repo.push("main")
    assert result.returncode == 0, result.stderr
    assert repo.remote_head() == head


def test_branches_that_are_not_deployed_are_not_checked(repo: Repo) -> None:
    repo.edit_in_grafana("hook-latency", "Latency (edited in the UI)")
    repo.git("checkout", "-q", "-b", "feature/latency")
    repo.write("dashboards/team-a/latency.json", dashboard("hook-latency", "Latency WIP"))
    repo.commit("wip")
    assert repo.push("feature/latency").returncode == 0
    # ...unless the branch is configured as deployed.
    repo.git("config", "syncer.branches", "main feature/*")
    repo.write("dashboards/team-a/latency.json", dashboard("hook-latency", "Latency WIP 2"))
    repo.commit("wip 2")
    assert repo.push("feature/latency").returncode != 0


def test_pre_deploy_gate_checks_the_working_tree(repo: Repo) -> None:
    repo.edit_in_grafana("hook-overview", "Overview (edited in the UI)")
    repo.write("dashboards/overview.json", dashboard("hook-overview", "Overview from git"))
    blocked = repo.run(PRE_DEPLOY, "dashboards", check=False)
    assert blocked.returncode == 1
    assert "CONFLICT hook-overview" in blocked.stderr
    # Once the deployment resolved it (git wins here), the gate passes again.
    repo.run("syncer", "apply", "dashboards", "--on-conflict", "overwrite")
    assert repo.run(PRE_DEPLOY, "dashboards", check=False).returncode == 0


def test_unreachable_grafana_blocks_with_a_way_out(repo: Repo) -> None:
    env = dict(repo.env, GRAFANA_URL="http://127.0.0.1:9")
    repo.write("dashboards/overview.json", dashboard("hook-overview", "Overview v3"))
    repo.commit("overview v3")
    result = repo.push("main", env=env)
    assert result.returncode != 0 and "SYNCER_HOOK_SKIP_PLAN" in result.stderr
    assert repo.push("main", env=dict(env, SYNCER_HOOK_SKIP_PLAN="1")).returncode == 0


@pytest.mark.skipif(
    not (VENV_BIN / "shellcheck").exists() and shutil.which("shellcheck") is None,
    reason="shellcheck not installed",
)
def test_shellcheck_finds_nothing() -> None:
    shellcheck = shutil.which("shellcheck") or str(VENV_BIN / "shellcheck")
    result = subprocess.run([shellcheck, str(HOOK)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout


def test_target_from_a_config_file_named_in_git_config(repo: Repo, tmp_path: Path) -> None:
    """No GRAFANA_* in the environment: the Grafana comes from a syncer config file, the token from a file."""
    token_file = tmp_path / "grafana-token"
    token_file.write_text(repo.emulator.token + "\n", encoding="utf-8")
    repo.write("syncer.yaml", f"grafana:\n  url: {repo.emulator.url}\n  token_file: {token_file}\n")
    repo.git("config", "syncer.config", "syncer.yaml")
    repo.edit_in_grafana("hook-errors", "Errors (edited in the UI)")
    repo.write("dashboards/team-a/errors.json", dashboard("hook-errors", "Errors from git"))
    repo.commit("errors from git")
    env = {k: v for k, v in repo.env.items() if not k.startswith("GRAFANA_")}
    result = repo.push("main", env=env)
    assert result.returncode != 0
    assert "CONFLICT hook-errors (team-a/errors.json)" in result.stderr
    assert "dashboards: valid" in result.stderr  # paths as in the repository, not the temporary export


def test_syncer_installed_behind_an_env_shebang(repo: Repo, tmp_path: Path) -> None:
    """SYNCER_BIN whose script starts `#!/usr/bin/env python3` (pipx, system installs): the hook
    reads the JSON plan with that interpreter."""
    wrapper = tmp_path / "bin" / "my-syncer"
    wrapper.parent.mkdir()
    wrapper.write_text(
        "#!/usr/bin/env python3\nimport os, sys\n"
        f"os.execv({sys.executable!r}, [{sys.executable!r}, '-m', 'syncer', *sys.argv[1:]])\n",
        encoding="utf-8",
    )
    wrapper.chmod(0o755)
    repo.edit_in_grafana("hook-overview", "Overview (edited in the UI)")
    repo.write("dashboards/overview.json", dashboard("hook-overview", "Overview from git"))
    env = dict(repo.env, SYNCER_BIN=str(wrapper))
    blocked = repo.run(PRE_DEPLOY, "dashboards", check=False, env=env)
    assert blocked.returncode == 1, blocked.stderr
    assert "CONFLICT hook-overview (overview.json)" in blocked.stderr


def test_the_advice_of_a_blocked_push_works_as_printed(repo: Repo) -> None:
    """Issue 18: the hook used to say `syncer pull`, which refused the non-empty directory, and with
    --force wrote renamed copies beside the originals (duplicate uids). The printed command must
    bring just the UI edit back into its own file, keep the file's format, and leave a valid tree."""
    repo.edit_in_grafana("hook-latency", "Latency (edited in the UI)")
    repo.write("dashboards/team-a/latency.json", dashboard("hook-latency", "Latency from git", panels=3))
    repo.commit("latency: rework")
    blocked = repo.push("main")
    assert blocked.returncode != 0 and "BLOCKED" in blocked.stderr
    advice = [line for line in blocked.stderr.splitlines() if " pull " in line and "--conflicts-only" in line]
    assert len(advice) == 1, blocked.stderr
    command = advice[0].removeprefix("syncer-hook:").strip()

    pulled = repo.run("bash", "-c", command, check=False)

    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    changed = repo.git("status", "--porcelain").stdout.split("\n")
    assert [line.strip() for line in changed if line.strip()] == ["M dashboards/team-a/latency.json"]
    text = (repo.work / "dashboards/team-a/latency.json").read_text(encoding="utf-8")
    assert json.loads(text)["title"] == "Latency (edited in the UI)"
    kept = text.startswith('{\n  "uid": "hook-latency",\n  "title"')
    assert kept, "the file's key order and indent are kept"
    assert repo.run("syncer", "validate", "dashboards").returncode == 0
