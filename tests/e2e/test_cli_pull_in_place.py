"""Issue 18: `syncer pull` writes each dashboard back where the source keeps it, in its own format,
so a pull into a checkout followed by `validate` and `plan` is clean, and a pull into a fresh
directory reproduces the tree. Real subprocesses against the emulator, real files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from support.emulator import Emulator
from test_cli_oneshot import conn, syncer
from test_cli_truth import ui_edit


def body(uid: str, title: str, **extra: Any) -> dict[str, Any]:
    return {"uid": uid, "title": title, "panels": [], "schemaVersion": 39, **extra}


def checkout(tmp_path: Path) -> Path:
    src = tmp_path / "dashboards"
    (src / "ceph").mkdir(parents=True)
    (src / "ceph" / "_folder.json").write_text('{"uid": "ceph", "title": "Ceph"}\n', encoding="utf-8")
    files = {
        "ceph/osds-overview.json": json.dumps(body("osd-ov", "OSD Overview", tags=["ceph"]), indent=4) + "\n",
        "ceph/pools.json": json.dumps(body("pools", "Pools"), indent=4) + "\n",
        "home.yaml": yaml.safe_dump(body("home", "Home"), sort_keys=False),
    }
    for rel, text in files.items():
        (src / rel).write_text(text, encoding="utf-8")
    return src


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()
    }


def test_pull_into_the_checkout_brings_back_only_the_ui_edit(emulator: Emulator, tmp_path: Path) -> None:
    src = checkout(tmp_path)
    assert syncer("apply", str(src), *conn(emulator)).returncode == 0
    before = snapshot(src)
    ui_edit(emulator, "osd-ov", description="edited in the UI")

    pulled = syncer("pull", str(src), *conn(emulator))

    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    after = snapshot(src)
    assert after.keys() == before.keys(), "no file renamed or added"
    changed = [rel for rel in after if after[rel] != before[rel]]
    assert changed == ["ceph/osds-overview.json"]
    text = after["ceph/osds-overview.json"]
    assert text.startswith('{\n    "uid": "osd-ov",\n    "title": "OSD Overview",'), text  # order, indent
    assert json.loads(text)["description"] == "edited in the UI"
    assert syncer("validate", str(src)).returncode == 0
    plan = syncer("plan", str(src), "--exit-code", *conn(emulator))
    assert plan.returncode == 0 and "In sync" in plan.stdout, plan.stdout + plan.stderr


def test_pull_into_a_fresh_directory_reproduces_the_paths(emulator: Emulator, tmp_path: Path) -> None:
    src = checkout(tmp_path)
    assert syncer("apply", str(src), *conn(emulator)).returncode == 0
    fresh = tmp_path / "fresh"

    assert syncer("pull", str(fresh), *conn(emulator)).returncode == 0

    assert snapshot(fresh).keys() == snapshot(src).keys()
    assert yaml.safe_load((fresh / "home.yaml").read_text(encoding="utf-8"))["uid"] == "home"
    assert syncer("validate", str(fresh)).returncode == 0


def test_uid_and_conflicts_only_select_what_is_pulled(emulator: Emulator, tmp_path: Path) -> None:
    src = checkout(tmp_path)
    assert syncer("apply", str(src), *conn(emulator)).returncode == 0
    before = snapshot(src)
    ui_edit(emulator, "osd-ov", description="ui one")
    ui_edit(emulator, "pools", description="ui two")

    only_pools = syncer("pull", str(src), "--uid", "pools", *conn(emulator))
    assert only_pools.returncode == 0, only_pools.stderr
    after = snapshot(src)
    assert [rel for rel in after if after[rel] != before[rel]] == ["ceph/pools.json"]

    edits = syncer("pull", str(src), "--conflicts-only", *conn(emulator))
    assert edits.returncode == 0, edits.stderr
    final = snapshot(src)
    assert sorted(rel for rel in final if final[rel] != before[rel]) == [
        "ceph/osds-overview.json",
        "ceph/pools.json",
    ]
    assert final["home.yaml"] == before["home.yaml"]

    missing = syncer("pull", str(src), "--uid", "nope", *conn(emulator))
    assert missing.returncode == 1 and "no dashboard with uid nope" in missing.stderr


def test_other_sources_and_generated_files_are_left_alone(emulator: Emulator, tmp_path: Path) -> None:
    src = checkout(tmp_path)
    other = tmp_path / "other"
    (other / "infra").mkdir(parents=True)
    (other / "infra" / "nodes.json").write_text(json.dumps(body("nodes", "Nodes")), encoding="utf-8")
    (src / "gen.jsonnet").write_text('{uid: "gen", title: "Generated", panels: []}\n', encoding="utf-8")
    assert syncer("apply", str(other), *conn(emulator)).returncode == 0
    assert syncer("apply", str(src), *conn(emulator)).returncode == 0
    before = snapshot(src)
    ui_edit(emulator, "gen", description="edited in the UI")
    ui_edit(emulator, "nodes", description="edited in the UI")

    pulled = syncer("pull", str(src), *conn(emulator))

    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert snapshot(src) == before, "no file written: one is generated, the other another source's"
    assert "come from generated sources (gen.jsonnet)" in pulled.stdout
    assert "1 dashboard(s) not managed by this source were left out" in pulled.stdout
