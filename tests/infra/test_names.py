"""Generated names: azd prefix + id + resourceToken, unique, valid, deterministic."""

from __future__ import annotations

import re

from momentloop_infra.model import names
from momentloop_infra.pipeline.synthesize import synthesize
from tests.infra.builders import base

TOKEN = "a" * names.TOKEN_LENGTH


def _storage_names(count: int, id_of: str = "store-{}") -> list[str]:
    b = base()
    for i in range(count):
        b.store(id_of.format(i))
    plan = synthesize(b.stack)
    return [n.sample() for p, n in plan.names.items() if n.rule is names.STORAGE_ACCOUNT]


def test_500_blob_stores_get_500_distinct_valid_storage_account_names() -> None:
    found = _storage_names(500)
    assert len(found) == 500 and len(set(found)) == 500
    assert all(re.fullmatch(r"st[a-z0-9]{1,22}", n) and len(n) <= 24 for n in found)


def test_long_ids_are_shortened_the_same_way_every_time() -> None:
    first = _storage_names(40, "customer-uploads-archive-{}")
    again = _storage_names(40, "customer-uploads-archive-{}")
    assert first == again
    assert len(set(first)) == 40 and all(len(n) <= 24 for n in first)


def test_ids_that_reduce_to_the_same_slug_stay_distinct() -> None:
    b = base()
    b.store("media-1")
    b.store("media1")
    plan = synthesize(b.stack)
    samples = [plan.names[f"demo/{i}"].sample() for i in ("media-1", "media1")]
    assert samples[0] != samples[1]


def test_every_generated_name_fits_its_type() -> None:
    b = base()
    long = "a-very-long-identifier-that-goes-on-and-on"
    app = b.app(f"{long}-app")
    app.connect(b.store(f"{long}-store"))
    app.connect(b.vault(f"{long}-vault"))
    app.connect(b.db(f"{long}-db"))
    plan = synthesize(b.stack)
    for path, name in plan.names.items():
        assert name.rule.check(name.sample()) is None, (path, name.sample())


def test_names_render_as_azd_expressions() -> None:
    b = base()
    b.store("photos")
    name = synthesize(b.stack).names["demo/photos"]
    assert str(name.expression()) == "'${abbrs.storageStorageAccounts}photos${resourceToken}'"
    assert name.sample() == f"stphotos{TOKEN}"
