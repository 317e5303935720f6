"""Plan and report rendering: text, unified diff, JSON (filled in by issue 3)."""
