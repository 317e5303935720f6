"""`ListPage`: a k8s list response decoded one item at a time (no server needed).

The decoder must give exactly what `json.loads` gives for the items and the continue token (numbers as
`normalise_numbers` leaves them), whatever the order of the top-level keys and the whitespace, and fail
loudly (never an empty listing) on a body that is not a JSON object.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from syncer.adapters.grafana.resources.pages import ListPage, MalformedPage
from syncer.core.jsonvalues import normalise_numbers
from syncer.model import jsontext


def items_and_token(text: str) -> tuple[list[Any], str | None]:
    page = ListPage(text)
    return list(page.items()), page.continue_token


def sample_items() -> list[dict[str, Any]]:
    return [
        {
            "metadata": {"name": f"d{i}", "annotations": {"a": "ü\u2028"}},
            "spec": {"title": f"t {i}", "n": [i, 1.5, None]},
        }
        for i in range(5)
    ]


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("metadata_first", [True, False])
def test_items_and_token_equal_what_json_loads_reads(indent: int | None, metadata_first: bool) -> None:
    meta = {"resourceVersion": "7", "continue": "next-page"}
    doc = {"kind": "DashboardList", "apiVersion": "dashboard.grafana.app/v0alpha1"}
    if metadata_first:
        doc.update(metadata=meta, items=sample_items())
    else:
        doc.update(items=sample_items(), metadata=meta)
    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    assert items_and_token(text) == (json.loads(text)["items"], "next-page")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"items": [], "metadata": {}}', ([], None)),
        ("{}", ([], None)),
        (' \n{ "metadata" : { "continue" : "" } , "items" : [ ] } \n', ([], None)),
        ('{"items": null, "metadata": {"continue": "x"}}', ([], "x")),
        ('{"items": [1, "s", {"metadata": {"name": "a"}}]}', ([{"metadata": {"name": "a"}}], None)),
    ],
)
def test_edge_shapes(text: str, expected: tuple[list[Any], str | None]) -> None:
    assert items_and_token(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "<html>proxy error</html>",
        "",
        "[]",
        '{"items": [{"a": 1}',  # cut off in the middle
        '{"items": [{"a": 1} {"b": 2}]}',
        '{"metadata": {} "items": []}',
    ],
)
def test_a_body_that_is_not_a_list_object_is_an_error(text: str) -> None:
    with pytest.raises(MalformedPage):
        items_and_token(text)


def test_items_come_one_at_a_time_before_the_rest_is_decoded() -> None:
    """The first item is handed out before a syntax error further on is reached: nothing decodes the
    whole page up front (that is what keeps a listing's memory to one page of text)."""
    page = ListPage('{"items": [{"n": 1}, {"n": 2}, oops]}')
    items = page.items()
    assert next(items) == {"n": 1}
    assert next(items) == {"n": 2}
    with pytest.raises(MalformedPage):
        next(items)


@pytest.mark.parametrize("long_integer", [2**53 + 1, 12])
def test_numbers_come_as_a_float64_round_trip_leaves_them(long_integer: int) -> None:
    """What lets a listed dashboard's checksum skip the walk (`live_dashboard(numbers_normal=True)`)."""
    items = [{"spec": {"n": [1.0, -0.0, 2.5, 1e5, long_integer, 7, True], "t": "1.0"}}]
    text = json.dumps({"items": items})
    page = ListPage(text, long_numbers=jsontext.may_hold_long_numbers(text.encode()))
    listed = list(page.items())
    expected = normalise_numbers(json.loads(text)["items"])
    assert listed == expected
    assert [type(n) for n in listed[0]["spec"]["n"]] == [type(n) for n in expected[0]["spec"]["n"]]
    assert [type(n) for n in listed[0]["spec"]["n"]][:4] == [int, int, float, int]
