"""An app's side of its connections: which targets it refuses, and names that clash. What a
connection yields is the target's business (`Connectable.connection_from`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import attrs

from momentloop_infra.bicep.expr import Expr
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.connection import Connectable, Connection, EnvVar, Principal, RoleGrant, access_problem
from momentloop_infra.errors import Problem
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.role_catalogue import builtin_role, unknown_role_message

IDENTITY_ENV = "AZURE_CLIENT_ID"  # every app gets its identity's client id


def refusal(source: Construct, target: object, access: str | None) -> str | None:
    """Why `source` cannot connect to `target` with `access`, or None."""
    if target is source:
        return "an app cannot connect to itself"
    if not isinstance(target, Connectable) or not isinstance(target, Construct):
        return (
            f"cannot connect to a {type(target).__name__}; it accepts no connections "
            "(connectable constructs define connection_from)"
        )
    if target.node.root is not source.node.root:
        return "belongs to another stack; connect only constructs of the same stack"
    return access_problem(target, access)


ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@attrs.frozen(repr=False)
class Extra(FieldRepr):
    """What connect(role=..., env=...) adds to the connection the target yields."""

    grants: tuple[RoleGrant, ...] = ()
    env: tuple[EnvVar, ...] = ()


def role_and_env(
    source: Principal, target: Connectable, role: str | None, env: Mapping[str, str | Expr] | None
) -> Extra | None:
    """The grant of `role` and the variables of `env`; None (with a problem on the source) when
    the role is unknown, the target grants no roles, or an env entry is invalid."""
    path = target.node.path if isinstance(target, Construct) else str(target)
    problems = source.node.problems
    grants: tuple[RoleGrant, ...] = ()
    if role is not None:
        found = builtin_role(role) if isinstance(role, str) else None
        if found is None:
            problems.append(Problem(source.node.path, "connect.role", role, unknown_role_message(role)))
            return None
        if not target.needs_role and getattr(target, "grant_scope", None) is None:
            problems.append(
                Problem(source.node.path, "connect.role", role, f"{path} takes no role assignments; leave role out")
            )
            return None
        grants = (RoleGrant(found, source, target),)  # type: ignore[arg-type]
    elif target.needs_role:
        problems.append(
            Problem(
                source.node.path,
                "connect",
                path,
                "name the built-in role the app needs on it, e.g. role='Azure Service Bus Data Sender'",
            )
        )
        return None
    variables: list[EnvVar] = []
    for name, value in (env or {}).items():
        if not isinstance(name, str) or not ENV_NAME.fullmatch(name) or not isinstance(value, str | Expr):
            problems.append(
                Problem(
                    source.node.path,
                    "connect.env",
                    name,
                    "environment variable names are letters, digits and underscores; values are strings "
                    "or resource.attr(...) references",
                )
            )
            return None
        variables.append(EnvVar(name, value))
    return Extra(grants, tuple(variables))


def default_access(target: Connectable, access: str | None) -> str | None:
    return access if access is not None or not target.access_levels else target.access_levels[0]


def env_clashes(path: str, own: Mapping[str, str], connections: Iterable[Connection]) -> list[Problem]:
    """An environment variable set twice: by env= and a connection, or by two connections."""
    found: list[Problem] = []
    seen: dict[str, str] = dict.fromkeys(own, "env")
    seen[IDENTITY_ENV] = "the app's identity"
    for connection in connections:
        here = f"the connection to {connection.target.node.path}"
        for var in connection.env:
            if seen.get(var.name) == here:  # connect() called twice, with two values for it
                found.append(Problem(path, "env", var.name, f"set twice, to two values, by {here}; give it once"))
            elif var.name in seen:
                found.append(
                    Problem(
                        path,
                        "env",
                        var.name,
                        f"set by both {seen[var.name]} and {here}; pass env_name=... to connect() to rename one",
                    )
                )
            seen[var.name] = here
    return found
