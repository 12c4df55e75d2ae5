"""`momentloop-synth cost`: the seed's figures are the check; every type the library emits has
a price or an explicit entry; assumptions are printed with their defaults and options."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from momentloop_infra.cli import main
from momentloop_infra.model.api_versions import API_VERSIONS
from momentloop_infra.review.assumptions import ASSUMPTIONS
from momentloop_infra.review.cost import price_table
from tests.infra.support import REPO


def cost(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        main, ["--app", f"{REPO / 'examples' / 'momentloop.py'}:stack", "cost", "--format", "json", *args]
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def lines(profile: dict[str, Any], path: str) -> dict[str, float]:
    return {line["item"]: line["usd"] for line in profile["lines"] if line["path"] == path}


def test_the_default_profile_falls_in_the_seeds_ranges() -> None:
    default, scale_up = cost()["profiles"]
    assert (default["profile"], scale_up["profile"]) == ("default", "scale-up")
    postgres = lines(default, "momentloop/postgres")
    assert 12 <= postgres["compute Standard_B1ms"] <= 14  # seed: ~$13
    assert 4.5 <= lines(default, "momentloop/registry")["registry Basic"] <= 5.5  # seed: ~$5
    assert 0 < sum(lines(default, "momentloop/storage").values()) <= 0.05  # seed: ~$0.02
    assert 0 < sum(lines(default, "momentloop/vault").values()) <= 0.05  # seed: ~$0.03
    assert 1 <= sum(lines(default, "momentloop/monitoring").values()) <= 3  # seed: ~$1-3
    assert 35 <= default["total_usd"] <= 40  # seed: ~$35-40
    assert scale_up["total_usd"] > 5 * default["total_usd"]


def test_container_apps_use_the_free_grant_and_min_replicas() -> None:
    default, _ = cost()["profiles"]
    grant = lines(default, "(subscription)")["Container Apps free grant"]
    # 180,000 vCPU-s x $0.000024 + 360,000 GiB-s x $0.000003 + 2M requests x $0.40/M
    assert grant == pytest.approx(-(180_000 * 0.000024 + 360_000 * 0.000003 + 2 * 0.4), abs=0.01)
    idle = cost("--assume", "active_hours=0", "--assume", "requests_millions=0")
    default_idle, scale_idle = idle["profiles"]
    # min_replicas 0: nothing runs, nothing is billed
    assert lines(default_idle, "momentloop/backend")["consumption (before the free grant)"] == 0
    # min_replicas 1: a 1 vCPU / 2 GiB replica idles all month at the idle rates
    backend = lines(scale_idle, "momentloop/backend")["consumption (before the free grant)"]
    assert backend == pytest.approx(730 * 3600 * (1 * 0.000003 + 2 * 0.000003), abs=0.01)


def test_an_assumption_changes_its_line_and_is_printed_with_its_default_and_option() -> None:
    more_logs = cost("--assume", "log_gb=10")
    assert more_logs["profiles"][0]["assumptions"]["log_gb"] == 10
    assert lines(more_logs["profiles"][0], "momentloop/monitoring")["logs ingested"] == pytest.approx(27.6)
    text = (
        CliRunner()
        .invoke(main, ["--app", f"{REPO / 'examples' / 'momentloop.py'}:stack", "cost", "--assume", "log_gb=10"])
        .output
    )
    assert (
        "log_gb = 10 GB/month (given): logs ingested into each Log Analytics workspace; default 1, change with --assume log_gb=N"
        in text
    )
    for a in ASSUMPTIONS:
        assert f"change with --assume {a.name}=N" in text


def test_every_type_the_library_emits_has_a_price_or_an_explicit_entry() -> None:
    types = price_table()["types"]
    assert set(API_VERSIONS) <= set(types)
    for entry in types.values():
        assert entry["charge"] in ("estimated", "no charge", "not estimated")
        assert entry["why"]


def test_every_price_carries_its_date_source_and_unit() -> None:
    table = price_table()
    assert (table["currency"], table["region"]) == ("USD", "eastus")
    assert "not fetched at run time" in table["about"]
    for price in table["prices"].values():
        assert price["usd"] > 0
        assert price["unit"] and price["source"]
        assert len(price["date"]) >= 7


def test_an_unpriced_sku_is_shown_as_not_estimated(tmp_path: Any) -> None:
    stack = tmp_path / "odd.py"
    stack.write_text(
        "from momentloop_infra import PostgresFlexible, Stack\n"
        "stack = Stack('odd')\n"
        "PostgresFlexible(stack, 'postgres', sku='Standard_E64s_v3')\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--app", f"{stack}:stack", "cost", "--profile", "default", "--format", "json"])
    assert result.exit_code == 0, result.output
    (profile,) = json.loads(result.output)["profiles"]
    (compute,) = [line for line in profile["lines"] if line["item"].startswith("compute")]
    assert compute["usd"] is None
    assert compute["detail"] == "not estimated: no price for the SKU Standard_E64s_v3 in the table"
