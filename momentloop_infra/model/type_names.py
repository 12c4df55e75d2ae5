"""Name rules for any resource type: azd's abbreviation where abbreviations.json has one, Azure's
naming limits for the types a generic Resource commonly is, a conservative rule for the rest."""

from __future__ import annotations

import json
import re
from functools import cache

from momentloop_infra.model import names
from momentloop_infra.model.names import NameRule
from momentloop_infra.model.package_data import data_text

# Abbreviation keys that do not follow the provider + type-segments pattern.
KEY_EXCEPTIONS = {"Microsoft.AppConfiguration/configurationStores": "appConfigurationStores"}

# (min, max, pattern, in words) from Azure's naming rules, for the types people declare most.
HYPHENS_LETTER_FIRST = "letters, digits and hyphens, starting with a letter and ending with a letter or digit"
LIMITS: dict[str, tuple[int, int, str, str]] = {
    "Microsoft.ServiceBus/namespaces": (6, 50, r"[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]", HYPHENS_LETTER_FIRST),
    "Microsoft.EventHub/namespaces": (6, 50, r"[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]", HYPHENS_LETTER_FIRST),
    "Microsoft.DocumentDB/databaseAccounts": (
        3,
        44,
        r"[a-z0-9][a-z0-9-]*",
        "lowercase letters, digits and hyphens, starting with a letter or digit",
    ),
    "Microsoft.Cache/redis": (1, 63, r"[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*", "letters, digits and single hyphens"),
    "Microsoft.AppConfiguration/configurationStores": (
        5,
        50,
        r"[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]",
        "letters, digits and hyphens",
    ),
}
# Any other type: what nearly every Azure type accepts.
DEFAULT_LIMITS = (3, 24, r"[a-z][a-z0-9-]*[a-z0-9]", "lowercase letters, digits and hyphens, starting with a letter")

KNOWN_RULES = {
    "Microsoft.Storage/storageAccounts": names.STORAGE_ACCOUNT,
    "Microsoft.ContainerRegistry/registries": names.CONTAINER_REGISTRY,
    "Microsoft.KeyVault/vaults": names.KEY_VAULT,
    "Microsoft.App/containerApps": names.CONTAINER_APP,
    "Microsoft.App/managedEnvironments": names.MANAGED_ENVIRONMENT,
    "Microsoft.OperationalInsights/workspaces": names.LOG_ANALYTICS,
    "Microsoft.ManagedIdentity/userAssignedIdentities": names.USER_ASSIGNED_IDENTITY,
    "Microsoft.DBforPostgreSQL/flexibleServers": names.POSTGRES_SERVER,
}


@cache
def abbreviations() -> dict[str, str]:
    text = data_text("abbreviations.json")
    found: dict[str, str] = json.loads(text)
    return found


def abbreviation_key(type_: str) -> str | None:
    """'Microsoft.ServiceBus/namespaces/queues' -> 'serviceBusNamespacesQueues' when azd has it."""
    if type_ in KEY_EXCEPTIONS:
        return KEY_EXCEPTIONS[type_]
    provider, _, rest = type_.partition("/")
    words = [provider.removeprefix("Microsoft."), *rest.split("/")]
    key = words[0][:1].lower() + words[0][1:] + "".join(w[:1].upper() + w[1:] for w in words[1:])
    return key if key in abbreviations() else None


@cache
def name_rule_for(type_: str) -> NameRule:
    """How a top-level resource of `type_` is named."""
    if type_ in KNOWN_RULES:
        return KNOWN_RULES[type_]
    key = abbreviation_key(type_)
    low, high, pattern, words = LIMITS.get(type_, DEFAULT_LIMITS)
    kind = re.sub(r"(?<!^)(?=[A-Z])", " ", type_.rsplit("/", 1)[1]).lower().removesuffix("s")
    prefix = abbreviations()[key] if key is not None else ""
    return NameRule(kind, key or "", prefix, low, high, pattern, words)
