"""`.jsonnet` sources through the real loader and the real evaluator, on small trees written here:
what becomes a dashboard (and what never does), library paths, ext vars and TLAs, error locations,
and the evaluation cache (counted evaluations)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from syncer.adapters.files.jsonnet.evaluate import JsonnetOptions
from syncer.adapters.files.loader import DirectorySource, validate_directory
from syncer.adapters.files.watcher import is_relevant_source_path
from syncer.model.state import Severity
from syncer.settings.model import load_settings

REPO = Path(__file__).resolve().parents[5]


def put(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def dashboard_jsonnet(title: str, uid: str) -> str:
    return f"{{ uid: '{uid}', title: '{title}', panels: [{{ id: 1, type: 'text' }}] }}\n"


def mixin(root: Path, where: str = "mixins/app") -> None:
    """A small mixin: a library in vendor/ at the root, a local libsonnet, two dashboards in one file."""
    put(root, "vendor/github.com/acme/lib/main.libsonnet", "{ panel(t):: { type: t, id: 1 } }\n")
    put(root, f"{where}/jsonnetfile.json", '{"version": 1, "dependencies": []}\n')
    put(root, f"{where}/config.libsonnet", "{ prefix: 'App / ' }\n")
    put(
        root,
        f"{where}/dashboards.jsonnet",
        "local lib = import 'github.com/acme/lib/main.libsonnet';\n"
        "local c = import 'config.libsonnet';\n"
        "{\n"
        "  'api.json': { uid: 'app-api', title: c.prefix + 'API', panels: [lib.panel('graph')] },\n"
        "  'db.json': { title: c.prefix + 'DB', panels: [lib.panel('table')] },\n"
        "}\n",
    )


def test_an_object_of_dashboards_gives_one_dashboard_per_key_in_the_files_folder(tmp_path: Path) -> None:
    mixin(tmp_path)
    state = validate_directory(tmp_path)
    assert state.errors == (), [str(e) for e in state.errors]
    paths = sorted(d.path for d in state.dashboards.values())
    assert paths == ["mixins/app/dashboards.jsonnet#api.json", "mixins/app/dashboards.jsonnet#db.json"]
    api = state.dashboards["app-api"]
    assert api.title == "App / API" and api.content["panels"] == [{"id": 1, "type": "graph"}]
    assert api.folder_uid is not None and state.folders[api.folder_uid].path == "mixins/app"
    # no uid: derived from the path with the key, and the warning names file and key
    db = next(d for d in state.dashboards.values() if d.path.endswith("#db.json"))
    assert any(w.path == db.path and "no uid" in w.message for w in state.warnings)
    # the library tree, the libsonnet files and jsonnetfile.json are no dashboards, no folders
    assert state.files_seen == 1
    assert {f.path for f in state.folders.values()} == {"mixins", "mixins/app"}


def test_a_single_dashboard_file_and_vendor_beside_it(tmp_path: Path) -> None:
    put(tmp_path, "team/vendor/lib.libsonnet", "{ t: 'From vendor' }\n")
    put(tmp_path, "team/vendor/example.jsonnet", dashboard_jsonnet("Example", "never"))
    put(tmp_path, "team/vendor/example.json", json.dumps({"title": "never either", "uid": "never2"}))
    put(tmp_path, "team/one.jsonnet", "{ uid: 'one', title: (import 'lib.libsonnet').t, panels: [] }\n")
    state = validate_directory(tmp_path)
    assert state.errors == (), [str(e) for e in state.errors]
    assert list(state.dashboards) == ["one"]
    assert state.dashboards["one"].path == "team/one.jsonnet"
    assert state.dashboards["one"].title == "From vendor"


def test_a_folder_named_vendor_without_jsonnet_nearby_keeps_its_dashboards(tmp_path: Path) -> None:
    put(tmp_path, "vendor/billing.json", json.dumps({"title": "Billing", "uid": "billing"}))
    put(tmp_path, "apps/vendor/x.json", json.dumps({"title": "X", "uid": "x"}))
    put(tmp_path, "elsewhere/a.jsonnet", dashboard_jsonnet("A", "a"))  # not beside or above apps/vendor
    state = validate_directory(tmp_path)
    assert state.errors == ()
    # the root vendor/ serves elsewhere/a.jsonnet (it is on its library path): a library tree
    assert sorted(state.dashboards) == ["a", "x"]
    state = validate_directory(tmp_path / "vendor")  # and without any jsonnet it is just a folder
    assert sorted(state.dashboards) == ["billing"]
    (tmp_path / "elsewhere" / "a.jsonnet").unlink()
    assert sorted(validate_directory(tmp_path).dashboards) == ["billing", "x"]


def test_configured_library_path_is_searched_in_order_and_never_walked(tmp_path: Path) -> None:
    put(tmp_path, "libs/first/t.libsonnet", "'first'\n")
    put(tmp_path, "libs/second/t.libsonnet", "'second'\n")
    put(tmp_path, "libs/second/sample.json", json.dumps({"title": "Not a dashboard", "uid": "lib-sample"}))
    put(tmp_path, "d.jsonnet", "{ uid: 'd', title: import 't.libsonnet', panels: [] }\n")
    options = JsonnetOptions(jpath=(Path("libs/first"), Path("libs/second")))
    state = validate_directory(tmp_path, jsonnet=options)
    assert state.errors == () and list(state.dashboards) == ["d"]
    assert state.dashboards["d"].title == "first"
    reverse = JsonnetOptions(jpath=(tmp_path / "libs/second", Path("libs/first")))  # absolute works too
    assert validate_directory(tmp_path, jsonnet=reverse).dashboards["d"].title == "second"
    typo_options = JsonnetOptions(jpath=(Path("libs/frist"), Path("libs/first"), Path("libs/second")))
    typo = validate_directory(tmp_path, jsonnet=typo_options)
    assert typo.errors == () and list(typo.dashboards) == ["d"]
    assert [w.path for w in typo.warnings] == [str(tmp_path / "libs/frist")]
    assert "does not exist" in typo.warnings[0].message


def test_ext_vars_ext_code_and_top_level_arguments(tmp_path: Path) -> None:
    put(
        tmp_path,
        "env.jsonnet",
        "function(cluster, replicas=1) { uid: 'env-' + cluster, title: std.extVar('team') + ' '"
        " + cluster, panels: [{ id: i, type: 'text' } for i in std.range(1, replicas)],"
        " tags: std.extVar('tags') }\n",
    )
    options = JsonnetOptions(
        ext_vars={"team": "Payments"},
        ext_codes={"tags": "['a', 'b']"},
        tla_vars={"cluster": "eu1"},
        tla_codes={"replicas": "2"},
    )
    state = validate_directory(tmp_path, jsonnet=options)
    assert state.errors == (), [str(e) for e in state.errors]
    made = state.dashboards["env-eu1"]
    assert made.title == "Payments eu1" and len(made.content["panels"]) == 2
    assert made.content["tags"] == ["a", "b"]
    bad_code = validate_directory(tmp_path, jsonnet=JsonnetOptions(ext_codes={"tags": "}{"}))
    (error,) = bad_code.errors
    assert error.path == "env.jsonnet" and "--ext-code/--tla-code value" in error.message
    missing = validate_directory(tmp_path)  # no TLA given: an error naming the file
    assert [e.path for e in missing.errors] == ["env.jsonnet"]
    assert "cluster" in missing.errors[0].message


def test_a_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    put(tmp_path, "ok.json", json.dumps({"title": "OK", "uid": "ok"}))
    put(tmp_path, "bad.jsonnet", "{\n  uid: 'bad',\n  title: ,\n}\n")
    state = validate_directory(tmp_path)
    (error,) = state.errors
    assert (error.path, error.line, error.column) == ("bad.jsonnet", 3, 10)
    assert error.message.startswith("jsonnet syntax error")
    assert str(error).startswith("bad.jsonnet:3:10: error: jsonnet syntax error")
    assert list(state.dashboards) == ["ok"]


def test_an_error_in_an_imported_library_points_at_the_library(tmp_path: Path) -> None:
    put(tmp_path, "lib/helpers.libsonnet", "{\n  title(x):: error 'no title for ' + x,\n}\n")
    put(
        tmp_path,
        "app.jsonnet",
        "local h = import 'lib/helpers.libsonnet';\n{ uid: 'a', title: h.title('a') }\n",
    )
    put(tmp_path, "gone.jsonnet", "local m = import 'missing.libsonnet';\n{ uid: 'g', title: m.t }\n")
    state = validate_directory(tmp_path)
    errors = {e.path: e for e in state.errors}
    runtime = errors["lib/helpers.libsonnet"]
    assert (runtime.line, runtime.column) == (2, 14)  # the `error` expression
    assert "no title for a" in runtime.message and "while evaluating app.jsonnet" in runtime.message
    assert "app.jsonnet:2:" in runtime.message  # the call site, from the trace
    missing = errors["gone.jsonnet"]
    assert missing.line == 2
    assert missing.message.startswith("jsonnet import error: cannot find 'missing.libsonnet'")
    assert state.dashboards == {}


def test_output_that_is_not_dashboards_is_a_warning_not_an_error(tmp_path: Path) -> None:
    put(tmp_path, "alerts.jsonnet", "std.manifestYamlDoc({ groups: [] })\n")
    put(tmp_path, "rules.jsonnet", "{ groups: [{ name: 'r', rules: [] }] }\n")
    state = validate_directory(tmp_path)
    assert state.errors == () and state.dashboards == {}
    messages = {w.path: w.message for w in state.warnings}
    assert "evaluates to a string" in messages["alerts.jsonnet"]
    assert "keys: groups" in messages["rules.jsonnet"]
    assert all(w.severity is Severity.WARNING for w in state.warnings)


def test_a_dashboard_problem_names_the_file_and_key(tmp_path: Path) -> None:
    put(
        tmp_path,
        "m.jsonnet",
        "{ 'ok.json': { uid: 'ok', title: 'OK' }, 'bad.json': { uid: 'x y', title: 'Bad' } }",
    )
    state = validate_directory(tmp_path)
    assert [e.path for e in state.errors] == ["m.jsonnet#bad.json"]
    assert list(state.dashboards) == ["ok"]


def test_an_unchanged_tree_evaluates_nothing_and_an_edit_only_what_imported_it(tmp_path: Path) -> None:
    put(tmp_path, "shared.libsonnet", "{ v: 1 }\n")
    put(tmp_path, "only-a.libsonnet", "{ t: 'A' }\n")
    uses_shared = "tags: [std.toString((import 'shared.libsonnet').v)]"
    put(tmp_path, "a.jsonnet", f"{{ uid: 'a', title: (import 'only-a.libsonnet').t, {uses_shared} }}")
    put(tmp_path, "b.jsonnet", f"{{ uid: 'b', title: 'B', panels: [], {uses_shared} }}")
    # jsonnet is lazy: an import in a field never evaluated is never read, so never a dependency
    put(tmp_path, "c.jsonnet", "{ uid: 'c', title: 'C', panels: [], unused:: import 'shared.libsonnet' }")
    source = DirectorySource(tmp_path)
    first = source.load()
    assert source.jsonnet.evaluations == 3 and sorted(first.dashboards) == ["a", "b", "c"]

    source.load()
    assert source.jsonnet.evaluations == 3  # nothing changed: nothing evaluated

    lib = tmp_path / "only-a.libsonnet"
    lib.write_text("{ t: 'A' }\n", encoding="utf-8")  # same content, new mtime
    os.utime(lib, ns=(1, 1))
    source.load()
    assert source.jsonnet.evaluations == 3  # content hashes decide, not timestamps

    lib.write_text("{ t: 'A2' }\n", encoding="utf-8")
    state = source.load()
    assert source.jsonnet.evaluations == 4  # a.jsonnet only
    assert state.dashboards["a"].title == "A2"

    (tmp_path / "shared.libsonnet").write_text("{ v: 2 }\n", encoding="utf-8")
    source.load()
    assert source.jsonnet.evaluations == 6  # a and b, which read it; not c

    put(tmp_path, "vendor/only-a.libsonnet", "{ t: 'shadowed' }\n")  # not on a's search path first
    source.load()
    assert source.jsonnet.evaluations == 6
    lib.unlink()  # now the probe of vendor/ finds the file: a re-evaluates and takes it
    state = source.load()
    assert source.jsonnet.evaluations == 7 and state.dashboards["a"].title == "shadowed"


def test_library_files_wake_the_daemon_watcher() -> None:
    assert is_relevant_source_path(Path("mixins/app/config.libsonnet"), is_directory=False)
    assert is_relevant_source_path(Path("vendor/github.com/x/main.libsonnet"), is_directory=False)
    assert is_relevant_source_path(Path("mixins/app/dashboards.jsonnet"), is_directory=False)


def test_settings_flags_add_to_the_config_files_jsonnet_section(tmp_path: Path) -> None:
    config = put(
        tmp_path,
        "syncer.yaml",
        "sync:\n  jsonnet:\n    jpath: [lib]\n    ext_vars: {team: from-file, cluster: file}\n",
    )
    flags = {"sync": {"jsonnet": {"ext_vars": {"cluster": "flag"}}}}
    settings = load_settings(config, environ={}, flags=flags).targets[0].sync.jsonnet
    assert dict(settings.ext_vars) == {"team": "from-file", "cluster": "flag"}
    assert settings.jpath == (Path("lib"),)
    with pytest.raises(Exception, match="jsonnet"):
        put(tmp_path, "bad.yaml", "sync:\n  jsonnet:\n    jpaths: [lib]\n")
        load_settings(tmp_path / "bad.yaml", environ={})


def validate_title(src: Path, cwd: Path) -> str:
    """The title `syncer validate`'s own load gives e.jsonnet (through the same flag handling)."""
    from syncer.cli import build_parser
    from syncer.cli.jsonnet_options import jsonnet_flags

    old = Path.cwd()
    os.chdir(cwd)
    try:
        args = build_parser(["syncer.cli.oneshot"]).parse_args(["validate", str(src), "-J", "libs"])
        jpath = jsonnet_flags(args)["jpath"]
    finally:
        os.chdir(old)
    options = JsonnetOptions(jpath=jpath, ext_vars={"t": "x"}, tla_vars={"n": "1"})
    return str(validate_directory(src, jsonnet=options).dashboards["e"].title)


def test_validate_cli_takes_the_jsonnet_flags(tmp_path: Path) -> None:
    src = tmp_path / "src"
    put(src, "d.jsonnet", "function(n) { uid: 'd-' + n, title: std.extVar('t'), panels: [] }\n")
    put(tmp_path, "lib/x.libsonnet", "{}")
    command = [sys.executable, "-m", "syncer", "validate", str(src), "--output", "json"]
    env = {**os.environ, "TEAM_TITLE": "From env"}
    done = subprocess.run(
        [*command, "--ext-str", "t=Hello", "--tla-str", "n=1", "-J", str(tmp_path / "lib")],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["dashboards"] == 1
    from_env = subprocess.run(
        [*command, "--ext-str", "TEAM_TITLE", "--tla-code", "n=1+1"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=env,
    )
    problems = json.loads(from_env.stdout)["problems"]
    assert from_env.returncode == 1 and "external variable is not defined: t" in problems[0]["message"]
    assert problems[0]["path"] == "d.jsonnet" and problems[0]["line"] == 1
    # -J relative to the current directory, else to the source root
    put(src, "libs/t.libsonnet", "'From the source root'")
    put(tmp_path, "libs/t.libsonnet", "'From the current directory'")
    put(src, "e.jsonnet", "{ uid: 'e', title: import 't.libsonnet', panels: [] }")
    for cwd, title in ((tmp_path, "From the current directory"), (REPO, "From the source root")):
        assert validate_title(src, cwd) == title


def test_a_jsonnet_projects_tests_and_ci_files_are_skipped_with_a_warning(tmp_path: Path) -> None:
    """A mixin's repository (jsonnetfile.json at its root) holds promtool tests, CI and provisioning
    YAML; those are no dashboards. A dashboard-like file there is still checked, and outside a
    project the same files are errors as before."""
    put(tmp_path, "jsonnetfile.json", '{"version": 1}')
    put(tmp_path, "lib/dashboards.jsonnet", "{ 'a.json': { uid: 'a', title: 'A', panels: [] } }")
    put(tmp_path, "tests.yaml", "rule_files: [prometheus_alerts.yaml]\nevaluation_interval: 1m\ntests: []\n")
    put(tmp_path, "scripts/provisioning/dashboards.yaml", "apiVersion: 1\nproviders: [{name: x}]\n")
    put(
        tmp_path,
        "scripts/lgtm.yaml",
        "apiVersion: v1\nkind: Service\n---\napiVersion: apps/v1\nkind: Deployment\n",
    )
    put(tmp_path, "extra/ok.json", json.dumps({"uid": "ok", "title": "OK"}))
    put(tmp_path, "extra/broken.json", json.dumps({"uid": "broken", "panels": []}))  # a dashboard, no title
    state = validate_directory(tmp_path)
    assert sorted(state.dashboards) == ["a", "ok"]
    assert [e.path for e in state.errors] == ["extra/broken.json"]
    skipped = sorted(w.path for w in state.warnings if "jsonnet project" in w.message)
    assert skipped == ["scripts/lgtm.yaml", "scripts/provisioning/dashboards.yaml", "tests.yaml"]

    (tmp_path / "jsonnetfile.json").unlink()
    outside = validate_directory(tmp_path)
    assert {e.path for e in outside.errors} >= {"tests.yaml", "scripts/lgtm.yaml", "extra/broken.json"}
