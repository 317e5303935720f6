"""Read a source tree's layout (`TreeLayout`) for `syncer pull`: which file holds which uid, which
directory is which folder, and the file-name style new files should follow.

Who calls it: `syncer.app.pull_directory` (through the pull engine). Reads with the same loader as
`validate`, so a pull and a plan agree on which file is which dashboard. Files with errors are not
in the layout (pull writes new dashboards beside them, never over them).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path, PurePosixPath

from syncer.adapters.files.loader import validate_directory
from syncer.model.layout import TreeLayout


def read_layout(root: Path) -> TreeLayout:
    if not root.is_dir() or not any(root.iterdir()):
        return TreeLayout()
    state = validate_directory(root)
    dashboards = {uid: d.path for uid, d in state.dashboards.items()}
    stems = [(uid, PurePosixPath(path)) for uid, path in dashboards.items()]
    by_uid = sum(1 for uid, p in stems if p.stem == uid)
    lower = sum(1 for _, p in stems if p.stem == p.stem.lower())
    extensions = Counter(".yaml" if p.suffix.lower() in (".yaml", ".yml") else ".json" for _, p in stems)
    return TreeLayout(
        dashboards=dashboards,
        folders={uid: f.path for uid, f in state.folders.items()},
        name_by_uid=bool(stems) and by_uid * 2 > len(stems),
        lowercase=bool(stems) and lower * 2 > len(stems),
        extension=extensions.most_common(1)[0][0] if extensions else ".json",
    )
