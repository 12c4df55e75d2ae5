"""The MomentLoop stack: every generated file locked by a snapshot, and what matters asserted."""

from __future__ import annotations

import itertools
import re

import pytest
from syrupy.assertion import SnapshotAssertion

from momentloop_infra import ContainerApp
from momentloop_infra.model import roles
from tests.infra.support import files_of, load_example, project_of, snapshot_extension

STACK = load_example("momentloop.py")
FILES = files_of(STACK)
PROJECT = project_of(STACK)


@pytest.mark.parametrize("path", sorted(FILES), ids=lambda p: p.replace("/", "-"))
def test_generated_file_matches_snapshot(path: str, snapshot: SnapshotAssertion) -> None:
    assert FILES[path] == snapshot(extension_class=snapshot_extension(path))


def test_writes_the_seed_modules_and_what_the_design_adds() -> None:
    modules = {p.removeprefix("modules/").removesuffix(".bicep") for p in FILES if p.startswith("modules/")}
    seed = {
        "container-apps-env",
        "container-app-backend",
        "container-app-frontend",
        "postgresql",
        "storage",
        "key-vault",
        "container-registry",
        "monitoring",
    }
    assert seed <= modules
    # Shared by every app: one identity module, one module reading the image an app runs; and the
    # deploy workflow's identity (its resource group part and its subscription part).
    assert modules - seed == {
        "user-assigned-identity",
        "fetch-container-image",
        "deploy-identity",
        "deploy-identity-subscription",
    }


def _grants() -> set[tuple[str, str, str]]:
    return {
        (g.principal.removeprefix("momentloop/"), g.role.name, g.target.removeprefix("momentloop/"))
        for g in PROJECT.grants
    }


def test_each_connection_yields_least_privilege_roles() -> None:
    assert _grants() == {
        ("backend", roles.STORAGE_BLOB_DATA_CONTRIBUTOR.name, "storage"),
        ("backend", roles.KEY_VAULT_SECRETS_USER.name, "vault"),
        ("backend", roles.ACR_PULL.name, "registry"),
        ("frontend", roles.ACR_PULL.name, "registry"),
    }


def test_role_assignments_are_rendered_in_the_target_module_with_service_principal_type() -> None:
    for module, role in [
        ("storage", roles.STORAGE_BLOB_DATA_CONTRIBUTOR),
        ("key-vault", roles.KEY_VAULT_SECRETS_USER),
        ("container-registry", roles.ACR_PULL),
    ]:
        text = FILES[f"modules/{module}.bicep"]
        assert f"subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{role.guid}')" in text
        assert "principalType: 'ServicePrincipal'" in text
        # Name from ids only (BCP120): scope id, the principal id parameter, the role GUID.
        assert re.search(rf"name: guid\(\w+\.id, backendPrincipalId, '{role.guid}'\)", text)
    assert FILES["modules/container-registry.bicep"].count("Microsoft.Authorization/roleAssignments@2022-04-01") == 2


def test_backend_identity_is_the_postgres_entra_administrator_and_passwords_are_off() -> None:
    text = FILES["modules/postgresql.bicep"]
    assert "passwordAuth: 'Disabled'" in text
    assert "activeDirectoryAuth: 'Enabled'" in text
    assert "administratorLoginPassword" not in text
    assert "name: backendPrincipalId" in text and "principalName: backendPrincipalName" in text


def test_postgres_children_deploy_in_one_chain() -> None:
    text = FILES["modules/postgresql.bicep"]
    chain = re.findall(r"resource (\w+) 'Microsoft\.DBforPostgreSQL/flexibleServers/\w+@", text)
    assert chain == ["database", "allowAzureServices", "backendAdministrator"]
    for previous, current in itertools.pairwise(chain):
        body = text.split(f"resource {current} ", 1)[1].split("\n}\n", 1)[0]
        assert re.search(rf"dependsOn: \[\n\s+{previous}\n\s+\]", body), current


def test_apps_deploy_after_their_identity_and_every_grant() -> None:
    main = FILES["main.bicep"]
    order = re.findall(r"^module (\w+) ", main, flags=re.M)
    backend_params = main.split("module backend ", 1)[1].split("\n}\n", 1)[0]
    # Every target that grants the backend something is referenced, hence deployed first.
    for target in ["backendIdentity", "storage", "vault", "postgres", "registry", "env"]:
        assert f"{target}.outputs." in backend_params, target
        assert order.index(target) < order.index("backend")
    frontend_params = main.split("module frontend ", 1)[1].split("\n}\n", 1)[0]
    assert "backend.outputs.uri" in frontend_params and "registry.outputs.loginServer" in frontend_params


def test_environment_variables_the_backend_needs() -> None:
    backend = STACK.node.children["backend"]
    assert isinstance(backend, ContainerApp)
    names = [v.name for v in backend.env_vars]
    assert names == [
        "AZURE_STORAGE_ACCOUNT_URL",
        "AZURE_KEY_VAULT_URL",
        "GOOGLE_CLIENT_ID",
        "GOOGLE_CLIENT_SECRET",
        "GOOGLE_AI_API_KEY",
        "FAL_KEY",
        "JWT_SECRET",
        "POSTGRES_HOST",
        "POSTGRES_DATABASE",
        "POSTGRES_USER",
    ]
    text = FILES["modules/container-app-backend.bicep"]
    assert "name: 'AZURE_CLIENT_ID'\n              value: identityClientId" in text
    assert "name: 'JWT_SECRET'\n              secretRef: 'jwt-secret'" in text
    assert "keyVaultUrl: '${azureKeyVaultUrl}secrets/jwt-secret'" in text
    assert "name: 'STORAGE_BACKEND'\n              value: 'azure'" in text
    assert "name: 'BACKEND_URL'" in FILES["modules/container-app-frontend.bicep"]


def test_first_deploy_uses_the_placeholder_image_and_no_replicas() -> None:
    for app in ["backend", "frontend"]:
        text = FILES[f"modules/container-app-{app}.bicep"]
        assert (
            "exists && !empty(existingImage) ? existingImage : 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'"
            in text
        )
        assert "minReplicas: exists ? minReplicas : 0" in text
        assert (
            f"param {app}Exists = bool(readEnvironmentVariable('SERVICE_{app.upper()}_RESOURCE_EXISTS', 'false'))"
            in FILES["main.bicepparam"]
        )


def test_no_secret_in_outputs_tags_or_plain_parameters() -> None:
    secure = set(re.findall(r"@secure\(\)\n(?:@\w+\(.*\)\n)*param (\w+)", FILES["main.bicep"]))
    assert secure == {"googleClientId", "googleClientSecret", "googleAiApiKey", "falKey", "jwtSecret"}
    for path, text in FILES.items():
        for line in text.splitlines():
            if line.startswith("output ") or "tags" in line:
                assert "listKeys" not in line and "secret" not in line.lower().replace("secretref", ""), (
                    path,
                    line,
                )
                assert not any(re.search(rf"\b{name}\b", line) for name in secure), (path, line)
    params = FILES["main.bicepparam"]
    for name in secure:
        # No default: an unset variable stops `bicep build-params` with the variable's name.
        assert re.search(rf"param {name} = readEnvironmentVariable\('[A-Z_]+'\)\n", params)
    assert "sharedKey: workspace.listKeys().primarySharedKey" in FILES["modules/container-apps-env.bicep"]


def test_every_sku_and_size_is_a_parameter_with_the_seed_minimum_cost_default() -> None:
    params = FILES["main.bicepparam"]
    for line in [
        "param postgresSku = readEnvironmentVariable('POSTGRES_SKU', 'Standard_B1ms')",
        "param postgresStorageGb = int(readEnvironmentVariable('POSTGRES_STORAGE_GB', '32'))",
        "param postgresHighAvailability = readEnvironmentVariable('POSTGRES_HIGH_AVAILABILITY', 'Disabled')",
        "param backendCpu = readEnvironmentVariable('BACKEND_CPU', '0.25')",
        "param backendMemory = readEnvironmentVariable('BACKEND_MEMORY', '0.5Gi')",
        "param backendMaxReplicas = int(readEnvironmentVariable('BACKEND_MAX_REPLICAS', '3'))",
        "param frontendMaxReplicas = int(readEnvironmentVariable('FRONTEND_MAX_REPLICAS', '2'))",
        "param storageSku = readEnvironmentVariable('STORAGE_SKU', 'Standard_LRS')",
        "param registrySku = readEnvironmentVariable('REGISTRY_SKU', 'Basic')",
    ]:
        assert line in params
    declared = re.findall(r"^param (\w+) ", FILES["main.bicep"], flags=re.M)
    assigned = re.findall(r"^param (\w+) =", params, flags=re.M)
    assert declared == assigned


def test_azd_conventions() -> None:
    main = FILES["main.bicep"]
    assert "targetScope = 'subscription'" in main
    assert "var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))" in main
    assert "'azd-env-name': environmentName" in main
    for output in [
        "AZURE_CONTAINER_REGISTRY_ENDPOINT",
        "AZURE_LOCATION",
        "AZURE_TENANT_ID",
        "SERVICE_BACKEND_URI",
    ]:
        assert f"output {output} string = " in main
    assert "'azd-service-name': 'backend'" in FILES["modules/container-app-backend.bicep"]
    assert "'azd-service-name': 'frontend'" in FILES["modules/container-app-frontend.bicep"]
    yaml = FILES["azure.yaml"]
    assert "path: synth_out/infra" in yaml
    assert "  backend:\n    project: .\n" in yaml and "  frontend:\n    project: frontend\n" in yaml


def test_hardening_the_design_decided() -> None:
    storage = FILES["modules/storage.bicep"]
    for line in [
        "allowBlobPublicAccess: false",
        "minimumTlsVersion: 'TLS1_2'",
        "supportsHttpsTrafficOnly: true",
        "allowSharedKeyAccess: false",
    ]:
        assert line in storage
    assert storage.count("publicAccess: 'None'") == 5
    vault = FILES["modules/key-vault.bicep"]
    assert "enableRbacAuthorization: true" in vault
    assert "enablePurgeProtection: enablePurgeProtection ? true : null" in vault
    registry = FILES["modules/container-registry.bicep"]
    assert "adminUserEnabled: false" in registry and "roleAssignmentMode: 'LegacyRegistryPermissions'" in registry
    assert "allowInsecure: false" in FILES["modules/container-app-backend.bicep"]


def test_scale_up_profile_gives_the_seed_larger_set() -> None:
    params = files_of(load_example("momentloop.py"), "scale-up")["main.bicepparam"]
    for line in [
        "param postgresSku = readEnvironmentVariable('POSTGRES_SKU', 'Standard_D2s_v3')",
        "param postgresTier = readEnvironmentVariable('POSTGRES_TIER', 'GeneralPurpose')",
        "param postgresHighAvailability = readEnvironmentVariable('POSTGRES_HIGH_AVAILABILITY', 'ZoneRedundant')",
        "param backendCpu = readEnvironmentVariable('BACKEND_CPU', '1.0')",
        "param backendMemory = readEnvironmentVariable('BACKEND_MEMORY', '2Gi')",
        "param backendMinReplicas = int(readEnvironmentVariable('BACKEND_MIN_REPLICAS', '1'))",
        "param backendMaxReplicas = int(readEnvironmentVariable('BACKEND_MAX_REPLICAS', '10'))",
        "param frontendCpu = readEnvironmentVariable('FRONTEND_CPU', '0.5')",
        "param frontendMaxReplicas = int(readEnvironmentVariable('FRONTEND_MAX_REPLICAS', '5'))",
        "param storageSku = readEnvironmentVariable('STORAGE_SKU', 'Standard_GRS')",
        "param registrySku = readEnvironmentVariable('REGISTRY_SKU', 'Standard')",
    ]:
        assert line in params


def test_files_are_lf_two_space_indented_with_one_final_newline() -> None:
    for path, text in FILES.items():
        assert "\r" not in text and "\t" not in text, path
        assert text.endswith("\n") and not text.endswith("\n\n"), path
        for line in text.splitlines():
            indent = len(line) - len(line.lstrip(" "))
            assert indent % 2 == 0, (path, line)


def test_backend_probes_its_health_endpoints_once_the_real_image_runs() -> None:
    text = FILES["modules/container-app-backend.bicep"]
    assert "var probes = exists ? [" in text and "] : []\n" in text
    assert "path: '/healthz'\n      port: 8000" in text and "path: '/readyz'\n      port: 8000" in text
    assert "          probes: probes\n" in text
    assert "probes" not in FILES["modules/container-app-frontend.bicep"]
