"""Shapes of stack the generated benchmark stack does not have, each of which once came out past
one of ARM's limits: many connections per app under 800 module calls, a vault with many secrets
read by many apps, a Resource whose module reads many values besides its principals."""

from __future__ import annotations

from momentloop_infra import ContainerApp, KeyVault, Resource, Stack, synthesize
from momentloop_infra.emit.files import Layout
from momentloop_infra.pipeline.run import synthesize_files, validate_stack
from tests.infra.builders import base


def vault_stack(secrets: int, apps: int) -> Stack:
    b = base("vaulty")
    vault = KeyVault(b.stack, "vault", secrets=[f"secret-{i}" for i in range(secrets)])
    for i in range(apps):
        b.app(f"app-{i}").connect(vault)
    return b.stack


def test_a_stack_under_800_module_calls_past_4_mb_one_file_per_app_shares_files_instead() -> None:
    # 150 apps, each reading a vault of 100 secrets: 451 module calls, yet with a file per app
    # (each with its 100 secret references) main.json would be about 4.1 MB.
    stack = vault_stack(100, 150)
    project = synthesize(stack)  # validated: ML210 would be an error
    apps = [name for name in project.modules if name.startswith("modules/container-app-") or name.endswith("app.bicep")]
    assert apps == ["modules/container-app.bicep"]  # one shared file, its calls one loop
    assert any(call.loop is not None and call.file == apps[0] for call in project.main.modules)
    # The command's path and validate's agree with synthesize.
    validated, files = synthesize_files(stack, "default", Layout.of("out"))
    assert validated.modules.keys() == project.modules.keys()
    assert "modules/container-app.bicep" in files and "modules/container-app-app-0.bicep" not in files
    report = validate_stack(stack)
    assert not report.errors, report.errors


def test_a_small_stack_keeps_a_file_per_app() -> None:
    project = synthesize(vault_stack(3, 4))
    assert sorted(n for n in project.modules if n.startswith("modules/container-app-app")) == [
        f"modules/container-app-app-{i}.bicep" for i in range(4)
    ]


def test_a_vaults_secrets_and_its_principals_stay_within_256_parameters() -> None:
    # 52 secret parameters and 200 principals: one each would be 257 with name, location, tags.
    project = synthesize(vault_stack(52, 200))
    vault = project.modules["modules/key-vault.bicep"]
    assert len(vault.params) <= 256
    assert any(p.name.endswith("PrincipalIds") and p.type == "object" for p in vault.params)
    assert any(r.loop is not None for r in vault.resources)


def test_a_resources_principals_loop_when_its_other_parameters_leave_no_room() -> None:
    b = base("wide")
    apps: list[ContainerApp] = [b.app(f"app-{i}", ingress="none") for i in range(199)]
    # A type not in the bundle (its body is not checked): 60 values read from main.bicep.
    topic = Resource(
        b.stack,
        "topic",
        type="Microsoft.EventGrid/topics@2025-02-15",
        properties={"readers": [a.principal_id for a in apps[:60]]},
    )
    for app in apps:
        app.connect(topic, role="Reader")
    project = synthesize(b.stack)  # validated: no ML210
    module = project.modules["modules/eventgrid-topics-topic.bicep"]
    assert len(module.params) == 3 + 60 + 1  # name, location, tags; the values; one object of principals
    assert [r.copies for r in module.resources if r.loop is not None] == [199]
