"""Paging of k8s LIST responses: `limit` and the opaque `continue` token.

Role: `resources/dashboards.py` and `resources/folders.py` page their sorted item lists with `paginate`.
The token is an opaque base64 offset; a bad token is a 400 like the apiserver's.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from syncer.emulator.resources.common import status_error
from syncer.emulator.web.values import Request, Response, json_response

Item = TypeVar("Item")


def _decode(token: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise status_error("BadRequest", "continue key is not valid") from exc


@dataclass(frozen=True)
class LabelRequirement:
    key: str
    operator: str  # "=", "!=", "exists", "!exists"
    value: str = ""

    def matches(self, labels: dict[str, str]) -> bool:
        if self.operator == "=":
            return labels.get(self.key) == self.value
        if self.operator == "!=":
            return labels.get(self.key) != self.value
        return (self.key in labels) == (self.operator == "exists")


def _requirement(clause: str) -> LabelRequirement:
    if "!=" in clause:
        key, value = clause.split("!=", 1)
        return LabelRequirement(key.strip(), "!=", value.strip())
    if "=" in clause:
        key, value = clause.replace("==", "=").split("=", 1)
        return LabelRequirement(key.strip(), "=", value.strip())
    if clause.startswith("!"):
        return LabelRequirement(clause[1:].strip(), "!exists")
    return LabelRequirement(clause, "exists")


def label_matcher(selector: str) -> Callable[[dict[str, str]], bool]:
    """An equality-based label selector: `k=v`, `k==v`, `k!=v`, `k` (exists), `!k`; commas AND."""
    requirements = [_requirement(part.strip()) for part in selector.split(",") if part.strip()]
    return lambda labels: all(requirement.matches(labels) for requirement in requirements)


def paginate(items: Sequence[Item], request: Request) -> tuple[list[Item], str]:
    """The page to return and the `continue` token for the next one ("" when this is the last).

    Callers page their sorted records *before* rendering them, so listing a large org one page
    at a time does not re-render every object for each page.
    """
    token = request.arg("continue")
    offset = _decode(token) if token else 0
    limit = request.int_arg("limit", 0)
    if limit <= 0:
        return list(items[offset:]), ""
    end = offset + limit
    next_token = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else ""
    return list(items[offset:end]), next_token


def list_response(
    kind: str, api_version: str, resource_version: int, items: list[dict[str, Any]], token: str
) -> Response:
    metadata: dict[str, Any] = {"resourceVersion": str(resource_version)}
    if token:
        metadata["continue"] = token
    return json_response(200, {"kind": kind, "apiVersion": api_version, "metadata": metadata, "items": items})
