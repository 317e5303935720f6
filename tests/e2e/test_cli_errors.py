"""Issue 18: errors name what the user typed and point the right way. Real subprocesses; the URL
diagnosis probes a real emulator (and a port where nothing listens)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from support.emulator import Emulator
from test_cli_oneshot import source, syncer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["plan", "--prun", "d"], "unrecognized arguments: --prun; did you mean `--prune`?"),
        (["plan", "d", "--dif"], "did you mean `--diff`?"),
        (["aply", "d"], "did you mean `apply`?"),
        (["plan", "d", "--on-conflict", "overwrit"], "did you mean `overwrite`?"),
        (["validate"], "the following arguments are required: DIR (or --dir DIR)"),
        (["plan", "a", "--dir", "b"], "DIR a and --dir b disagree"),
    ],
)
def test_usage_errors_name_the_subcommand_and_the_near_miss(argv: list[str], says: str) -> None:
    done = syncer(*argv)
    assert done.returncode == 1  # never 2: that is `plan --exit-code`'s "changes pending"
    assert says in done.stderr
    if argv[0] != "aply":
        assert f"usage: syncer {argv[0]} " in done.stderr  # the sub-command's usage, not the top level


def test_abbreviations_are_off_even_for_unique_prefixes(tmp_path: Path) -> None:
    done = syncer("plan", str(tmp_path), "--max-del", "3")
    assert done.returncode == 1 and "did you mean `--max-deletes`?" in done.stderr


def test_dir_flag_works_like_the_positional(tmp_path: Path) -> None:
    src = source(tmp_path)
    assert syncer("validate", "--dir", str(src)).returncode == 0
    assert "--dir DIR" in syncer("run", "--help").stdout and "[DIR]" in syncer("run", "--help").stdout


def test_help_shows_the_policy_defaults() -> None:
    text = " ".join(syncer("plan", "--help").stdout.split())
    assert "overwrite (default" in text and "revert (default)" in text and "(default 50)" in text


def test_config_errors_name_the_file_key_flag_and_env(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("grafana:\n  url: http://localhost:3000\nsync:\n  on_drfit: skip\n", encoding="utf-8")
    typo = syncer("plan", str(tmp_path), "--config", str(config))
    assert typo.returncode == 1
    assert f"{config}: sync.on_drfit: unknown key 'on_drfit'; did you mean `on_drift`?" in typo.stderr
    assert "targets.0" not in typo.stderr and "Extra inputs" not in typo.stderr

    config.write_text(
        "grafana:\n  url: http://localhost:3000\nsync:\n  on_conflict: overwrit\n", encoding="utf-8"
    )
    choice = syncer("plan", str(tmp_path), "--config", str(config))
    assert f"{config}: sync.on_conflict: Input should be" in choice.stderr
    assert "did you mean `overwrite`?" in choice.stderr

    flag = syncer("plan", str(tmp_path), "--url", "127.0.0.1:3311")
    assert "--url: '127.0.0.1:3311' is not an http:// or https:// URL" in flag.stderr
    assert "did you mean http://127.0.0.1:3311?" in flag.stderr
    env = syncer("plan", str(tmp_path), env={"GRAFANA_URL": "127.0.0.1:3311"})
    assert "GRAFANA_URL: '127.0.0.1:3311'" in env.stderr


def test_a_wrong_url_is_diagnosed(emulator: Emulator, tmp_path: Path) -> None:
    src = source(tmp_path)
    auth = ["--token", emulator.token]
    sub_path = syncer("plan", str(src), "--url", emulator.url + "/grafana", *auth)
    assert sub_path.returncode == 1
    assert f"nothing that looks like Grafana answers at {emulator.url}/grafana" in sub_path.stderr
    assert f"check --url and its sub-path; Grafana answers at {emulator.url}" in sub_path.stderr
    assert "using the" not in sub_path.stderr  # no API choice read into a wrong URL

    tls = syncer("plan", str(src), "--url", emulator.url.replace("http://", "https://"), *auth)
    assert tls.returncode == 1
    assert f"does not speak TLS: is it {emulator.url}?" in tls.stderr

    port = free_port()
    nothing = syncer("plan", str(src), "--url", f"http://127.0.0.1:{port}", *auth)
    assert f"nothing answers at http://127.0.0.1:{port}" in nothing.stderr
    assert emulator.token not in sub_path.stderr + tls.stderr + nothing.stderr


def test_misspelt_sections_are_named_with_the_near_miss(tmp_path: Path) -> None:
    single = tmp_path / "single.yaml"
    single.write_text("grafana:\n  url: http://x:3000\nsnyc:\n  prune: true\n", encoding="utf-8")
    assert "snyc: unknown key 'snyc'; did you mean `sync`?" in syncer("plan", "--config", str(single)).stderr
    multi = tmp_path / "multi.yaml"
    multi.write_text("targets:\n  - name: a\n    grafanna: {url: 'http://x'}\n", encoding="utf-8")
    said = syncer("plan", "--config", str(multi)).stderr
    assert f"{multi}: targets[0].grafanna: unknown key 'grafanna'; did you mean `grafana`?" in said
