"""Errors any layer may raise about the configuration."""

from __future__ import annotations


class ConfigurationError(Exception):
    """The configuration cannot work; the message is one sentence naming the variable and its value."""
