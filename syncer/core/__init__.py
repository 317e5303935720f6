"""Pure logic: essence and checksums, normalisation, uid derivation, input resolution, the planner.

Nothing here does I/O, reads a clock or imports an I/O library (enforced by import-linter).
"""
