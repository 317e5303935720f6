"""Source warnings, summarised: a warning that most real exports carry (an exported `version`,
a `${DS_PROMETHEUS}` input) is said once with its count, not once per file, so the warnings that
are about one file (and the errors) are not buried. `-v` lists every one.

Who calls it: the CLI (`validate`, `plan`, `apply`). Pure: text in, lines out.
"""

from __future__ import annotations

from collections.abc import Iterable

GROUP_AT = 3  # the same warning in this many files is said once
SEPARATOR = ": warning: "
# warnings whose per-file form reads like a problem but is routine for exports: a kinder summary
KNOWN = {
    "version field is ignored: syncer writes with the live version": (
        "{n} files carry an exported `version`; syncer ignores it (Grafana numbers its own versions)"
    ),
}


def summarise(warnings: Iterable[str], *, verbose: bool = False) -> list[str]:
    """Each warning as given (`path: warning: message`), or, unless `verbose`, one line per message
    that GROUP_AT or more files share, in first-seen order."""
    items = list(warnings)
    if verbose:
        return items
    files: dict[str, list[str]] = {}
    for item in items:
        _, sep, message = item.partition(SEPARATOR)
        if sep:
            files.setdefault(message, []).append(item)
    grouped = {m for m, found in files.items() if len(found) >= GROUP_AT}
    lines: list[str] = []
    said: set[str] = set()
    for item in items:
        message = item.partition(SEPARATOR)[2]
        if message not in grouped:
            lines.append(item)
        elif message not in said:
            said.add(message)
            lines.append(_group_line(message, len(files[message])))
    return lines


def _group_line(message: str, count: int) -> str:
    text = KNOWN.get(message, "{n} files: warning: " + message).format(n=count)
    return f"syncer: {text} (list them with -v)"
