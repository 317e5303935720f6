"""`syncer completion bash|zsh|fish`: the scripts are valid for their shell and complete what the
parser knows (sub-commands, options, choices, directories for DIR), and `syncer --help` does not
pay for the completion library."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import syncer
from support.emulator import REPO_ROOT

BASH_COMPLETE = """
source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
_shtab_syncer syncer "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
printf '%s\\n' "${COMPREPLY[@]}"
"""


@pytest.fixture(scope="module")
def bash_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    done = syncer("completion", "bash")
    assert done.returncode == 0, done.stderr
    path = tmp_path_factory.mktemp("completion") / "syncer.bash"
    path.write_text(done.stdout, encoding="utf-8")
    return path


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_script_is_valid(bash_script: Path) -> None:
    checked = subprocess.run(["bash", "-n", str(bash_script)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr


def complete(script: Path, *words: str, cwd: Path = REPO_ROOT) -> list[str]:
    done = subprocess.run(
        ["bash", "-c", BASH_COMPLETE, "complete", str(script), "syncer", *words],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_commands_options_choices_and_directories(bash_script: Path, tmp_path: Path) -> None:
    assert complete(bash_script, "") == [
        "validate",
        "plan",
        "apply",
        "pull",
        "manager-id",
        "run",
        "emulator",
        "completion",
    ]
    assert complete(bash_script, "pl") == ["plan"]
    assert complete(bash_script, "run", "--inter") == ["--interval"]
    assert complete(bash_script, "plan", "--output", "") == ["text", "json", "markdown"]
    assert complete(bash_script, "completion", "") == ["bash", "zsh", "fish"]
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert complete(bash_script, "plan", "", cwd=tmp_path) == ["dashboards"]  # DIR: directories only


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_know_every_command(shell: str) -> None:
    done = syncer("completion", shell)
    assert done.returncode == 0, done.stderr
    for word in ("validate", "plan", "apply", "pull", "run", "emulator", "--interval", "markdown"):
        assert word in done.stdout, f"{shell}: {word} missing"
    if shutil.which(shell):
        checked = subprocess.run(
            [shell, "-n"], input=done.stdout, capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stderr


def test_an_unknown_shell_is_refused_with_the_choices() -> None:
    done = syncer("completion", "powershell")
    assert done.returncode == 1  # usage errors exit 1, never plan's "changes pending" 2 (issue 18)
    assert "invalid choice: 'powershell' (choose from bash, zsh, fish)" in done.stderr.replace(
        "'bash', 'zsh', 'fish'", "bash, zsh, fish"
    )


def test_help_does_not_import_the_completion_library() -> None:
    """shtab is imported by `syncer completion` only: `--help` and every other command skip it."""
    probe = (
        "import sys\n"
        "from syncer.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('completion' in sys.modules.get('syncer.cli').build_parser().format_help(), file=sys.stderr)\n"
        "print('syncer.cli.completion' in sys.modules, 'shtab' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "completion" in done.stdout
    assert done.stderr.split() == ["True", "True", "False"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="needs fish")
def test_fish_completes_commands_and_choices(tmp_path: Path) -> None:
    script = tmp_path / "syncer.fish"
    script.write_text(syncer("completion", "fish").stdout, encoding="utf-8")
    probe = f"source {script}; complete -C 'syncer pl'; complete -C 'syncer plan --output '"
    done = subprocess.run(
        ["fish", "--no-config", "-c", probe], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    words = [line.split("\t")[0] for line in done.stdout.splitlines()]
    assert words == ["plan", "text", "json", "markdown"]
