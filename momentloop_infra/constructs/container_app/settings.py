"""ContainerApp's settings: the keyword arguments, their types and defaults, and the rules
Container Apps enforces (CPU steps, memory twice the CPU, probe paths, no secret in env=)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Literal, TypedDict

import attrs

from momentloop_infra.bicep.expr import Expr
from momentloop_infra.build.settings import FieldProblem, Settings, setting, settings_class
from momentloop_infra.model.secrets import looks_secret

_GIB = re.compile(r"(\d+(?:\.\d+)?)Gi")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Consumption workload profile: CPU in steps of 0.25 up to 4 vCPU, memory twice the CPU in GiB.
CPU_STEPS = tuple(Decimal(k) / 4 for k in range(1, 17))


def _format_gib(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return f"{text}Gi"


def _cpu(value: object) -> object:
    # 0.25 as written, not the binary fraction a float holds.
    return str(value) if isinstance(value, float) else value


def _memory(value: object) -> object:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
        if number.is_finite():  # NaN or infinity: left for the str field to refuse
            return _format_gib(number)
    return value


def _cpu_step(value: Decimal) -> None:
    if value not in CPU_STEPS:
        raise FieldProblem("cpu", float(value), "Container Apps accepts 0.25 to 4 vCPU in steps of 0.25")


def _probe_path(field: str) -> Callable[[str], None]:
    def check(value: str) -> None:
        if not re.fullmatch(r"/[\x21-\x7e]*", value):
            raise FieldProblem(field, value, "probe paths start with '/' and hold no spaces, e.g. '/healthz'")

    return check


def _env_names(value: dict[str, str]) -> None:
    for key in value:
        if not ENV_NAME.fullmatch(key):
            raise FieldProblem("env", key, "environment variable names are letters, digits and underscores")
        if looks_secret(key):
            raise FieldProblem(
                "env",
                key,
                "looks like a secret passed as a plain environment variable; add it to a KeyVault's "
                "secrets and connect the app to the vault (it then arrives through a Key Vault reference)",
            )


def _user_assigned(value: str) -> None:
    if value == "system_assigned":
        raise FieldProblem(
            "identity",
            value,
            "a system-assigned identity exists only once the app does, so it cannot hold AcrPull or Key Vault "
            "Secrets User before the first pull and the first `azd up` fails; use the default 'user_assigned'",
        )


@settings_class
class ContainerAppSettings(Settings):
    port: int = setting(default=8000, ge=1, le=65535)
    cpu: Decimal = setting(default=Decimal("0.25"), before=_cpu, check=_cpu_step)
    memory: str = setting(default="0.5Gi", before=_memory)
    min_replicas: int = setting(default=0, ge=0, le=1000)
    max_replicas: int = setting(default=3, ge=1, le=1000)
    ingress: Literal["external", "internal", "none"] = "external"
    concurrent_requests: int = setting(default=10, ge=1)
    env: dict[str, str] = setting(default=attrs.Factory(dict), check=_env_names)
    identity: Literal["user_assigned", "system_assigned"] = setting(default="user_assigned", check=_user_assigned)
    project: str | None = None
    dockerfile: str = "Dockerfile"
    image: str | None = None
    health_path: str | None = setting(default=None, check=_probe_path("health_path"))
    ready_path: str | None = setting(default=None, check=_probe_path("ready_path"))
    name: str | None = None

    def consistent(self) -> None:
        expected = _format_gib(self.cpu * 2)
        match = _GIB.fullmatch(self.memory)
        if not match or Decimal(match.group(1)) != self.cpu * 2:
            raise FieldProblem(
                "memory",
                self.memory,
                f"Container Apps pairs {self.cpu} vCPU with {expected} (memory is twice the CPU, in Gi)",
            )
        if self.min_replicas > self.max_replicas:
            raise FieldProblem(
                "min_replicas",
                self.min_replicas,
                f"is greater than max_replicas={self.max_replicas}; lower it or raise max_replicas",
            )

    @property
    def memory_text(self) -> str:
        return _format_gib(Decimal(self.memory.removesuffix("Gi")))


class ContainerAppArgs(TypedDict, total=False):
    """The keyword arguments of ContainerApp (for mypy); the same names as ContainerAppSettings."""

    port: int | None
    cpu: float | str | None
    memory: float | str | None
    min_replicas: int | None
    max_replicas: int | None
    ingress: str | None
    concurrent_requests: int | None
    env: Mapping[str, str | Expr] | None
    identity: str | None
    project: str | None
    dockerfile: str | None
    image: str | None
    health_path: str | None
    ready_path: str | None
    name: str | None
