"""What a k8s-style Dashboard object looks like: group, spec, metadata, status, errors.

Role: `resources/dashboards.py` (writes) and `resources/dashboard_reads.py` render stored dashboards
through `render` and name their errors with `not_found`/`invalid`, Status bodies as Grafana's.
"""

from __future__ import annotations

from typing import Any

from syncer.emulator.resources.common import (
    namespace_for_org,
    object_metadata,
    status_error,
)
from syncer.emulator.store import gojson
from syncer.emulator.store.dashboard_writes import (
    ID_LABEL,
)
from syncer.emulator.store.state import DashboardRecord, OrgStore
from syncer.emulator.web.values import HttpError

GROUP = "dashboard.grafana.app"
RESOURCE = "dashboards"
MESSAGE_ANNOTATION = "grafana.app/message"
SERVER_KEYS = ("id", "uid", "version")


def _family(version: str) -> str:
    return "v2" if version.startswith("v2") else "v1"


def spec_of(content: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in content.items() if key not in SERVER_KEYS}


def render(
    org: OrgStore, record: DashboardRecord, version: str, content: dict[str, Any] | None = None
) -> dict[str, Any]:
    status: dict[str, Any] = {}
    if _family(record.api_version) != _family(version):
        status["conversion"] = {
            "failed": True,
            "storedVersion": record.api_version,
            "error": f"the emulator does not convert {record.api_version} dashboards to {version}",
        }
    metadata = object_metadata(
        record.uid,
        namespace_for_org(org.org_id),
        record.k8s,
        generation=record.version,
        created=record.created,
        internal_id=record.id,
    )
    return {
        "kind": "Dashboard",
        "apiVersion": f"{GROUP}/{version}",
        "metadata": metadata,
        "spec": _stored_spec(record) if content is None else spec_of(content),
        "status": status,
    }


def _stored_spec(record: DashboardRecord) -> gojson.RawJSON | dict[str, Any]:
    """The current spec: a slice of the stored bytes (no parse) when the record located its keys."""
    spec = record.spec_json()
    return spec if spec is not None else spec_of(record.document())


def not_found(name: str) -> HttpError:
    return status_error(
        "NotFound", f'{RESOURCE}.{GROUP} "{name}" not found', {"name": name, "group": GROUP, "kind": RESOURCE}
    )


def invalid(name: str, message: str) -> HttpError:
    return status_error("BadRequest", message, {"name": name, "group": GROUP, "kind": RESOURCE})


def labels_of(record: DashboardRecord) -> dict[str, str]:
    return {ID_LABEL: str(record.id), **record.k8s.labels}
