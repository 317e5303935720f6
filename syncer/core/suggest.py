"""Near misses: "did you mean `on_drift`?" for a typed key, flag, command or choice.

Used by the settings' error messages and the CLI's argument errors. Pure; no I/O.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The one choice a person most likely meant, or None when nothing is close."""
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    if word.lower() in lowered and word not in options:
        return lowered[word.lower()]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str], *, quote: str = "`") -> str:
    """`"; did you mean `x`?"` or "" (to append to an error message)."""
    match = closest(word, choices)
    return f"; did you mean {quote}{match}{quote}?" if match else ""
