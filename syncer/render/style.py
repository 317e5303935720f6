"""Colour for terminal output: on only when asked (`Style(enabled=True)`), which the CLI decides
from the stream being a TTY, `NO_COLOR` (https://no-color.org) and `--no-color`.

Why a module: the renderers stay pure functions of their inputs; whether to colour is a fact the
caller passes in, so JSON and piped output never carry escape codes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TextIO

CODES = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35", "bold": "1", "dim": "2"}


@dataclass(frozen=True)
class Style:
    enabled: bool = False

    def paint(self, text: str, colour: str) -> str:
        if not self.enabled or not text:
            return text
        return f"\x1b[{CODES[colour]}m{text}\x1b[0m"


PLAIN = Style()


def wants_colour(
    stream: TextIO, *, no_color_flag: bool = False, environ: dict[str, str] | None = None
) -> bool:
    """Colour only on a terminal, never with `--no-color` or a non-empty `NO_COLOR`."""
    env = os.environ if environ is None else environ
    if no_color_flag or env.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
