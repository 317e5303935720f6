"""Pure logic: essence and checksums, normalisation, uids, inputs, the planner, the backoff formula.
Used by the engine, the adapters and the CLI; it imports only `model` and the `durations` leaf.
It does no I/O, reads no clock and imports no I/O library (enforced by import-linter)."""
