"""Settings: the pydantic model, duration fields, file layering (file < env < flags) and their errors.
Used by the CLI and `syncer.app` to build runs; nothing below `app` imports it (adapters take plain values).
It must not do I/O beyond reading the settings file it is given."""
