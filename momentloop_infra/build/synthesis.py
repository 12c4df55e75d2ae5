"""What one synthesis collects while constructs expand: main.bicep's parameters, module calls
and outputs, the module files, and the symbol table that keeps Bicep names unique."""

from __future__ import annotations

from typing import Protocol

import attrs

from momentloop_infra.bicep.expr import Expr, ref, refs_of
from momentloop_infra.build.naming import camel, env_name, field_env
from momentloop_infra.errors import Problem
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.param_groups import group_name, group_param, grouped_read
from momentloop_infra.model.records import BicepFile, BicepType, ModuleCall, Output, Param, ParamValue, named_by_library

# Symbols main.bicep declares itself; a construct id must not turn into one of them.
RESERVED_SYMBOLS = frozenset({"environmentName", "location", "tags", "rg", "abbrs", "resourceToken"})


class OwnerNode(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def path(self) -> str: ...

    @property
    def unique_id(self) -> str: ...


class Owner(Protocol):
    """What the context needs of the construct adding something: where it is and its symbol."""

    @property
    def node(self) -> OwnerNode: ...

    @property
    def symbol(self) -> str: ...


@attrs.define(repr=False)
class Synthesis(FieldRepr):
    profile: str
    # Set for a stack too large for one module file per construct (past 800 deployments): like
    # constructs then write one shared module file per distinct text, which the loops deploy.
    share: bool = False
    # Set for a stack certain to pass 256 parameters: each setting is declared straight into its
    # kind's object parameter (model/param_groups.py) instead of as a plain one renamed later.
    group_settings: bool = False
    params: list[Param] = attrs.Factory(list)
    param_values: list[ParamValue] = attrs.Factory(list)
    calls: list[ModuleCall] = attrs.Factory(list)
    reads: dict[str, frozenset[str]] = attrs.Factory(dict)  # call symbol -> what its arguments read
    outputs: list[Output] = attrs.Factory(list)
    modules: dict[str, BicepFile] = attrs.Factory(dict)  # 'modules/x.bicep' -> file
    owners: dict[str, str] = attrs.Factory(lambda: dict.fromkeys(RESERVED_SYMBOLS, "main.bicep"))
    problems: list[Problem] = attrs.Factory(list)
    # family -> (file as built, as written, path): like constructs build equal files, told apart
    # before each is marked (named_by_library copies every parameter).
    shared: dict[str, list[tuple[BicepFile, BicepFile, str]]] = attrs.Factory(dict)
    # module path -> (file as built, as written) of the last construct that wrote it
    written: dict[str, tuple[BicepFile, BicepFile]] = attrs.Factory(dict)
    writers: dict[str, str] = attrs.Factory(dict)  # module path -> the construct that wrote it first
    # main.bicep parameter -> (kind, construct symbol, field): how it groups into a kind's object.
    param_owners: dict[str, tuple[str, str, str]] = attrs.Factory(dict)
    # With group_settings: each group's fields by construct symbol, one record per distinct field,
    # and how many plain parameters the stack would have had (the 256 the grouping is for).
    shapes: dict[str, dict[str, list[Param]]] = attrs.Factory(dict)
    slots: dict[str, Param] = attrs.Factory(dict)  # group -> the record holding its place in params
    fields: dict[tuple[object, ...], Param] = attrs.Factory(dict)
    plain_params: int = 0
    owner_names: dict[Owner, tuple[str, str, str, str]] = attrs.Factory(dict)  # Synthesis._owner

    def claim(self, symbol: str, owner: str) -> None:
        """Reserve a main.bicep symbol; two constructs yielding the same symbol is a problem."""
        holder = self.owners.setdefault(symbol, owner)  # the first keeps it: one problem per clash
        if holder != owner:
            self.problems.append(
                Problem(
                    owner,
                    "id",
                    owner.rsplit("/", 1)[-1],
                    f"yields the Bicep symbol {symbol!r}, already used by {holder}; pick another id",
                )
            )

    def param(
        self,
        owner: Owner,
        field: str,
        type: BicepType,
        value: object,
        *,
        allowed: tuple[str, ...] = (),
        min_value: int | None = None,
        max_value: int | None = None,
        description: str | None = None,
        env: str | None = None,
    ) -> Expr:
        """A main.bicep parameter read from an environment variable, the profile's value as default."""
        symbol, path, env_prefix, kind = self._owner(owner)
        name = symbol + field[:1].upper() + field[1:]
        env = env or f"{env_prefix}_{field_env(field)}"
        self.claim(name, path)
        self.param_owners[name] = (kind, symbol, field)
        text = str(value).lower() if isinstance(value, bool) else str(value)
        self.plain_params += 1
        if self.group_settings:
            group = group_name(kind)
            shape = self.shapes.get(group)
            if shape is None:
                shape = self.shapes[group] = {}
                self.slots[group] = Param(group, "object")  # its place; declared_params() fills it in
                self.params.append(self.slots[group])
            key = (field, type, description, allowed, min_value, max_value)
            declared = self.fields.get(key)
            if declared is None:  # the group's field: what the plain parameter would be, by the field's name
                declared = self.fields[key] = _setting(*key)
            fields = shape.get(symbol)
            if fields is None:
                fields = shape[symbol] = []
            fields.append(declared)
            self.param_values.append(ParamValue(group, env, type, text, (symbol, field)))
            return grouped_read(group, symbol, field)
        # Named by the library, as main_file marks every main.bicep parameter.
        self.params.append(_setting(name, type, description, allowed, min_value, max_value))
        self.param_values.append(ParamValue(name, env, type, text))
        return ref(name)

    def _owner(self, owner: Owner) -> tuple[str, str, str, str]:
        """The owner's symbol, path, environment-variable prefix and kind (a construct adds several
        parameters: worked out once)."""
        found = self.owner_names.get(owner)
        if found is None:
            node = owner.node
            found = self.owner_names[owner] = (owner.symbol, node.path, env_name(node.unique_id), type(owner).__name__)
        return found

    def declared_params(self) -> tuple[Param, ...]:
        """main.bicep's parameters from the constructs, each group declared with all its fields."""
        return tuple(
            group_param(p.name, self.shapes[p.name]) if self.slots.get(p.name) is p else p for p in self.params
        )

    def secret_param(self, owner: Owner, secret: str) -> Expr:
        """A `@secure()` parameter with no default: the value must come from the environment."""
        name = camel(secret)
        self.claim(name, owner.node.path)
        self.plain_params += 1
        self.params.append(
            Param(
                name,
                "string",
                secure=True,
                min_length=1,
                description=f"Value of the Key Vault secret '{secret}'.",
            )
        )
        self.param_values.append(ParamValue(name, env_name(secret), "string", None))
        return ref(name)

    def module(
        self,
        owner: Owner,
        symbol: str,
        stem: str,
        file: BicepFile,
        params: dict[str, object],
        needs: tuple[str, ...] = (),
        deployment_name: str | Expr | None = None,
        scope: str = "rg",
        family: str | None = None,
    ) -> str:
        """Add a module file and its call; `needs` are module symbols that must deploy first.

        Only the needs not already implied by a reference in `params` become `dependsOn`. With
        `share` and a `family` (the kind's file stem), a file whose text another construct's file
        has already is not written again: the call uses that one.
        """
        self.claim(symbol, owner.node.path)
        path = f"modules/{stem}.bicep"
        if self.share and family is not None:
            path = self._shared_path(family, file)
        else:
            file = self._named(path, file)
            writer = self.writers.setdefault(path, owner.node.path)
            if writer != owner.node.path and self.modules[path] != file:
                # Two constructs' stems met (an id like 'kv-access-2' beside kv's own access module).
                message = f"writes {path}, as {writer} does, with other content; give one of them another id"
                self.problems.append(Problem(owner.node.path, "id", owner.node.id, message))
            self.modules[path] = file
        implied = self.reads[symbol] = refs_of(params.values())
        explicit = tuple(sorted({n for n in needs if n not in implied}))
        self.calls.append(ModuleCall(symbol, path, deployment_name or stem, params, explicit, owner.node.path, scope))
        return symbol

    def _named(self, path: str, built: BicepFile) -> BicepFile:
        """`built` marked as named by the library; the last such file for `path` when equal."""
        last = self.written.get(path)
        if last is not None and last[0] == built:
            return last[1]
        named = named_by_library(built)
        self.written[path] = (built, named)
        return named

    def _shared_path(self, family: str, built: BicepFile) -> str:
        # Few distinct files per kind (one per shape of settings and connections): a scan is cheap.
        known = self.shared.setdefault(family, [])
        for existing, _, path in known:
            if existing == built:
                return path
        file = named_by_library(built)
        for _, existing, path in known:
            if existing == file:  # built apart, written alike
                known.append((built, file, path))
                return path
        count = len({p for _, _, p in known})  # distinct files so far
        path = f"modules/{family}.bicep" if not count else f"modules/{family}-{count + 1}.bicep"
        known.append((built, file, path))
        self.modules[path] = file
        return path

    def output(self, name: str, type: BicepType, value: Expr) -> None:
        """A main.bicep output; names come from construct ids, which are unique, so one each."""
        self.outputs.append(Output(name, type, value, generated=True))


def _setting(
    name: str,
    type: BicepType,
    description: str | None,
    allowed: tuple[str, ...],
    min_value: int | None,
    max_value: int | None,
) -> Param:
    """The declaration of a setting (a plain parameter, or a field of its kind's group)."""
    return Param(
        name,
        type,
        description=description,
        allowed=allowed,
        min_value=min_value,
        max_value=max_value,
        generated=True,
    )
