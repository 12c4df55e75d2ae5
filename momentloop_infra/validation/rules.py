"""Security and convention rules: data (id, name, level, reason, fix) plus one small function each.

A rule function receives the synthesized project and yields `Hit`s; `RULES` turns them into
findings. Adding a rule is one function, one row in `RULES` and one row in the test table.
A construct silences one rule on itself with `construct.suppress(rule_id, reason)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from momentloop_infra.bicep.expr import Expr
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.arm_limits import MAX_OUTPUTS, MAX_PARAMS, MAX_RESOURCES, MAX_VARIABLES
from momentloop_infra.model.findings import Level
from momentloop_infra.model.project import Project
from momentloop_infra.model.records import BicepFile, Resource
from momentloop_infra.model.secrets import looks_secret
from momentloop_infra.validation import template_size
from momentloop_infra.validation.consistency import MAIN, exprs_in, module_param_values
from momentloop_infra.validation.per_project import per_project
from momentloop_infra.validation.symbols import FileSymbols

_LIST_CALL = re.compile(r"(?<![A-Za-z0-9_])(?:[A-Za-z_]\w*\.)?list[A-Z]\w*\(")
_SERVICE_TAG = re.compile(r"'azd-service-name':\s*'((?:[^'\\]|\\.)*)'")
_SERVICE_TAG_PARAM = re.compile(r"'azd-service-name': ([A-Za-z_]\w*)\b")
_QUOTED_KEY = re.compile(r"'((?:[^'\\]|\\.)*)':")
MISSING = object()


@attrs.frozen(repr=False)
class Hit(FieldRepr):
    path: str
    field: str
    value: object
    file: str
    symbol: str
    detail: str = ""


@attrs.frozen(repr=False)
class Rule(FieldRepr):
    id: str
    name: str
    level: Level
    reason: str  # one line: why it matters
    fix: str  # one line: what to do
    check: Callable[[Project], Iterator[Hit]]


# -- helpers --------------------------------------------------------------------------------------


def files_of(project: Project) -> dict[str, BicepFile]:
    return {MAIN: project.main, **project.modules}


def file_named(project: Project, name: str) -> BicepFile:
    """One file by name, without building the whole map (rules look files up per resource)."""
    return project.main if name == MAIN else project.modules[name]


def deployed(project: Project, type_: str | None = None) -> Iterator[tuple[str, Resource]]:
    for name, file in files_of(project).items():
        for resource in file.resources:
            if not resource.existing and (type_ is None or resource.type == type_):
                yield name, resource


def get(body: Mapping[str, object], path: str) -> object:
    value: object = body
    for part in path.split("."):
        if not isinstance(value, Mapping) or value.get(part) is None:
            return MISSING
        value = value[part]
    return value


def secure_params(file: BicepFile) -> set[str]:
    return {p.name for p in file.params if p.secure}


def carries_secret(value: object, file: BicepFile, secure: set[str] | None = None) -> bool:
    secure = secure_params(file) if secure is None else secure
    return any(e.refs & secure or _LIST_CALL.search(e.text) for e in exprs_in(value))


def property_rule(type_: str, path: str, ok: Callable[[object], bool]) -> Callable[[Project], Iterator[Hit]]:
    """A rule on one property of every deployed resource of one type; a missing property fails,
    an expression passes when every value the stack can give it passes."""

    def check(project: Project) -> Iterator[Hit]:
        for name, resource in deployed(project, type_):
            value = get(resource.body, path)
            if isinstance(value, Expr):
                values = FileSymbols(file_named(project, name)).describe(value).values
                if all(ok(v) for v in values):
                    continue
                value = next(v for v in values if not ok(v))
            if not ok(value):
                yield Hit(resource.path, path, None if value is MISSING else value, name, resource.symbol)

    return check


def tag_keys(project: Project, file_name: str, value: object) -> set[str] | None:
    """The tag names a `tags` value certainly holds, following variables and module parameters."""
    file = file_named(project, file_name)
    if isinstance(value, Mapping):
        return {k for k in value if isinstance(k, str)}
    if not isinstance(value, Expr):
        return None
    symbols = FileSymbols(file).declared
    keys = set(_QUOTED_KEY.findall(value.text))
    for symbol in value.refs:
        kind = symbols.get(symbol)
        if kind == "var":
            variable = next(v for v in file.variables if v.name == symbol)
            keys |= tag_keys(project, file_name, variable.value) or set()
        elif kind == "param" and file_name != MAIN:
            per_call = [
                tag_keys(project, MAIN, call.params[symbol])
                for call in project.main.modules
                if call.file == file_name and symbol in call.params
            ]
            if per_call and all(k is not None for k in per_call):
                keys |= set.intersection(*(k for k in per_call if k is not None))
    return keys


def service_tags(
    project: Project, file_name: str, value: object, passed: Mapping[str, Mapping[str, tuple[object, ...]]]
) -> list[str]:
    """The azd-service-name tags a `tags` value gives: one, or, for a module file several apps
    share, each value its `serviceName`-like parameter receives (`passed`: module_param_values)."""
    file = file_named(project, file_name)
    if isinstance(value, Mapping):
        tag = value.get("azd-service-name")
        if isinstance(tag, str):
            return [tag]
        if isinstance(tag, Expr) and tag.text in passed.get(file_name, {}):
            return [str(v) for v in passed[file_name][tag.text]]
    texts = [e.text for e in exprs_in(value)]
    for e in exprs_in(value):
        for symbol in e.refs:
            variable = next((v for v in file.variables if v.name == symbol), None)
            if variable is not None:
                found = service_tags(project, file_name, variable.value, passed)
                if found:
                    return found
    for text in texts:
        match = _SERVICE_TAG.search(text)
        if match:
            return [match.group(1)]
        named = _SERVICE_TAG_PARAM.search(text)
        if named and named.group(1) in passed.get(file_name, {}):
            return [str(v) for v in passed[file_name][named.group(1)]]
    return []


# -- rule functions -----------------------------------------------------------------------------


def secret_in_output(project: Project) -> Iterator[Hit]:
    stack = project.stack_path
    for name, file in files_of(project).items():
        secure = secure_params(file)
        for output in file.outputs:
            named_secret = not output.generated and looks_secret(output.name)
            if carries_secret(output.value, file, secure) or named_secret:
                yield Hit(stack, f"output {output.name}", output.value.text, name, output.name)


def secret_in_tag(project: Project) -> Iterator[Hit]:
    for name, resource in deployed(project):
        tags = resource.body.get("tags")
        if tags is not None and carries_secret(tags, file_named(project, name)):
            yield Hit(resource.path, "tags", None, name, resource.symbol)


def secret_in_plain_param(project: Project) -> Iterator[Hit]:
    stack = project.stack_path
    main_secure = secure_params(project.main)
    for name, file in files_of(project).items():
        for p in file.params:
            if not p.secure and not p.generated and looks_secret(p.name):
                yield Hit(stack, f"param {p.name}", None, name, p.name, "its name says it holds a secret")
    for name, resource in deployed(project):
        # A property a user set by override(): a literal under a secret's name is a secret in the source.
        for path in resource.overridden:
            value = get(resource.body, path)
            if looks_secret(path.rsplit(".", 1)[-1]) and isinstance(value, str) and value:
                yield Hit(resource.path, path, "(hidden)", name, resource.symbol, "its name says it holds a secret")
    for call in project.main.modules:
        module = project.modules.get(call.file)
        if module is None:
            continue
        declared = {p.name: p for p in module.params}
        for arg, value in call.params.items():
            param = declared.get(arg)
            if param is not None and not param.secure and any(e.refs & main_secure for e in exprs_in(value)):
                yield Hit(
                    call.path or stack,
                    f"params.{arg}",
                    None,
                    call.file,
                    arg,
                    "it receives a @secure() value from main.bicep",
                )
    for name, resource in deployed(project, "Microsoft.App/containerApps"):
        containers = get(resource.body, "properties.template.containers")
        secure = secure_params(file_named(project, name))
        for container in containers if isinstance(containers, list) else []:
            for var in container.get("env", []) if isinstance(container, Mapping) else []:
                if isinstance(var, Mapping) and any(e.refs & secure for e in exprs_in(var.get("value"))):
                    yield Hit(
                        resource.path,
                        f"env.{var.get('name')}",
                        None,
                        name,
                        resource.symbol,
                        "a secret is passed as a plain environment variable",
                    )


def secure_param_default(project: Project) -> Iterator[Hit]:
    stack = project.stack_path
    for name, file in files_of(project).items():
        for p in file.params:
            if p.secure and p.default is not None and p.default != "":
                yield Hit(stack, f"param {p.name}", "(hidden)", name, p.name)
    secure = secure_params(project.main)
    for value in project.param_values:
        if value.name in secure and value.default is not None:
            yield Hit(stack, f"param {value.name}", "(hidden)", "main.bicepparam", value.name)


def azd_env_tag(project: Project) -> Iterator[Hit]:
    for resource in project.main.resources:
        if resource.type == "Microsoft.Resources/resourceGroups" and not resource.existing:
            keys = tag_keys(project, MAIN, resource.body.get("tags"))
            if keys is None or "azd-env-name" not in keys:
                yield Hit(project.stack_path, "tags", None, MAIN, resource.symbol)


@per_project
def tagged_apps(project: Project) -> list[tuple[str, Resource, list[str]]]:
    """Each container app deployed (its file, the resource) with the azd-service-name tags it gives."""
    passed = module_param_values(project)
    return [
        (name, resource, service_tags(project, name, resource.body.get("tags"), passed))
        for name, resource in deployed(project, "Microsoft.App/containerApps")
    ]


def azd_service_tag(project: Project) -> Iterator[Hit]:
    tagged: dict[str, list[str]] = {}
    for _, resource, tags in tagged_apps(project):
        for tag in tags:
            tagged.setdefault(tag, []).append(resource.path)
    # Every container app is an azd service (a prebuilt image= one too), so each needs its tag.
    for service in project.services:
        if service.name not in tagged:
            yield Hit(
                service.path,
                "tags",
                None,
                "",
                "",
                f"azure.yaml lists service {service.name!r} but no container app carries its tag",
            )


def azd_service_unique(project: Project) -> Iterator[Hit]:
    seen: dict[str, str] = {}
    for name, resource, tags in tagged_apps(project):
        for tag in tags:
            if tag in seen and seen[tag] != resource.path:
                detail = f"{seen[tag]} carries it too"
                yield Hit(resource.path, "tags.azd-service-name", tag, name, resource.symbol, detail)
            seen.setdefault(tag, resource.path)


# Roles that manage resources or access rather than use them: an app that needs one to do its work
# is rare, and its identity, once taken, could change or hand out what the role covers.
PRIVILEGED_ROLES = frozenset(
    {"Owner", "Contributor", "User Access Administrator", "Role Based Access Control Administrator"}
)


def privileged_grant(project: Project) -> Iterator[Hit]:
    """A connection granting an app one of PRIVILEGED_ROLES, placed on its role assignment: the
    app's own declaration on the target, or the loop granting the role to many apps there."""
    if not any(grant.role.name in PRIVILEGED_ROLES for grant in project.grants):
        return  # most stacks: their files are not read
    symbols: dict[tuple[str, str], set[str]] = {}  # (file, construct path) -> its resources' symbols
    for name, resource in deployed(project):
        symbols.setdefault((name, resource.path), set()).add(resource.symbol)
    assignments: list[tuple[str, str, str, str, str]] = []  # (file, symbol, path, role definition, scope)
    for name, resource in deployed(project, "Microsoft.Authorization/roleAssignments"):
        role_id, scope = str(get(resource.body, "properties.roleDefinitionId")), resource.body.get("scope")
        assignments.append(
            (name, resource.symbol, resource.path, role_id, scope.text if isinstance(scope, Expr) else "")
        )
    for grant in project.grants:
        if grant.role.name not in PRIVILEGED_ROLES:
            continue
        found = next(
            (
                (name, symbol)
                for name, symbol, path, role_id, scope in assignments
                if grant.role.guid in role_id
                and scope in symbols.get((name, grant.target), ())
                and (path == grant.principal or symbol.endswith("Assignments"))
            ),
            ("", ""),
        )
        yield Hit(grant.principal, "connect.role", grant.role.name, *found, f"on {grant.target}")


# Azure Resource Manager's per-template limits ("Resolve errors for template limits").
TEMPLATE_LIMITS_RULE = "ML210"
SIZE_FIELD = "size"  # the hit of a compiled main.json past 4 MB
RESOURCE_SIZE_FIELD = "resource size"  # the hit of a resource definition past 1 MB
TEMPLATE_LIMITS = (
    ("params", MAX_PARAMS),
    ("variables", MAX_VARIABLES),
    ("resources and modules", MAX_RESOURCES),
    ("outputs", MAX_OUTPUTS),
)


def template_limits(project: Project, sizes: template_size.CompiledSizes | None = None) -> Iterator[Hit]:
    """Counts per template, and the compiled sizes (`sizes` when already estimated)."""
    stack = project.stack_path
    for name, file in files_of(project).items():
        counts = {
            "params": len(file.params),
            "variables": len(file.variables),
            "resources and modules": file.deployments,  # every copy of a loop counted
            "outputs": len(file.outputs),
        }
        for what, limit in TEMPLATE_LIMITS:
            if counts[what] > limit:
                yield Hit(stack, what, counts[what], name, "", f"{name} declares {counts[what]} {what}, over {limit}")
    # Bicep inlines every module declaration's template into main.json: an estimate, as Bicep writes it.
    sizes = template_size.compiled_sizes(project) if sizes is None else sizes
    most = template_size.MAX_TEMPLATE_BYTES
    if sizes.total > most:
        detail = (
            f"the compiled main.json would be about {sizes.total / 2**20:.1f} MB, over Azure's {most / 2**20:g} MB: "
            "each module declaration's template is inlined into it once per declaration (a loop's once for "
            "all its copies), so fewer distinct module declarations make it smaller"
        )
        yield Hit(stack, SIZE_FIELD, sizes.total, MAIN, "", detail)
    one = template_size.MAX_RESOURCE_BYTES
    if sizes.largest > one:
        detail = (
            f"its deployment in the compiled main.json would be about {sizes.largest / 2**20:.1f} MB, over "
            f"Azure's {one / 2**20:g} MB for one resource definition: a module's deployment holds the module's "
            "whole template, so a grouping module with fewer calls, or fewer resources in one module, makes it smaller"
        )
        yield Hit(stack, RESOURCE_SIZE_FIELD, sizes.largest, MAIN, sizes.largest_symbol, detail)


def tags_present(project: Project) -> Iterator[Hit]:
    for name, resource in deployed(project):
        if "location" in resource.body and resource.body.get("tags") is None:
            yield Hit(resource.path, "tags", None, name, resource.symbol)


def _is(expected: object) -> Callable[[object], bool]:
    return lambda value: value == expected and type(value) is type(expected)


def _not(rejected: object) -> Callable[[object], bool]:
    return lambda value: value is MISSING or value != rejected


STORAGE = "Microsoft.Storage/storageAccounts"
RULES: tuple[Rule, ...] = (
    Rule(
        "ML101",
        "no-secret-in-output",
        "error",
        "outputs are stored in plain text in the deployment history and azd's .env",
        "do not output secrets, list*() results or secure parameters",
        secret_in_output,
    ),
    Rule(
        "ML102",
        "no-secret-in-tag",
        "error",
        "tags are readable by anyone with Reader access",
        "never put a secret in a tag",
        secret_in_tag,
    ),
    Rule(
        "ML103",
        "no-secret-in-plain-param",
        "error",
        "a parameter without @secure() is logged in the deployment history",
        "mark the parameter @secure() or pass the secret through Key Vault",
        secret_in_plain_param,
    ),
    Rule(
        "ML104",
        "secure-param-no-default",
        "error",
        "a default on a @secure() parameter is a secret in the source",
        "remove the default; set the value with `azd env set`",
        secure_param_default,
    ),
    Rule(
        "ML110",
        "storage-no-public-blob",
        "error",
        "public blob access exposes containers to anonymous reads",
        "set properties.allowBlobPublicAccess to false",
        property_rule(STORAGE, "properties.allowBlobPublicAccess", _is(False)),
    ),
    Rule(
        "ML111",
        "storage-tls12",
        "error",
        "TLS below 1.2 is broken; an omitted value means TLS 1.0",
        "set properties.minimumTlsVersion to 'TLS1_2'",
        property_rule(STORAGE, "properties.minimumTlsVersion", _is("TLS1_2")),
    ),
    Rule(
        "ML112",
        "storage-https-only",
        "error",
        "plain HTTP sends data and tokens unencrypted",
        "set properties.supportsHttpsTrafficOnly to true",
        property_rule(STORAGE, "properties.supportsHttpsTrafficOnly", _is(True)),
    ),
    Rule(
        "ML113",
        "storage-no-shared-key",
        "error",
        "account keys bypass Entra ID and RBAC; an omitted value means enabled",
        "set properties.allowSharedKeyAccess to false and grant roles through connect()",
        property_rule(STORAGE, "properties.allowSharedKeyAccess", _is(False)),
    ),
    Rule(
        "ML114",
        "blob-container-private",
        "error",
        "a public container serves blobs to anyone",
        "set properties.publicAccess to 'None'",
        property_rule(f"{STORAGE}/blobServices/containers", "properties.publicAccess", _is("None")),
    ),
    Rule(
        "ML120",
        "key-vault-rbac",
        "error",
        "access policies bypass RBAC; an omitted value means access policies",
        "set properties.enableRbacAuthorization to true",
        property_rule("Microsoft.KeyVault/vaults", "properties.enableRbacAuthorization", _is(True)),
    ),
    Rule(
        "ML121",
        "key-vault-purge-protection-not-false",
        "error",
        "the service rejects an explicit false for purge protection",
        "omit properties.enablePurgeProtection (or emit null) to leave it off",
        property_rule("Microsoft.KeyVault/vaults", "properties.enablePurgeProtection", _not(False)),
    ),
    Rule(
        "ML130",
        "registry-no-admin-user",
        "error",
        "the admin user is a shared password that bypasses RBAC",
        "set properties.adminUserEnabled to false",
        property_rule("Microsoft.ContainerRegistry/registries", "properties.adminUserEnabled", _is(False)),
    ),
    Rule(
        "ML131",
        "registry-no-anonymous-pull",
        "error",
        "anonymous pull lets anyone download the images",
        "set properties.anonymousPullEnabled to false",
        property_rule("Microsoft.ContainerRegistry/registries", "properties.anonymousPullEnabled", _not(True)),
    ),
    Rule(
        "ML140",
        "postgres-entra-only",
        "error",
        "password authentication means a password to leak and rotate",
        "set properties.authConfig.passwordAuth to 'Disabled' and activeDirectoryAuth to 'Enabled'",
        property_rule(
            "Microsoft.DBforPostgreSQL/flexibleServers", "properties.authConfig.passwordAuth", _is("Disabled")
        ),
    ),
    Rule(
        "ML141",
        "postgres-entra-enabled",
        "error",
        "without Entra authentication and password auth off, nobody can sign in",
        "set properties.authConfig.activeDirectoryAuth to 'Enabled'",
        property_rule(
            "Microsoft.DBforPostgreSQL/flexibleServers", "properties.authConfig.activeDirectoryAuth", _is("Enabled")
        ),
    ),
    Rule(
        "ML150",
        "container-app-no-insecure-ingress",
        "error",
        "allowInsecure serves plain HTTP without redirecting to HTTPS",
        "set properties.configuration.ingress.allowInsecure to false",
        property_rule("Microsoft.App/containerApps", "properties.configuration.ingress.allowInsecure", _not(True)),
    ),
    Rule(
        "ML160",
        "app-no-privileged-role",
        "warning",
        "a role that manages the resource or its access lets whoever takes the app's identity change or "
        "hand out what it covers",
        "grant the data role the app needs (e.g. 'Azure Service Bus Data Sender'), or suppress with the reason",
        privileged_grant,
    ),
    Rule(
        "ML201",
        "azd-env-tag",
        "error",
        "azd finds the environment's resource group by its azd-env-name tag",
        "tag the resource group with azd-env-name: environmentName",
        azd_env_tag,
    ),
    Rule(
        "ML202",
        "azd-service-tag",
        "error",
        "azd deploys a service into the resource tagged azd-service-name with its name",
        "tag the service's container app with azd-service-name",
        azd_service_tag,
    ),
    Rule(
        "ML203",
        "azd-service-tag-unique",
        "error",
        "azd refuses to deploy when two resources carry the same service tag",
        "give each service's host its own azd-service-name",
        azd_service_unique,
    ),
    Rule(
        TEMPLATE_LIMITS_RULE,
        "template-limits",
        "error",
        "Azure rejects a template over 256 parameters, 512 variables, 800 resources, 64 outputs or 4 MB, or "
        "with a resource definition over 1 MB, so the project cannot deploy",
        "report it: synthesis groups parameters and module deployments to stay within these limits",
        template_limits,
    ),
    Rule(
        "ML204",
        "tags-present",
        "warning",
        "untagged resources cannot be traced to their azd environment",
        "pass the module's tags to every resource",
        tags_present,
    ),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def describe_rules() -> list[dict[str, Any]]:
    return [{"id": r.id, "name": r.name, "level": r.level, "reason": r.reason, "fix": r.fix} for r in RULES]
