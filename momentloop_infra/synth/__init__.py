"""Synthesis: constructs → records → files, written atomically."""
