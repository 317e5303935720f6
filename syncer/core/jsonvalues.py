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
    """A deep copy with every number passed through `normalise_number`."""

    def leaf(item: JSON) -> JSON:
        if isinstance(item, int | float) and not isinstance(item, bool):
            return normalise_number(item)
        return item

    return map_leaves(value, leaf)


def max_depth(value: JSON) -> int:
    """Nesting depth of containers (a scalar is 0, `{}` is 1), computed without recursion."""
    deepest = 0
    stack: list[tuple[JSON, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest
