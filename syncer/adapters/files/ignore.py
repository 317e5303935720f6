"""`.syncignore`: gitignore-style patterns that keep files and directories out of the source.

Used by the source walker. Supported: one pattern per line, `#` comments, blank lines, `!` to
re-include, a trailing `/` for directories only, a leading or inner `/` to anchor at the root,
`*`, `?`, `[...]` and `**`. The last matching pattern wins, as in git. It reads nothing itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

IGNORE_FILE = ".syncignore"


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


class IgnoreRules:
    """Parsed `.syncignore`; `ignored(rel_path, is_dir)` answers for a root-relative posix path."""

    def __init__(self, text: str = "") -> None:
        self._rules: list[_Rule] = []
        self.errors: list[tuple[int, str]] = []  # (line number, why its pattern was left out)
        for number, line in enumerate(text.splitlines(), start=1):
            try:
                rule = _parse_line(line)
            except re.error as exc:  # e.g. "[z-a]": one bad line must not crash every run
                self.errors.append((number, f"pattern {line.strip()!r} is not valid ({exc.msg}); left out"))
                continue
            if rule is not None:
                self._rules.append(rule)

    def __bool__(self) -> bool:
        return bool(self._rules)

    def ignored(self, rel_path: str, *, is_dir: bool) -> bool:
        verdict = False
        for rule in self._rules:
            if rule.dir_only and not is_dir:
                continue
            if rule.regex.fullmatch(rel_path):
                verdict = not rule.negate
        return verdict


def _parse_line(line: str) -> _Rule | None:
    pattern = line.rstrip()
    if not pattern or pattern.startswith("#"):
        return None
    negate = pattern.startswith("!")
    pattern = pattern.removeprefix("!")
    if pattern.startswith("\\"):  # "\#file" and "\!file" name files starting with # or !
        pattern = pattern[1:]
    dir_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    if not pattern:
        return None
    anchored = "/" in pattern
    body = _translate(pattern.lstrip("/"))
    regex = body if anchored else f"(?:.*/)?{body}"
    return _Rule(re.compile(regex), negate, dir_only)


def _translate(glob: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("/.*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        else:
            token, i = _translate_one(glob, i)
            out.append(token)
    return "".join(out)


def _translate_one(glob: str, i: int) -> tuple[str, int]:
    char = glob[i]
    if char == "*":
        return "[^/]*", i + 1
    if char == "?":
        return "[^/]", i + 1
    if char == "[":
        end = glob.find("]", i + 2)
        if end != -1:
            inner = glob[i + 1 : end]
            if inner.startswith("!"):
                inner = "^" + inner[1:]
            return "[" + inner.replace("\\", "\\\\") + "]", end + 1
    return re.escape(char), i + 1
