"""`python -m syncer` runs the same CLI as the `syncer` console script."""

from syncer.cli import main

raise SystemExit(main())
