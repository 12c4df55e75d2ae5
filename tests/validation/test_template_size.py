"""The estimate of the compiled main.json (every module declaration's template inlined, a loop's
once) and rule ML210's size limit on it."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentloop_infra import synthesize
from momentloop_infra.bicep.expr import Expr, output, ref
from momentloop_infra.loader import load_stack
from momentloop_infra.model.project import Project
from momentloop_infra.model.records import BicepFile, ModuleCall, ModuleLoop, Output, Param, Resource, Variable
from momentloop_infra.validation import template_size
from momentloop_infra.validation.core import validate_project
from momentloop_infra.validation.template_size import (
    DEPLOYMENTS,
    DEPLOYMENTS_API,
    GENERATOR_VERSION,
    MAX_RESOURCE_BYTES,
    MAX_TEMPLATE_BYTES,
    compiled_size,
    compiled_sizes,
    compiled_template,
    template_hash,
    template_json,
)
from tests.validation.conftest import REPO

RG_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
SUB_SCHEMA = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
STORAGE = "Microsoft.Storage/storageAccounts"
IDENTITY = "Microsoft.ManagedIdentity/userAssignedIdentities"


def expr(text: str, *refs: str) -> Expr:
    return Expr(text, frozenset(refs))


def project_of(main: BicepFile, modules: dict[str, BicepFile]) -> Project:
    return Project("tiny", "tiny", "default", main, modules, ())


def head(name: str) -> dict[str, Any]:
    return {
        "$schema": RG_SCHEMA,
        "contentVersion": "1.0.0.0",
        "metadata": {
            "_generator": {"name": "bicep", "version": GENERATOR_VERSION, "templateHash": template_hash(name)}
        },
    }


STORE = BicepFile(
    params=(Param("location", "string", description="The Azure region."),),
    resources=(Resource("account", STORAGE, "2025-06-01", {"name": "st1", "location": ref("location")}),),
    outputs=(Output("url", "string", expr("account.properties.primaryEndpoints.blob", "account")),),
)
IDENTITY_FILE = BicepFile(
    params=(Param("name", "string"), Param("storeUrl", "string")),
    resources=(Resource("identity", IDENTITY, "2024-11-30", {"name": ref("name"), "tags": {"url": ref("storeUrl")}}),),
)
TINY = project_of(
    BicepFile(
        params=(Param("location", "string", description="Azure region.", min_length=1),),
        variables=(Variable("items", [{"name": "a"}, {"name": "b"}]),),
        modules=(
            ModuleCall("store", "modules/store.bicep", "store", {"location": ref("location")}, scope=None),
            ModuleCall(
                "ids",
                "modules/id.bicep",
                expr("item.name", "item"),
                {"name": expr("'id-${item.name}'", "item"), "storeUrl": output("store", "url")},
                scope=None,
                loop=ModuleLoop("items", 2),
            ),
        ),
        outputs=(Output("URL", "string", output("store", "url")),),
    ),
    {"modules/store.bicep": STORE, "modules/id.bicep": IDENTITY_FILE},
)
STORE_REFERENCE = f"reference(resourceId('{DEPLOYMENTS}', 'store'), '{DEPLOYMENTS_API}').outputs.url.value"
EXPECTED: dict[str, Any] = {
    **head("main.bicep"),
    "parameters": {"location": {"type": "string", "metadata": {"description": "Azure region."}, "minLength": 1}},
    "variables": {"items": [{"name": "a"}, {"name": "b"}]},
    "resources": [
        {
            "type": DEPLOYMENTS,
            "apiVersion": DEPLOYMENTS_API,
            "name": "store",
            "properties": {
                "expressionEvaluationOptions": {"scope": "inner"},
                "mode": "Incremental",
                "parameters": {"location": {"value": "[parameters('location')]"}},
                "template": {
                    **head("modules/store.bicep"),
                    "parameters": {"location": {"type": "string", "metadata": {"description": "The Azure region."}}},
                    "resources": [
                        {
                            "type": STORAGE,
                            "apiVersion": "2025-06-01",
                            "name": "st1",
                            "location": "[parameters('location')]",
                        }
                    ],
                    "outputs": {
                        "url": {
                            "type": "string",
                            "value": f"[reference(resourceId('{STORAGE}', 'st1'), '2025-06-01').primaryEndpoints.blob]",
                        }
                    },
                },
            },
        },
        {
            "copy": {"name": "ids", "count": "[length(variables('items'))]"},
            "type": DEPLOYMENTS,
            "apiVersion": DEPLOYMENTS_API,
            "name": "[variables('items')[copyIndex()].name]",
            "properties": {
                "expressionEvaluationOptions": {"scope": "inner"},
                "mode": "Incremental",
                "parameters": {
                    "name": {"value": "[format('id-{0}', variables('items')[copyIndex()].name)]"},
                    "storeUrl": {"value": f"[{STORE_REFERENCE}]"},
                },
                "template": {
                    **head("modules/id.bicep"),
                    "parameters": {"name": {"type": "string"}, "storeUrl": {"type": "string"}},
                    "resources": [
                        {
                            "type": IDENTITY,
                            "apiVersion": "2024-11-30",
                            "name": "[parameters('name')]",
                            "tags": {"url": "[parameters('storeUrl')]"},
                        }
                    ],
                },
            },
            "dependsOn": [f"[resourceId('{DEPLOYMENTS}', 'store')]"],
        },
    ],
    "outputs": {"URL": {"type": "string", "value": f"[{STORE_REFERENCE}]"}},
}


def test_a_tiny_project_compiles_to_the_template_bicep_writes_and_its_size_is_that_json_compact() -> None:
    template = compiled_template(TINY)
    assert template == EXPECTED
    assert compiled_size(TINY) == len(json.dumps(EXPECTED, separators=(",", ":")).encode())
    assert template_json(template) == json.dumps(EXPECTED, separators=(",", ":"))
    # The parts that make it main.json: a nested deployment holding the called file's own template,
    # a loop's copy block, a module output read through reference().
    store, ids = template["resources"]
    assert store["properties"]["template"]["outputs"]["url"]["type"] == "string"
    assert ids["copy"] == {"name": "ids", "count": "[length(variables('items'))]"}
    assert template["outputs"]["URL"]["value"] == f"[{STORE_REFERENCE}]"


def test_from_a_subscription_a_call_into_the_resource_group_reads_and_waits_through_its_group() -> None:
    rg = Resource(
        "rg", "Microsoft.Resources/resourceGroups", "2025-04-01", {"name": expr("'rg-${env}'", "env"), "location": "x"}
    )
    calls = (
        ModuleCall("store", "modules/store.bicep", "store", {"location": ref("location")}),
        ModuleCall("reader", "modules/id.bicep", "reader", {"name": "r", "storeUrl": output("store", "url")}),
    )
    main = BicepFile(
        target_scope="subscription",
        params=(Param("env", "string"), Param("location", "string")),
        resources=(rg,),
        modules=calls,
    )
    template = compiled_template(project_of(main, dict(TINY.modules)))
    assert template["$schema"] == SUB_SCHEMA
    group = "format('rg-{0}', parameters('env'))"
    store_id = (
        f"extensionResourceId(format('/subscriptions/{{0}}/resourceGroups/{{1}}', subscription().subscriptionId, "
        f"{group}), '{DEPLOYMENTS}', 'store')"
    )
    _, store, reader = template["resources"]
    assert store["resourceGroup"] == f"[{group}]"
    assert store["dependsOn"] == [f"[subscriptionResourceId('Microsoft.Resources/resourceGroups', {group})]"]
    assert reader["properties"]["parameters"]["storeUrl"] == {
        "value": f"[reference({store_id}, '{DEPLOYMENTS_API}').outputs.url.value]"
    }
    assert f"[{store_id}]" in reader["dependsOn"]


def test_expressions_translate_as_bicep_writes_them() -> None:
    file = BicepFile(
        params=(Param("exists", "bool"), Param("image", "string"), Param("tags", "object")),
        variables=(Variable("tagged", expr("union(tags, {\n  'azd-service-name': 'api'\n})", "tags")),),
        resources=(
            Resource("account", STORAGE, "2025-06-01", {"name": "st1"}),
            Resource("blobs", f"{STORAGE}/blobServices", "2025-06-01", {"parent": ref("account"), "name": "default"}),
        ),
        outputs=(
            Output("image", "string", expr("exists && !empty(image) ? image : 'hello'", "exists", "image")),
            Output("id", "string", expr("blobs.id", "blobs")),
        ),
    )
    template = compiled_template(project_of(file, {}))
    assert template["variables"]["tagged"] == "[union(parameters('tags'), createObject('azd-service-name', 'api'))]"
    assert template["outputs"]["image"]["value"] == (
        "[if(and(parameters('exists'), not(empty(parameters('image')))), parameters('image'), 'hello')]"
    )
    assert template["outputs"]["id"]["value"] == f"[resourceId('{STORAGE}/blobServices', 'st1', 'default')]"
    blobs = template["resources"][1]
    assert blobs["name"] == "[format('{0}/{1}', 'st1', 'default')]"
    assert blobs["dependsOn"] == [f"[resourceId('{STORAGE}', 'st1')]"]


def test_a_typed_object_parameter_compiles_with_symbolic_names_and_its_schema() -> None:
    fields = (Param("cpu", "string", description="vCPU."), Param("sku", "string", allowed=("A", "B"), min_length=1))
    settings = Param("settings", "object", shape=(("api", fields), ("web", fields)))
    main = BicepFile(
        params=(settings,),
        modules=(
            ModuleCall("store", "modules/store.bicep", "store", {"location": expr("settings.api.cpu", "settings")}),
            ModuleCall("reader", "modules/id.bicep", "reader", {"name": "r", "storeUrl": output("store", "url")}),
        ),
    )
    template = compiled_template(project_of(main, dict(TINY.modules)))
    assert template["languageVersion"] == "2.0"
    assert template["parameters"]["settings"] == {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {
                "cpu": {"type": "string", "metadata": {"description": "vCPU."}},
                "sku": {"type": "string", "allowedValues": ["A", "B"], "minLength": 1},
            },
        },
    }
    resources = template["resources"]
    assert set(resources) == {"store", "reader"}
    assert resources["store"]["properties"]["parameters"]["location"] == {"value": "[parameters('settings').api.cpu]"}
    assert resources["reader"]["properties"]["parameters"]["storeUrl"] == {
        "value": "[reference('store').outputs.url.value]"
    }
    assert resources["reader"]["dependsOn"] == ["store"]
    assert "languageVersion" not in resources["store"]["properties"]["template"]  # its own file has no typed object


def test_the_momentloop_stack_compiles_well_under_4_mb() -> None:
    project = synthesize(load_stack(f"{REPO / 'examples' / 'momentloop.py'}:stack"))
    size = compiled_size(project)
    print(f"MomentLoop: compiled main.json about {size} bytes ({size / 1024:.1f} KiB)")
    assert 60 * 1024 < size < 400 * 1024
    assert size < MAX_TEMPLATE_BYTES
    assert project.report is not None
    assert not [f for f in project.report.findings if f.rule == "ML210"]


def _module(resources: int) -> BicepFile:
    """A module of some weight: an identity and `resources` storage accounts."""
    return BicepFile(
        params=(Param("name", "string", description="The resource name."), Param("location", "string")),
        resources=tuple(
            Resource(
                f"account{k}",
                STORAGE,
                "2025-06-01",
                {
                    "name": expr(f"'${{name}}{k}'", "name"),
                    "location": ref("location"),
                    "kind": "StorageV2",
                    "properties": {"minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False},
                },
            )
            for k in range(resources)
        ),
        outputs=(Output("id", "string", expr("account0.id", "account0")),),
    )


def _separate(n: int) -> Project:
    calls = tuple(
        ModuleCall(f"m{i}", "modules/m.bicep", f"m-{i}", {"name": f"st{i}", "location": "westeurope"}, scope=None)
        for i in range(n)
    )
    return project_of(BicepFile(modules=calls), {"modules/m.bicep": _module(10)})


def _looped(n: int) -> Project:
    items = Variable("mItems", [{"deployment": f"m-{i}", "name": f"st{i}"} for i in range(n)])
    call = ModuleCall(
        "m",
        "modules/m.bicep",
        expr("item.deployment", "item"),
        {"name": expr("item.name", "item"), "location": "westeurope"},
        scope=None,
        loop=ModuleLoop("mItems", n),
    )
    return project_of(BicepFile(variables=(items,), modules=(call,)), {"modules/m.bicep": _module(10)})


def test_a_loop_inlines_its_module_once_however_many_copies() -> None:
    template_bytes = len(template_json(compiled_template(_separate(1))["resources"][0]["properties"]["template"]))
    separate = compiled_size(_separate(40)) - compiled_size(_separate(10))
    looped = compiled_size(_looped(40)) - compiled_size(_looped(10))
    # 30 more declarations: 30 more copies of the template; 30 more copies: 30 more items only.
    assert separate > 30 * template_bytes
    assert looped < 30 * 100
    assert separate > 20 * looped
    assert compiled_size(_looped(40)) < compiled_size(_separate(2))


def _huge() -> Project:
    """50 distinct module files of about 100 KB each: about 5 MB once inlined."""
    modules = {
        f"modules/m{i}.bicep": BicepFile(
            params=(Param("location", "string"),),
            variables=(Variable("blob", "x" * 100_000),),
            outputs=(Output("blob", "string", ref("blob")),),
        )
        for i in range(50)
    }
    calls = tuple(
        ModuleCall(f"m{i}", f"modules/m{i}.bicep", f"m-{i}", {"location": "westeurope"}, scope=None) for i in range(50)
    )
    return project_of(BicepFile(modules=calls), modules)


def _size_findings(project: Project) -> list[Any]:
    report, _ = validate_project(project)
    return [f for f in report.findings if f.rule == "ML210" and f.field == "size"]


def test_a_project_whose_main_json_is_over_4_mb_is_an_ml210_error() -> None:
    project = _huge()
    size = compiled_size(project)
    assert size > MAX_TEMPLATE_BYTES
    (finding,) = _size_findings(project)
    assert finding.level == "error" and finding.value == size and finding.file == "main.bicep"
    assert "the compiled main.json would be about 4.8 MB, over Azure's 4 MB" in finding.message
    assert "inlined into it once per declaration" in finding.message


def test_the_size_limit_is_read_when_the_rule_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _size_findings(TINY) == []
    monkeypatch.setattr(template_size, "MAX_TEMPLATE_BYTES", 1000)
    (finding,) = _size_findings(TINY)
    assert finding.value == compiled_size(TINY)


def _one_big_module(blob_bytes: int) -> Project:
    """One module holding a variable of `blob_bytes` characters, called once, beside the tiny store."""
    big = BicepFile(variables=(Variable("blob", "x" * blob_bytes),), outputs=(Output("blob", "string", ref("blob")),))
    calls = (
        ModuleCall("store", "modules/store.bicep", "store", {"location": "westeurope"}, scope=None),
        ModuleCall("big", "modules/big.bicep", "big", {}, scope=None),
    )
    return project_of(BicepFile(modules=calls), {"modules/store.bicep": STORE, "modules/big.bicep": big})


@pytest.mark.parametrize("project", [TINY, _one_big_module(10), _huge()], ids=["tiny", "two-modules", "huge"])
def test_the_sizes_come_from_one_pass_and_add_up_to_the_whole_template(project: Project) -> None:
    template = compiled_template(project)
    sizes = compiled_sizes(project)
    assert sizes.total == len(template_json(template).encode("utf-8")) == compiled_size(project)
    largest = max(len(template_json(r).encode("utf-8")) for r in template["resources"])
    assert sizes.largest == largest


def test_a_symbolic_template_adds_up_too_and_names_its_largest_resource() -> None:
    grouped = Param("settings", "object", shape=(("a", (Param("cpu", "string"),)),))
    plain = _one_big_module(5000)
    project = project_of(attrs.evolve(plain.main, params=(grouped,)), plain.modules)
    template = compiled_template(project)
    assert template["languageVersion"] == "2.0" and isinstance(template["resources"], dict)
    sizes = compiled_sizes(project)
    assert sizes.total == len(template_json(template).encode("utf-8"))
    assert sizes.largest_symbol == "big"


def test_a_module_deployment_over_1_mb_is_an_ml210_error_naming_it() -> None:
    under, over = _one_big_module(900_000), _one_big_module(1_100_000)
    assert compiled_size(over) < MAX_TEMPLATE_BYTES  # the whole template is within its 4 MB
    assert [f for f in validate_project(under)[0].findings if f.rule == "ML210"] == []
    (finding,) = [f for f in validate_project(over)[0].findings if f.rule == "ML210"]
    assert finding.level == "error" and finding.field == "resource size" and finding.symbol == "big"
    assert finding.value == compiled_sizes(over).largest > MAX_RESOURCE_BYTES
    assert "its deployment in the compiled main.json would be about 1.0 MB, over Azure's 1 MB" in finding.message


# -- the fast paths for the commonest forms (dotted names, simple strings, calls of them) give the parser's own translation ----------------------

# Non-ASCII letters and digits too: the fast paths must refuse them as the parser does.
_NAMES = st.sampled_from(
    ["account", "blobs", "copies", "image", "tags", "item", "unknown", "outputs", "id", "x_1", "k\u00e9", "n\u0663"]
)
_LITERAL = st.text(alphabet="ab-{}$ 0", max_size=6).filter(lambda t: "${" not in t)


@st.composite
def _simple_expressions(draw: st.DrawFn) -> str:
    first = ".".join(draw(st.lists(_NAMES, min_size=1, max_size=4)))
    form = draw(st.sampled_from(["dotted", "indexed", "string", "call", "object"]))
    if form == "dotted":
        return first
    if form == "object":  # a group's outputs, one read per line: {\n  key: reads[3].outputs.x\n}
        reads = st.lists(_NAMES, min_size=1, max_size=3).map(".".join)
        indexed = st.tuples(_NAMES, st.integers(0, 99), st.lists(_NAMES, max_size=2)).map(
            lambda t: ".".join((f"{t[0]}[{t[1]}]", *t[2]))
        )
        keys = draw(st.lists(_NAMES, min_size=1, max_size=4))
        lines = [f"  {key}: {draw(st.one_of(reads, indexed))}" for key in keys]
        return "{\n" + "\n".join(lines) + "\n}"
    if form == "indexed":  # one copy of a loop: userAssignedIdentity[7].outputs.principalId
        name, *path = first.split(".")
        index = draw(st.one_of(st.integers(0, 1200).map(str), st.sampled_from(["\u0663", "1\u00b2"])))
        return ".".join((f"{name}[{index}]", *path))
    if form == "call":  # a function of dotted names and plain literals: guid(a.id, p.x, '7f95')
        literals = _LITERAL.filter(lambda t: "$" not in t).map(lambda t: f"'{t}'")
        args = draw(
            st.lists(
                st.one_of(st.lists(_NAMES, min_size=1, max_size=3).map(".".join), literals), min_size=1, max_size=4
            )
        )
        return f"{draw(st.sampled_from(['guid', 'uniqueString', 'concat', 'account']))}({', '.join(args)})"
    holes = draw(st.lists(st.lists(_NAMES, min_size=1, max_size=3).map(".".join), max_size=3))
    literals = draw(st.lists(_LITERAL, min_size=len(holes) + 1, max_size=len(holes) + 1))
    body = literals[0] + "".join(f"${{{hole}}}{literal}" for hole, literal in zip(holes, literals[1:], strict=True))
    return f"'{body}'"


@settings(max_examples=300, deadline=None)
@given(text=_simple_expressions(), looped=st.booleans())
def test_dotted_names_indexed_copies_and_simple_strings_translate_as_the_parser_does(text: str, looped: bool) -> None:
    file = BicepFile(
        params=(Param("image", "string"), Param("tags", "object")),
        variables=(Variable("x_1", "v"), Variable("copyItems", [{"n": 1}, {"n": 2}])),
        resources=(
            Resource("account", STORAGE, "2025-06-01", {"name": "st1"}),
            Resource("blobs", f"{STORAGE}/blobServices", "2025-06-01", {"parent": ref("account"), "name": "default"}),
        ),
        # A loop of module deployments: what `copies[7].outputs.x` reads one copy of.
        modules=(ModuleCall("copies", "modules/c.bicep", "c", {}, loop=ModuleLoop("copyItems", 2)),),
    )
    scope = template_size._FileScope(file)
    loop = ("item", "variables('items')[copyIndex()]") if looped else None
    fast = scope.node(text, loop)
    try:
        general = template_size._Parser(text, scope, loop).parse()
    except template_size._Unsupported:  # what node() does with text the parser refuses
        general = ("e", scope.approximate(text, loop))
    assert fast == general


def test_a_multi_line_string_is_its_text_as_is() -> None:
    file = BicepFile(outputs=(Output("doc", "string", expr("'''first\nsecond'''")),))
    assert compiled_template(project_of(file, {}))["outputs"]["doc"]["value"] == "first\nsecond"


def test_text_the_parser_does_not_take_is_approximated_not_raised() -> None:
    scope = template_size._FileScope(BicepFile(params=(Param("x", "array"),)))
    assert scope.node("x[\u00b2]") == ("e", "parameters('x')[\u00b2]")  # '²'.isdigit(), yet no number
