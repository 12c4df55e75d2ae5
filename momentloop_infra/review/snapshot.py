"""A Project reduced to what a reviewer compares: every deployed resource with its properties
resolved for the profile (module parameters and main.bicepparam defaults substituted), and the grants.

Expressions only Azure can evaluate (names with the resource token, module outputs) stay as
their text, so a changed name still shows as a change. Secure parameters are never substituted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import attrs

from momentloop_infra.bicep.expr import Expr
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.expand import expand_loops
from momentloop_infra.model.project import Project
from momentloop_infra.model.records import BicepFile, ModuleCall, Param, ParamValue, Resource
from momentloop_infra.review.values import Opaque, Value

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ROLE_ASSIGNMENTS = "Microsoft.Authorization/roleAssignments"
_JSON_CALL = re.compile(r"json\((.*)\)")
# What pipeline/fit.py exports from a group: `<module symbol>__<output>` in its `values` output.
_EXPORTED = re.compile(r"(?<![\w.])group\d+\.outputs\.values\.(\w+)__(\w+)")


@attrs.frozen(repr=False)
class Instance(FieldRepr):
    """One deployed resource: `key` is `<module symbol>.<resource symbol>` (main.bicep's own: the
    symbol); a loop's copy is `<resource symbol>[<entry>]`."""

    key: str
    path: str  # the construct path
    type: str
    symbol: str
    module: str  # the module symbol in main.bicep, '' for main.bicep itself
    body: Mapping[str, Value]  # resolved
    arguments: Mapping[str, Value] = attrs.Factory(dict)  # the module call's resolved parameters


@attrs.frozen(repr=False)
class GrantRef(FieldRepr):
    role: str
    principal: str  # construct path of the app
    target: str  # construct path of the resource

    def __str__(self) -> str:
        return f"{self.role} for {self.principal} on {self.target}"


@attrs.frozen(repr=False)
class Snapshot(FieldRepr):
    stack: str
    profile: str
    instances: Mapping[str, Instance]
    grants: tuple[GrantRef, ...] = ()
    source: str = ""  # what it was made from, for the report's header

    @classmethod
    def empty(cls, stack: str, profile: str, source: str) -> Snapshot:
        return cls(stack, profile, {}, (), source)


def typed_default(value: ParamValue) -> Value:
    if value.default is None:
        return Opaque(value.name)
    if value.type == "int":
        return int(value.default)
    if value.type == "bool":
        return value.default.lower() == "true"
    return value.default


def _literal(text: str) -> Value:
    """A Bicep literal written by our serializer, or None when it is not one."""
    if len(text) >= 2 and text[0] == text[-1] == "'" and "${" not in text and "\\" not in text:
        return text[1:-1]
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return {"true": True, "false": False, "null": None}.get(text, Opaque(text))


def _inline(value: Value) -> str | None:
    """A resolved scalar written back into an expression's text, or None to keep the identifier."""
    if isinstance(value, bool) or value is None:
        return None  # a flag (`exists ? ... : ...`) reads better as its name than as `false ? ...`
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "\\'") + "'"
    if isinstance(value, Opaque):
        return value.text
    return None


# A symbol and the properties read from it: `cpu`, `containerAppSettings.app_0.cpu`.
_DOTTED = re.compile(r"(?<![.\w'])([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)(?![\w(])")


def _substitute(match: re.Match[str], env: Mapping[str, Value]) -> str:
    """A grouped setting by its whole path; else the symbol, its properties kept."""
    symbol, properties = match.group(1), match.group(2)
    if match.group() in env:
        return _inline(env[match.group()]) or match.group()
    if symbol in env:
        return (_inline(env[symbol]) or symbol) + properties
    return match.group()


def _unexported(text: str) -> str:
    """A module output read through a grouping module's values written as the output itself
    (`group1.outputs.values.app_7Identity__principalId` -> `app_7Identity.outputs.principalId`):
    the same value wherever the groups' boundaries fall."""
    return _EXPORTED.sub(r"\1.outputs.\2", text) if "__" in text else text


def resolve(value: object, env: Mapping[str, Value]) -> Value:
    """Substitute the symbols in `env` into a record value (expressions, dicts, lists, scalars)."""
    if isinstance(value, Expr):
        text = value.text
        if text in env:
            return env[text]
        call = _JSON_CALL.fullmatch(text)
        if call is not None:
            inner = resolve(Expr(call.group(1), value.refs), env)
            inner = _literal(inner.text) if isinstance(inner, Opaque) else inner
            if isinstance(inner, str):
                try:
                    return float(inner) if "." in inner else int(inner)
                except ValueError:
                    return Opaque(text)
        if not value.refs & {key.partition(".")[0] for key in env}:
            return Opaque(text)
        return Opaque(_unexported(_DOTTED.sub(lambda m: _substitute(m, env), text)))
    if isinstance(value, Mapping):
        return {str(resolve(k, env)) if isinstance(k, Expr) else str(k): resolve(v, env) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve(v, env) for v in value]
    return value


def _module_env(params: tuple[Param, ...], arguments: Mapping[str, Value]) -> dict[str, Value]:
    env: dict[str, Value] = {}
    for param in params:
        if param.secure:
            continue  # a secret's value never enters a report, not even as a default
        if param.name in arguments:
            env[param.name] = arguments[param.name]
        elif param.default is not None:
            env[param.name] = resolve(param.default, {})
    return env


def _body(resource: Resource, env: Mapping[str, Value]) -> dict[str, Value]:
    body = resolve(dict(resource.body), env)
    assert isinstance(body, dict)
    if resource.condition is not None:
        body["(condition)"] = resolve(resource.condition, env)
    return body


def _copies(resource: Resource, env: Mapping[str, Value]) -> list[tuple[str, Mapping[str, Value]]]:
    """Each copy a resource deploys, as its key's suffix and what its body reads: one plain copy,
    or one per entry of the object its loop goes over (`acrPullAssignments[app_7]`)."""
    loop = resource.loop
    if loop is None:
        return [("", env)]
    entries = env.get(loop.over)
    if not isinstance(entries, Mapping):  # not passed (a folder read back without its caller)
        return [("[*]", env)]
    item = loop.item
    return [(f"[{key}]", {**env, f"{item}.key": key, f"{item}.value": value}) for key, value in entries.items()]


def _instances(main: BicepFile, modules: Mapping[str, BicepFile], main_env: Mapping[str, Value]) -> dict[str, Instance]:
    found: dict[str, Instance] = {}
    for resource in main.resources:
        if not resource.existing:
            for suffix, reads in _copies(resource, main_env):
                key = resource.symbol + suffix
                found[key] = Instance(key, resource.path, resource.type, key, "", _body(resource, reads))
    _called(expand_loops(main).modules, modules, main_env, found)
    return found


def _called(
    calls: tuple[ModuleCall, ...],
    modules: Mapping[str, BicepFile],
    env: Mapping[str, Value],
    found: dict[str, Instance],
) -> None:
    """The resources of each called module, and of the modules a grouping module calls in turn."""
    for call in calls:
        module = modules.get(call.file)
        if module is None:
            continue
        arguments = {name: resolve(v, env) for name, v in call.params.items()}
        inner = _module_env(module.params, arguments)
        for name, argument in call.params.items():
            # An object parameter passed on whole: its settings, read by path, go along with it.
            if isinstance(argument, Expr) and _IDENTIFIER.fullmatch(argument.text):
                prefix = f"{argument.text}."
                inner.update({f"{name}.{k[len(prefix) :]}": v for k, v in env.items() if k.startswith(prefix)})
        for resource in module.resources:
            if resource.existing:
                continue
            path = _own_path(resource, call.path)
            for suffix, reads in _copies(resource, inner):
                symbol = resource.symbol + suffix  # a loop's copy by the entry it stands for
                key = f"{call.symbol}.{symbol}"
                found[key] = Instance(key, path, resource.type, symbol, call.symbol, _body(resource, reads), arguments)
        _called(expand_loops(module).modules, modules, inner, found)


def _own_path(resource: Resource, module_path: str) -> str:
    """A child Resource's construct path (its records carry it, under the construct owning the
    module); the module's for every other resource. A role assignment's record carries the app
    it grants to, which may lie under the module's construct too: it stays the module's."""
    if resource.type != ROLE_ASSIGNMENTS and resource.path.startswith(f"{module_path}/"):
        return resource.path
    return module_path


def module_paths(instances: Iterable[Instance]) -> dict[str, str]:
    """Each module symbol's construct path: the shortest of its instances' (a child Resource's
    path extends its module's)."""
    found: dict[str, str] = {}
    for i in instances:
        if i.module and (i.module not in found or len(i.path) < len(found[i.module])):
            found[i.module] = i.path
    return found


def own_paths(snapshot: Snapshot) -> dict[str, str]:
    """The instances whose construct path is not their module's (child Resources), by key."""
    modules = module_paths(snapshot.instances.values())
    return {k: i.path for k, i in snapshot.instances.items() if i.module and i.path != modules[i.module]}


def snapshot_of(project: Project, source: str = "") -> Snapshot:
    secure = {p.name for p in project.main.params if p.secure}
    main_env: dict[str, Value] = {v.reads: typed_default(v) for v in project.param_values if v.name not in secure}
    grants = tuple(sorted({GrantRef(g.role.name, g.principal, g.target) for g in project.grants}, key=str))
    return Snapshot(project.name, project.profile, _instances(project.main, project.modules, main_env), grants, source)


def snapshot_of_files(
    stack: str,
    profile: str,
    main: BicepFile,
    modules: Mapping[str, BicepFile],
    param_values: tuple[ParamValue, ...],
    grants: tuple[GrantRef, ...],
    source: str,
) -> Snapshot:
    """The same reduction for records read back from generated files (`diff --against-dir`)."""
    secure = {p.name for p in main.params if p.secure}
    main_env: dict[str, Value] = {v.reads: typed_default(v) for v in param_values if v.name not in secure}
    return Snapshot(stack, profile, _instances(main, modules, main_env), grants, source)
