"""Helpers for plain JSON values (dicts, lists, str, int, float, bool, None).

Used by essence, normalise and inputs. Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from syncer.model.state import JSON

# Go decodes JSON numbers into float64 on some paths: integers beyond 2**53 lose precision and
# integral floats come back without a fraction. Normalising both ways makes the round trip stable.
_FLOAT64_EXACT_INT = 2**53


def normalise_number(value: int | float) -> int | float:
    """1.0 -> 1; an int too large for a float64 -> the int a float64 round trip would give."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        return value
    if abs(value) > _FLOAT64_EXACT_INT:
        as_float = float(value)
        return int(as_float) if as_float.is_integer() else value
    return value


def map_leaves(value: JSON, leaf: Callable[[JSON], JSON]) -> JSON:
    """A deep copy of `value` with `leaf` applied to every non-container value."""
    if isinstance(value, Mapping):
        return {key: map_leaves(item, leaf) for key, item in value.items()}
    if isinstance(value, list):
        return [map_leaves(item, leaf) for item in value]
    return leaf(value)


class NestedTooDeep(ValueError):
    """A value nested deeper than the `max_depth` given to `normalise_numbers`."""


def normalise_numbers(value: JSON, *, max_depth: int | None = None) -> JSON:
    """`value` with every number passed through `normalise_number`.

    Unchanged parts are shared, not copied (callers never mutate them): most dashboards need no
    change at all, and this runs for every dashboard on every load and every live read.
    `max_depth`: raise NestedTooDeep past that many levels of containers (a scalar is 0 deep, `{}`
    is 1), so reading a file checks its nesting in the same walk instead of a second one.
    """
    return _normalise(value, _UNBOUNDED if max_depth is None else max_depth)


_UNBOUNDED = 1 << 62


def _normalise(value: JSON, depth_left: int) -> JSON:
    kind = type(value)
    if kind is dict:
        if depth_left <= 0:
            raise NestedTooDeep("nested too deeply")
        changed: dict[str, JSON] | None = None
        for key, item in value.items():
            new = _normalise(item, depth_left - 1)
            if new is not item:
                changed = changed if changed is not None else dict(value)
                changed[key] = new
        return value if changed is None else changed
    if kind is list:
        if depth_left <= 0:
            raise NestedTooDeep("nested too deeply")
        items: list[JSON] | None = None
        for index, item in enumerate(value):
            new = _normalise(item, depth_left - 1)
            if new is not item:
                items = items if items is not None else list(value)
                items[index] = new
        return value if items is None else items
    if kind is float or (kind is int and abs(value) > _FLOAT64_EXACT_INT):
        new_number = normalise_number(value)
        return value if new_number == value and type(new_number) is kind else new_number
    return value
