"""connect(): what each connection derives, inspected without synthesizing, and what it refuses."""

from __future__ import annotations

import pytest

from momentloop_infra import Connectable, Connection, EnvVar, LogAnalytics, Principal, RoleGrant, StackError
from momentloop_infra.model import roles
from momentloop_infra.pipeline.synthesize import synthesize
from tests.infra.builders import base
from tests.infra.support import files_of


def test_read_write_storage_grants_contributor_and_the_blob_endpoint() -> None:
    b = base()
    app, store = b.app("api"), b.store()
    connection = app.connect(store, access="read_write")
    assert [(g.role, g.principal, g.target) for g in connection.grants] == [
        (roles.STORAGE_BLOB_DATA_CONTRIBUTOR, app, store)
    ]
    assert [(v.name, str(v.value)) for v in connection.env] == [
        ("AZURE_STORAGE_ACCOUNT_URL", "store.outputs.blobEndpoint")
    ]


def test_storage_defaults_to_read_only_reader_role() -> None:
    b = base()
    connection = b.app("api").connect(b.store())
    assert connection.access == "read"
    assert [g.role for g in connection.grants] == [roles.STORAGE_BLOB_DATA_READER]


def test_key_vault_grants_secrets_user_and_surfaces_each_secret_by_reference() -> None:
    b = base()
    vault = b.vault(secrets=["google-client-id", "jwt-secret"])
    connection = b.app("api").connect(vault)
    assert [g.role for g in connection.grants] == [roles.KEY_VAULT_SECRETS_USER]
    assert [(v.name, v.secret) for v in connection.env] == [
        ("AZURE_KEY_VAULT_URL", None),
        ("GOOGLE_CLIENT_ID", "google-client-id"),
        ("JWT_SECRET", "jwt-secret"),
    ]


def test_postgres_makes_the_identity_an_administrator_and_gives_host_database_user() -> None:
    b = base()
    connection = b.app("api").connect(b.db(database="shop"))
    assert connection.in_target == ("Entra administrator",) and connection.grants == ()
    assert connection.deploy_after_target
    assert [(v.name, str(v.value)) for v in connection.env] == [
        ("POSTGRES_HOST", "db.outputs.fqdn"),
        ("POSTGRES_DATABASE", "shop"),
        ("POSTGRES_USER", "apiIdentity.outputs.name"),
    ]


def test_another_app_gives_its_url() -> None:
    b = base()
    web, api = b.app("web"), b.app("api")
    assert [(v.name, str(v.value)) for v in web.connect(api).env] == [("API_URL", "api.outputs.uri")]


def test_acr_pull_is_implied_for_every_app_that_pulls_from_the_registry() -> None:
    b = base()
    b.app("api"), b.app("worker", ingress="none")
    grants = synthesize(b.stack).grants
    assert sorted((g.principal, g.role.name) for g in grants) == [
        ("demo/api", "AcrPull"),
        ("demo/worker", "AcrPull"),
    ]


def test_connecting_twice_with_the_same_access_returns_the_same_connection() -> None:
    b = base()
    app, store = b.app("api"), b.store()
    assert app.connect(store, access="read") is app.connect(store, access="read")


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda b: (lambda a: a.connect(a))(b.app("api")), "cannot connect to itself"),
        (lambda b: b.app("api").connect(base("other").store()), "belongs to another stack"),
        (
            lambda b: (lambda a, s: (a.connect(s, access="read"), a.connect(s, access="read_write")))(
                b.app("api"), b.store()
            ),
            "already connected with access='read'",
        ),
        (
            lambda b: b.app("api").connect(b.vault(), access="read_write"),
            "a KeyVault takes no access argument",
        ),
        (lambda b: b.app("api").connect(b.env), "cannot connect to a ContainerAppsEnvironment"),
        (lambda b: b.app("api").connect(b.store(), access="write"), "access='write' is not one of"),
    ],
    ids=["self", "other-stack", "conflicting-access", "access-on-vault", "environment", "bad-access"],
)
def test_connections_that_make_no_sense_are_refused_at_synth(make, expected: str) -> None:  # type: ignore[no-untyped-def]
    b = base()
    make(b)
    with pytest.raises(StackError) as raised:
        synthesize(b.stack)
    assert any(expected in str(p) and p.path == "demo/api" for p in raised.value.problems), raised.value


def test_every_problem_is_listed_at_once() -> None:
    b = base()
    api = b.app("api", cpu=0.3, min_replicas=5, max_replicas=2)
    api.connect(api)
    b.db(sku="Standard_B1ms", high_availability="ZoneRedundant")
    with pytest.raises(StackError) as raised:
        synthesize(b.stack)
    text = str(raised.value)
    assert "demo/api: cpu = 0.3" in text
    assert "demo/api: connect" in text and "itself" in text
    assert "demo/db: high_availability = 'ZoneRedundant'" in text
    assert len(raised.value.problems) >= 3


LOG_ANALYTICS_READER = roles.Role("Log Analytics Reader", "73c42c96-874c-492b-b04d-ab87d138a893")


class QueryableLogs(LogAnalytics, Connectable):
    """A connectable kind written outside the library: one class, no edit anywhere else."""

    def connection_from(self, source: Principal, access: str | None, env_name: str | None) -> Connection:
        grant = RoleGrant(LOG_ANALYTICS_READER, source, self)
        return Connection(source, self, None, (grant,), (EnvVar(env_name or "LOGS_WORKSPACE_ID", self.output("id")),))


def test_a_new_connectable_kind_is_one_class() -> None:
    b = base()
    logs = QueryableLogs(b.stack, "audit")
    connection = b.app("api").connect(logs)
    assert [(g.role, g.target) for g in connection.grants] == [(LOG_ANALYTICS_READER, logs)]
    files = files_of(b.stack)
    module = files["modules/monitoring-audit.bicep"]
    assert f"subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{LOG_ANALYTICS_READER.guid}')" in module
    assert "scope: workspace" in module and "param apiPrincipalId string" in module
    assert "name: 'LOGS_WORKSPACE_ID'" in files["modules/container-app-api.bicep"]
    # The grant lives in the target's module, so the app deploys after it.
    main = files["main.bicep"]
    assert main.index("module audit ") < main.index("module api ")
    assert any(g.principal == "demo/api" and g.role == LOG_ANALYTICS_READER for g in synthesize(b.stack).grants)


def test_a_kind_that_is_not_connectable_is_refused_by_name() -> None:
    b = base()
    b.app("api").connect(LogAnalytics(b.stack, "plain"))
    with pytest.raises(StackError, match="cannot connect to a LogAnalytics; it accepts no connections"):
        synthesize(b.stack)
