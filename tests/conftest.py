"""Fixtures shared across the suite live in tests/fixtures/, one module per real service.

Property tests (hypothesis) explore new examples on every run on a developer's machine; under CI
they run a fixed sequence, so a landing never hangs on an example found by chance (a failure found
locally becomes an explicit @example, as test_string_serializer's have).
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

pytest_plugins = [
    "tests.fixtures.azurite",
    "tests.fixtures.oidc_provider",
    "tests.fixtures.postgres",
]
