"""A file's nesting limit is the same whichever way it is read.

`parse.read_document` reads a JSON text with only plain numbers straight through orjson and proves
its depth with one orjson encode (`jsontext.nests_within`), instead of the walk that normalises numbers and
counts the depth. Both must accept exactly MAX_NESTING levels and refuse one more, for lists and
objects, and the orjson limit the proof rests on must be the one pinned in the module.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from syncer.adapters.files import parse
from syncer.model import jsontext


def _nested(depth: int, kind: str, leaf: str) -> str:
    if kind == "list":
        return "[" * depth + leaf + "]" * depth
    return '{"a":' * depth + leaf + "}" * depth


@pytest.mark.parametrize("kind", ["list", "object"])
@pytest.mark.parametrize("leaf", ["1", "1.0"], ids=["plain numbers (orjson proof)", "integral float (walk)"])
@pytest.mark.parametrize("extra", [-1, 0, 1])
def test_both_paths_draw_the_line_at_max_nesting(tmp_path: Path, kind: str, leaf: str, extra: int) -> None:
    depth = parse.MAX_NESTING + extra
    path = tmp_path / "x.json"
    path.write_text(_nested(depth, kind, leaf))
    parsed = parse.read_document(path, "x.json")
    if extra <= 0:
        assert parsed.problem is None
    else:
        assert parsed.problem is not None
        assert "nested too deeply" in parsed.problem.message


@pytest.mark.parametrize("leaf", ["1", "[]"])
def test_orjson_refuses_the_depth_the_proof_assumes(leaf: str) -> None:
    refused = jsontext._ORJSON_REFUSED_DEPTH
    with pytest.raises(TypeError):
        orjson.dumps(orjson.loads(_nested(refused - 1, "list", leaf)))
    orjson.dumps(orjson.loads(_nested(refused - 2, "list", "1")))  # and not much less: the proof pays


def test_plain_files_read_as_the_full_path_reads_them(tmp_path: Path) -> None:
    text = '\ufeff{"title": "caf\\u00e9 \\"q\\"", "panels": [{"id": 1, "gridPos": {"h": 8}}], "n": -0.5}'
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    fast = parse.read_document(path, "x.json")
    assert fast.problem is None
    assert fast.value == {"title": 'café "q"', "panels": [{"id": 1, "gridPos": {"h": 8}}], "n": -0.5}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_wide_encodings_are_refused_as_before(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"title": "t", "uid": "u"}', encoding=encoding)
    parsed = parse.read_document(path, "x.json")
    assert parsed.problem is not None
    assert "UTF-16" in parsed.problem.message or "binary" in parsed.problem.message
