"""Profile 13: `POST /api/dashboards/db` also accepts a k8s-style dashboard object.

Role: before the legacy validation, `unwrap` turns `{"dashboard": {"apiVersion", "metadata",
"spec"}}` into the plain legacy shape (uid from `metadata.name`, folder from the
`grafana.app/folder` annotation when the body names none) and refuses the malformed variants
with Grafana's messages. Pure; called by `legacy/dashboards.py` only in profile 13.
"""

from __future__ import annotations

from typing import Any

from syncer.emulator.web.values import HttpError

DASHBOARD_GROUP_PREFIX = "dashboard.grafana.app/"


def _looks_like_k8s(dashboard: dict[str, Any]) -> bool:
    return isinstance(dashboard.get("spec"), dict) and isinstance(dashboard.get("metadata"), dict)


def unwrap(body: dict[str, Any]) -> dict[str, Any]:
    dashboard = body.get("dashboard")
    if not isinstance(dashboard, dict):
        return body
    api_version = dashboard.get("apiVersion")
    if api_version is None:
        if _looks_like_k8s(dashboard):
            raise HttpError.message(
                400, "Dashboard appears to be a k8s style resource, but is missing an explicit apiVersion."
            )
        return body
    if not isinstance(api_version, str) or not api_version.startswith(DASHBOARD_GROUP_PREFIX):
        raise HttpError.message(400, "The dashboard payload references a non dashboard apiVersion.")
    if "id" in dashboard:
        raise HttpError.message(400, "The k8s style dashboard must not include an id on the root element")
    metadata = _object(dashboard.get("metadata"))
    spec = dict(_object(dashboard.get("spec")))
    name = metadata.get("name")
    if isinstance(name, str):
        spec["uid"] = name
    unwrapped = {**body, "dashboard": spec}
    folder = _object(metadata.get("annotations")).get("grafana.app/folder")
    if "folderUid" not in body and isinstance(folder, str):
        unwrapped["folderUid"] = folder
    return unwrapped


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
