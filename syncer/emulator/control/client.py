"""A tiny stdlib client for the `/__emulator/` control API (used by the CLI sub-commands).

Role: `syncer emulator fault|faults|requests|reset|state --url URL` send one request and print
the JSON answer. The control API needs no Grafana credentials; an emulator started with
`--control-token` wants that token as a bearer token (`control_token`), never printed.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class ControlError(RuntimeError):
    pass


def call(
    base_url: str,
    method: str,
    path: str,
    body: object = None,
    timeout: float = 10.0,
    *,
    control_token: str | None = None,
) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    if control_token:
        headers["Authorization"] = f"Bearer {control_token}"
    request = urllib.request.Request(
        base_url.rstrip("/") + "/__emulator" + path, data=data, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise ControlError(
            f"{method} {path}: HTTP {exc.code}: {exc.read().decode(errors='replace')}"
        ) from exc
    except urllib.error.URLError as exc:
        raise ControlError(f"{method} {path}: {exc.reason}") from exc
