"""Conformance of `/api/library-elements` with Grafana's published API description (11.4.0):
every status documented for the operation, every body valid against its response schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.inprocess import InProcessEmulator

from ..test_openapi_conformance import SPEC_PATH, apply_errata, jsonschema, response_schema

pytestmark = pytest.mark.skipif(not SPEC_PATH.exists(), reason="Grafana OpenAPI description not available")

MODEL = {"type": "stat", "title": "Up", "targets": [{"expr": "up", "refId": "A"}]}
USER = {"uid": "uses", "title": "Uses", "panels": [{"id": 1, "libraryPanel": {"uid": "le", "name": "Up"}}]}
ONE = "/library-elements/{library_element_uid}"

SCENARIO: list[tuple[str, str, str, dict[str, Any]]] = [
    ("POST", "/folders", "/api/folders", {"json": {"uid": "lf", "title": "Library folder"}}),
    (
        "POST",
        "/library-elements",
        "/api/library-elements",
        {"json": {"uid": "le", "name": "Up", "kind": 1, "model": MODEL, "folderUid": "lf"}},
    ),
    (
        "POST",
        "/library-elements",
        "/api/library-elements",
        {"json": {"uid": "le", "name": "Up", "kind": 1, "model": MODEL}},
    ),
    (
        "POST",
        "/library-elements",
        "/api/library-elements",
        {"json": {"name": "x", "kind": 1, "model": {}, "folderUid": "nope"}},
    ),
    (
        "POST",
        "/library-elements",
        "/api/library-elements",
        {"json": {"name": "x", "kind": 1, "model": {}}, "auth": "viewer"},
    ),
    (
        "GET",
        "/library-elements",
        "/api/library-elements",
        {"params": {"perPage": 1, "folderFilterUIDs": "lf"}},
    ),
    ("GET", ONE, "/api/library-elements/le", {}),
    ("GET", ONE, "/api/library-elements/missing", {}),
    ("GET", "/library-elements/name/{library_element_name}", "/api/library-elements/name/Up", {}),
    ("GET", "/library-elements/name/{library_element_name}", "/api/library-elements/name/None", {}),
    ("PATCH", ONE, "/api/library-elements/le", {"json": {"kind": 1, "version": 1, "name": "Up 2"}}),
    ("PATCH", ONE, "/api/library-elements/le", {"json": {"kind": 1, "version": 1, "name": "Late"}}),
    ("PATCH", ONE, "/api/library-elements/missing", {"json": {"kind": 1, "version": 1}}),
    ("POST", "/dashboards/db", "/api/dashboards/db", {"json": {"dashboard": USER}}),
    ("GET", f"{ONE}/connections/", "/api/library-elements/le/connections/", {}),
    ("GET", f"{ONE}/connections/", "/api/library-elements/missing/connections/", {}),
    ("DELETE", ONE, "/api/library-elements/le", {}),
    ("DELETE", "/dashboards/uid/{uid}", "/api/dashboards/uid/uses", {}),
    ("DELETE", ONE, "/api/library-elements/le", {}),
    ("DELETE", ONE, "/api/library-elements/le", {}),
]


def test_library_elements_conform_to_the_published_description() -> None:
    spec = apply_errata(json.loads(SPEC_PATH.read_text()))
    emulator = InProcessEmulator.start(profile="11.4")
    statuses = []
    try:
        for method, template, path, options in SCENARIO:
            response = emulator.api(method, path, **options)
            statuses.append(response.status_code)
            schema = response_schema(spec, method, template, response.status_code)
            if schema is None:
                continue
            validator = jsonschema.Draft4Validator({**schema, "definitions": spec["definitions"]})
            errors = [
                f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator.iter_errors(response.json())
            ]
            assert not errors, f"{method} {path} -> {response.status_code}: {errors[:5]}"
    finally:
        emulator.stop()
    assert statuses == [
        200,
        200,
        400,
        404,
        403,
        200,
        200,
        404,
        200,
        404,
        200,
        412,
        404,
        200,
        200,
        404,
        403,
        200,
        200,
        404,
    ]
