"""Issue 18, the pure parts: warning summaries, near misses, colour decisions, and rewriting a
dashboard file in its own format (real files in tmp_path)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import yaml

from syncer.adapters.files.pull.inplace import rewrite
from syncer.core.suggest import closest, did_you_mean
from syncer.render.style import Style, wants_colour
from syncer.render.warnings import summarise

VERSION = "version field is ignored: syncer writes with the live version"


def test_a_warning_most_files_share_is_said_once() -> None:
    warnings = [f"d{n}.json: warning: {VERSION}" for n in range(18)] + ["x.json: warning: no uid; using 'x'"]
    lines = summarise(warnings)
    assert lines == [
        "syncer: 18 files carry an exported `version`; syncer ignores it (Grafana numbers its own versions)"
        " (list them with -v)",
        "x.json: warning: no uid; using 'x'",
    ]
    assert summarise(warnings, verbose=True) == warnings
    assert summarise(warnings[:2]) == warnings[:2]  # two files: each still named


def test_near_misses() -> None:
    assert closest("on_drfit", ["on_drift", "on_conflict", "prune"]) == "on_drift"
    assert closest("PRUNE", ["prune"]) == "prune"
    assert did_you_mean("zzz", ["prune"]) == ""
    assert did_you_mean("--prun", ["--prune", "--diff"]) == "; did you mean `--prune`?"


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_against_no_color() -> None:
    assert wants_colour(Tty(), environ={}) is True
    assert wants_colour(io.StringIO(), environ={}) is False
    assert wants_colour(Tty(), environ={"NO_COLOR": "1"}) is False
    assert wants_colour(Tty(), no_color_flag=True, environ={}) is False
    assert Style(enabled=True).paint("x", "red") == "\x1b[31mx\x1b[0m"
    assert Style().paint("x", "red") == "x"


def test_rewrite_keeps_indent_order_wrapper_and_exported_keys(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    old = {
        "dashboard": {"uid": "a", "title": "A", "version": 9, "panels": []},
        "folderUid": "f",
        "overwrite": True,
    }
    path.write_text(json.dumps(old, indent=4) + "\n", encoding="utf-8")
    text = rewrite(path, {"uid": "a", "title": "B", "panels": [], "tags": ["new"]})
    assert text.endswith("}\n") and '\n    "dashboard": {\n        "uid": "a",\n        "title": "B",' in text
    doc = json.loads(text)
    assert list(doc) == ["dashboard", "folderUid", "overwrite"]
    assert doc["dashboard"] == {"uid": "a", "title": "B", "version": 9, "panels": [], "tags": ["new"]}


def test_rewrite_keeps_yaml_and_a_k8s_resource(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    resource = {
        "apiVersion": "dashboard.grafana.app/v1",
        "kind": "Dashboard",
        "metadata": {"name": "r"},
        "spec": {"title": "R"},
    }
    path.write_text(yaml.safe_dump(resource, sort_keys=False), encoding="utf-8")
    exported = {**resource, "spec": {"title": "R2", "uid": "r"}}
    doc = yaml.safe_load(rewrite(path, exported))
    assert doc == {**resource, "spec": {"title": "R2"}}  # identity stays in metadata.name


def test_rewrite_writes_resolved_inputs_back_as_the_inputs(tmp_path: Path) -> None:
    path = tmp_path / "exported.json"
    ds = {"type": "prometheus", "uid": "${DS_PROM}"}
    old = {
        "__inputs": [{"name": "DS_PROM"}],
        "uid": "e",
        "title": "E",
        "panels": [{"id": 1, "datasource": ds}],
    }
    path.write_text(json.dumps(old, indent=2), encoding="utf-8")
    live_ds = {"type": "prometheus", "uid": "prom-1"}
    exported = {
        "uid": "e",
        "title": "E",
        "panels": [{"id": 1, "datasource": live_ds}, {"id": 2, "datasource": live_ds}],
    }
    doc = json.loads(rewrite(path, exported))
    assert [p["datasource"]["uid"] for p in doc["panels"]] == ["${DS_PROM}", "${DS_PROM}"]
    assert doc["__inputs"] == [{"name": "DS_PROM"}]
