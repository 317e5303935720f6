"""deploy/Dockerfile and .dockerignore, tested without a Docker daemon (none runs here).

What is checked: the instructions an operator relies on (multi-stage, non-root uid 10001, exec-form
`syncer` entry point, HEALTHCHECK on /healthz, nothing written at run time); that every COPY source
exists AND survives .dockerignore (so `docker build -f deploy/Dockerfile .` from the repository root
has what it needs); that the build stage's `pip wheel .` works on exactly that build context; that
the HEALTHCHECK command itself tells a healthy endpoint from a failing one; and hadolint's verdict.
"""

from __future__ import annotations

import fnmatch
import http.server
import json
import re
import shlex
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from deploy_helpers import REPO

DOCKERFILE = REPO / "deploy" / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    value: str
    stage: int


def parse_dockerfile(text: str) -> list[Instruction]:
    """Joins continuation lines, drops comments; `stage` counts FROM lines (0-based)."""
    instructions: list[Instruction] = []
    stage = -1
    buffer = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if buffer and line.startswith("#"):
            continue
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        full = (buffer + line).strip()
        buffer = ""
        keyword, _, value = full.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        instructions.append(Instruction(keyword, value.strip(), stage))
    return instructions


INSTRUCTIONS = parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))
FINAL_STAGE = max(i.stage for i in INSTRUCTIONS)


def final(keyword: str) -> list[Instruction]:
    return [i for i in INSTRUCTIONS if i.keyword == keyword and i.stage == FINAL_STAGE]


def dockerignore_patterns() -> list[tuple[bool, str]]:
    patterns = []
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line[1:] if negated else line
        patterns.append((negated, pattern.strip().strip("/")))
    return patterns


def _matches(pattern: str, path: str) -> bool:
    """Docker's rule: a pattern matches a path or any of its parent directories; `**` spans directories."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    regex = re.compile(
        "^"
        + re.escape(pattern)
        .replace(r"\*\*/", "(?:.*/)?")
        .replace(r"\*\*", ".*")
        .replace(r"\*", "[^/]*")
        .replace(r"\?", "[^/]")
        + "$"
    )
    return any(regex.match(c) for c in candidates)


def in_build_context(relative: str) -> bool:
    """Last matching pattern wins, as in Docker."""
    included = True
    for negated, pattern in dockerignore_patterns():
        if _matches(pattern, relative):
            included = negated
    return included


def build_context_files() -> list[str]:
    files = []
    for path in REPO.rglob("*"):
        if path.is_file() and ".venv" not in path.parts and ".git" not in path.parts:
            relative = path.relative_to(REPO).as_posix()
            if in_build_context(relative):
                files.append(relative)
    return sorted(files)


def test_two_stages_from_the_same_python_base() -> None:
    froms = [i for i in INSTRUCTIONS if i.keyword == "FROM"]
    assert len(froms) == 2
    assert froms[0].value == "${PYTHON_IMAGE} AS build" and froms[1].value == "${PYTHON_IMAGE} AS runtime"
    (arg,) = [i for i in INSTRUCTIONS if i.keyword == "ARG" and i.value.startswith("PYTHON_IMAGE=")]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11-slim(-\w+)?", arg.value)


def test_runtime_stage_runs_syncer_unprivileged_and_read_only_friendly() -> None:
    (user,) = final("USER")
    assert user.value == "10001:10001"
    assert [i.keyword for i in INSTRUCTIONS if i.stage == FINAL_STAGE][-1] in {"CMD", "ENTRYPOINT"}
    # Nothing runs after USER that could need root, and nothing at all writes into the image at run time.
    after_user = [
        i for i in INSTRUCTIONS if i.stage == FINAL_STAGE and INSTRUCTIONS.index(i) > INSTRUCTIONS.index(user)
    ]
    assert not [i for i in after_user if i.keyword in {"RUN", "VOLUME"}]
    env = " ".join(i.value for i in final("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "HOME=/tmp" in env and "TMPDIR=/tmp" in env
    (entrypoint,) = final("ENTRYPOINT")
    assert json.loads(entrypoint.value) == ["syncer"], "exec form, so SIGTERM reaches syncer as PID 1"
    (cmd,) = final("CMD")
    assert json.loads(cmd.value)[0] == "run"
    (expose,) = final("EXPOSE")
    assert expose.value == "8080"
    # The only thing copied from the build stage is the virtual environment (no compilers, no pip cache).
    copies = final("COPY")
    assert [c.value for c in copies if "--from=" in c.value] == ["--from=build /opt/syncer /opt/syncer"]


def test_build_stage_compiles_bytecode_and_smoke_tests_the_entry_point() -> None:
    run = " ".join(i.value for i in INSTRUCTIONS if i.keyword == "RUN" and i.stage == 0)
    assert "compileall" in run, "byte-compile at build time: the root filesystem is read-only at run time"
    assert "syncer --version" in run


def test_healthcheck_probes_healthz_with_python_only() -> None:
    (check,) = final("HEALTHCHECK")
    options, _, command = check.value.partition("CMD ")
    assert "--interval=" in options and "--timeout=" in options
    argv = json.loads(command)
    assert argv[:2] == ["python", "-c"]
    env = " ".join(i.value for i in final("ENV"))
    assert "SYNCER_HEALTHCHECK_URL=http://127.0.0.1:8080/healthz" in env


class _Handler(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def health_server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/healthz", handler
    finally:
        server.shutdown()
        server.server_close()


def _run_healthcheck(url: str) -> int:
    (check,) = final("HEALTHCHECK")
    argv = json.loads(check.value.partition("CMD ")[2])
    argv[0] = sys.executable
    env = {"SYNCER_HEALTHCHECK_URL": url, "PATH": "/usr/bin:/bin"}
    return subprocess.run(argv, env=env, capture_output=True, timeout=30, check=False).returncode


def test_healthcheck_command_passes_on_200_and_fails_otherwise(
    health_server: tuple[str, type[_Handler]],
) -> None:
    url, handler = health_server
    assert _run_healthcheck(url) == 0
    handler.status = 503
    assert _run_healthcheck(url) != 0
    assert _run_healthcheck("http://127.0.0.1:9/healthz") != 0  # nothing listening


def test_every_copy_source_exists_and_is_in_the_build_context() -> None:
    sources = []
    for instruction in INSTRUCTIONS:
        if instruction.keyword != "COPY" or "--from=" in instruction.value:
            continue
        *srcs, _dest = shlex.split(instruction.value)
        sources.extend(s for s in srcs if not s.startswith("--"))
    assert sources
    context = build_context_files()
    for source in sources:
        assert (REPO / source).exists(), f"COPY {source}: not in the repository"
        assert any(f == source or f.startswith(source.rstrip("/") + "/") for f in context), (
            f"COPY {source}: excluded by .dockerignore"
        )


def test_build_context_is_small_and_free_of_local_state() -> None:
    context = build_context_files()
    assert "pyproject.toml" in context and "syncer/cli/__init__.py" in context
    for prefix in ("tests/", ".venv/", ".git/", "bench/", "docs/", ".mypy_cache/"):
        assert not [f for f in context if f.startswith(prefix)], prefix
    assert not [f for f in context if "__pycache__" in f or f.endswith(".pyc")]
    assert not fnmatch.filter(context, "*.env")


def test_dockerignore_matcher_follows_docker_semantics() -> None:
    """Guards the matcher the tests above rely on."""
    assert in_build_context("syncer/cli/__init__.py")
    assert not in_build_context("syncer/cli/__pycache__/x.cpython-311.pyc")
    assert not in_build_context("tests/deploy/test_deploy_dockerfile.py")
    assert in_build_context("deploy/grafana/syncer-metrics.json")
    assert not in_build_context("deploy/Dockerfile")


@pytest.mark.slow
def test_build_stage_builds_a_wheel_from_exactly_the_build_context(tmp_path: Path) -> None:
    """What `RUN pip wheel .` sees in the image: only the files .dockerignore lets through."""
    context = tmp_path / "context"
    for relative in build_context_files():
        target = context / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, target)
    wheels = tmp_path / "wheels"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            str(wheels),
            str(context),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = wheels.glob("grafana_syncer-*.whl")  # the distribution is grafana-syncer (was syncer)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "syncer = syncer.cli:main" in archive.read(entry_points).decode()
    assert "syncer/cli/__init__.py" in names and "syncer/__main__.py" in names
    assert not [n for n in names if n.startswith("tests/")]


@pytest.mark.skipif(
    shutil.which("hadolint") is None and not (Path(sys.executable).parent / "hadolint").exists(),
    reason="hadolint not installed",
)
def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run(
        [hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
