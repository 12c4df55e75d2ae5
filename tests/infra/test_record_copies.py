"""Copies of records made field by field on the hot paths of a large synth (attrs.evolve costs more
than the rest of the work there) carry every field: each is compared with attrs.evolve on a record
whose fields all differ from their defaults, and the field lists are pinned, so a field added to a
record fails here until the copies know it."""

from __future__ import annotations

import attrs

from momentloop_infra.bicep.expr import ref
from momentloop_infra.model import param_groups, records
from momentloop_infra.model.records import BicepFile, ModuleCall, ModuleLoop, Output, Param, Resource, Variable
from momentloop_infra.pipeline import fit

FULL_PARAM = Param(
    name="cpu",
    type="string",
    secure=True,
    description="vCPU.",
    allowed=("0.25", "0.5"),
    min_length=1,
    max_length=9,
    min_value=0,
    max_value=4,
    default="0.5",
    generated=False,
    shape=(("a", (Param("x", "int"),)),),
)
FULL_CALL = ModuleCall(
    symbol="app",
    file="modules/app.bicep",
    deployment_name="app",
    params={"cpu": ref("cpu")},
    depends_on=("env",),
    path="stack/app",
    scope="rg",
    loop=ModuleLoop("appItems", 2),
)


def test_the_field_lists_the_copies_were_written_for() -> None:
    assert [f.name for f in attrs.fields(Param)] == [
        "name",
        "type",
        "secure",
        "description",
        "allowed",
        "min_length",
        "max_length",
        "min_value",
        "max_value",
        "default",
        "generated",
        "shape",
    ]
    assert [f.name for f in attrs.fields(ModuleCall)] == [
        "symbol",
        "file",
        "deployment_name",
        "params",
        "depends_on",
        "path",
        "scope",
        "loop",
    ]


def test_a_grouped_field_keeps_everything_but_its_name_and_default() -> None:
    assert param_groups.as_field(FULL_PARAM, "cpuField") == attrs.evolve(FULL_PARAM, name="cpuField", default=None)


def test_a_library_named_parameter_keeps_everything_but_the_mark() -> None:
    assert records._copy_generated(FULL_PARAM) == attrs.evolve(FULL_PARAM, generated=True)
    assert records._generated(FULL_PARAM) is records._generated(attrs.evolve(FULL_PARAM))  # shared
    unhashable = attrs.evolve(FULL_PARAM, default={"a": 1})
    assert records._generated(unhashable) == attrs.evolve(unhashable, generated=True)
    # 1 == True: a default of either keeps its own type, never the other's record.
    assert records._generated(attrs.evolve(FULL_PARAM, default=True)).default is True
    assert records._generated(attrs.evolve(FULL_PARAM, default=1)).default == 1
    assert type(records._generated(attrs.evolve(FULL_PARAM, default=1)).default) is int


def test_a_rewritten_call_keeps_everything_but_what_changes() -> None:
    params = {"cpu": ref("appSettings")}
    assert fit._call_with(FULL_CALL, params, (), None) == attrs.evolve(
        FULL_CALL, params=params, depends_on=(), scope=None
    )


def test_an_extended_file_keeps_everything_and_adds_after_its_own() -> None:
    own = Resource("own", "Microsoft.Storage/storageAccounts", "2023-05-01", {"name": ref("name")})
    added = Resource("grant", "Microsoft.Authorization/roleAssignments", "2022-04-01", {"name": "g"})
    file = BicepFile(
        target_scope="subscription",
        params=(Param("name", "string"),),
        variables=(Variable("v", 1),),
        resources=(own,),
        modules=(FULL_CALL,),
        outputs=(Output("id", "string", ref("own")),),
        header="// header",
    )
    assert [f.name for f in attrs.fields(BicepFile)] == [
        "target_scope",
        "params",
        "variables",
        "resources",
        "modules",
        "outputs",
        "header",
    ]
    extra = (FULL_PARAM,)
    assert records.extended(file, extra, (added,)) == attrs.evolve(
        file, params=(*file.params, *extra), resources=(own, added)
    )
