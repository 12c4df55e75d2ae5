"""The two small modules every app uses beside its own: its user-assigned identity (created
before anything else, so roles can be granted to it first) and the read of the image it runs."""

from __future__ import annotations

import functools

from momentloop_infra.bicep.expr import Expr, ref
from momentloop_infra.model.records import BicepFile, Output, Param
from momentloop_infra.model.resources import common_params, resource

IDENTITY_STEM = "user-assigned-identity"
FETCH_IMAGE_STEM = "fetch-container-image"


def identity_file(path: str) -> BicepFile:
    """One module file serves every app's identity: they differ only in their parameters."""
    identity = resource(
        "identity",
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        {"name": ref("name"), "location": ref("location"), "tags": ref("tags")},
        path=path,
    )
    return BicepFile(params=common_params(), resources=(identity,), outputs=_identity_outputs())


@functools.cache
def _identity_outputs() -> tuple[Output, ...]:
    """What every identity module returns: one set of records for all (every app compares its
    file with the one already written, quickly when they hold the same records)."""
    return tuple(
        Output(name, "string", ref("identity").prop(prop))
        for name, prop in (
            ("id", "id"),
            ("name", "name"),
            ("clientId", "properties.clientId"),
            ("principalId", "properties.principalId"),
        )
    )


@functools.cache
def fetch_image_file() -> BicepFile:
    """Reads the image an existing app runs, so re-provisioning does not reset it (azd's pattern)."""
    existing = resource(
        "existingApp",
        "Microsoft.App/containerApps",
        {"name": ref("name")},
        existing=True,
        condition=ref("exists"),
    )
    return BicepFile(
        params=(
            Param("exists", "bool", description="Whether the app exists already."),
            Param("name", "string", description="Name of the container app."),
        ),
        resources=(existing,),
        outputs=(
            Output(
                "image",
                "string",
                Expr(
                    "exists ? existingApp.properties.template.containers[0].image : ''",
                    frozenset({"exists", "existingApp"}),
                ),
            ),
        ),
    )
