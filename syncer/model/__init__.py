"""Pure vocabulary shared by every layer: desired/live state, plan actions, results, errors.
Used by everything above it; it imports nothing of syncer's.
It does no I/O and reads no clock; everything is an immutable value."""
