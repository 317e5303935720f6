"""A minimal progress bar for long runs on a terminal (stderr); silent otherwise.

Who calls it: the CLI passes `Progress.update` as the executor's per-result hook. It draws only
when the stream is a TTY, the run is long enough to be worth it, and `CI` is not set, so logs
and pipes stay quiet. No dependency beyond the standard library.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from syncer.model.results import ActionResult, Outcome

MIN_ACTIONS = 20  # below this a run is over before a bar helps
WIDTH = 30


class Progress:
    def __init__(self, total: int = 0, *, stream: TextIO | None = None, force: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.force = force
        self.enabled = False
        self.done = 0
        self.failed = 0
        self.total = 0
        self.start(total)

    def start(self, total: int) -> None:
        """(Re)set the number of actions to expect; the bar shows only if that is worth it."""
        self.total = total
        interactive = self.stream.isatty() and not os.environ.get("CI")
        self.enabled = self.force or (interactive and total >= MIN_ACTIONS)

    def update(self, result: ActionResult) -> None:
        self.done += 1
        self.failed += result.outcome is Outcome.FAILED
        if not self.enabled or self.total <= 0:
            return
        filled = min(WIDTH, WIDTH * self.done // self.total)
        bar = "#" * filled + "." * (WIDTH - filled)
        failed = f" {self.failed} failed" if self.failed else ""
        self.stream.write(f"\r[{bar}] {self.done}/{self.total}{failed}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\n")
            self.stream.flush()
