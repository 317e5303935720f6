"""API discovery for Grafana 12+: which k8s-style groups/versions a server offers, and which API to use.

Who calls it: `syncer.adapters.grafana.resources.auto` (for `api: auto`) and the resources adapter
(for `api: resources`, to pick the dashboard/folder versions). `GET /apis` returns a Kubernetes
`APIGroupList`; this module turns it into an `ApiCatalogue`, chooses versions from it, and derives the
namespace from the org id. Everything except `fetch_catalogue` is pure.

It must not build adapters or decide anything about dashboards; it only answers "what does this
server speak, and what should we speak to it".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from syncer.adapters.grafana.http.session import GrafanaHttp
from syncer.model.errors import ConfigError, NotFound
from syncer.model.state import JSON

# The `api` setting's values (settings.model.ApiFlavour; adapters sit below settings, so plain strings).
AUTO, LEGACY, RESOURCES = "auto", "legacy", "resources"

DASHBOARD_GROUP = "dashboard.grafana.app"
FOLDER_GROUP = "folder.grafana.app"

# Classic (schema v1 JSON) dashboard versions, best first. v0alpha1 stores the spec as sent (no
# server-side schema migration), so what we read back is what we wrote and a re-apply is a no-op.
# v1beta1/v1 migrate the spec to the latest schemaVersion on write (see docs/resources-api.md).
CLASSIC_DASHBOARD_VERSIONS = ("v0alpha1", "v1beta1", "v1")
FOLDER_VERSIONS = ("v1beta1", "v1", "v0alpha1")
# `auto` only switches to the resource API where Grafana calls it stable enough (12+: folders v1beta1 or
# later). Grafana 11 offers only experimental v0alpha1 folders; there `auto` stays on the legacy API
# and an explicit `api: resources` still works.
AUTO_FOLDER_VERSIONS = frozenset({"v1beta1", "v1"})
MIGRATING_DASHBOARD_VERSIONS = frozenset({"v1beta1", "v1"})


@dataclass(frozen=True)
class ApiCatalogue:
    """Group name -> versions the server offers (as listed, preferred version first)."""

    groups: Mapping[str, tuple[str, ...]]

    def offers(self, group: str, version: str) -> bool:
        return version in self.groups.get(group, ())

    def describe(self) -> str:
        parts = [f"{g} {','.join(v)}" for g, v in sorted(self.groups.items()) if g.endswith(".grafana.app")]
        return "; ".join(parts) if parts else "no grafana.app API groups"


@dataclass(frozen=True)
class ResourceVersions:
    """The versions the resources adapter talks, chosen from a catalogue."""

    classic_dashboards: str  # where classic JSON dashboards are written and read
    folders: str
    dashboard_versions: tuple[str, ...]  # every dashboard version offered (v2 files are routed by version)

    @property
    def migrates_on_write(self) -> bool:
        return self.classic_dashboards in MIGRATING_DASHBOARD_VERSIONS

    def offers_dashboard_version(self, version: str) -> bool:
        return version in self.dashboard_versions


@dataclass(frozen=True)
class ApiChoice:
    flavour: str  # LEGACY or RESOURCES, never AUTO
    versions: ResourceVersions | None
    reason: str


def parse_api_group_list(document: JSON) -> ApiCatalogue:
    """Read a k8s `APIGroupList` (tolerant: unknown shapes give an empty catalogue)."""
    groups: dict[str, tuple[str, ...]] = {}
    items = document.get("groups") if isinstance(document, dict) else None
    for group in items if isinstance(items, list) else []:
        if not isinstance(group, dict) or not isinstance(group.get("name"), str):
            continue
        versions = [
            v["version"] for v in group.get("versions") or [] if isinstance(v, dict) and v.get("version")
        ]
        preferred = (group.get("preferredVersion") or {}).get("version")
        if preferred in versions:
            versions.remove(preferred)
            versions.insert(0, preferred)
        groups[group["name"]] = tuple(str(v) for v in versions)
    return ApiCatalogue(groups)


def select_versions(catalogue: ApiCatalogue) -> ResourceVersions | None:
    """Dashboard and folder versions to use, or None when the server lacks either group."""
    classic = next((v for v in CLASSIC_DASHBOARD_VERSIONS if catalogue.offers(DASHBOARD_GROUP, v)), None)
    folders = next((v for v in FOLDER_VERSIONS if catalogue.offers(FOLDER_GROUP, v)), None)
    if classic is None or folders is None:
        return None
    return ResourceVersions(classic, folders, catalogue.groups.get(DASHBOARD_GROUP, ()))


def choose_api(catalogue: ApiCatalogue, requested: str) -> ApiChoice:
    """`auto`: resources when both groups exist in a usable version, else legacy. Explicit choices are
    honoured; `resources` on a server without them is a configuration error, said plainly."""
    versions = select_versions(catalogue)
    if requested == LEGACY:
        return ApiChoice(LEGACY, None, "legacy API requested")
    if requested == AUTO and versions is not None and versions.folders not in AUTO_FOLDER_VERSIONS:
        return ApiChoice(
            LEGACY, None, f"auto: only experimental resource APIs under /apis ({catalogue.describe()})"
        )
    if versions is None:
        if requested == RESOURCES:
            raise ConfigError(
                "api=resources, but the server does not offer dashboard.grafana.app "
                f"({'/'.join(CLASSIC_DASHBOARD_VERSIONS)}) and folder.grafana.app "
                f"({'/'.join(FOLDER_VERSIONS)}); it offers: {catalogue.describe()}. Use --api legacy."
            )
        return ApiChoice(LEGACY, None, f"auto: no usable resource API under /apis ({catalogue.describe()})")
    why = "requested" if requested == RESOURCES else "auto: the server offers it"
    detail = (
        f"{why}; dashboards {DASHBOARD_GROUP}/{versions.classic_dashboards}, "
        f"folders {FOLDER_GROUP}/{versions.folders}"
    )
    return ApiChoice(RESOURCES, versions, detail)


def namespace_for(org_id: int, explicit: str | None = None) -> str:
    """k8s namespace of a Grafana org: `default` for org 1, `org-N` otherwise (Grafana rejects `org-1`),
    or the explicit one (Grafana Cloud uses `stacks-<id>`)."""
    if explicit:
        return explicit
    return "default" if org_id == 1 else f"org-{org_id}"


async def fetch_catalogue(http: GrafanaHttp) -> ApiCatalogue:
    """`GET /apis`. A server without it (Grafana < 11, or a proxy hiding it) offers nothing."""
    try:
        document = await http.get_json("/apis", route="/apis")
    except NotFound:
        return ApiCatalogue({})
    return parse_api_group_list(document)
