"""A monthly estimate per resource from the shipped price table (prices.json, never fetched),
with the usage assumptions printed beside the figures."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import attrs

from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.review.snapshot import Instance, Snapshot
from momentloop_infra.review.values import Value

PRICES = Path(__file__).with_name("prices.json")


@cache
def price_table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PRICES.read_text("utf-8"))
    return data


@attrs.frozen(repr=False)
class CostLine(FieldRepr):
    path: str  # construct path
    type: str
    item: str  # what is billed, e.g. 'compute Standard_B1ms'
    usd: float | None  # None: not estimated
    detail: str  # the arithmetic, or why there is no figure
    prices: tuple[str, ...] = ()  # price ids used


@attrs.frozen(repr=False)
class CostReport(FieldRepr):
    profile: str
    lines: tuple[CostLine, ...]
    assumptions: Mapping[str, float]

    @property
    def total(self) -> float:
        return round(sum(line.usd for line in self.lines if line.usd is not None), 2)

    def by_resource(self) -> dict[str, float]:
        found: dict[str, float] = {}
        for line in self.lines:
            if line.usd is not None:
                found[line.path] = round(found.get(line.path, 0.0) + line.usd, 2)
        return found

    @property
    def price_ids(self) -> tuple[str, ...]:
        return tuple(sorted({p for line in self.lines for p in line.prices}))


def _usd(price_id: str) -> float:
    value: float = price_table()["prices"][price_id]["usd"]
    return value


def _get(body: Mapping[str, Value], dotted: str) -> Value:
    value: Value = body
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _number(value: Value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = re.fullmatch(r"([0-9.]+)(Gi)?", value)
        return float(match.group(1)) if match else None
    return None


HOURS = 730.0

Estimator = Callable[[Instance, Mapping[str, float]], list[CostLine]]


def _unknown(i: Instance, item: str, why: str) -> CostLine:
    return CostLine(i.path, i.type, item, None, f"not estimated: {why}")


def _postgres(i: Instance, a: Mapping[str, float]) -> list[CostLine]:
    sku = _get(i.body, "sku.name")
    ha = _get(i.body, "properties.highAvailability.mode")
    factor = 2 if ha in ("SameZone", "ZoneRedundant") else 1
    note = f" x2 (high availability {ha}: a standby of the same size)" if factor == 2 else ""
    lines = []
    price_id = f"postgres.compute.{sku}"
    if isinstance(sku, str) and price_id in price_table()["prices"]:
        usd = _usd(price_id) * HOURS * factor
        lines.append(CostLine(i.path, i.type, f"compute {sku}", usd, f"730 h x ${_usd(price_id)}/h{note}", (price_id,)))
    else:
        lines.append(_unknown(i, f"compute {sku}", f"no price for the SKU {sku} in the table"))
    gb = _number(_get(i.body, "properties.storage.storageSizeGB"))
    if gb is not None:
        usd = gb * _usd("postgres.storage") * factor
        lines.append(
            CostLine(
                i.path,
                i.type,
                f"storage {gb:g} GiB",
                usd,
                f"{gb:g} GiB x ${_usd('postgres.storage')}{note}",
                ("postgres.storage",),
            )
        )
    return lines


def _registry(i: Instance, a: Mapping[str, float]) -> list[CostLine]:
    sku = _get(i.body, "sku.name")
    price_id = f"registry.{sku}"
    if price_id not in price_table()["prices"]:
        return [_unknown(i, f"registry {sku}", f"no price for the SKU {sku}")]
    days = HOURS / 24
    return [
        CostLine(
            i.path,
            i.type,
            f"registry {sku}",
            _usd(price_id) * days,
            f"{days:.1f} days x ${_usd(price_id)}/day",
            (price_id,),
        )
    ]


def _storage(i: Instance, a: Mapping[str, float]) -> list[CostLine]:
    sku, tier = _get(i.body, "sku.name"), _get(i.body, "properties.accessTier") or "Hot"
    price_id = f"storage.{tier}.{sku}"
    lines = []
    gb = a["storage_gb"]
    if price_id in price_table()["prices"]:
        lines.append(
            CostLine(
                i.path,
                i.type,
                f"data {tier} {sku}",
                gb * _usd(price_id),
                f"{gb:g} GB (storage_gb) x ${_usd(price_id)}",
                (price_id,),
            )
        )
    else:
        lines.append(_unknown(i, f"data {tier} {sku}", f"no price for {tier} {sku}"))
    writes = "storage.writes.geo" if "GRS" in str(sku) or "GZRS" in str(sku) else "storage.writes.local"
    usd = a["storage_writes_10k"] * _usd(writes) + a["storage_reads_10k"] * _usd("storage.reads")
    writes_text = f"{a['storage_writes_10k']:g}x10k writes x ${_usd(writes)}"
    detail = f"{writes_text} + {a['storage_reads_10k']:g}x10k reads x ${_usd('storage.reads')}"
    lines.append(CostLine(i.path, i.type, "operations", usd, detail, (writes, "storage.reads")))
    return lines


def _vault(i: Instance, a: Mapping[str, float]) -> list[CostLine]:
    n = a["vault_operations_10k"]
    usd = n * _usd("keyvault.operations")
    return [
        CostLine(
            i.path,
            i.type,
            "operations",
            usd,
            f"{n:g}x10k operations x ${_usd('keyvault.operations')}",
            ("keyvault.operations",),
        )
    ]


def _workspace(i: Instance, a: Mapping[str, float]) -> list[CostLine]:
    sku = _get(i.body, "properties.sku.name")
    if sku != "PerGB2018":
        return [_unknown(i, f"logs {sku}", "commitment tiers are priced per contract size")]
    gb = a["log_gb"]
    lines = [
        CostLine(
            i.path,
            i.type,
            "logs ingested",
            gb * _usd("loganalytics.ingestion"),
            f"{gb:g} GB (log_gb) x ${_usd('loganalytics.ingestion')}",
            ("loganalytics.ingestion",),
        )
    ]
    days = _number(_get(i.body, "properties.retentionInDays"))
    if days is not None and days > 31:
        kept = gb * (days - 31) / 30
        usd = kept * _usd("loganalytics.retention")
        lines.append(
            CostLine(
                i.path,
                i.type,
                f"retention {days:g} days",
                usd,
                f"~{kept:.1f} GB beyond 31 days x ${_usd('loganalytics.retention')}",
                ("loganalytics.retention",),
            )
        )
    return lines


def _app_usage(i: Instance, a: Mapping[str, float]) -> tuple[float, float, float, float, float] | None:
    """(active vCPU-s, active GiB-s, idle vCPU-s, idle GiB-s, requests) a month, or None."""
    cpu, memory = _number(i.arguments.get("cpu")), _number(i.arguments.get("memory"))
    minimum = i.arguments.get("minReplicas")
    if cpu is None or memory is None or not isinstance(minimum, int):
        return None
    active = min(a["active_hours"], HOURS) * 3600
    idle = (HOURS * 3600 - active) * minimum  # replicas kept warm by min_replicas bill at the idle rate
    replicas = max(minimum, 1)
    return active * replicas * cpu, active * replicas * memory, idle * cpu, idle * memory, a["requests_millions"] * 1e6


def _app(i: Instance, a: Mapping[str, float]) -> list[CostLine]:
    usage = _app_usage(i, a)
    if usage is None:
        return [_unknown(i, "consumption", "cpu, memory or min replicas is not a literal value")]
    av, am, iv, im, req = usage
    usd = (
        av * _usd("containerapps.vcpu.active")
        + am * _usd("containerapps.memory.active")
        + iv * _usd("containerapps.vcpu.idle")
        + im * _usd("containerapps.memory.idle")
        + req / 1e6 * _usd("containerapps.requests")
    )
    cpu, memory, minimum = i.arguments["cpu"], i.arguments["memory"], i.arguments["minReplicas"]
    detail = f"{cpu} vCPU, {memory}, min {minimum} replicas: {a['active_hours']:g} active h (active_hours)"
    if iv:
        idle_hours = (HOURS - min(a["active_hours"], HOURS)) * int(str(minimum))
        detail += f" + {idle_hours:g} idle replica-h"
    detail += f", {a['requests_millions']:g}M requests"
    ids = (
        "containerapps.vcpu.active",
        "containerapps.memory.active",
        "containerapps.vcpu.idle",
        "containerapps.memory.idle",
        "containerapps.requests",
    )
    return [CostLine(i.path, i.type, "consumption (before the free grant)", usd, detail, ids)]


def _free_grant(apps: list[Instance], a: Mapping[str, float]) -> CostLine | None:
    """The monthly free grant, once per subscription, against the apps' total usage."""
    usages = [u for u in (_app_usage(i, a) for i in apps) if u is not None]
    if not usages:
        return None
    grant = price_table()["free_grant"]["containerapps"]
    vcpu = sum(u[0] + u[2] for u in usages)
    mem = sum(u[1] + u[3] for u in usages)
    req = sum(u[4] for u in usages)
    # The grant is taken against active usage first, the costlier rate.
    active_vcpu = sum(u[0] for u in usages)
    active_mem = sum(u[1] for u in usages)
    free_vcpu, free_mem, free_req = (
        min(vcpu, grant["vcpu_seconds"]),
        min(mem, grant["gib_seconds"]),
        min(req, grant["requests"]),
    )
    credit = (
        min(free_vcpu, active_vcpu) * _usd("containerapps.vcpu.active")
        + max(free_vcpu - active_vcpu, 0) * _usd("containerapps.vcpu.idle")
        + min(free_mem, active_mem) * _usd("containerapps.memory.active")
        + max(free_mem - active_mem, 0) * _usd("containerapps.memory.idle")
        + free_req / 1e6 * _usd("containerapps.requests")
    )
    detail = (
        f"{free_vcpu:,.0f} vCPU-s, {free_mem:,.0f} GiB-s, {free_req / 1e6:g}M requests free per subscription a month"
    )
    return CostLine(
        "(subscription)",
        "Microsoft.App/containerApps",
        "Container Apps free grant",
        -credit,
        detail,
        ("containerapps.vcpu.active",),
    )


ESTIMATORS: dict[str, Estimator] = {
    "Microsoft.DBforPostgreSQL/flexibleServers": _postgres,
    "Microsoft.ContainerRegistry/registries": _registry,
    "Microsoft.Storage/storageAccounts": _storage,
    "Microsoft.KeyVault/vaults": _vault,
    "Microsoft.OperationalInsights/workspaces": _workspace,
    "Microsoft.App/containerApps": _app,
}


def estimate(snapshot: Snapshot, assumptions: Mapping[str, float]) -> CostReport:
    lines: list[CostLine] = []
    types = price_table()["types"]
    for instance in snapshot.instances.values():
        entry = types.get(instance.type)
        if entry is None:
            lines.append(_unknown(instance, instance.type, "the price table has no entry for this type"))
        elif instance.type in ESTIMATORS:
            lines += ESTIMATORS[instance.type](instance, assumptions)
    apps = [i for i in snapshot.instances.values() if i.type == "Microsoft.App/containerApps"]
    grant = _free_grant(apps, assumptions)
    if grant is not None:
        lines.append(grant)
    rounded = tuple(attrs.evolve(line, usd=round(line.usd, 2)) if line.usd is not None else line for line in lines)
    return CostReport(snapshot.profile, rounded, dict(assumptions))
