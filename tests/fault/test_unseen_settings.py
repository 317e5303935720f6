"""Bad settings from flags, environment and config file (issue 7, unseen cases).

Every bad value must stop `syncer` before it sends a single request, with exit code 1, a message
that names the setting (and the config file when it came from one) and the problem, no traceback,
and no secret. Several of these used to get through: `--timeout 0` became "cannot reach Grafana",
`--timeout nan` and `--url http://[::1` crashed with a traceback, `--org-id 0` became a 401, a
non-ASCII token crashed inside the HTTP client, an empty `--manager-id` or an unparsable
`min_refresh_interval` made every run rewrite every dashboard (flapping), and two pruning targets on
one Grafana organisation with one manager id deleted each other's dashboards on every pass. An
empty DIR (`syncer apply "$DASHBOARDS"` with the variable unset) used to mean the current directory.

Real `syncer` subprocesses, run a few at a time; the emulator's request counter proves that nothing
reached Grafana.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.emulator import Emulator

from fault.kit import apply, dashboard, get_dashboard, run_syncer, write_json

pytestmark = pytest.mark.fault

SECRET = "glsa_é_not_ascii_secret"


@dataclass(frozen=True)
class Case:
    """One `syncer` run holding several bad values; settings are validated together, so one run
    must name every one of them."""

    name: str
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    config: str | None = None  # YAML; {url} and {token} are filled in
    must_say: tuple[str, ...] = ()
    command: str = "plan"
    directory: str | None = None  # DIR instead of the prepared source tree
    exit_code: int = 1


CASES = [
    Case(
        "flags",
        (
            "--timeout",
            "nan",
            "--org-id",
            "0",
            "--manager-id",
            "team a",
            "--concurrency",
            "0",
            "--max-deletes",
            "-1",
            "--prune",
            "--url",
            "http://[::1",
            "--token",
            "{token}",
        ),
        command="apply",
        must_say=(
            # issue 18: each names the flag as typed, not pydantic's model path
            "--timeout: 'nan' is not a duration",  # was timeout_s; durations now
            "--org-id: Input should be greater than or equal to 1",
            "--manager-id: must be non-empty, without spaces or control characters, got 'team a'",
            "--concurrency: Input should be greater than or equal to 1",
            "--max-deletes: Input should be greater than or equal to 0",
            "--url: 'http://[::1' is not a valid URL",
        ),
    ),
    Case(
        "environment",
        ("--timeout", "0", "--manager-id", "", "--token", "{token}"),
        env={"GRAFANA_ORG_ID": "abc", "GRAFANA_URL": "grafana.example.com"},
        must_say=(
            "--timeout: Input should be greater than 0",
            "GRAFANA_ORG_ID: Input should be a valid integer",
            "--manager-id: must be non-empty",
            "GRAFANA_URL: 'grafana.example.com' is not an http:// or https:// URL",
            "did you mean http://grafana.example.com?",
        ),
    ),
    Case(
        "config-file",
        config=(
            "grafana: {{url: 'http://admin:pw_{token}@grafana:99999', tokn: '{token}', "
            "min_refresh_interval: banana}}\n"
            "sync: {{dir: ''}}\n"
        ),
        must_say=(
            "invalid configuration: {config}: ",
            "{config}: grafana.tokn: unknown key 'tokn'; did you mean `token`?",
            "{config}: grafana.min_refresh_interval: 'banana' is not a Grafana interval",
            "{config}: grafana.url: 'http://***@grafana:99999' is not a valid URL: Port out of range",
            "{config}: sync.dir: is an empty string",
        ),
    ),
    Case(
        "dir-unset-variable",  # `syncer apply "$DASHBOARDS"` with the variable unset: not the cwd
        ("--url", "{url}", "--token", "{token}", "--prune"),
        command="apply",
        directory="",
        exit_code=1,  # usage errors exit 1: 2 is `plan --exit-code`'s "changes pending" (issue 18)
        must_say=("argument DIR: the directory is an empty string (an unset variable?)",),
    ),
    Case(
        "token-not-ascii",
        ("--url", "{url}", "--token-file", "{token_file}"),
        must_say=("the token from token file {token_file} contains non-ASCII or control characters",),
    ),
    Case(
        "two-targets-one-org",
        config=(
            "targets:\n"
            "  - {{name: team-a, grafana: {{url: '{url}'}},\n"
            "      sync: {{dir: a, prune: true, manager_id: ops}}}}\n"
            "  - {{name: team-b, grafana: {{url: '{url}/'}}, sync: {{dir: b, manager_id: ops}}}}\n"
        ),
        command="run",
        must_say=(
            "targets 'team-a' and 'team-b' prune the same Grafana organisation with the same manager_id "
            "'ops': each would delete the other's dashboards",
        ),
    ),
    Case(
        "daemon-config",
        config="log_level: loud\ndaemon: {{log_format: xml}}\ngrafana: {{url: '{url}', token: '{token}'}}\n",
        command="run",
        must_say=(
            "{config}",
            "{config}: log_level: 'loud' is not one of",
            "{config}: daemon.log_format: 'xml'",
        ),
    ),
]


def argv(case: Case, places: dict[str, str], source: Path) -> list[str]:
    args = [arg.format(**places) for arg in case.args]
    if case.config is not None:
        Path(places["config"]).write_text(case.config.format(**places))
        args += ["--config", places["config"]]
    where = str(source) if case.directory is None else case.directory
    if case.command == "run":
        return ["run", "--dir", where, "--listen", "127.0.0.1:0", *args]
    if case.config is not None and case.directory is None:
        return [case.command, *args]  # DIR from the config file's sync.dir
    return [case.command, where, *args]


def test_bad_settings_are_all_named_before_any_request(emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_json(source / "a.json", dashboard("settings-a", "Settings A"))
    (tmp_path / "token").write_text(SECRET + "\n", encoding="utf-8")
    places = {case.name: _places(emulator, tmp_path, case.name) for case in CASES}

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = {
            case.name: pool.submit(
                run_syncer, *argv(case, places[case.name], source), env=case.env, timeout=60
            )
            for case in CASES
        }

    for case in CASES:
        done = runs[case.name].result()
        output = done.stdout + done.stderr
        assert done.returncode == case.exit_code, f"{case.name}: exit {done.returncode}\n{output}"
        assert "Traceback" not in output, f"{case.name}:\n{output}"
        assert SECRET not in output and emulator.token not in output
        for fragment in case.must_say:
            wanted = fragment.format(**places[case.name])
            assert wanted in output, f"{case.name}: expected {wanted!r} in:\n{output}"
    assert emulator.requests()["total"] == 0, "a run with a bad setting talked to Grafana"
    assert get_dashboard(emulator, "settings-a") is None


def _places(emulator: Emulator, scratch: Path, name: str) -> dict[str, str]:
    return {
        "url": emulator.url,
        "token": emulator.token,
        "token_file": str(scratch / "token"),
        "config": str(scratch / f"{name}.yaml"),
    }


def test_good_neighbours_of_the_refused_values_still_work(emulator: Emulator, tmp_path: Path) -> None:
    """The new checks refuse only what is broken: a URL with a trailing slash, a manager id with dots
    and slashes, `min_refresh_interval: 1m`, an upper-case log level, a one-second timeout, and a URL
    and token with a trailing newline."""
    source = tmp_path / "src"
    content = dashboard("neighbour-1", "Neighbour") | {"refresh": "10s"}
    write_json(source / "a.json", content)
    config = tmp_path / "ok.yaml"
    config.write_text("log_level: INFO\ngrafana: {min_refresh_interval: 1m, timeout_s: 1}\n")

    first = apply(
        emulator, source, "--config", str(config), "--manager-id", "team.a/prod", "--url", emulator.url + "/"
    )
    again = apply(emulator, source, "--config", str(config), "--manager-id", "team.a/prod")

    assert first.returncode == 0, first.stdout + first.stderr
    assert again.returncode == 0 and "no changes" in again.stdout, again.stdout + again.stderr

    # a Kubernetes Secret written with `echo` gives the environment a trailing newline
    padded = {"GRAFANA_URL": emulator.url + "\n", "GRAFANA_TOKEN": emulator.token + "\n"}
    from_secret = run_syncer("plan", str(source), "--manager-id", "team.a/prod", env=padded)
    assert from_secret.returncode == 0, from_secret.stdout + from_secret.stderr
    found = get_dashboard(emulator, "neighbour-1")
    assert found is not None and found["dashboard"]["refresh"] == "1m"
    assert found["dashboard"]["__syncer"]["managerId"] == "team.a/prod"
