"""An app's side of its connections: which targets it refuses, and names that clash. What a
connection yields is the target's business (`Connectable.connection_from`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from momentloop_infra.construct import Construct
from momentloop_infra.constructs.connection import Connectable, Connection, access_problem
from momentloop_infra.errors import Problem

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


def default_access(target: Connectable, access: str | None) -> str | None:
    return access if access is not None or not target.access_levels else target.access_levels[0]


def env_clashes(path: str, own: Mapping[str, str], connections: Iterable[Connection]) -> list[Problem]:
    """An environment variable set twice: by env= and a connection, or by two connections."""
    found: list[Problem] = []
    seen: dict[str, str] = dict.fromkeys(own, "env")
    seen[IDENTITY_ENV] = "the app's identity"
    for connection in connections:
        for var in connection.env:
            if var.name in seen:
                found.append(
                    Problem(
                        path,
                        "env",
                        var.name,
                        f"set by both {seen[var.name]} and the connection to {connection.target.node.path}; "
                        "pass env_name=... to connect() to rename one",
                    )
                )
            seen[var.name] = f"the connection to {connection.target.node.path}"
    return found
