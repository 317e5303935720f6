"""The source loader on real files in temporary directories."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from syncer.adapters.files.loader import DirectorySource, validate_directory
from syncer.core.essence import checksum
from syncer.core.uids import dashboard_uid_for_path, folder_uid_for_path
from syncer.model.errors import SourceError
from syncer.model.state import DesiredState, Severity


def dash(title: str = "Dash", **extra: Any) -> dict[str, Any]:
    return {"title": title, "panels": [{"id": 1, "type": "stat"}], **extra}


def write(root: Path, rel: str, value: Any) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(value, bytes):
        path.write_bytes(value)
    elif isinstance(value, str):
        path.write_text(value, encoding="utf-8")
    else:
        path.write_text(json.dumps(value, indent=2), encoding="utf-8")
    return path


def _alias_bomb(levels: int = 10) -> str:
    """Each level refers nine times to the previous one: 9**10 values from a few hundred bytes."""
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


ALIAS_BOMB = _alias_bomb()


def errors_of(state: DesiredState) -> list[str]:
    return [str(p) for p in state.errors]


def only_error(state: DesiredState) -> str:
    (error,) = state.errors
    return str(error)


def test_bare_dashboards_in_nested_folders(tmp_path: Path) -> None:
    write(tmp_path, "root.json", dash("Root", uid="root"))
    write(tmp_path, "a/b/c/deep.json", dash("Deep", uid="deep"))
    state = DirectorySource(tmp_path).load()
    assert errors_of(state) == []
    assert state.dashboards["root"].folder_uid is None
    deep = state.dashboards["deep"]
    a, b, c = (folder_uid_for_path(p) for p in ("a", "a/b", "a/b/c"))
    assert deep.folder_uid == c and deep.path == "a/b/c/deep.json"
    assert (state.folders[a].parent_uid, state.folders[b].parent_uid, state.folders[c].parent_uid) == (
        None,
        a,
        b,
    )
    assert [state.folders[u].title for u in (a, b, c)] == ["a", "b", "c"]
    assert deep.checksum == checksum(deep.content, c)
    assert deep.content["uid"] == "deep"
    assert state.files_seen == 2


def test_folder_metadata_sets_uid_and_title(tmp_path: Path) -> None:
    write(tmp_path, "team/_folder.json", {"uid": "team-uid", "title": "The Team"})
    write(tmp_path, "team/sub/_folder.yaml", "title: Sub team\n")
    write(tmp_path, "team/sub/x.json", dash(uid="x"))
    state = DirectorySource(tmp_path).load()
    assert errors_of(state) == []
    assert state.folders["team-uid"].title == "The Team"
    sub = state.dashboards["x"].folder_uid
    assert sub == folder_uid_for_path("team/sub")
    assert state.folders[sub].title == "Sub team" and state.folders[sub].parent_uid == "team-uid"
    assert state.files_seen == 1  # folder metadata is not a dashboard


def test_folder_with_only_metadata_is_still_a_folder(tmp_path: Path) -> None:
    write(tmp_path, "empty/_folder.json", {"uid": "empty", "title": "Empty"})
    assert "empty" in DirectorySource(tmp_path).load().folders


def test_envelope_shape_and_its_folder_wins(tmp_path: Path) -> None:
    write(
        tmp_path,
        "dir/e.json",
        {"dashboard": dash("Env", uid="env"), "folderUid": "elsewhere", "overwrite": True},
    )
    write(tmp_path, "dir/r.json", {"dashboard": dash("Root", uid="r"), "folderUid": "general"})
    write(tmp_path, "dir/d.json", {"dashboard": dash("Dir", uid="d"), "folderUid": ""})
    state = DirectorySource(tmp_path).load()
    assert state.dashboards["env"].folder_uid == "elsewhere"
    assert state.dashboards["r"].folder_uid is None
    assert state.dashboards["d"].folder_uid == folder_uid_for_path("dir")
    warnings = [str(p) for p in state.warnings]
    assert any("overwrite is ignored" in w for w in warnings)
    assert any("'elsewhere' is not defined by any directory" in w for w in warnings)
    assert "message" not in state.dashboards["env"].content


@pytest.mark.parametrize(
    "document",
    [
        {"dashboard": dash(uid="e"), "folderUid": "../../../etc"},
        {
            "apiVersion": "dashboard.grafana.app/v1beta1",
            "metadata": {"name": "e", "annotations": {"grafana.app/folder": "a/b"}},
            "spec": dash(),
        },
    ],
    ids=["envelope", "resource"],
)
def test_explicit_folder_must_be_a_valid_uid(tmp_path: Path, document: dict[str, Any]) -> None:
    write(tmp_path, "t/x.json", document)
    state = DirectorySource(tmp_path).load()
    assert "t/x.json: error: folder uid" in only_error(state) and "illegal characters" in only_error(state)
    assert state.dashboards == {}


def test_k8s_resource_shapes(tmp_path: Path) -> None:
    v1 = {
        "apiVersion": "dashboard.grafana.app/v1beta1",
        "kind": "Dashboard",
        "metadata": {"name": "k8s-uid", "annotations": {"grafana.app/folder": "ops"}},
        "spec": dash("K8s", uid="ignored"),
    }
    v2 = {
        "apiVersion": "dashboard.grafana.app/v2beta1",
        "kind": "Dashboard",
        "metadata": {"name": "v2-uid"},
        "spec": {"title": "V2", "elements": {}, "layout": {"kind": "GridLayout", "spec": {"items": []}}},
    }
    write(tmp_path, "k/v1.json", v1)
    write(tmp_path, "k/v2.yaml", __import__("yaml").safe_dump(v2))
    state = DirectorySource(tmp_path).load()
    assert errors_of(state) == []
    one, two = state.dashboards["k8s-uid"], state.dashboards["v2-uid"]
    assert one.folder_uid == "ops" and one.api_version is None and one.content["uid"] == "k8s-uid"
    assert two.api_version == "dashboard.grafana.app/v2beta1" and "uid" not in two.content
    assert two.folder_uid == folder_uid_for_path("k") and two.content["layout"]["kind"] == "GridLayout"
    assert any("metadata.name 'k8s-uid' wins" in str(w) for w in state.warnings)


def test_grafana_operator_resource_with_inline_json(tmp_path: Path) -> None:
    cr = {
        "apiVersion": "grafana.integreatly.org/v1beta1",
        "kind": "GrafanaDashboard",
        "metadata": {"name": "cr"},
        "spec": {"folderUID": "ops", "json": json.dumps(dash("From CR", uid="cr-uid"))},
    }
    write(tmp_path, "cr.json", cr)
    state = DirectorySource(tmp_path).load()
    assert state.dashboards["cr-uid"].folder_uid == "ops"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"apiVersion": "v1", "kind": "ConfigMap", "data": {}}, "is not a dashboard"),
        ({"kind": "Dashboard", "metadata": {}, "spec": dash()}, "has no apiVersion"),
        ({"title": "V2", "elements": {}, "layout": {}}, "v2 dashboard spec"),
        ([dash()], "top level must be an object, got an array"),
        ("just text", "got a string"),
    ],
)
def test_documents_that_are_not_dashboards(tmp_path: Path, document: Any, message: str) -> None:
    write(tmp_path, "x.json", json.dumps(document))
    assert message in only_error(DirectorySource(tmp_path).load())


def test_yaml_dashboard(tmp_path: Path) -> None:
    write(
        tmp_path,
        "y.yml",
        "title: From YAML\nuid: yml\npanels: []\ntime: {from: now-1h, to: now}\nwhen: 2024-01-01\n",
    )
    state = DirectorySource(tmp_path).load()
    assert state.dashboards["yml"].content["time"] == {"from": "now-1h", "to": "now"}
    assert state.dashboards["yml"].content["when"] == "2024-01-01"


def test_yaml_scalars_follow_json_not_yaml_1_1(tmp_path: Path) -> None:
    write(
        tmp_path,
        "y.yaml",
        "title: T\nuid: y\ncountry: NO\nswitch: on\nat: 12:30\nhide: false\nn: 3\nx: 0.5\n",
    )
    content = DirectorySource(tmp_path).load().dashboards["y"].content
    assert (content["country"], content["switch"], content["at"]) == ("NO", "on", "12:30")
    assert (content["hide"], content["n"], content["x"]) == (False, 3, 0.5)


def test_missing_uid_is_derived_from_the_path_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path, "team/no-uid.json", dash())
    state = DirectorySource(tmp_path).load()
    uid = dashboard_uid_for_path("team/no-uid.json")
    assert list(state.dashboards) == [uid]
    assert state.dashboards[uid].content["uid"] == uid
    assert any("no uid" in str(w) for w in state.warnings)


def test_content_is_normalised_for_sending(tmp_path: Path) -> None:
    write(tmp_path, "n.json", dash("  Padded  ", uid="n", id=42, version=7, refresh="1s", width=12.0))
    state = DirectorySource(tmp_path, min_refresh="10s").load()
    content = state.dashboards["n"].content
    assert content["title"] == "Padded" and content["id"] is None and "version" not in content
    assert content["refresh"] == "10s" and content["width"] == 12 and isinstance(content["width"], int)
    assert state.dashboards["n"].title == "Padded"
    messages = " | ".join(str(w) for w in state.warnings)
    assert (
        "id 42 is ignored" in messages
        and "version field is ignored" in messages
        and "refresh '1s'" in messages
    )
    assert errors_of(state) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"title": "x",\n  "uid": }', "x.json:2:10: error: invalid JSON"),
        ('{"title": NaN}', "NaN is not a valid JSON number"),
        (json.dumps(dash(uid="bad uid!")), "contains illegal characters"),
        (json.dumps(dash(uid="u" * 41)), "is 41 characters long, max 40"),
        (json.dumps(dash(uid=7)), "uid must be a string"),
        (json.dumps({"panels": []}), "dashboard has no title"),
        (json.dumps(dash("   ")), "dashboard title is empty"),
        (json.dumps(dash(7)), "title must be a string"),
        (json.dumps(dash("t" * 5001)), "5001 characters long, max 5000"),
        (json.dumps(dash(tags=["x" * 51])), "is 51 characters long, max 50"),
        (json.dumps(dash(tags="single")), "tags must be a list"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("[" * 150 + "]" * 150, "nested too deeply"),
        ("", "invalid JSON"),
    ],
)
def test_invalid_files_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, "x.json", text)
    state = DirectorySource(tmp_path).load()
    assert message in only_error(state)
    assert state.errors[0].path == "x.json"
    assert state.dashboards == {}
    assert state.files_seen == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00garbage", "binary file"),
        (b'{"title": "caf\xe9"}', "not UTF-8"),
        (bytes(range(256)) * 10, "binary file"),
    ],
)
def test_binary_garbage_is_a_problem_not_a_crash(tmp_path: Path, data: bytes, message: str) -> None:
    write(tmp_path, "g.json", data)
    assert message in only_error(DirectorySource(tmp_path).load())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: [unclosed\n", "y.yaml:2:1: error: invalid YAML"),
        ("title: a\n---\ntitle: b\n", "exactly one document, found 2"),
        ("title: .nan\n", "not a valid JSON number"),
        (
            ALIAS_BOMB,
            "too many values",
        ),
        ("!!python/object:os.system {}\n", "invalid YAML"),
    ],
    ids=["syntax", "two documents", "nan", "alias bomb", "unsafe tag"],
)
def test_bad_yaml(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, "y.yaml", text)
    assert message in only_error(DirectorySource(tmp_path).load())


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    write(tmp_path, "big.json", json.dumps(dash(uid="big", blob="x" * 2048)))
    state = DirectorySource(tmp_path, max_file_bytes=1024).load()
    assert "big.json: error: file is 2.1 KiB, larger than the 1 KiB limit" in only_error(state)
    assert DirectorySource(tmp_path).load().errors == ()


def test_duplicate_uid_names_both_files_and_applies_neither(tmp_path: Path) -> None:
    write(tmp_path, "a/one.json", dash("One", uid="same"))
    write(tmp_path, "b/two.json", dash("Two", uid="same"))
    write(tmp_path, "ok.json", dash("Ok", uid="ok"))
    state = DirectorySource(tmp_path).load()
    assert list(state.dashboards) == ["ok"]
    errors = errors_of(state)
    assert len(errors) == 2
    assert "a/one.json: error: duplicate dashboard uid 'same', also in b/two.json" in errors[0]
    assert "b/two.json: error: duplicate dashboard uid 'same', also in a/one.json" in errors[1]


def test_duplicate_folder_uid_blocks_both_directories(tmp_path: Path) -> None:
    write(tmp_path, "a/_folder.json", {"uid": "dup", "title": "A"})
    write(tmp_path, "b/_folder.json", {"uid": "dup", "title": "B"})
    write(tmp_path, "a/x.json", dash(uid="x"))
    write(tmp_path, "b/sub/y.json", dash(uid="y"))
    write(tmp_path, "c/z.json", dash(uid="z"))
    state = DirectorySource(tmp_path).load()
    assert list(state.dashboards) == ["z"]
    assert "dup" not in state.folders and folder_uid_for_path("b/sub") not in state.folders
    errors = errors_of(state)
    assert any(
        "a/_folder.json: error: duplicate folder uid 'dup', also used by b/_folder.json" in e for e in errors
    )
    assert any(e.startswith("b/sub/y.json: error: skipped: folder b/ has a duplicate uid") for e in errors)


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"uid": "bad uid"}, "folder uid 'bad uid' contains illegal characters"),
        ({"title": ""}, "folder title is empty"),
        ({"title": "General"}, "reserved by Grafana"),
        ({"uid": "general"}, "reserved by Grafana"),
        ({"title": 5}, "title must be a string"),
        (["not", "an", "object"], "must be an object"),
    ],
)
def test_invalid_folder_metadata(tmp_path: Path, meta: Any, message: str) -> None:
    write(tmp_path, "f/_folder.json", meta)
    write(tmp_path, "f/x.json", dash(uid="x"))
    state = DirectorySource(tmp_path).load()
    assert any(message in e for e in errors_of(state)), errors_of(state)
    assert state.dashboards == {}


def test_directory_named_general_needs_a_title(tmp_path: Path) -> None:
    write(tmp_path, "General/x.json", dash(uid="x"))
    assert "reserved by Grafana" in errors_of(DirectorySource(tmp_path).load())[0]


def test_folder_depth_over_the_limit(tmp_path: Path) -> None:
    write(tmp_path, "1/2/3/4/ok.json", dash(uid="ok"))
    write(tmp_path, "1/2/3/4/5/deep.json", dash(uid="deep"))
    state = DirectorySource(tmp_path).load()
    assert list(state.dashboards) == ["ok"]
    assert (
        "1/2/3/4/5/deep.json: error: skipped: folder 1/2/3/4/5/ is nested 5 deep; Grafana allows at most 4"
        in (only_error(state))
    )
    assert "deep" in DirectorySource(tmp_path, max_folder_depth=8).load().dashboards


def test_explicit_folder_avoids_the_depth_limit(tmp_path: Path) -> None:
    write(tmp_path, "1/2/3/4/5/e.json", {"dashboard": dash(uid="e"), "folderUid": "flat"})
    state = DirectorySource(tmp_path).load()
    assert errors_of(state) == [] and state.dashboards["e"].folder_uid == "flat"
    assert folder_uid_for_path("1/2/3/4/5") not in state.folders


def test_dashboard_uid_equal_to_a_folder_uid(tmp_path: Path) -> None:
    write(tmp_path, "f/_folder.json", {"uid": "same"})
    write(tmp_path, "f/x.json", dash(uid="same"))
    assert "is also the uid of folder f/" in only_error(DirectorySource(tmp_path).load())


def test_hidden_syncignore_and_other_files_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, ".hidden.json", "broken")
    write(tmp_path, ".git/config.json", "broken")
    write(tmp_path, "drafts/wip.json", "broken")
    write(tmp_path, "team/old.bak.json", "broken")
    write(tmp_path, "team/keep.bak.json", dash(uid="keep"))
    write(tmp_path, "team/notes.md", "# not a dashboard")
    write(tmp_path, "team/ok.JSON", dash(uid="ok"))
    write(tmp_path, ".syncignore", "# comment\ndrafts/\n*.bak.json\n!keep.bak.json\n")
    state = DirectorySource(tmp_path).load()
    assert errors_of(state) == []
    assert sorted(state.dashboards) == ["keep", "ok"]
    assert state.files_seen == 2


def test_symlinks_inside_are_followed_outside_are_errors(tmp_path: Path) -> None:
    root, outside = tmp_path / "src", tmp_path / "outside"
    write(outside, "secret.json", dash(uid="secret"))
    write(root, "data/real.json", dash(uid="real"))
    os.symlink(outside / "secret.json", root / "leak.json")
    os.symlink(outside, root / "leakdir")
    os.symlink(root / "data" / "real.json", root / "alias.json")
    os.symlink(root / "missing.json", root / "dangling.json")
    state = DirectorySource(root).load()
    errors = errors_of(state)
    assert "leak.json: error: symlink points outside the source directory; file skipped" in errors
    assert "leakdir: error: symlink points outside the source directory; file skipped" in errors
    assert "dangling.json: error: broken symlink; file skipped" in errors
    assert "secret" not in state.dashboards
    assert any("duplicate dashboard uid 'real'" in e for e in errors)  # alias.json is the same dashboard


def test_configmap_style_mount_is_loaded(tmp_path: Path) -> None:
    # Kubernetes mounts ConfigMaps as symlinks into a hidden, timestamped directory
    write(tmp_path, "..2024_01_01/a.json", dash(uid="cm"))
    os.symlink("..2024_01_01", tmp_path / "..data")
    os.symlink("..data/a.json", tmp_path / "a.json")
    state = DirectorySource(tmp_path).load()
    assert errors_of(state) == [] and list(state.dashboards) == ["cm"]
    assert state.dashboards["cm"].path == "a.json"


def test_exported_dashboard_inputs(tmp_path: Path) -> None:
    body = dash(uid="exp", panels=[{"datasource": {"type": "prometheus", "uid": "${DS_PROM}"}}])
    body["__inputs"] = [{"name": "DS_PROM", "type": "datasource", "pluginId": "prometheus", "label": "P"}]
    write(tmp_path, "exp.json", body)
    write(tmp_path, "raw.json", dash(uid="raw", panels=[{"datasource": "${DS_UNDECLARED}"}]))
    offline = DirectorySource(tmp_path).load()
    assert "exp" in offline.dashboards and "raw" not in offline.dashboards
    assert "raw.json: error: unresolved input ${DS_UNDECLARED}" in only_error(offline)
    assert any("will be resolved from the server" in str(w) for w in offline.warnings)
    mapped = DirectorySource(tmp_path, inputs={"DS_PROM": "p1", "DS_UNDECLARED": "u1"}).load()
    assert mapped.errors == ()
    assert mapped.dashboards["exp"].content["panels"][0]["datasource"]["uid"] == "p1"
    assert mapped.dashboards["raw"].content["panels"][0]["datasource"] == "u1"
    assert "__inputs" not in mapped.dashboards["exp"].content


def test_root_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        DirectorySource(tmp_path / "nope").load()
    write(tmp_path, "file.json", dash())
    with pytest.raises(SourceError, match="not a directory"):
        DirectorySource(tmp_path / "file.json").load()


def test_empty_directory(tmp_path: Path) -> None:
    state = validate_directory(tmp_path)
    assert state.dashboards == {} and state.files_seen == 0 and state.problems == ()


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.json", dash(uid="l"))
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: permissions are not enforced")
        assert "cannot read" in only_error(DirectorySource(tmp_path).load())
    finally:
        path.chmod(0o644)


def test_problems_are_sorted_and_warnings_do_not_drop_dashboards(tmp_path: Path) -> None:
    write(tmp_path, "b.json", dash(uid="b", id=3))
    write(tmp_path, "a.json", dash(uid="a", version=2))
    state = DirectorySource(tmp_path).load()
    assert [p.path for p in state.problems] == ["a.json", "b.json"]
    assert all(p.severity is Severity.WARNING for p in state.problems)
    assert sorted(state.dashboards) == ["a", "b"]


def test_loading_twice_gives_equal_states(tmp_path: Path) -> None:
    write(tmp_path, "x/a.json", dash(uid="a"))
    write(tmp_path, "x/y/b.yaml", "title: B\n")
    assert DirectorySource(tmp_path).load() == DirectorySource(tmp_path).load()


def test_reload_sees_edits_new_and_removed_files(tmp_path: Path) -> None:
    source = DirectorySource(tmp_path)
    write(tmp_path, "a.json", dash("One", uid="a"))
    write(tmp_path, "b.json", dash("Bee", uid="b"))
    first = source.load()
    write(tmp_path, "a.json", dash("Two, longer", uid="a"))
    (tmp_path / "b.json").unlink()
    write(tmp_path, "c.json", dash("Sea", uid="c"))
    second = source.load()
    assert second.dashboards["a"].title == "Two, longer"
    assert sorted(second.dashboards) == ["a", "c"]
    assert first.dashboards["a"].title == "One"


def test_unchanged_files_are_not_parsed_again(tmp_path: Path) -> None:
    source = DirectorySource(tmp_path)
    path = write(tmp_path, "a.json", dash("AAA", uid="a"))
    stat = path.stat()
    assert source.load().dashboards["a"].title == "AAA"
    # same size, same mtime, same inode: the cached parse is reused (the daemon's cheap reload)
    with path.open("r+", encoding="utf-8") as handle:
        handle.write(json.dumps(dash("BBB", uid="a"), indent=2))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert source.load().dashboards["a"].title == "AAA"
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert source.load().dashboards["a"].title == "BBB"


def test_special_files_are_skipped_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")  # reading it would block forever
    write(tmp_path, "ok.json", dash(uid="ok"))
    state = DirectorySource(tmp_path).load()
    assert only_error(state) == "pipe.json: error: not a regular file; skipped"
    assert list(state.dashboards) == ["ok"]


def test_lone_surrogate_escape_is_an_error_for_that_file_only(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"uid": "bad", "title": "x \\ud800 y"}', encoding="utf-8")
    (tmp_path / "good.json").write_text('{"uid": "good", "title": "fine"}', encoding="utf-8")
    state = DirectorySource(tmp_path).load()
    assert set(state.dashboards) == {"good"}
    assert [(p.path, "surrogate" in p.message) for p in state.errors] == [("bad.json", True)]
