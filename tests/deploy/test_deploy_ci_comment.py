"""The CI examples post the Markdown plan as ONE pull-request comment (GitHub) or merge-request note
(GitLab) and update it on every push. The real step scripts run (bash + curl + jq, python3) against
the emulator and a loopback stand-in for the platforms' comment APIs that pages like the real ones."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from deploy_helpers import DEPLOY
from support.emulator import Emulator

GITHUB = DEPLOY / "ci" / "github-actions.yml"
GITLAB = DEPLOY / "ci" / "gitlab-ci.yml"
VENV_BIN = Path(sys.executable).parent
MARKER = "<!-- syncer-plan -->"
OTHER_COMMENTS = 130  # more than one page of 100, so finding our comment needs pagination


class CommentsApi:
    """Comments of one pull request, served as GitHub (`/repos/o/r/issues/...`) and GitLab
    (`/api/v4/projects/42/merge_requests/7/notes`) do: pages of `per_page`, PATCH/PUT by id."""

    def __init__(self, token_header: str, token: str) -> None:
        self.comments: list[dict[str, Any]] = [
            {"id": i, "body": f"looks good {i}", "user": {"login": "someone"}}
            for i in range(1, OTHER_COMMENTS + 1)
        ]
        self.writes: list[str] = []
        self.token_header, self.token = token_header, token

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        collection = re.fullmatch(
            r"/(repos/o/r/issues/7/comments|api/v4/projects/42/merge_requests/7/notes)", path
        )
        item = re.fullmatch(
            r"/(?:repos/o/r/issues/comments|api/v4/projects/42/merge_requests/7/notes)/(\d+)", path
        )
        if collection and method == "GET":
            per_page, page = int(query["per_page"][0]), int(query.get("page", ["1"])[0])
            return 200, self.comments[(page - 1) * per_page : page * per_page]
        if collection and method == "POST":
            self.comments.append({"id": len(self.comments) + 1, "body": body["body"]})
            self.writes.append("create")
            return 201, self.comments[-1]
        if item and method in ("PATCH", "PUT"):
            found = next(c for c in self.comments if c["id"] == int(item.group(1)))
            found["body"] = body["body"]
            self.writes.append("update")
            return 200, found
        return 404, {"message": "Not Found"}

    def ours(self) -> list[dict[str, Any]]:
        return [c for c in self.comments if c["body"].startswith(MARKER)]


@contextmanager
def serving(api: CommentsApi) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            if api.token not in (self.headers.get(api.token_header) or ""):
                status, payload = 401, {"message": "Bad credentials"}
            else:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                url = urlsplit(self.path)
                status, payload = api.handle(self.command, url.path, parse_qs(url.query), body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def write_dashboards(root: Path, title: str) -> None:
    (root / "dashboards").mkdir(parents=True, exist_ok=True)
    for uid in ("pr-a", "pr-b"):
        body = {"uid": uid, "title": f"{title} {uid}", "panels": []}
        (root / "dashboards" / f"{uid}.json").write_text(json.dumps(body), encoding="utf-8")


def run(script: str, shell: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [shell, "-e", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    return done


def base_env(tmp_path: Path, emulator: Emulator, variables: dict[str, Any]) -> dict[str, str]:
    return {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path),
        **{k: str(v) for k, v in variables.items()},
        "GRAFANA_URL": emulator.url,
        "GRAFANA_TOKEN": emulator.token,
    }


@pytest.mark.skipif(not all(shutil.which(t) for t in ("bash", "jq", "curl")), reason="needs bash, jq, curl")
def test_github_posts_one_comment_and_updates_it(tmp_path: Path, emulator: Emulator) -> None:
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    plan_job = workflow["jobs"]["plan"]
    assert plan_job["permissions"]["pull-requests"] == "write"
    steps = {s.get("name"): s for s in plan_job["steps"]}
    comment = steps["Comment the plan on the pull request"]
    assert comment["if"] == "always()"  # a conflict (exit 3) is when the comment matters most
    api = CommentsApi("Authorization", "ghs_pr_token")
    with serving(api) as url:
        env = base_env(tmp_path, emulator, workflow["env"])
        env |= {"GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "GITHUB_API_URL": url}
        env |= {"GITHUB_REPOSITORY": "o/r", "PR_NUMBER": "7", "GITHUB_TOKEN": "ghs_pr_token"}
        for title in ("First", "Second"):
            write_dashboards(tmp_path, title)
            planned = run(steps["Plan against Grafana"]["run"], "bash", tmp_path, env)
            assert planned.returncode == 0, planned.stdout + planned.stderr
            posted = run(comment["run"], "bash", tmp_path, env)
            assert posted.returncode == 0, posted.stdout + posted.stderr
            assert "::warning::" not in posted.stdout
            if title == "First":
                subprocess.run(
                    ["syncer", "apply", "dashboards"], cwd=tmp_path, env=env, check=True, timeout=120
                )
    assert api.writes == ["create", "update"]
    (ours,) = api.ours()
    assert ours["body"] == (tmp_path / "plan.md").read_text(encoding="utf-8")
    assert "**0 to create, 2 to update, 0 to delete; 0 conflicts**" in ours["body"]
    assert ours["body"].count("<details>") == 2
    assert len(api.comments) == OTHER_COMMENTS + 1
    assert emulator.token not in ours["body"]


@pytest.mark.skipif(shutil.which("sh") is None or shutil.which("python3") is None, reason="needs sh, python3")
def test_gitlab_posts_one_note_and_updates_it(tmp_path: Path, emulator: Emulator) -> None:
    pipeline = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    lines = [line for line in pipeline["default"]["before_script"] if "pip install" not in line]
    script = "\n".join(lines + pipeline["plan"]["script"])
    api = CommentsApi("PRIVATE-TOKEN", "glpat_note_token")
    with serving(api) as url:
        env = base_env(tmp_path, emulator, pipeline["variables"])
        env |= {"CI_API_V4_URL": f"{url}/api/v4", "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "7"}
        write_dashboards(tmp_path, "First")
        without_token = run(script, "sh", tmp_path, env)
        assert without_token.returncode == 0, without_token.stdout + without_token.stderr
        assert "set SYNCER_GITLAB_TOKEN to post the plan" in without_token.stdout and api.writes == []
        env["SYNCER_GITLAB_TOKEN"] = "glpat_note_token"
        for title in ("First", "Second"):
            write_dashboards(tmp_path, title)
            done = run(script, "sh", tmp_path, env)
            assert done.returncode == 0, done.stdout + done.stderr
    assert api.writes == ["create", "update"]
    (ours,) = api.ours()
    assert "**2 to create, 0 to update, 0 to delete; 0 conflicts**" in ours["body"]
    assert "pr-a.json" in ours["body"] and "Second pr-a" in ours["body"]
    assert "plan.md" in pipeline["plan"]["artifacts"]["paths"]


@pytest.mark.skipif(not all(shutil.which(t) for t in ("bash", "jq", "curl")), reason="needs bash, jq, curl")
def test_github_comment_step_warns_instead_of_failing_without_write_access(tmp_path: Path) -> None:
    """A pull request from a fork gets a read-only token: the plan is still in the job summary."""
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    step = next(
        s
        for s in workflow["jobs"]["plan"]["steps"]
        if s.get("name") == "Comment the plan on the pull request"
    )
    (tmp_path / "plan.md").write_text(MARKER + "\n**0 to create**\n", encoding="utf-8")
    api = CommentsApi("Authorization", "ghs_the_right_token")
    with serving(api) as url:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GITHUB_API_URL": url,
            "GITHUB_REPOSITORY": "o/r",
        }
        env |= {"PR_NUMBER": "7", "GITHUB_TOKEN": "ghs_read_only"}
        done = run(step["run"], "bash", tmp_path, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::warning::could not read the pull request's comments" in done.stdout
    assert api.writes == []
