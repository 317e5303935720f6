"""`syncer emulator`: run the Grafana API emulator, or steer a running one.

Only registers the sub-command; the flags and handlers live in `syncer.emulator.cli` so that
`python -m syncer.emulator` offers the same command line without importing the rest of syncer.
"""

from __future__ import annotations

import argparse
from typing import Any

from syncer.emulator.cli import DESCRIPTION, configure_parser


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "emulator",
        help="run the Grafana-compatible API emulator (or control a running one)",
        description=DESCRIPTION,
    )
    configure_parser(parser)
