"""Azure resource names in azd's convention: abbreviation prefix + construct id + resourceToken.

The token is `toLower(uniqueString(...))`: exactly 13 lowercase letters and digits, so every
length and character rule can be checked at synth time. Long ids are shortened deterministically
(a prefix of the id plus a short hash of the construct path), never randomly.
"""

from __future__ import annotations

import hashlib
import re

import attrs

from momentloop_infra.bicep.expr import Expr, ref
from momentloop_infra.bicep.functions import interpolate
from momentloop_infra.field_repr import FieldRepr

TOKEN_LENGTH = 13
HASH_LENGTH = 4


_NOT_SLUG = re.compile(r"[^a-z0-9-]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_HYPHENS = re.compile(r"-+")


@attrs.frozen(repr=False)
class NameRule(FieldRepr):
    """How one resource type is named and what Azure accepts."""

    kind: str  # what a person calls it, for messages
    abbreviation: str  # key in abbreviations.json ('' when azd has none)
    prefix: str  # its value, for length checks
    min_length: int
    max_length: int
    pattern: str  # the full-name regex Azure enforces
    allowed: str  # the rule in words
    separator: str = "-"

    def slug(self, id: str) -> str:
        """The id reduced to characters this type allows."""
        text = id.lower()
        if self.separator:
            return _HYPHENS.sub("-", _NOT_SLUG.sub("-", text)).strip("-")
        return _NOT_ALNUM.sub("", text)

    @property
    def slug_budget(self) -> int:
        return self.max_length - len(self.prefix) - TOKEN_LENGTH - len(self.separator)

    def check(self, name: str) -> str | None:
        """None when Azure accepts the name, else what is wrong with it."""
        if not self.min_length <= len(name) <= self.max_length:
            return f"{self.kind} names are {self.min_length} to {self.max_length} characters; this one has {len(name)}"
        if not re.fullmatch(self.pattern, name):
            return f"{self.kind} names allow {self.allowed}"
        return None


@attrs.frozen(repr=False)
class ResourceName(FieldRepr):
    """A generated name: Bicep expression for the template, and a sample for checks and messages."""

    rule: NameRule
    slug: str
    explicit: str | None = None

    def expression(self) -> Expr | str:
        if self.explicit is not None:
            return self.explicit
        token = ref("resourceToken")
        if not self.rule.abbreviation:  # a type azd has no abbreviation for
            return interpolate(self.slug + self.rule.separator, token)
        return interpolate(ref("abbrs").prop(self.rule.abbreviation), self.slug + self.rule.separator, token)

    def sample(self) -> str:
        """The name with a stand-in token of the right length and alphabet."""
        if self.explicit is not None:
            return self.explicit
        return f"{self.rule.prefix}{self.slug}{self.rule.separator}{'a' * TOKEN_LENGTH}"


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_LENGTH]


def shorten(slug: str, budget: int, path: str) -> str:
    """Fit a slug into `budget` characters: a prefix of it plus a hash of the construct path."""
    if len(slug) <= budget:
        return slug
    keep = max(budget - HASH_LENGTH, 0)
    return slug[:keep].rstrip("-") + short_hash(path)[: budget - len(slug[:keep].rstrip("-"))]


def assign_slugs(rule: NameRule, paths_and_ids: list[tuple[str, str]]) -> dict[str, str]:
    """Distinct slugs for every construct of one type, keyed by construct path.

    Ids that reduce to the same slug (or collide after shortening) all fall back to the hashed form.
    """
    budget = rule.slug_budget
    slugs = {path: shorten(rule.slug(id), budget, path) for path, id in paths_and_ids}
    counts: dict[str, int] = {}
    for slug in slugs.values():
        counts[slug] = counts.get(slug, 0) + 1
    for path, id in paths_and_ids:
        if counts[slugs[path]] > 1:
            base = rule.slug(id)[: max(budget - HASH_LENGTH, 0)].rstrip("-")
            slugs[path] = (base + short_hash(path))[:budget] if budget > HASH_LENGTH else short_hash(path)[:budget]
    return slugs


def _rule(kind: str, key: str, prefix: str, lo: int, hi: int, pattern: str, allowed: str, sep: str = "-") -> NameRule:
    return NameRule(kind, key, prefix, lo, hi, pattern, allowed, sep)


LOWER_ALNUM = "lowercase letters and digits only"
HYPHENATED = "letters, digits and single hyphens, starting with a letter and not ending with a hyphen"

STORAGE_ACCOUNT = _rule("storage account", "storageStorageAccounts", "st", 3, 24, r"[a-z0-9]+", LOWER_ALNUM, "")
CONTAINER_REGISTRY = _rule(
    "container registry",
    "containerRegistryRegistries",
    "cr",
    5,
    50,
    r"[a-zA-Z0-9]+",
    "letters and digits only",
    "",
)
KEY_VAULT = _rule("key vault", "keyVaultVaults", "kv-", 3, 24, r"[a-zA-Z][a-zA-Z0-9]*(-[a-zA-Z0-9]+)*", HYPHENATED)
POSTGRES_SERVER = _rule(
    "PostgreSQL server",
    "dBforPostgreSQLServers",
    "psql-",
    3,
    63,
    r"[a-z0-9]+(-[a-z0-9]+)*",
    "lowercase letters, digits and single hyphens",
)
CONTAINER_APP = _rule(
    "container app",
    "appContainerApps",
    "ca-",
    2,
    32,
    r"[a-z][0-9a-z-]{0,30}[0-9a-z]",
    "lowercase letters, digits and hyphens, starting with a letter",
)
MANAGED_ENVIRONMENT = _rule(
    "container apps environment",
    "appManagedEnvironments",
    "cae-",
    2,
    60,
    r"[a-z][0-9a-z-]*[0-9a-z]",
    "lowercase letters, digits and hyphens, starting with a letter",
)
LOG_ANALYTICS = _rule(
    "Log Analytics workspace",
    "operationalInsightsWorkspaces",
    "log-",
    4,
    63,
    r"[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]",
    "letters, digits and hyphens, not starting or ending with a hyphen",
)
USER_ASSIGNED_IDENTITY = _rule(
    "managed identity",
    "managedIdentityUserAssignedIdentities",
    "id-",
    3,
    128,
    r"[a-zA-Z0-9][a-zA-Z0-9_-]*",
    "letters, digits, hyphens and underscores, starting with a letter or digit",
)
