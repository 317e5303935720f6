"""`--namespace` and `--allow-ui-edits/--no-allow-ui-edits` as real `syncer` subprocesses against the
emulator's resources API: each reaches the server, and the precedence is flags > environment >
config file. (`run` shares these options through `syncer.cli.common`; its parser is checked too.)"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support import cli
from support.emulator import Emulator

from syncer.cli import build_parser
from syncer.cli.common import settings_from_args

DASHBOARDS = "/apis/dashboard.grafana.app/v1beta1/namespaces/default/dashboards"
ALLOWS_EDITS = "grafana.app/managerAllowsEdits"


def syncer(
    emulator: Emulator, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    connection = cli.connection(emulator, api="resources")
    return cli.syncer(*args, *connection, env=env, without=cli.grafana_variable)


def config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "syncer.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "one.json").write_text(json.dumps({"uid": "flag-one", "title": "One", "panels": []}), "utf-8")
    return src


@pytest.mark.parametrize(
    ("file_ns", "env_ns", "flag_ns", "reaches_default"),
    [
        (None, "nowhere", None, False),  # the environment is used...
        (None, "nowhere", "default", True),  # ...and the flag beats it
        ("nowhere", "default", None, True),  # the environment beats the file
        ("default", None, "nowhere", False),  # the flag beats the file
    ],
)
def test_namespace_precedence(
    emulator: Emulator,
    source: Path,
    tmp_path: Path,
    *,
    file_ns: str | None,
    env_ns: str | None,
    flag_ns: str | None,
    reaches_default: bool,
) -> None:
    args = ["plan", str(source), "--output", "json"]
    if file_ns:
        args += ["--config", config(tmp_path, f"grafana:\n  namespace: {file_ns}\n")]
    if flag_ns:
        args += ["--namespace", flag_ns]
    env = {"GRAFANA_NAMESPACE": env_ns} if env_ns else None

    planned = syncer(emulator, *args, env=env)

    report = json.loads(planned.stdout)
    assert (planned.returncode == 0) == reaches_default, planned.stdout + planned.stderr
    assert ("namespace 'nowhere'" in (report["fatal"] or "")) != reaches_default, report["fatal"]


@pytest.mark.parametrize(
    ("file_allows", "flag", "stored"),
    [
        (None, None, "true"),  # default: UI edits allowed
        ("false", None, "false"),
        ("false", "--allow-ui-edits", "true"),
        ("true", "--no-allow-ui-edits", "false"),
    ],
)
def test_allow_ui_edits_precedence(
    emulator: Emulator,
    source: Path,
    tmp_path: Path,
    *,
    file_allows: str | None,
    flag: str | None,
    stored: str,
) -> None:
    args = ["apply", str(source)]
    if file_allows:
        args += ["--config", config(tmp_path, f"sync:\n  allow_ui_edits: {file_allows}\n")]
    if flag:
        args.append(flag)

    applied = syncer(emulator, *args)

    assert applied.returncode == 0, applied.stdout + applied.stderr
    annotations = emulator.api("GET", f"{DASHBOARDS}/flag-one").json()["metadata"]["annotations"]
    assert annotations[ALLOWS_EDITS] == stored


def test_run_takes_both_flags_over_the_environment_and_pull_takes_only_namespace() -> None:
    parser = build_parser()  # the real parser of the console script
    run = parser.parse_args(["run", "--namespace", "stacks-1", "--no-allow-ui-edits"])
    target = settings_from_args(run, environ={"GRAFANA_NAMESPACE": "from-env"}).targets[0]
    assert (target.grafana.namespace, target.sync.allow_ui_edits) == ("stacks-1", False)
    unset = settings_from_args(parser.parse_args(["run"]), environ={"GRAFANA_NAMESPACE": "from-env"})
    assert (unset.targets[0].grafana.namespace, unset.targets[0].sync.allow_ui_edits) == ("from-env", True)
    pull = parser.parse_args(["pull", "out", "--namespace", "stacks-1"])
    assert pull.namespace == "stacks-1" and not hasattr(pull, "allow_ui_edits")  # pull saves nothing
