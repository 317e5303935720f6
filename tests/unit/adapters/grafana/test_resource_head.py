"""`resources.head.members_before`: a k8s object's members before its spec, read without the spec,
equal to what a full parse gives for them; anything it cannot read that way is None (the caller
then parses the whole text)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from syncer.adapters.grafana.resources.head import members_before

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
keys = st.text().filter(lambda k: k != "spec")


@given(
    before=st.dictionaries(keys, values, max_size=4),
    after=st.dictionaries(keys, values, max_size=3),
    spec=values,
    indent=st.sampled_from([None, 1, 2]),
    ascii_only=st.booleans(),
)
def test_members_before_the_spec_are_what_a_full_parse_gives(
    before: dict[str, Any], after: dict[str, Any], spec: Any, indent: int | None, ascii_only: bool
) -> None:
    after = {k: v for k, v in after.items() if k not in before}
    text = json.dumps({**before, "spec": spec, **after}, indent=indent, ensure_ascii=ascii_only)
    assert members_before(text, "spec") == before
    whole = json.dumps({**before, **after}, indent=indent, ensure_ascii=ascii_only)
    assert members_before(whole, "spec") == {**before, **after}  # no spec: every member


def test_grafanas_layout_and_what_cannot_be_read_that_way() -> None:
    text = '{"apiVersion":"dashboard.grafana.app/v0alpha1","kind":"Dashboard","metadata":{"name":"x",'
    text += '"resourceVersion":"17","generation":2},"spec":{"title":"T","panels":[1e400]},"status":{}}'
    assert members_before(text, "spec") == {
        "apiVersion": "dashboard.grafana.app/v0alpha1",
        "kind": "Dashboard",
        "metadata": {"name": "x", "resourceVersion": "17", "generation": 2},
    }  # the spec itself (here with a number no float holds) is never read
    for broken in ("", "[]", "<html>", '{"a":', '{"a" 1}', '{"a":1 "b":2}', "{1:2}", '{"a":tru}'):
        assert members_before(broken, "spec") is None, broken
