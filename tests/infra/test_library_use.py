"""The library as a new user meets it: reusable constructs, typos, ids that sound secret,
output modes, and warnings from a stack run as a plain Python file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from momentloop_infra import (
    BlobStore,
    Construct,
    ContainerApp,
    ContainerAppsEnvironment,
    ContainerRegistry,
    KeyVault,
    PostgresFlexible,
    StackError,
    StackWarning,
)
from momentloop_infra.build.settings import setting_names
from momentloop_infra.pipeline.synthesize import synthesize
from momentloop_infra.validation import validate_project
from tests.infra.builders import base
from tests.infra.support import REPO, files_of


class Site(Construct):
    """An app and its store: the everyday reusable construct."""

    def __init__(self, scope: Construct, id: str, env: ContainerAppsEnvironment, registry: ContainerRegistry) -> None:
        super().__init__(scope, id)
        self.files = BlobStore(self, "files", containers=["files"])
        self.app = ContainerApp(self, "app", environment=env, registry=registry)
        self.app.connect(self.files, access="read_write")


class Region(Construct):
    """Two sites one level deeper."""

    def __init__(self, scope: Construct, id: str, env: ContainerAppsEnvironment, registry: ContainerRegistry) -> None:
        super().__init__(scope, id)
        self.orders = Site(self, "orders", env, registry)
        self.returns = Site(self, "returns", env, registry)


def test_a_construct_used_twice_and_nested_gets_distinct_names_from_its_path() -> None:
    b = base()
    Site(b.stack, "shop", b.env, b.registry)
    Site(b.stack, "outlet", b.env, b.registry)
    Region(b.stack, "eu", b.env, b.registry)
    project = synthesize(b.stack)
    files = files_of(b.stack)
    modules = {p for p in files if p.startswith("modules/")}
    for prefix in ("shop", "outlet", "eu-orders", "eu-returns"):
        assert f"modules/storage-{prefix}-files.bicep" in modules
        assert f"modules/container-app-{prefix}-app.bicep" in modules
        # azd service name, its tag, and the outputs azd reads all come from the same path.
        assert f"  {prefix}-app:\n    project: {prefix}-app\n" in files["azure.yaml"]
        assert f"'azd-service-name': '{prefix}-app'" in files[f"modules/container-app-{prefix}-app.bicep"]
        symbol = prefix.replace("-o", "O").replace("-r", "R")
        assert f"module {symbol}Files 'modules/storage-{prefix}-files.bicep'" in files["main.bicep"]
        assert f"output SERVICE_{prefix.upper().replace('-', '_')}_APP_URI string" in files["main.bicep"]
        env = prefix.upper().replace("-", "_")
        assert f"param {symbol}AppCpu = readEnvironmentVariable('{env}_APP_CPU', '0.25')" in files["main.bicepparam"]
    samples = [n.sample() for n in project.names.values()]
    assert len(samples) == len(set(samples))
    # Each app's grant is on its own store only.
    grants = {(g.principal, g.target) for g in project.grants if g.role.name != "AcrPull"}
    assert grants == {(f"demo/{p}/app", f"demo/{p}/files") for p in ("shop", "outlet", "eu/orders", "eu/returns")}


def test_names_of_nested_constructs_do_not_change_between_synths() -> None:
    def build() -> dict[str, str]:
        b = base()
        Region(b.stack, "eu", b.env, b.registry)
        return files_of(b.stack)

    assert build() == build()


def test_top_level_ids_keep_their_names() -> None:
    b = base()
    b.store("files")
    b.app("api")
    files = files_of(b.stack)
    assert {"modules/storage-files.bicep", "modules/container-app-api.bicep"} <= set(files)
    assert "param filesSku = readEnvironmentVariable('FILES_SKU', 'Standard_LRS')" in files["main.bicepparam"]


def test_two_paths_that_flatten_to_the_same_name_are_a_problem_not_a_silent_clash() -> None:
    b = base()
    BlobStore(Construct(b.stack, "a"), "b-c")
    BlobStore(Construct(b.stack, "a-b"), "c")
    with pytest.raises(StackError) as raised:
        synthesize(b.stack)
    assert [str(p) for p in raised.value.problems] == [
        "demo/a-b/c: id = 'storage-a-b-c': gives the module file name storage-a-b-c.bicep, as demo/a/b-c does; "
        "rename one"
    ]


def test_an_unknown_keyword_is_a_problem_with_the_close_match_listed_with_the_others() -> None:
    b = base()
    ContainerApp(b.stack, "api", environment=b.env, registry=b.registry, memroy="1Gi")  # type: ignore[call-arg]
    BlobStore(b.stack, "store", sku="Premium_LRS")
    with pytest.raises(StackError) as raised:
        synthesize(b.stack)
    text = [str(p) for p in raised.value.problems]
    assert any(p.startswith("demo/api: memroy = '1Gi': unknown setting; did you mean 'memory'?") for p in text), text
    assert any(p.startswith("demo/store: sku = 'Premium_LRS'") for p in text), text


def test_a_stack_file_run_by_plain_python_raises_a_stack_error_for_a_typo(tmp_path: Path) -> None:
    script = tmp_path / "stack.py"
    script.write_text(
        "from momentloop_infra import ContainerApp, ContainerAppsEnvironment, ContainerRegistry, LogAnalytics, Stack\n"
        "stack = Stack('typo')\n"
        "env = ContainerAppsEnvironment(stack, 'env', logs=LogAnalytics(stack, 'logs'))\n"
        "ContainerApp(stack, 'api', environment=env, registry=ContainerRegistry(stack, 'registry'), memroy='1Gi')\n"
        f"stack.synth({str(tmp_path / 'out')!r})\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 1
    assert "TypeError" not in result.stderr
    assert "StackError: 1 problem in the stack:" in result.stderr
    assert "typo/api: memroy = '1Gi': unknown setting; did you mean 'memory'?" in result.stderr
    assert not (tmp_path / "out").exists()


def test_every_keyword_of_every_construct_reaches_its_settings() -> None:
    from momentloop_infra.constructs.base import AzureConstruct

    kinds = [BlobStore, ContainerApp, ContainerAppsEnvironment, ContainerRegistry, KeyVault, PostgresFlexible]
    for kind in kinds:
        assert issubclass(kind, AzureConstruct)
        args = kind.settings_args
        assert set(args.__optional_keys__) == set(setting_names(kind.settings_model)), kind


def test_ids_that_sound_secret_synthesize_with_no_finding() -> None:
    b = base()
    app = b.app("token-service")
    app.connect(KeyVault(b.stack, "secrets", secrets=["signing-key"]))
    app.connect(BlobStore(b.stack, "tokens", containers=["tokens"]), access="read_write")
    app.connect(PostgresFlexible(b.stack, "credentials"))
    app.connect(KeyVault(b.stack, "api-keys", secrets=["maps-api-key"]), env_name="API_KEYS_VAULT_URL")
    b.app("web").connect(app)
    report, _ = validate_project(synthesize(b.stack, validate=False))
    assert report.findings == ()


def test_a_secret_set_by_override_under_a_secret_name_is_still_found() -> None:
    b = base()
    db = b.db()
    db.override("properties.administratorLoginPassword", "hunter2")
    report, _ = validate_project(synthesize(b.stack, validate=False))
    assert [(f.rule, f.path, f.field) for f in report.findings if f.rule == "ML103"] == [
        ("ML103", "demo/db", "properties.administratorLoginPassword")
    ]


def test_output_modes_follow_the_umask(tmp_path: Path) -> None:
    b = base()
    b.store()
    old = os.umask(0o022)
    try:
        b.stack.synth(tmp_path / "out")
    finally:
        os.umask(old)
    out = tmp_path / "out"
    for path in [out / "infra", out / "infra/modules", *out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))


def test_stack_synth_returns_and_warns_the_validation_warnings(tmp_path: Path) -> None:
    b = base()
    b.store().suppress("ML113", "shared keys are off already, said for this test")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = b.stack.synth(tmp_path / "out")
    assert len(result.warnings) == 1 and "ML900" in result.warnings[0]
    assert result.warnings[0].startswith("demo/store: warning ML900")
    assert [(w.category, str(w.message)) for w in caught] == [(StackWarning, result.warnings[0])]


def test_a_stack_file_run_by_plain_python_shows_its_warnings(tmp_path: Path) -> None:
    script = tmp_path / "stack.py"
    script.write_text(
        "from momentloop_infra import BlobStore, Stack\n"
        "stack = Stack('warned')\n"
        "BlobStore(stack, 'store').suppress('ML113', 'shared keys are off already, said for this test')\n"
        f"result = stack.synth({str(tmp_path / 'out')!r})\n"
        "print(len(result.warnings))\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "1\n"
    assert "StackWarning: warned/store: warning ML900" in result.stderr


def test_marking_a_file_as_named_by_the_library_keeps_every_other_field() -> None:
    import attrs

    from momentloop_infra.bicep.expr import ref
    from momentloop_infra.model.records import BicepFile, Output, Param, named_by_library

    param = Param("p", "int", True, "d", ("1",), 1, 2, 3, 4, 5, shape=(("key", (Param("f", "int"),)),))
    out = Output("o", "string", ref("p"), "described")
    file = BicepFile("subscription", (param,), (), (), (), (out,), "// header")
    marked = named_by_library(file)
    assert marked.params == (attrs.evolve(param, generated=True),)
    assert marked.outputs == (attrs.evolve(out, generated=True),)
    assert attrs.evolve(marked, params=file.params, outputs=file.outputs) == file
    # Every field of the records is copied (a new field must be added to named_by_library too).
    assert [f.name for f in attrs.fields(Param)][-1] == "shape" and len(attrs.fields(Param)) == 12
    assert len(attrs.fields(Output)) == 5 and len(attrs.fields(BicepFile)) == 7
