"""The three states of design.md: desired (files), live (Grafana) and base (read from markers).

A dashboard's *content* here is always plain JSON (dicts, lists, str, int, float, bool, None).
`checksum` fields hold the hash of the *essence* (see `syncer.core.essence`), never of raw JSON.
`folder_uid` is `None` for Grafana's root ("General"/"Dashboards").

Contents are usually *lazy* (`LazyJSONObject`): the adapters keep a compact encoded form and the
JSON is parsed only when someone reads it (writes, diffs, drift reasons), because a pass over
10,000 dashboards must not hold 10,000 parsed contents. Only a few recently read contents stay
parsed (`RECENTLY_PARSED`); everything works the same with plain dicts.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from syncer.model import jsontext, packing

JSON = Any
"""A JSON value as produced by `json.loads`."""


RECENTLY_PARSED = 64
"""How many lazily parsed contents stay parsed at once (process-wide). More than the executor's
concurrency, so a content is parsed once per use, few enough that memory stays bounded."""


class LazyJSONObject(Mapping[str, JSON]):
    """A read-only JSON object parsed on access from a compact form that subclasses keep.

    The parsed dict is kept only while the object is among the `RECENTLY_PARSED` most recently
    read ones; after that it is dropped and parsed again on the next access (same result).
    Pure: the compact form is bytes in memory, never a file or a socket.
    """

    __slots__ = ("__weakref__", "_parsed")

    def __init__(self) -> None:
        self._parsed: dict[str, JSON] | None = None

    def _parse(self) -> dict[str, JSON]:
        raise NotImplementedError

    def _content(self) -> dict[str, JSON]:
        parsed = self._parsed
        if parsed is None:
            parsed = self._parse()
            self._parsed = parsed
            _recent.remember(self)
        return parsed

    def __getitem__(self, key: str) -> JSON:
        return self._content()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._content())

    def __len__(self) -> int:
        return len(self._content())

    def __contains__(self, key: object) -> bool:
        return key in self._content()

    def get(self, key: str, default: Any = None) -> Any:
        return self._content().get(key, default)


class _RecentlyParsed:
    """The bounded set of `LazyJSONObject`s that currently hold a parsed dict (oldest forgotten).
    Weak references: an object dropped with its pass is not kept alive by being recent."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._order: OrderedDict[int, weakref.ref[LazyJSONObject]] = OrderedDict()
        self._lock = threading.Lock()  # the loader thread and the event loop both read contents

    def remember(self, item: LazyJSONObject) -> None:
        with self._lock:
            self._order[id(item)] = weakref.ref(item)
            self._order.move_to_end(id(item))
            while len(self._order) > self._size:
                _, oldest = self._order.popitem(last=False)
                forgotten = oldest()
                if forgotten is not None and forgotten is not item:
                    forgotten._parsed = None


_recent = _RecentlyParsed(RECENTLY_PARSED)


class CompactJSON(LazyJSONObject):
    """A JSON object kept as compressed compact JSON text (`packing`: about a fifteenth of its size,
    a few percent of the parsed objects'). `CompactJSON.of(value) == value`, key order kept."""

    __slots__ = ("_blob",)

    def __init__(self, blob: bytes) -> None:
        super().__init__()
        self._blob = blob

    @classmethod
    def of(cls, value: Mapping[str, JSON]) -> CompactJSON:
        return cls.from_json_bytes(jsontext.dumps(value))

    @classmethod
    def from_json_bytes(cls, text: bytes) -> CompactJSON:
        """From `jsontext.dumps(value)`, for a caller that needs the text too."""
        return cls(packing.pack(text))

    def json_bytes(self) -> bytes:
        """The compact JSON text, without parsing it (for a caller that sends it on)."""
        return packing.unpack(self._blob)

    @property
    def compressed(self) -> bytes:
        """The compressed text; `CompactJSON(x.compressed)` is an equal, not yet parsed twin."""
        return self._blob

    @property
    def compact_size(self) -> int:
        return len(self._blob)

    def _parse(self) -> dict[str, JSON]:
        value: dict[str, JSON] = jsontext.loads(packing.unpack(self._blob))
        return value

    def __repr__(self) -> str:
        return f"CompactJSON({len(self._blob)} compressed bytes)"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class SourceProblem:
    """One problem found while loading the source directory; always names the file."""

    path: str
    message: str
    severity: Severity = Severity.ERROR
    line: int | None = None
    column: int | None = None
    code: str | None = None  # stable id for problems code must recognise (e.g. "input-pending")

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.severity.value}: {self.message}"


@dataclass(frozen=True)
class OwnershipMarker:
    """What syncer stamps on every object it writes, so a fresh process can read base from Grafana.

    `checksum` is the essence checksum (content + folder) of what syncer wrote: the *base*.
    """

    manager_id: str
    source_path: str
    checksum: str
    commit: str | None = None
    timestamp_ms: int | None = None
    # read only: someone paused the manager on this object (Grafana's `grafana.app/managerSuspended`);
    # the planner then neither writes nor deletes it. Never stamped by syncer itself.
    suspended: bool = False
    # legacy API only: the version the save that carried this marker produced. A live version that
    # differs means Grafana saved the dashboard again since (a UI restore of an old syncer version
    # brings back an old marker whose checksum still matches). None: unknown (older markers, k8s).
    version: int | None = None


@dataclass(frozen=True)
class DesiredFolder:
    uid: str
    title: str
    parent_uid: str | None
    path: str  # directory relative to the source root, posix separators ("" never appears)


@dataclass(frozen=True)
class DesiredDashboard:
    uid: str
    title: str
    folder_uid: str | None
    path: str  # file relative to the source root, posix separators
    content: Mapping[str, JSON]  # normalised dashboard JSON to send (no id/version/marker)
    checksum: str  # essence checksum of content + folder_uid
    api_version: str | None = None  # e.g. "dashboard.grafana.app/v2beta1" for v2 resources
    # False only when the loader knows the content has no `__inputs` and no `${`, so input
    # resolution can skip it without parsing the (lazy) content
    may_have_inputs: bool = True
    # the `libraryPanel.uid`s the content uses (each must exist in the source or in Grafana)
    library_panel_uids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DesiredState:
    folders: Mapping[str, DesiredFolder]
    dashboards: Mapping[str, DesiredDashboard]
    problems: tuple[SourceProblem, ...] = ()
    files_seen: int = 0
    # library panels (docs/source-format.md) in the dashboards' types: `title` is the element's name,
    # `content` its model, `checksum` from `core.library.library_checksum`
    library_panels: Mapping[str, DesiredDashboard] = field(default_factory=dict)

    # why cached: a daemon asks several times per pass, and 10,000 files may carry 10,000 warnings
    @cached_property
    def errors(self) -> tuple[SourceProblem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @cached_property
    def warnings(self) -> tuple[SourceProblem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)


@dataclass(frozen=True)
class LiveFolder:
    uid: str
    title: str
    parent_uid: str | None
    version: int | None = None
    marker: OwnershipMarker | None = None
    resource_version: str | None = None


@dataclass(frozen=True)
class LiveDashboard:
    uid: str
    title: str
    folder_uid: str | None
    version: int
    content: Mapping[str, JSON]  # as stored, with the ownership marker removed
    checksum: str  # essence checksum of content + folder_uid, computed like desired's
    marker: OwnershipMarker | None = None
    updated_by: str | None = None
    resource_version: str | None = None
    api_version: str | None = None


@dataclass(frozen=True)
class LiveState:
    """What Grafana holds. `complete` is False when only some dashboards were fetched
    (the caller asked for specific uids), in which case prune must not run."""

    folders: Mapping[str, LiveFolder]
    dashboards: Mapping[str, LiveDashboard]
    complete: bool = True
    other_dashboard_uids: frozenset[str] = field(default_factory=frozenset)
    # True when a folder without a marker really has none (the resources API returns annotations);
    # False where the API does not return the marker (legacy folder DTOs omit the description)
    folder_markers_readable: bool = False
    # library elements (`title` = name, `content` = model without the marker); `library_read` is
    # False when they were not read at all (then nothing is planned for them)
    library_panels: Mapping[str, LiveDashboard] = field(default_factory=dict)
    library_read: bool = False
