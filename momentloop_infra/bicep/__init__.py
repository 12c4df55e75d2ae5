"""Bicep values: expressions that remember the symbols they read, and the one value serializer."""
