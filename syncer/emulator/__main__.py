"""`python -m syncer.emulator`: start the emulator without loading the rest of syncer."""

from syncer.emulator.cli import main

raise SystemExit(main())
