"""`syncer validate | plan | apply | pull`: placeholder until the engine lands (issue 3)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    for name in ("validate", "plan", "apply", "pull"):
        p: argparse.ArgumentParser = sub.add_parser(name)
        p.set_defaults(handler=lambda args: 1)
