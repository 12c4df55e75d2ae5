"""Rules, reasoned suppressions, template consistency and the validate command's reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner

from momentloop_infra import Resource
from momentloop_infra.bicep.expr import Expr, ref
from momentloop_infra.cli import main
from momentloop_infra.emit.files import Layout, render_files
from momentloop_infra.loader import load_stack
from momentloop_infra.model.project import Project
from momentloop_infra.model.records import Output, Param, ParamValue, Variable
from momentloop_infra.pipeline.run import synthesize_files, validate_stack
from momentloop_infra.pipeline.synthesize import synthesize
from momentloop_infra.validation import validate_project
from momentloop_infra.validation.rules import RULES
from tests.infra.builders import Base, base
from tests.validation.conftest import REPO


def rules_hit(stack: Any) -> set[str]:
    report, _ = validate_project(synthesize(stack, validate=False))
    return {f.rule for f in report.findings if f.suppressed is None}


# One row per rule: how to trip it through the public API (an override on a construct).
def _ov(make: Callable[[Base], Any], path: str, value: object) -> Callable[[Base], Any]:
    def trip(b: Base) -> Any:
        construct = make(b)
        construct.override(path, value)
        return construct

    return trip


def _granted_owner(b: Base) -> Any:
    app = b.app("api")
    app.connect(
        Resource(b.stack, "bus", type="Microsoft.ServiceBus/namespaces@2024-01-01", sku="Standard"), role="Owner"
    )
    return app


RULE_CASES: dict[str, Callable[[Base], Any]] = {
    "ML110": _ov(lambda b: b.store(), "properties.allowBlobPublicAccess", True),
    "ML111": _ov(lambda b: b.store(), "properties.minimumTlsVersion", "TLS1_1"),
    "ML112": _ov(lambda b: b.store(), "properties.supportsHttpsTrafficOnly", False),
    "ML113": _ov(lambda b: b.store(), "properties.allowSharedKeyAccess", True),
    "ML120": _ov(lambda b: b.vault(), "properties.enableRbacAuthorization", False),
    "ML121": _ov(lambda b: b.vault(), "properties.enablePurgeProtection", False),
    "ML130": _ov(lambda b: b.registry, "properties.adminUserEnabled", True),
    "ML131": _ov(lambda b: b.registry, "properties.anonymousPullEnabled", True),
    "ML140": _ov(lambda b: b.db(), "properties.authConfig.passwordAuth", "Enabled"),
    "ML141": _ov(lambda b: b.db(), "properties.authConfig.activeDirectoryAuth", "Disabled"),
    "ML150": _ov(lambda b: b.app("api"), "properties.configuration.ingress.allowInsecure", True),
    "ML160": _granted_owner,
    "ML102": _ov(
        lambda b: b.store(), "tags", Expr("{ leaked: listKeys(name, '2025-06-01').keys[0].value }", frozenset({"name"}))
    ),
}
# Rules whose trip needs a hand-made record (the constructs never produce it).
PROJECT_CASES: dict[str, Callable[[Project], Project]] = {
    "ML210": lambda p: attrs.evolve(
        p,
        main=attrs.evolve(
            p.main, outputs=(*p.main.outputs, *(Output(f"EXTRA_{i}", "string", ref("location")) for i in range(64)))
        ),
    ),
    "ML101": lambda p: attrs.evolve(
        p, main=attrs.evolve(p.main, outputs=(*p.main.outputs, Output("DB_PASSWORD", "string", ref("location"))))
    ),
    "ML103": lambda p: attrs.evolve(
        p, main=attrs.evolve(p.main, params=(*p.main.params, Param("apiToken", "string", default="")))
    ),
    "ML104": lambda p: attrs.evolve(
        p, param_values=tuple(attrs.evolve(v, default="x") if v.name == "apiKey" else v for v in p.param_values)
    ),
    "ML114": lambda p: attrs.evolve(
        p,
        modules={
            name: attrs.evolve(
                f,
                resources=tuple(
                    attrs.evolve(r, body={**r.body, "properties": {"publicAccess": "Blob"}})
                    if r.type.endswith("/containers")
                    else r
                    for r in f.resources
                ),
            )
            for name, f in p.modules.items()
        },
    ),
    "ML201": lambda p: attrs.evolve(
        p,
        main=attrs.evolve(
            p.main, resources=tuple(attrs.evolve(r, body={**r.body, "tags": {}}) for r in p.main.resources)
        ),
    ),
    "ML204": lambda p: attrs.evolve(
        p,
        main=attrs.evolve(
            p.main,
            resources=tuple(
                attrs.evolve(r, body={k: v for k, v in r.body.items() if k != "tags"}) for r in p.main.resources
            ),
        ),
    ),
}


def test_every_rule_has_a_case() -> None:
    covered = set(RULE_CASES) | set(PROJECT_CASES) | {"ML202", "ML203"}
    assert covered == {rule.id for rule in RULES}
    for rule in RULES:
        assert rule.reason and rule.fix and rule.id.startswith("ML")


def test_a_privileged_role_is_warned_on_the_assignment_in_each_targets_module() -> None:
    b = base()
    app = b.app("api")
    for name in ("bus1", "bus2"):
        app.connect(
            Resource(b.stack, name, type="Microsoft.ServiceBus/namespaces@2024-01-01", sku="Standard"), role="Owner"
        )
    report = synthesize(b.stack).report
    assert report is not None
    assert sorted((f.file, f.symbol) for f in report.warnings if f.rule == "ML160") == [
        ("modules/servicebus-namespaces-bus1.bicep", "apiOwner"),
        ("modules/servicebus-namespaces-bus2.bicep", "apiOwner"),
    ]
    # On a resource and its child: each warning on the assignment of its own scope.
    b = base()
    app = b.app("api")
    bus = Resource(b.stack, "bus", type="Microsoft.ServiceBus/namespaces@2024-01-01", sku="Standard")
    app.connect(bus, role="Owner")
    app.connect(Resource(bus, "q", type="Microsoft.ServiceBus/namespaces/queues@2024-01-01"), role="Owner")
    report = synthesize(b.stack).report
    assert report is not None
    placed = {f.message.split(";", 1)[0]: f.symbol for f in report.warnings if f.rule == "ML160"}
    assert placed == {"on demo/bus": "apiOwner", "on demo/bus/q": "apiBusQOwner"}


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_rule_trips_and_is_suppressible(rule_id: str) -> None:
    b = base()
    RULE_CASES[rule_id](b)
    assert rule_id in rules_hit(b.stack)
    # Silenced on that construct only, with the reason written inside the resource for scanners.
    b = base()
    construct = RULE_CASES[rule_id](b)
    construct.suppress(rule_id, "accepted for this test, with a reason")
    project = synthesize(b.stack)
    assert project.report is not None
    assert [(f.rule, f.path) for f in project.report.suppressed] == [(rule_id, construct.node.path)]
    files = render_files(project, Layout.of(REPO / "synth_out", None, REPO))
    assert sum(text.count(f"// checkov:skip={rule_id}: accepted for this test") for text in files.values()) == 1


@pytest.mark.parametrize("rule_id", sorted(PROJECT_CASES))
def test_record_level_rule(rule_id: str) -> None:
    b = base()
    b.app("api").connect(b.vault())
    b.store()
    project = PROJECT_CASES[rule_id](synthesize(b.stack, validate=False))
    report, _ = validate_project(project)
    assert rule_id in {f.rule for f in report.findings}


def test_service_tags_found_and_unique() -> None:
    b = base()
    b.app("api")
    project = synthesize(b.stack, validate=False)
    assert rules_hit(b.stack) == set()
    # Two container apps carrying one service tag: azd refuses that.
    name = "modules/container-app-api.bicep"
    file = project.modules[name]
    twin = attrs.evolve(file.resources[0], symbol="twin", path="demo/twin")
    project = attrs.evolve(
        project, modules={**project.modules, name: attrs.evolve(file, resources=(*file.resources, twin))}
    )
    assert "ML203" in {f.rule for f in validate_project(project)[0].findings}
    # No tag at all: azure.yaml's service has nowhere to go.
    stripped = attrs.evolve(file, variables=())
    project = attrs.evolve(
        project,
        modules={
            **project.modules,
            name: attrs.evolve(
                stripped,
                resources=tuple(attrs.evolve(r, body={**r.body, "tags": ref("tags")}) for r in stripped.resources),
            ),
        },
    )
    assert "ML202" in {f.rule for f in validate_project(project)[0].findings}


def test_suppression_silences_one_construct_and_is_written_beside_the_resource() -> None:
    b = base()
    loose = b.store("loose")
    loose.override("properties.allowSharedKeyAccess", True)
    loose.suppress("ML113", "a legacy importer signs requests with the account key")
    strict = b.store("strict")
    strict.override("properties.allowSharedKeyAccess", True)
    with pytest.raises(Exception) as raised:
        synthesize(b.stack)
    assert [str(p) for p in raised.value.problems] == [  # type: ignore[attr-defined]
        "demo/strict: properties.allowSharedKeyAccess = True: account keys bypass Entra ID and RBAC; an omitted value "
        "means enabled; fix: set properties.allowSharedKeyAccess to false and grant roles through connect() [ML113]"
    ]
    strict.suppress("ML113", "the same importer writes here too")
    project = synthesize(b.stack)
    assert project.report is not None and len(project.report.suppressed) == 2
    text = render_files(project, Layout.of(REPO / "synth_out", None, REPO))["modules/storage-loose.bicep"]
    body = text.split("resource account ", 1)[1].split("\n}\n", 1)[0]
    assert "  // checkov:skip=ML113: a legacy importer signs requests with the account key\n" in body


SUPPRESSING_STACK = """
from momentloop_infra import BlobStore, Stack

stack = Stack("demo")
loose = BlobStore(stack, "loose")
loose.override("properties.allowSharedKeyAccess", True)
loose.suppress("ML113", "a legacy importer signs requests with the account key")
BlobStore(stack, "strict")
"""


def test_files_rendered_during_validation_get_the_comments_of_honoured_suppressions(tmp_path: Path) -> None:
    # momentloop-synth renders the files while validation runs, before it knows which suppressions
    # it honours: the files it writes must still be those of the validated project.
    app = tmp_path / "suppressing.py"
    app.write_text(SUPPRESSING_STACK, "utf-8")
    stack = load_stack(f"{app}:stack")
    layout = Layout.of(tmp_path / "out", None, tmp_path)
    unchecked = synthesize(stack, validate=False)
    project, files = synthesize_files(stack, "default", layout)
    assert files == render_files(synthesize(stack), layout)
    comment = "// checkov:skip=ML113: a legacy importer signs requests with the account key"
    assert comment in files["modules/storage-loose.bicep"]
    assert comment not in render_files(unchecked, layout)["modules/storage-loose.bicep"]
    # Only the file that took the comment is a new record (rendered again); the rest are kept.
    kept = {path for path, file in project.modules.items() if file == unchecked.modules[path]}
    assert set(project.modules) - kept == {"modules/storage-loose.bicep"}
    result = CliRunner().invoke(main, ["--app", f"{app}:stack", "--out", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    assert comment in (tmp_path / "cli" / "infra" / "modules" / "storage-loose.bicep").read_text("utf-8")


def test_an_absent_optional_property_passes_a_must_not_be_true_rule() -> None:
    b = base()
    b.app("worker", ingress="none")  # no ingress block at all: nothing insecure about it
    assert rules_hit(b.stack) == set()


def test_unused_suppression_is_a_warning() -> None:
    b = base()
    b.store().suppress("ML113", "nothing to hide here, really")
    project = synthesize(b.stack)
    assert project.report is not None
    assert [f.rule for f in project.report.warnings] == ["ML900"]
    assert "finds no problem here" in project.report.warnings[0].message


# -- template consistency ---------------------------------------------------------------------------


def consistency(mutate: Callable[[Project], Project]) -> set[str]:
    b = base()
    b.app("api").connect(b.store(), access="read")
    return {f.rule for f in validate_project(mutate(synthesize(b.stack, validate=False)))[0].findings}


def _call(p: Project, **params: object) -> Project:
    calls = list(p.main.modules)
    calls[0] = attrs.evolve(calls[0], params=params)
    return attrs.evolve(p, main=attrs.evolve(p.main, modules=tuple(calls)))


@pytest.mark.parametrize(
    ("rule_id", "mutate"),
    [
        ("ML020", lambda p: _call(p, **p.main.modules[0].params, bogus=1)),
        ("ML021", lambda p: _call(p, **{k: v for k, v in p.main.modules[0].params.items() if k != "location"})),
        (
            "ML022",
            lambda p: attrs.evolve(
                p,
                main=attrs.evolve(
                    p.main,
                    outputs=(*p.main.outputs, Output("X", "string", Expr("logs.outputs.nope", frozenset({"logs"})))),
                ),
            ),
        ),
        (
            "ML023",
            lambda p: attrs.evolve(
                p, main=attrs.evolve(p.main, outputs=(*p.main.outputs, Output("X", "string", ref("ghost"))))
            ),
        ),
        (
            "ML024",
            lambda p: attrs.evolve(p, param_values=(*p.param_values, ParamValue("ghost", "GHOST", "string", "x"))),
        ),
        ("ML025", lambda p: attrs.evolve(p, param_values=p.param_values[1:])),
        (
            "ML026",
            lambda p: attrs.evolve(
                p, main=attrs.evolve(p.main, params=(*p.main.params, Param("spare", "string", default="x")))
            ),
        ),
        (
            "ML028",
            lambda p: attrs.evolve(
                p,
                param_values=tuple(attrs.evolve(v, type="int") if v.name == "location" else v for v in p.param_values),
            ),
        ),
        (
            "ML029",
            lambda p: attrs.evolve(
                p, main=attrs.evolve(p.main, variables=(*p.main.variables, Variable("location", "'x'")))
            ),
        ),
    ],
)
def test_consistency(rule_id: str, mutate: Callable[[Project], Project]) -> None:
    assert rule_id in consistency(mutate)


def test_a_name_read_from_a_runtime_value_is_refused() -> None:
    b = base()
    store = b.store()
    store.override("name", Expr("account.properties.primaryEndpoints.blob", frozenset({"account"})))
    assert "ML008" in rules_hit(b.stack)


# -- examples and reports --------------------------------------------------------------------------


@pytest.mark.parametrize("example", ["momentloop", "small", "shared_store"])
@pytest.mark.parametrize("profile", ["default", "scale-up"])
def test_examples_have_no_findings(example: str, profile: str) -> None:
    from momentloop_infra.loader import load_stack

    report = validate_stack(load_stack(f"{REPO / 'examples' / example}.py:stack"), profile)
    assert report.findings == ()


def test_validate_text_json_sarif() -> None:
    app = ["--app", "tests.validation.bad_stacks:override_insecure"]
    text = CliRunner().invoke(main, ["validate", *app])
    assert text.exit_code == 2
    assert text.output.startswith("demo/store\n  error ML113 (modules/storage-store.bicep:")
    assert text.output.rstrip().endswith(
        "1 error, 0 warnings, 0 suppressed with a reason in stack 'demo' (profile default)"
    )

    data = json.loads(CliRunner().invoke(main, ["validate", *app, "--format", "json"]).output)
    [finding] = data["findings"]
    assert (
        finding["rule"] == "ML113"
        and finding["path"] == "demo/store"
        and finding["file"] == "infra/modules/storage-store.bicep"
    )
    lines = render_files(
        synthesize(
            __import__("tests.validation.bad_stacks", fromlist=["x"]).CASES["override_insecure"](), validate=False
        ),
        Layout.of(REPO / "synth_out", None, REPO),
    )["modules/storage-store.bicep"].split("\n")
    assert lines[finding["line"] - 1].strip() == "allowSharedKeyAccess: true"

    sarif = json.loads(CliRunner().invoke(main, ["validate", *app, "--format", "sarif"]).output)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    [result] = run["results"]
    assert result["ruleId"] == "ML113" and result["level"] == "error"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "ML113"
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "infra/modules/storage-store.bicep"
    assert location["physicalLocation"]["region"]["startLine"] == finding["line"]
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "demo/store"


def test_validate_momentloop_passes() -> None:
    result = CliRunner().invoke(main, ["validate", "--app", f"{REPO / 'examples' / 'momentloop.py'}:stack"])
    assert result.exit_code == 0
    assert result.output == "0 errors, 0 warnings, 0 suppressed with a reason in stack 'momentloop' (profile default)\n"
