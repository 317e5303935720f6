"""Shared pieces of the k8s-style API: Status bodies, namespaces, object metadata.

Role: `resources/dashboards.py`, `resources/folders.py` and `app/server.py` build apimachinery-shaped
responses through these helpers. No store mutation here.
"""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

from syncer.emulator.store.state import K8sMeta
from syncer.emulator.web.values import HttpError, Request, Response, json_response

ORG_NAMESPACE = re.compile(r"^org-(\d+)$")
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9\-_.:]{1,253}$")

_REASON_CODES = {
    "BadRequest": 400,
    "Unauthorized": 401,
    "Forbidden": 403,
    "NotFound": 404,
    "MethodNotAllowed": 405,
    "AlreadyExists": 409,
    "Conflict": 409,
    "Invalid": 422,
    "InternalError": 500,
}


def status_document(
    reason: str, message: str, details: dict[str, Any] | None = None, code: int | None = None
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details:
        document["details"] = details
    document["code"] = code or _REASON_CODES[reason]
    return document


def status_error(
    reason: str, message: str, details: dict[str, Any] | None = None, code: int | None = None
) -> HttpError:
    document = status_document(reason, message, details, code)
    return HttpError(json_response(document["code"], document))


def k8s_not_found(message: str) -> Response:
    return json_response(404, status_document("NotFound", message))


def k8s_unauthorized() -> Response:
    return json_response(401, status_document("Unauthorized", "Unauthorized"))


def success_status(details: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


def org_for_namespace(namespace: str) -> int:
    """`default` -> 1, `org-N` (N > 1) -> N; anything else is a 403 like Grafana's namespace check."""
    if namespace == "default":
        return 1
    match = ORG_NAMESPACE.match(namespace)
    if match and int(match.group(1)) > 1:
        return int(match.group(1))
    if namespace == "org-1":
        raise status_error("BadRequest", "use default rather than org-1")
    raise status_error("Forbidden", f"namespace {namespace!r} is not valid for this server")


def namespace_for_org(org_id: int) -> str:
    return "default" if org_id == 1 else f"org-{org_id}"


def bind_namespace(request: Request) -> int:
    """Resolve `:ns` to an org id and make it the request's org (the namespace wins over headers)."""
    org_id = org_for_namespace(request.params["ns"])
    request.org_id = org_id
    return org_id


def name_for_create(metadata: dict[str, Any]) -> str:
    """`metadata.name`, or `generateName` + 5 random lowercase alphanumerics (the k8s scheme)."""
    name = str(metadata.get("name") or "")
    prefix = str(metadata.get("generateName") or "")
    if not name and prefix:
        alphabet = string.ascii_lowercase + string.digits
        name = prefix + "".join(secrets.choice(alphabet) for _ in range(5))
    if not name:
        raise status_error(
            "Invalid", "metadata.name: Required value: name or generateName is required", code=422
        )
    return name


def check_name(name: str, resource: str, group: str) -> None:
    if not NAME_PATTERN.match(name):
        raise status_error(
            "BadRequest",
            f'{resource}.{group} "{name}" is invalid: metadata.name: Invalid value: "{name}"',
            {"name": name, "group": group, "kind": resource},
        )


def object_metadata(
    name: str, namespace: str, meta: K8sMeta, *, generation: int, created: str, internal_id: int
) -> dict[str, Any]:
    annotations = {
        "grafana.app/createdBy": meta.created_by_ref,
        "grafana.app/updatedBy": meta.updated_by_ref,
        **meta.annotations,
    }
    labels = {"grafana.app/deprecatedInternalID": str(internal_id), **meta.labels}
    return {
        "name": name,
        "namespace": namespace,
        "uid": meta.object_uid,
        "resourceVersion": str(meta.resource_version),
        "generation": generation,
        "creationTimestamp": created,
        "labels": labels,
        "annotations": dict(sorted(annotations.items())),
    }


def user_annotations(metadata: dict[str, Any]) -> dict[str, str]:
    """Annotations a client may set (server-owned ones are dropped; values must be strings)."""
    raw = metadata.get("annotations") or {}
    if not isinstance(raw, dict):
        raise status_error("BadRequest", "metadata.annotations must be an object")
    server_owned = {
        "grafana.app/createdBy",
        "grafana.app/updatedBy",
        "grafana.app/updatedTimestamp",
        "grafana.app/grant-permissions",
        "grafana.app/message",
    }
    return {str(k): str(v) for k, v in raw.items() if k not in server_owned}


def user_labels(metadata: dict[str, Any]) -> dict[str, str]:
    raw = metadata.get("labels") or {}
    if not isinstance(raw, dict):
        raise status_error("BadRequest", "metadata.labels must be an object")
    return {str(k): str(v) for k, v in raw.items() if k != "grafana.app/deprecatedInternalID"}


def conflict_error(resource: str, group: str, name: str) -> HttpError:
    """The apiserver's optimistic-concurrency failure (stale `metadata.resourceVersion`)."""
    return status_error(
        "Conflict",
        f'Operation cannot be fulfilled on {resource}.{group} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        {"name": name, "group": group, "kind": resource},
    )
