"""Reviewing a change to a stack: what it adds, removes, replaces and opens up, and what it costs."""
