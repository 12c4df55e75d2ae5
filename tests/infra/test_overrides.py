"""The escape hatch: override any property of the resource a construct emits."""

from __future__ import annotations

import pytest

from momentloop_infra import StackError
from momentloop_infra.pipeline.synthesize import synthesize
from tests.infra.builders import base
from tests.infra.support import files_of


def test_override_sets_a_nested_property_and_renders_it() -> None:
    b = base()
    db = b.db()
    db.override("properties.backup.backupRetentionDays", 14)
    db.override("properties.maintenanceWindow", {"customWindow": "Enabled", "dayOfWeek": 0})
    text = files_of(b.stack)["modules/postgresql-db.bicep"]
    assert "backupRetentionDays: 14\n" in text and "backupRetentionDays: 7" not in text
    assert "maintenanceWindow: {\n      customWindow: 'Enabled'\n      dayOfWeek: 0\n    }" in text


def test_override_through_a_value_that_is_not_an_object_is_refused() -> None:
    b = base()
    store = b.store()
    store.override("properties.minimumTlsVersion.value", "x")
    with pytest.raises(
        StackError,
        match=r"demo/store: override = 'properties.minimumTlsVersion.value': 'minimumTlsVersion' is not an object",
    ):
        synthesize(b.stack)


def test_override_needs_a_dotted_path() -> None:
    b = base()
    b.store().override("properties..x", 1)
    with pytest.raises(StackError, match=r"demo/store: override = 'properties..x': give a dotted property path"):
        synthesize(b.stack)


def test_an_override_is_validated_against_the_azure_schema_like_everything_else() -> None:
    b = base()
    store = b.store()
    store.override("properties.allowSharedKeyAccesss", False)  # a typo
    store.override("properties.minimumTlsVersion", "TLS1_0")  # weaker than the design allows
    with pytest.raises(StackError) as raised:
        synthesize(b.stack)
    text = str(raised.value)
    assert "demo/store: properties.allowSharedKeyAccesss: is not a property of" in text and "[ML002]" in text
    assert "demo/store: properties.minimumTlsVersion = 'TLS1_0'" in text and "[ML111]" in text
