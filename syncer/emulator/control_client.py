"""A tiny stdlib client for the `/__emulator/` control API (used by the CLI sub-commands).

Role: `syncer emulator fault|faults|requests|reset|state --url URL` send one request and print
the JSON answer. No credentials are involved: the control API needs none.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class ControlError(RuntimeError):
    pass


def call(base_url: str, method: str, path: str, body: object = None, timeout: float = 10.0) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base_url.rstrip("/") + "/__emulator" + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise ControlError(
            f"{method} {path}: HTTP {exc.code}: {exc.read().decode(errors='replace')}"
        ) from None
    except urllib.error.URLError as exc:
        raise ControlError(f"{method} {path}: {exc.reason}") from None
