"""The mass-deletion paths of the adversarial trial (issue 12), replayed through the real CLI, each
judged by the server's state afterwards.

1. A subdirectory swapped for a dangling symlink (and other link shapes): `validate` fails and
   names it, `apply --prune` deletes nothing under it.
2. Two sources on one Grafana with default settings never prune or overwrite each other's objects;
   upgrading from the single pre-0.2 default id orphans and deletes nothing.
3. A hand-made dashboard whose uid a file reuses is not taken over without `--adopt`, so a later
   prune cannot delete it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from support.emulator import Emulator

from fault.kit import (
    Unmanaged,
    apply,
    connection,
    dashboard,
    get_dashboard,
    run_syncer,
    search_dashboards,
    write_json,
    write_tree,
)

pytestmark = pytest.mark.fault

EXIT_ERROR, EXIT_CONFLICT = 1, 3


def _uids(emulator: Emulator) -> set[str]:
    return {hit["uid"] for hit in search_dashboards(emulator)}


def _two_teams(root: Path) -> tuple[set[str], set[str]]:
    """team1/ and team2/ with five dashboards each; returns their uids."""
    teams = []
    for team in ("team1", "team2"):
        uids = set()
        for i in range(5):
            uid = f"{team}-{i}"
            write_json(root / team / f"{uid}.json", dashboard(uid, f"{team} {i}"))
            uids.add(uid)
        teams.append(uids)
    return teams[0], teams[1]


# ---------------------------------------------------------------- 1. link shapes


def _dangling(root: Path, scratch: Path) -> None:
    shutil.rmtree(root / "team2")
    (root / "team2").symlink_to("/nonexistent/team2", target_is_directory=True)


def _dangling_relative(root: Path, scratch: Path) -> None:
    shutil.rmtree(root / "team2")
    (root / "team2").symlink_to("..rev-gone/team2")


def _to_outside(root: Path, scratch: Path) -> None:
    shutil.move(root / "team2", scratch / "team2")
    (root / "team2").symlink_to(scratch / "team2", target_is_directory=True)


def _to_sibling(root: Path, scratch: Path) -> None:
    shutil.rmtree(root / "team2")
    (root / "team2").symlink_to("team1", target_is_directory=True)


def _loop(root: Path, scratch: Path) -> None:
    shutil.rmtree(root / "team2")
    (root / "team2").symlink_to(".", target_is_directory=True)


def _to_a_file(root: Path, scratch: Path) -> None:
    shutil.rmtree(root / "team2")
    (root / "team2").symlink_to("team1/team1-0.json")


LINK_SHAPES: dict[str, Callable[[Path, Path], None]] = {
    "dangling-absolute": _dangling,
    "dangling-relative": _dangling_relative,
    "to-outside-the-root": _to_outside,
    "to-a-sibling-directory": _to_sibling,
    "loop": _loop,
}


@pytest.mark.parametrize("shape", sorted(LINK_SHAPES))
def test_a_directory_swapped_for_a_bad_link_blocks_prune(
    emulator: Emulator, tmp_path: Path, shape: str
) -> None:
    root = tmp_path / "src"
    team1, team2 = _two_teams(root)
    assert apply(emulator, root).returncode == 0
    LINK_SHAPES[shape](root, tmp_path)

    validated = run_syncer("validate", str(root))
    assert validated.returncode == EXIT_ERROR, validated.stdout + validated.stderr
    assert "team2: error:" in validated.stderr, validated.stderr

    done = apply(emulator, root, "--prune")
    assert done.returncode == EXIT_ERROR, done.stdout + done.stderr
    assert "prune refused" in done.stdout + done.stderr
    assert team1 | team2 <= _uids(emulator)


def test_a_directory_link_that_is_not_a_dashboard_file_name_is_an_error(tmp_path: Path) -> None:
    """A link named like a directory that points to a file claims to be something it is not read
    as; any unreadable name counts (the dashboards it held would otherwise be pruned)."""
    root = tmp_path / "src"
    _two_teams(root)
    _to_a_file(root, tmp_path)
    # a link to a file without a dashboard suffix is simply not a dashboard: no error, no load
    assert run_syncer("validate", str(root)).returncode == 0
    (root / "team2").unlink()
    (root / "team2").symlink_to("missing-target")
    done = run_syncer("validate", str(root))
    assert done.returncode == EXIT_ERROR and "team2: error: broken symlink" in done.stderr


def test_a_kubernetes_style_directory_link_is_followed_and_keeps_its_dashboards(
    emulator: Emulator, tmp_path: Path
) -> None:
    """kubelet projects ConfigMap item `team2/x.json` as `team2 -> ..data/team2`: followed, loaded
    under the link's own path, so nothing is pruned and the folder is `team2`."""
    root = tmp_path / "src"
    team1, team2 = _two_teams(root)
    assert apply(emulator, root).returncode == 0
    revision = root / "..2026_12_06" / "team2"
    revision.parent.mkdir()
    shutil.move(root / "team2", revision)
    (root / "..data").symlink_to("..2026_12_06")
    (root / "team2").symlink_to("..data/team2", target_is_directory=True)

    assert run_syncer("validate", str(root)).returncode == 0
    emulator.reset(counters_only=True)
    done = apply(emulator, root, "--prune")
    assert done.returncode == 0, done.stdout + done.stderr
    assert emulator.writes() == 0  # same dashboards, same folders
    assert team1 | team2 <= _uids(emulator)


# ---------------------------------------------------------------- 2. two sources, default settings


def test_two_repositories_with_default_settings_never_delete_each_other(
    emulator: Emulator, tmp_path: Path
) -> None:
    first = write_tree(tmp_path / "repo-a" / "dashboards", 12, prefix="a")
    second = write_tree(tmp_path / "repo-b" / "dashboards", 6, prefix="b")
    assert apply(emulator, tmp_path / "repo-a" / "dashboards", "--prune").returncode == 0
    folders_before = emulator.api("GET", "/api/folders").json()

    done = apply(emulator, tmp_path / "repo-b" / "dashboards", "--prune")

    assert done.returncode == 0, done.stdout + done.stderr
    assert set(first) | set(second) <= _uids(emulator)
    assert {f["uid"] for f in folders_before} <= {
        f["uid"] for f in emulator.api("GET", "/api/folders").json()
    }


def test_a_uid_owned_by_another_source_is_a_conflict_not_a_takeover(
    emulator: Emulator, tmp_path: Path
) -> None:
    write_json(tmp_path / "a" / "shared.json", dashboard("shared", "A's version"))
    write_json(tmp_path / "b" / "shared.json", dashboard("shared", "B's version"))
    assert apply(emulator, tmp_path / "a").returncode == 0

    done = apply(emulator, tmp_path / "b", "--prune")
    assert done.returncode == EXIT_CONFLICT, done.stdout + done.stderr
    assert "owned by another syncer instance" in done.stdout
    (tmp_path / "a" / "shared.json").unlink()
    write_json(tmp_path / "a" / "other.json", dashboard("other", "A's other"))
    found = get_dashboard(emulator, "shared")
    assert found is not None and found["dashboard"]["title"] == "A's version"


def test_upgrade_from_the_old_default_id_orphans_and_deletes_nothing(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Before 0.2 every default instance stamped `syncer`. Dashboards so stamped are claimed by the
    source that has them (restamped once, then zero writes) and pruned by no default instance."""
    repo_a, repo_b = tmp_path / "repo-a", tmp_path / "repo-b"
    first = write_tree(repo_a, 4, prefix="a")
    second = write_tree(repo_b, 3, prefix="b")
    for repo in (repo_a, repo_b):  # what the old release did with its default id
        assert apply(emulator, repo, "--manager-id", "syncer").returncode == 0
    gone = sorted(first)[0]
    (next(repo_a.rglob(f"{gone}.json"))).unlink()

    done = apply(emulator, repo_a, "--prune", "--output", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(first) | set(second) <= _uids(emulator)  # `gone` too: which source wrote it is unknown
    restamped = get_dashboard(emulator, sorted(first)[1])
    assert restamped is not None and restamped["dashboard"]["__syncer"]["managerId"] != "syncer"
    report = json.loads(done.stdout)
    (skip,) = [a for a in report["dashboards"] if a["uid"] == gone]
    assert skip["action"] == "skip" and "pre-upgrade default owner 'syncer'" in skip["reason"], skip

    emulator.reset(counters_only=True)
    assert apply(emulator, repo_a, "--prune").returncode == 0
    assert emulator.writes() == 0
    assert set(second) <= _uids(emulator)
    untouched = get_dashboard(emulator, sorted(second)[0])
    assert untouched is not None and untouched["dashboard"]["__syncer"]["managerId"] == "syncer"


# ---------------------------------------------------------------- 3. unowned dashboards


def test_a_hand_made_dashboard_is_not_taken_over_or_pruned_without_adopt(
    emulator: Emulator, tmp_path: Path
) -> None:
    hand_made = Unmanaged.seed(emulator, count=1)
    (uid,) = hand_made.versions
    root = tmp_path / "src"
    write_json(root / "colliding.json", dashboard(uid, "From git"))
    write_json(root / "mine.json", dashboard("mine", "Mine"))

    done = apply(emulator, root)
    assert done.returncode == EXIT_CONFLICT, done.stdout + done.stderr
    assert uid in done.stdout and "--adopt" in done.stdout
    hand_made.assert_untouched(emulator)

    (root / "colliding.json").unlink()
    assert apply(emulator, root, "--prune").returncode == 0
    hand_made.assert_untouched(emulator)


def test_adopt_takes_over_explicitly_and_says_so(emulator: Emulator, tmp_path: Path) -> None:
    hand_made = Unmanaged.seed(emulator, count=1)
    (uid,) = hand_made.versions
    root = tmp_path / "src"
    write_json(root / "colliding.json", dashboard(uid, "From git"))

    plan = run_syncer("plan", str(root), *connection(emulator), "--adopt")
    assert plan.returncode == 0 and "adopt" in plan.stdout, plan.stdout
    assert apply(emulator, root, "--adopt").returncode == 0
    found = get_dashboard(emulator, uid)
    assert found is not None and found["dashboard"]["title"] == "From git"
    assert "__syncer" in found["dashboard"]


def test_adopt_in_the_configuration_file(emulator: Emulator, tmp_path: Path) -> None:
    hand_made = Unmanaged.seed(emulator, count=1)
    (uid,) = hand_made.versions
    root = tmp_path / "src"
    write_json(root / "colliding.json", dashboard(uid, "From git"))
    config = tmp_path / "syncer.yaml"
    config.write_text(f"sync: {{dir: {json.dumps(os.fspath(root))}, adopt: true}}\n", encoding="utf-8")
    done = run_syncer("apply", "--config", str(config), *connection(emulator))
    assert done.returncode == 0, done.stdout + done.stderr
    found = get_dashboard(emulator, uid)
    assert found is not None and "__syncer" in found["dashboard"]


def _resources(emulator: Emulator) -> tuple[str, ...]:
    return ("--url", emulator.url, "--token", emulator.token, "--api", "resources")


def test_a_hand_made_folder_is_not_renamed_or_pruned_without_adopt(
    emulator: Emulator, tmp_path: Path
) -> None:
    """On the resources API a folder's missing marker is known to be missing: the folder is someone
    else's. A directory naming its uid does not rename it, and prune does not delete it."""
    made = emulator.api("POST", "/api/folders", json={"uid": "ops-hand", "title": "Ops (by hand)"})
    assert made.status_code == 200, made.text
    root = tmp_path / "src"
    write_json(root / "ops" / "_folder.json", {"uid": "ops-hand", "title": "Ops"})
    write_json(root / "ops" / "latency.json", dashboard("latency", "Latency"))

    done = run_syncer("apply", str(root), *_resources(emulator))
    assert done.returncode == EXIT_CONFLICT, done.stdout + done.stderr
    assert "ops-hand" in done.stdout and "--adopt" in done.stdout
    assert emulator.api("GET", "/api/folders/ops-hand").json()["title"] == "Ops (by hand)"

    shutil.rmtree(root / "ops")
    write_json(root / "other.json", dashboard("other", "Other"))
    run_syncer("apply", str(root), "--prune", *_resources(emulator))
    assert emulator.api("GET", "/api/folders/ops-hand").status_code == 200

    write_json(root / "ops" / "_folder.json", {"uid": "ops-hand", "title": "Ops"})
    adopted = run_syncer("apply", str(root), "--adopt", *_resources(emulator))
    assert adopted.returncode == 0, adopted.stdout + adopted.stderr
    assert emulator.api("GET", "/api/folders/ops-hand").json()["title"] == "Ops"
