"""User-facing constructs, one per file."""
