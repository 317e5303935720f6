"""`syncer run`: placeholder until the daemon lands (issue 4)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("run", help="run the daemon (watcher + periodic reconcile)")
    p.set_defaults(handler=lambda args: 1)
