"""The engine's small pure pieces, table-driven: backoff, marker codecs, pull file naming,
version messages and the public URL in reports. (The behaviour they serve is covered over real
HTTP elsewhere in this directory; these pin the exact rules.)"""

from __future__ import annotations

import pytest

from syncer.adapters.files.pull.writer import safe_name, unique
from syncer.adapters.grafana.legacy.stored_json import StoredDashboardJSON
from syncer.adapters.grafana.marker import (
    decode_dashboard_marker,
    decode_folder_marker,
    encode_dashboard_marker,
    encode_folder_marker,
    split_dashboard,
)
from syncer.adapters.grafana.retry import MAX_RETRY_AFTER_S, RetryPolicy
from syncer.engine.execute import version_message
from syncer.model.errors import (
    Forbidden,
    GrafanaError,
    Invalid,
    RateLimited,
    ServerError,
    Unreachable,
    VersionConflict,
)
from syncer.model.state import OwnershipMarker
from syncer.render.json_report import public_url


@pytest.mark.parametrize(
    ("error", "attempt", "retried"),
    [
        (ServerError("x"), 0, True),
        (RateLimited("x"), 3, True),
        (Unreachable("x"), 1, True),
        (ServerError("x"), 4, False),  # budget spent
        (VersionConflict("x"), 0, False),  # the executor re-reads and re-plans instead
        (Forbidden("x"), 0, False),
        (Invalid("x"), 0, False),
    ],
)
def test_which_failures_are_retried(error: GrafanaError, attempt: int, retried: bool) -> None:
    assert RetryPolicy(retries=4).should_retry(error, attempt) is retried


@pytest.mark.parametrize(
    ("rand", "attempt", "retry_after", "expected"),
    [
        (1.0, 0, None, 0.25),  # equal jitter: d/2 + rand * d/2, d = base * 2**attempt
        (1.0, 3, None, 2.0),
        (0.5, 3, None, 1.5),
        (1.0, 10, None, 8.0),  # capped
        (0.0, 2, None, 0.5),  # never zero: at least half of d
        (0.1, 0, 3.0, 3.0),  # Retry-After wins over a shorter jittered delay
        (1.0, 10, 1.0, 8.0),  # ... but never shortens the backoff
        (0.0, 0, 10_000.0, MAX_RETRY_AFTER_S),  # and a hostile value is bounded
    ],
)
def test_backoff_delay(rand: float, attempt: int, retry_after: float | None, expected: float) -> None:
    policy = RetryPolicy(base_s=0.25, cap_s=8.0, rand=lambda: rand)
    assert policy.delay(attempt, retry_after) == pytest.approx(expected)


def test_dashboard_marker_round_trip_and_malformed_markers_read_as_unmanaged() -> None:
    marker = OwnershipMarker("team-a", "x/y.json", "sha256:ab", commit="c0ffee", timestamp_ms=5)
    content, decoded = split_dashboard({"title": "T", "__syncer": encode_dashboard_marker(marker)})
    assert decoded == marker and content == {"title": "T"}
    for bad in (
        None,
        "syncer",
        {"managedBy": "other", "managerId": "a", "sourcePath": "", "sourceChecksum": ""},
        {"managedBy": "syncer", "managerId": "", "sourcePath": "p", "sourceChecksum": "c"},
        {"managedBy": "syncer", "managerId": "a", "sourcePath": "p"},
    ):
        assert decode_dashboard_marker(bad) is None


@pytest.mark.parametrize(
    ("description", "manager", "path"),
    [
        ("managed-by: syncer/syncer source: ops/db", "syncer", "ops/db"),
        ("Team folder\nmanaged-by: syncer/team-b source: a b/c", "team-b", "a b/c"),
        ("managed by hand", None, None),
        ("", None, None),
    ],
)
def test_folder_marker_in_the_description(description: str, manager: str | None, path: str | None) -> None:
    decoded = decode_folder_marker(description)
    assert (decoded.manager_id if decoded else None) == manager
    assert (decoded.source_path if decoded else None) == path


def test_folder_marker_survives_odd_directory_names() -> None:
    text = encode_folder_marker(OwnershipMarker("syncer", "weird\nname/with  spaces", ""))
    assert "\n" not in text
    decoded = decode_folder_marker(text)
    assert decoded is not None and decoded.source_path == "weird name/with spaces"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Kubernetes / Cluster", "Kubernetes-Cluster"),
        ("  _folder ", "folder"),  # never the folder metadata file's name
        (".hidden", "hidden"),  # never a hidden file the loader would skip
        ("Überblick: CPU (p99)", "Überblick-CPU-p99"),
        ("///", "fallback-uid"),
        ("x" * 200, "x" * 80),
    ],
)
def test_pull_file_names(title: str, expected: str) -> None:
    assert safe_name(title, "fallback-uid") == expected


def test_pull_names_are_unique_case_insensitively() -> None:
    taken: set[str] = set()
    assert [unique(n, taken) for n in ("Ops", "ops", "OPS", "Ops-2")] == ["Ops", "ops-2", "OPS-3", "Ops-2-2"]


@pytest.mark.parametrize(
    ("commit", "overwrites", "expected"),
    [
        (None, None, "syncer: a/b.json"),
        ("0123456789abcdef0123", None, "syncer: a/b.json @ 0123456789ab"),
        ("0123456789abcdef0123-dirty", None, "syncer: a/b.json @ 0123456789ab-dirty"),
        (None, 7, "syncer: a/b.json (replaces an edit made in Grafana; that edit is kept as version 7)"),
    ],
)
def test_version_message(commit: str | None, overwrites: int | None, expected: str) -> None:
    assert version_message("a/b.json", commit, overwrites) == expected


def test_version_message_fits_grafanas_limit() -> None:
    assert len(version_message("d/" * 400 + "x.json", "f" * 40, 3)) == 500


def test_report_url_never_carries_credentials() -> None:
    assert (
        public_url("https://admin:s3cret@grafana.example.com:8443/sub")
        == "https://grafana.example.com:8443/sub"
    )


def test_stored_content_parses_lazily_and_drops_the_marker() -> None:
    stored = StoredDashboardJSON(
        b'{"dashboard": {"title": "T", "__syncer": {}}, "meta": {}}', drop="__syncer"
    )
    assert "bytes" in repr(stored)
    assert dict(stored) == {"title": "T"} and "parsed" in repr(stored)
