"""The real jsonnet corpus (`corpora/jsonnet`: node-mixin and its vendored grafonnet, found by
`support.corpora`), copied into a test's temporary directory so a test may edit it. It is never
copied into the repository. Absent corpus: skipped on a laptop without shared data, FAILS in CI.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from support import corpora

MIXIN_FILE = "node-mixin/dashboards.jsonnet"
# what node-mixin/dashboards.jsonnet gives: key -> uid
DASHBOARDS = {
    "node-cluster-rsrc-use.json": "3e97d1d02672cdd0861f4c97c64f89b2",
    "node-rsrc-use.json": "fac67cfbe174d3ef53eb473d73d9212f",
    "nodes-aix.json": "7e0a61e486f727d763fb1d86fdd629c2",
    "nodes-darwin.json": "629701ea43bf69291922ea45f4a87d37",
    "nodes.json": "7d57716318ee0dddbac5a7f451fb7753",
}
USE_NODE = DASHBOARDS["node-rsrc-use.json"]  # the one dashboard whose title use.libsonnet sets below
USE_LIBRARY = "node-mixin/dashboards/use.libsonnet"


def require_corpus() -> Path:
    corpora.require(corpora.JSONNET / MIXIN_FILE)
    corpora.require(corpora.JSONNET / "vendor")
    return corpora.JSONNET


def node_mixin_copy(destination: Path) -> Path:
    """`destination` holding `node-mixin/` and `vendor/` (the layout of a user's repository)."""
    corpus = require_corpus()
    destination.mkdir(parents=True, exist_ok=True)
    for part in ("node-mixin", "vendor"):
        shutil.copytree(corpus / part, destination / part, symlinks=True)
    return destination


def retitle_use_node(root: Path, title: str) -> None:
    """Edit the imported library the way a person would: one dashboard's title changes."""
    path = root / USE_LIBRARY
    text = path.read_text(encoding="utf-8")
    old = "'%sUSE Method / Node'"
    assert text.count(old) == 1, "node-mixin's use.libsonnet changed; update this edit"
    path.write_text(text.replace(old, f"'%s{title}'"), encoding="utf-8")
