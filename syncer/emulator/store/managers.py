"""Manager (provisioning) annotations: who manages an object and what they allow.

Role: the k8s routes enforce manager rules on update/delete; the legacy save path of profile 13
refuses managed dashboards without `managerAllowsEdits`. Pure functions over annotation maps.
"""

from __future__ import annotations

from dataclasses import dataclass

MANAGED_BY = "grafana.app/managedBy"
MANAGER_ID = "grafana.app/managerId"
ALLOWS_EDITS = "grafana.app/managerAllowsEdits"
FILE_PROVISIONING = "classic-file-provisioning"
REPO = "repo"
PLUGIN = "plugin"


@dataclass(frozen=True)
class Manager:
    kind: str
    identity: str
    allows_edits: bool


def manager_of(annotations: dict[str, str]) -> Manager | None:
    """The manager, or None: an object counts as managed only with a non-empty managerId."""
    identity = annotations.get(MANAGER_ID, "")
    if not identity:
        return None
    return Manager(
        kind=annotations.get(MANAGED_BY, ""),
        identity=identity,
        allows_edits=annotations.get(ALLOWS_EDITS, "") == "true",
    )


def change_refusal(old: Manager | None, new: Manager | None, *, caller_is_admin: bool) -> str | None:
    """The 403 message for an update that changes the manager illegally, else None."""
    if old is None:
        return None
    if old.kind == REPO:
        return "this resource is managed by a repository"
    if new is None:
        return None if caller_is_admin else "Can not remove resource manager from resource"
    if new.kind != old.kind:
        return "Cannot change resource manager kind; remove the existing manager first, then add the new one"
    if new.identity != old.identity and old.kind != "terraform":
        return (
            "Cannot change resource manager identity; remove the existing manager first, then add the new one"
        )
    return None
