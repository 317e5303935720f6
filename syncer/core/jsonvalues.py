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


def normalise_numbers(value: JSON) -> JSON:
    """`value` with every number passed through `normalise_number`.

    Unchanged parts are shared, not copied (callers never mutate them): most dashboards need no
    change at all, and this runs for every dashboard on every load and every live read.
    """
    kind = type(value)
    if kind is dict:
        changed: dict[str, JSON] | None = None
        for key, item in value.items():
            new = normalise_numbers(item)
            if new is not item:
                changed = changed if changed is not None else dict(value)
                changed[key] = new
        return value if changed is None else changed
    if kind is list:
        items: list[JSON] | None = None
        for index, item in enumerate(value):
            new = normalise_numbers(item)
            if new is not item:
                items = items if items is not None else list(value)
                items[index] = new
        return value if items is None else items
    if kind is float or (kind is int and abs(value) > _FLOAT64_EXACT_INT):
        new_number = normalise_number(value)
        return value if new_number == value and type(new_number) is kind else new_number
    return value


def max_depth(value: JSON) -> int:
    """Nesting depth of containers (a scalar is 0, `{}` is 1), computed without recursion.

    Only containers are visited: this runs over every source file, most of whose values are scalars.
    """
    if type(value) is not dict and type(value) is not list:
        return 0
    deepest = 0
    stack: list[tuple[JSON, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in item.values() if type(item) is dict else item:
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1))
    return deepest
