"""Like module calls become one loop, and read back as the calls they stand for."""

from __future__ import annotations

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from momentloop_infra.bicep.expr import Expr, output, ref
from momentloop_infra.emit.bicep_file import render_bicep
from momentloop_infra.model.expand import expand_loops, loop_items
from momentloop_infra.model.records import BicepFile, ModuleCall, Output, Param, Resource, Variable
from momentloop_infra.model.resources import role_assignments
from momentloop_infra.model.roles import STORAGE_BLOB_DATA_READER
from momentloop_infra.pipeline import loops
from momentloop_infra.pipeline.loops import collapse, constants_of
from momentloop_infra.review.reader import read_bicep
from tests.validation.test_syntax import parse_errors


def name(prefix: str, i: int) -> Expr:
    return Expr(f"'${{abbrs.x}}{prefix}-{i}-${{resourceToken}}'", frozenset({"abbrs", "resourceToken"}))


def identity(i: int) -> ModuleCall:
    return ModuleCall(
        f"app_{i}Identity", "modules/identity.bicep", f"identity-{i}", {"name": name("id", i)}, path=f"s/app-{i}"
    )


def app(i: int) -> ModuleCall:
    params = {
        "name": name("app", i),
        "cpu": Expr(f"settings.app_{i}.cpu", frozenset({"settings"})),
        "identityId": output(f"app_{i}Identity", "id"),
        "location": ref("location"),
    }
    return ModuleCall(f"app_{i}", "modules/app.bicep", f"app-{i}", params, path=f"s/app-{i}")


def stack_file(*extra: ModuleCall) -> BicepFile:
    calls = tuple(c for i in range(3) for c in (identity(i), app(i)))
    return BicepFile(
        params=(Param("location", "string"), Param("settings", "object"), Param("group1", "object")),
        variables=(Variable("abbrs", {}), Variable("resourceToken", "t")),
        modules=(*calls, *extra),
        outputs=(Output("first", "string", output("app_0Identity", "id")),),
    )


def plain(file: BicepFile) -> str:
    """The file's text with its calls in symbol order (a loop's copies come out where it stood)."""
    return render_bicep(attrs.evolve(file, modules=tuple(sorted(file.modules, key=lambda m: m.symbol))))


def test_like_calls_become_one_loop_each_and_read_back_as_the_same_calls() -> None:
    before = stack_file()
    after = collapse(before, constants_of(before))
    assert [(m.symbol, m.copies) for m in after.modules] == [("identity", 3), ("app", 3)]
    text = render_bicep(after)
    assert "module app 'modules/app.bicep' = [for item in appItems: {\n  name: item.deployment\n" in text
    assert "    cpu: settings[item.symbol].cpu\n" in text  # the key, from the item
    assert "    identityId: identity[item.identity].outputs.id\n" in text  # that copy, by index
    assert "    location: location\n" in text  # the same for every copy: written once
    assert "output first string = identity[0].outputs.id\n" in text  # reads of a copy follow it
    rows = loop_items(after, after.modules[1])
    assert rows[2] == {
        "symbol": "app_2",
        "deployment": "app-2",
        "name": name("app", 2),
        "identity": 2,
    }
    assert parse_errors(text) == []
    back = expand_loops(after)
    assert plain(back) == plain(before)
    assert {m.symbol: (m.path, m.params["name"]) for m in back.modules} == {
        m.symbol: (m.path, m.params["name"]) for m in before.modules
    }
    # The references each copy makes are the ones the call made: its dependencies are the same.
    assert {m.symbol: {k: v.refs for k, v in m.params.items() if isinstance(v, Expr)} for m in back.modules} == {
        m.symbol: {k: v.refs for k, v in m.params.items() if isinstance(v, Expr)} for m in before.modules
    }


def test_a_call_whose_arguments_differ_in_shape_stays_a_plain_call() -> None:
    odd = attrs.evolve(app(3), params={**app(3).params, "cpu": Expr("json('0.5')", frozenset())})
    before = stack_file(odd)
    after = collapse(before, constants_of(before))
    assert [m.symbol for m in after.modules if m.loop is None] == ["app_3"]
    # It still reads its identity, now the copy of the identities' loop... which has no app_3:
    assert str(next(m for m in after.modules if m.symbol == "app_3").params["identityId"]) == "app_3Identity.outputs.id"


def test_a_value_known_only_once_another_group_deployed_is_never_put_in_an_item() -> None:
    # Items are a variable: they may only hold what is known when the deployment starts.
    calls = [
        ModuleCall(f"m{i}", "modules/x.bicep", f"m-{i}", {"v": Expr(f"'${{group1.k{i}}}'", frozenset({"group1"}))})
        for i in range(3)
    ]
    file = BicepFile(params=(Param("group1", "object"),), modules=tuple(calls))
    assert collapse(file, constants_of(file)) == file


def test_a_file_without_like_calls_is_left_as_it_is() -> None:
    file = BicepFile(modules=(app(0), identity(0)))
    assert collapse(file, constants_of(file)) is file
    assert expand_loops(file) is file


_TOKENS = st.sampled_from(
    ["app_1", "settings", "location", ".cpu", ".outputs", ".id", "'x'", "'a\\'b'", "[0]", " ", "(", ")"]
)


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(_TOKENS, min_size=1, max_size=6), symbols=st.sets(st.sampled_from(["app_1", "settings"])))
def test_the_skeleton_of_a_plain_read_is_what_the_general_substitution_makes(
    tokens: list[str], symbols: set[str]
) -> None:
    text = "".join(tokens)
    general = loops._BLANKABLE.sub(
        lambda m: (
            "'" if m.group()[0] == "'" else ".#" if m.group()[0] == "." else "@" if m.group() in symbols else m.group()
        ),
        text,
    )
    assert loops._skeleton(Expr(text), symbols) == general


def test_a_looped_resource_renders_parses_and_reads_back_with_its_condition() -> None:
    granted = role_assignments("readers", "store", "readerPrincipalIds", 2, STORAGE_BLOB_DATA_READER, "s/store")
    conditional = attrs.evolve(granted, condition=Expr("grantReaders", frozenset({"grantReaders"})))
    file = BicepFile(
        params=(Param("readerPrincipalIds", "object"), Param("grantReaders", "bool")),
        resources=(
            Resource("store", "Microsoft.Storage/storageAccounts", "2025-01-01", {"name": "x"}, existing=True),
            conditional,
        ),
    )
    text = render_bicep(file)
    # Bicep's order: the loop, then the condition filtering its copies.
    assert (
        "resource readers 'Microsoft.Authorization/roleAssignments@2022-04-01' = "
        "[for principal in items(readerPrincipalIds): if (grantReaders) {\n"
    ) in text
    assert text.rstrip().endswith("}]")
    assert parse_errors(text) == []
    read, _, _ = read_bicep(text, "store.bicep")
    (back,) = [r for r in read.resources if r.symbol == "readers"]
    assert back.loop is not None and (back.loop.over, back.loop.item) == ("readerPrincipalIds", "principal")
    assert back.condition is not None and back.condition.text == "grantReaders"
    assert str(back.body["name"]) == str(conditional.body["name"])
