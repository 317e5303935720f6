"""Paging of k8s LIST responses: `limit` and the opaque `continue` token.

Role: `k8s_dashboards.py` and `k8s_folders.py` page their sorted item lists with `paginate`.
The token is an opaque base64 offset; a bad token is a 400 like the apiserver's.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from syncer.emulator.http import Request
from syncer.emulator.k8s_common import status_error


def _decode(token: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise status_error("BadRequest", "continue key is not valid") from None


def paginate(items: list[dict[str, Any]], request: Request) -> tuple[list[dict[str, Any]], str]:
    """The page to return and the `continue` token for the next one ("" when this is the last)."""
    token = request.arg("continue")
    offset = _decode(token) if token else 0
    limit = request.int_arg("limit", 0)
    if limit <= 0:
        return items[offset:], ""
    end = offset + limit
    next_token = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else ""
    return items[offset:end], next_token
