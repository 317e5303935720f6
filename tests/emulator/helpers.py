"""Small request builders shared by the emulator contract tests."""

from __future__ import annotations

from typing import Any

from support.emulator import Emulator


def save(
    emulator: Emulator,
    dashboard: dict[str, Any],
    *,
    folder_uid: str | None = None,
    overwrite: bool = False,
    message: str | None = None,
    auth: str = "token",
    expect: int | None = 200,
) -> dict[str, Any]:
    body: dict[str, Any] = {"dashboard": dashboard, "overwrite": overwrite}
    if folder_uid is not None:
        body["folderUid"] = folder_uid
    if message is not None:
        body["message"] = message
    response = emulator.api("POST", "/api/dashboards/db", json=body, auth=auth)  # type: ignore[arg-type]
    if expect is not None:
        assert response.status_code == expect, response.text
    document: dict[str, Any] = response.json()
    return document


def folder(
    emulator: Emulator, uid: str, title: str | None = None, parent: str | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"uid": uid, "title": title or uid.title(), **extra}
    if parent is not None:
        body["parentUid"] = parent
    response = emulator.api("POST", "/api/folders", json=body)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def get(emulator: Emulator, uid: str, *, auth: str = "token") -> dict[str, Any]:
    response = emulator.api("GET", f"/api/dashboards/uid/{uid}", auth=auth)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document
