"""Pure vocabulary shared by every layer: desired/live state, plan actions, results, errors.

Nothing here does I/O or reads a clock; everything is an immutable value.
"""
