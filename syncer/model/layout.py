"""Where a source tree already keeps each dashboard and folder, so `syncer pull` writes back in
place (the same files, the same names, the same format) instead of a second, renamed copy.

Built by `syncer.adapters.files.pull.layout.read_layout`; read by the pull engine (which dashboards are
already in the tree) and the tree writer (where to write). Pure data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TreeLayout:
    dashboards: Mapping[str, str] = field(default_factory=dict)  # uid -> file, relative, posix
    folders: Mapping[str, str] = field(default_factory=dict)  # folder uid -> directory, relative
    # the file-name style the tree shows, for files pull creates: named after the uid, or a slug
    # of the title (lower-cased when most names are), with the extension most files use
    name_by_uid: bool = False
    lowercase: bool = False
    extension: str = ".json"
    # new names avoid every name on disk; off with `pull --force`, which writes over what is there
    avoid_existing: bool = True

    @property
    def empty(self) -> bool:
        return not self.dashboards and not self.folders
