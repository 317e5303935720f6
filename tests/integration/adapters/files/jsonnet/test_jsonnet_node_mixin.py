"""node-mixin (real jsonnet, vendored grafonnet) through the whole cycle against the emulator:
validate, plan, apply, zero writes on a rerun, an imported `.libsonnet` edited (exactly the affected
dashboard changes), a syntax error (named at file:line:col, nothing pruned), drift that names the
jsonnet source, and the source path `file.jsonnet#key` in the ownership markers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from support.cli import syncer
from support.emulator import Emulator
from support.jsonnet_corpus import (
    DASHBOARDS,
    MIXIN_FILE,
    USE_LIBRARY,
    USE_NODE,
    node_mixin_copy,
    retitle_use_node,
)

from integration.engine_helpers import edit_in_grafana, live_dashboard, run, settings_for
from syncer.app import pull_directory
from syncer.model.plan import ActionKind
from syncer.model.results import Outcome


def test_validate_evaluates_node_mixin_offline(tmp_path: Path) -> None:
    src = node_mixin_copy(tmp_path / "repo")
    done = syncer("validate", str(src), "--output", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["valid"] and report["dashboards"] == 5 and report["folders"] == 1
    # alerts.jsonnet and rules.jsonnet give Prometheus rules (YAML text): warnings, not errors
    assert sorted(p["path"] for p in report["problems"]) == [
        "node-mixin/alerts.jsonnet",
        "node-mixin/rules.jsonnet",
    ]


def test_plan_apply_rerun_edit_library_and_break_it(emulator: Emulator, tmp_path: Path) -> None:
    src = node_mixin_copy(tmp_path / "repo")
    planned = run(emulator, src, dry_run=True)
    creates = {a.uid: a.desired.path for a in planned.plan.dashboard_actions if a.kind is ActionKind.CREATE}
    assert creates == {uid: f"{MIXIN_FILE}#{key}" for key, uid in DASHBOARDS.items()}
    assert emulator.writes() == 0

    applied = run(emulator, src, prune=True)
    assert applied.fatal is None and not applied.failures
    assert sum(r.outcome is Outcome.OK for r in applied.results) == 6  # one folder, five dashboards
    marker = live_dashboard(emulator, USE_NODE)["dashboard"]["__syncer"]
    assert marker["sourcePath"] == f"{MIXIN_FILE}#node-rsrc-use.json"

    emulator.reset(counters_only=True)
    rerun = run(emulator, src, prune=True)
    assert emulator.writes() == 0 and rerun.plan.in_sync

    retitle_use_node(src, "USE Method / Host")
    edited = run(emulator, src, dry_run=True, prune=True)
    changed = [
        (a.kind, a.uid, a.reason) for a in edited.plan.dashboard_actions if a.kind is not ActionKind.NOOP
    ]
    assert changed == [(ActionKind.UPDATE, USE_NODE, "content changed in git")]
    run(emulator, src, prune=True)
    assert live_dashboard(emulator, USE_NODE)["dashboard"]["title"] == "Node Exporter / USE Method / Host"

    library = src / USE_LIBRARY
    library.write_text(library.read_text(encoding="utf-8") + "\n{ broken: }\n", encoding="utf-8")
    lines = library.read_text(encoding="utf-8").count("\n")
    emulator.reset(counters_only=True)
    broken = run(emulator, src, prune=True)
    assert emulator.writes() == 0
    assert broken.plan.refusals and "error" in broken.plan.refusals[0]
    assert any(e.startswith(f"{USE_LIBRARY}:{lines}:11: error: jsonnet") for e in broken.source_errors), (
        broken.source_errors
    )
    assert all(live_dashboard(emulator, uid) for uid in DASHBOARDS.values())  # nothing deleted

    done = syncer("validate", str(src))
    assert done.returncode == 1
    assert f"{USE_LIBRARY}:{lines}:11: error: jsonnet syntax error" in done.stderr


def test_drift_on_a_jsonnet_dashboard_names_its_jsonnet_source(emulator: Emulator, tmp_path: Path) -> None:
    src = node_mixin_copy(tmp_path / "repo")
    run(emulator, src)
    edit_in_grafana(emulator, DASHBOARDS["nodes.json"], description="edited in the UI")
    report = run(emulator, src, dry_run=True)
    (drift,) = [a for a in report.plan.dashboard_actions if a.kind is ActionKind.UPDATE]
    assert drift.reason.startswith("revert drift")
    assert f"its source is jsonnet ({MIXIN_FILE})" in drift.reason

    # pull keeps writing JSON (the UI edit included), never jsonnet
    pulled = tmp_path / "pulled"
    assert asyncio.run(pull_directory(settings_for(emulator, pulled), pulled)).ok
    files = sorted(p.relative_to(pulled).as_posix() for p in pulled.rglob("*") if p.is_file())
    dashboards = [f for f in files if not f.endswith("/_folder.json")]
    assert len(dashboards) == 5 and all(f.endswith(".json") for f in files), files
    texts = [(pulled / f).read_text(encoding="utf-8") for f in dashboards]
    assert sum("edited in the UI" in text for text in texts) == 1
