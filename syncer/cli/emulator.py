"""`syncer emulator`: placeholder until the emulator lands (issue 2)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("emulator", help="run the Grafana-compatible API emulator")
    p.set_defaults(handler=lambda args: 1)
