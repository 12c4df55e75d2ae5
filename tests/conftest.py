"""Fixtures shared across the suite live in tests/fixtures/, one module per real service."""

pytest_plugins = [
    "tests.fixtures.azurite",
    "tests.fixtures.oidc_provider",
    "tests.fixtures.postgres",
]
