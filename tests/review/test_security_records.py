"""Security rows for resources a construct emits outside its connections (no grant record):
a role assignment of its own, a federated credential. Built from records, as the pipeline makes them."""

from __future__ import annotations

from momentloop_infra.review.diff import diff_snapshots
from momentloop_infra.review.security import security_rows
from momentloop_infra.review.snapshot import Instance, Snapshot
from momentloop_infra.review.values import Opaque

IDENTITY = Instance(
    "deployIdentity.identity",
    "shop/deploy",
    "Microsoft.ManagedIdentity/userAssignedIdentities",
    "identity",
    "deployIdentity",
    {"name": "id-deploy"},
)
CONTRIBUTOR = Instance(
    "deployRoles.contributor",
    "shop/deploy",
    "Microsoft.Authorization/roleAssignments",
    "contributor",
    "deployRoles",
    {
        "properties": {
            "principalId": Opaque("deployIdentity.outputs.principalId"),
            "roleDefinitionId": Opaque(
                "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')"
            ),
        }
    },
)
FEDERATED = Instance(
    "deployIdentity.github",
    "shop/deploy",
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    "github",
    "deployIdentity",
    {
        "name": "github",
        "properties": {"issuer": "https://token.actions.githubusercontent.com", "subject": "repo:o/r:environment:prod"},
    },
)


def snapshot(*instances: Instance) -> Snapshot:
    return Snapshot("shop", "default", {i.key: i for i in instances}, (), "test")


def test_a_role_assignment_without_a_grant_record_is_still_a_role_row() -> None:
    rows = security_rows(diff_snapshots(snapshot(IDENTITY), snapshot(IDENTITY, CONTRIBUTOR)))
    assert [(r.kind, r.subject, r.change, r.resource, r.broadening) for r in rows] == [
        ("role", "shop/deploy", "granted Contributor", "shop/deploy", True)
    ]
    removed = security_rows(diff_snapshots(snapshot(IDENTITY, CONTRIBUTOR), snapshot(IDENTITY)))
    assert [(r.change, r.broadening) for r in removed] == [("removed Contributor", False)]


def test_a_federated_credential_added_is_broadening() -> None:
    rows = security_rows(diff_snapshots(snapshot(IDENTITY), snapshot(IDENTITY, FEDERATED)))
    assert [(r.kind, r.change, r.broadening) for r in rows] == [
        ("federated sign-in", "'repo:o/r:environment:prod' may now sign in as this identity", True)
    ]
