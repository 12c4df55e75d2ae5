"""Settings grouped by kind while the constructs expand (a stack certain to pass 256 parameters)
give exactly what grouping the plain parameters afterwards gives, and a stack near the limit is
still grouped only when it passes it."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from benchmarks.generated_stack import generated
from momentloop_infra import (
    BlobStore,
    ContainerApp,
    ContainerAppsEnvironment,
    ContainerRegistry,
    DeployIdentity,
    KeyVault,
    LogAnalytics,
    PostgresFlexible,
    Stack,
)
from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.constructs.base import AzureConstruct
from momentloop_infra.pipeline import synthesize as synthesize_module
from momentloop_infra.pipeline.fit import MAX_PARAMS, fit_params
from tests.infra.support import EXAMPLES, files_of, load_example


def mixed(apps: int, secrets: int = 3) -> Stack:
    """Apps and stores beside a vault with secrets (never grouped), Postgres and a DeployIdentity."""
    stack = Stack("mixed")
    env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
    registry = ContainerRegistry(stack, "registry")
    vault = KeyVault(stack, "vault", secrets=[f"secret-{k}" for k in range(secrets)])
    db = PostgresFlexible(stack, "postgres", database="app")
    for i in range(apps):
        store = BlobStore(stack, f"store-{i}", containers=["files"])
        if i % 2:
            app = ContainerApp(stack, f"app-{i}", environment=env, registry=registry, cpu=0.5, memory="1Gi")
        else:
            app = ContainerApp(stack, f"app-{i}", environment=env, registry=registry)
        app.connect(store, access="read_write")
        if i % 3 == 0:
            app.connect(vault)
        if i % 4 == 0:
            app.connect(db)
    DeployIdentity(stack, "deploy", repository=None, branch="main")
    return stack


def built_in_kinds() -> list[type[AzureConstruct[Any]]]:
    found: list[type[AzureConstruct[Any]]] = []
    pending: list[type[AzureConstruct[Any]]] = [AzureConstruct]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending += kind.__subclasses__()
    return found


@pytest.fixture
def grouped_afterwards(monkeypatch: pytest.MonkeyPatch) -> None:
    """No construct promises any parameter: every stack takes the path that groups afterwards."""
    for kind in built_in_kinds():
        monkeypatch.setattr(kind, "settings_params", 0)


def params_reaching_fit(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many parameters main.bicep has when fit_params gets it, per synthesis."""
    seen: list[int] = []

    def spy(main: Any, *args: Any) -> Any:
        seen.append(len(main.params))
        return fit_params(main, *args)

    monkeypatch.setattr(synthesize_module, "fit_params", spy)
    return seen


STACKS = {"generated-60": lambda: generated(60), "mixed-70": lambda: mixed(70)}


@pytest.mark.parametrize("name", sorted(STACKS))
def test_grouping_while_building_writes_what_grouping_afterwards_writes(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = params_reaching_fit(monkeypatch)
    while_building = files_of(STACKS[name]())
    # Grouped already: what reaches fit_params is a handful of objects (and the vault's secrets).
    assert seen[-1] < 20
    for kind in built_in_kinds():
        monkeypatch.setattr(kind, "settings_params", 0)
    afterwards = files_of(STACKS[name]())
    assert seen[-1] > MAX_PARAMS  # this time the plain parameters reached it, to be grouped there
    assert afterwards == while_building
    assert "param containerAppSettings {" in while_building["main.bicep"]


def test_secrets_can_push_a_stack_past_the_limit_that_its_settings_alone_do_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 2 + 30 apps x 5 + 30 stores x 2 + 2 + 1 + 2 + 5 + 2 = 224 promised settings; 40 secrets make 264.
    seen = params_reaching_fit(monkeypatch)
    files = files_of(mixed(30, secrets=40))
    assert seen == [264]
    assert "param containerAppSettings {" in files["main.bicep"]
    assert files["main.bicep"].count("@secure()") == 40  # secrets stay plain parameters


def test_a_construct_promising_more_than_it_adds_is_built_again_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    honest = files_of(load_example("small.py"))
    monkeypatch.setattr(ContainerApp, "settings_params", MAX_PARAMS)
    builds = Counter[str]()
    build = ContainerApp.build

    def counted(self: ContainerApp, *args: Any) -> None:
        builds[self.node.path] += 1
        build(self, *args)

    monkeypatch.setattr(ContainerApp, "build", counted)
    assert files_of(load_example("small.py")) == honest
    assert builds and set(builds.values()) == {2}  # grouped first, then plain
    assert "Settings {" not in honest["main.bicep"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_built_in_construct_adds_at_least_the_parameters_it_promises(
    example: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    added = Counter[str]()
    kinds: dict[str, type[AzureConstruct[Any]]] = {}
    param = Synthesis.param

    def counted(self: Synthesis, owner: Any, *args: Any, **kwargs: Any) -> Any:
        added[owner.node.path] += 1
        kinds[owner.node.path] = type(owner)
        return param(self, owner, *args, **kwargs)

    monkeypatch.setattr(Synthesis, "param", counted)
    stack = load_example(example)
    files_of(stack)
    constructs = [c for c in stack.node.walk() if isinstance(c, AzureConstruct) and c.expands]
    assert constructs
    for c in constructs:
        assert added[c.node.path] >= type(c).settings_params, c.node.path
        if type(c).settings_params:
            assert added[c.node.path] == type(c).settings_params, "promise all it adds: grouping starts earlier"
