"""Every example in examples/ runs as a golden test: each generated file is snapshotted."""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from momentloop_infra.model import roles
from tests.infra.support import EXAMPLES, files_of, load_example, project_of, snapshot_extension

OTHER_EXAMPLES = [name for name in EXAMPLES if name != "momentloop.py"]  # that one: test_momentloop_stack


def test_there_are_examples_beyond_the_momentloop_stack() -> None:
    assert {"small.py", "shared_store.py", "reusable.py"} <= set(OTHER_EXAMPLES)


@pytest.mark.parametrize(
    ("example", "path"),
    [(e, p) for e in OTHER_EXAMPLES for p in sorted(files_of(load_example(e)))],
    ids=lambda v: v.replace("/", "-").removesuffix(".py"),
)
def test_example_output_matches_snapshot(example: str, path: str, snapshot: SnapshotAssertion) -> None:
    assert files_of(load_example(example))[path] == snapshot(extension_class=snapshot_extension(path))


def test_shared_store_gives_the_writer_contributor_and_the_reader_reader() -> None:
    project = project_of(load_example("shared_store.py"))
    grants = {
        (g.principal.removeprefix("gallery/"), g.role.name) for g in project.grants if g.target == "gallery/photos"
    }
    assert grants == {
        ("ingest", roles.STORAGE_BLOB_DATA_CONTRIBUTOR.name),
        ("gallery", roles.STORAGE_BLOB_DATA_READER.name),
    }
    files = files_of(load_example("shared_store.py"))
    storage = files["modules/storage-photos.bicep"]
    assert storage.count("Microsoft.Authorization/roleAssignments@") == 2
    assert "external: false" in files["modules/container-app-ingest.bicep"]
    assert "name: 'INGEST_URL'" in files["modules/container-app-gallery.bicep"]


def test_small_stack_is_one_app_and_one_store() -> None:
    project = project_of(load_example("small.py"))
    kinds = sorted(type(c).__name__ for c in load_example("small.py").node.walk()[1:])
    assert kinds == [
        "BlobStore",
        "ContainerApp",
        "ContainerAppsEnvironment",
        "ContainerRegistry",
        "LogAnalytics",
    ]
    assert {(g.principal, g.role.name) for g in project.grants} == {
        ("small/api", roles.STORAGE_BLOB_DATA_CONTRIBUTOR.name),
        ("small/api", roles.ACR_PULL.name),
    }


def test_an_app_with_a_prebuilt_image_is_an_azd_service_that_builds_nothing() -> None:
    from momentloop_infra import ContainerApp
    from tests.infra.builders import base
    from tests.infra.support import files_of

    b = base()
    ContainerApp(b.stack, "docs", environment=b.env, image="nginx:1.27-alpine", port=80)
    b.app("api")
    yaml = files_of(b.stack)["azure.yaml"]
    assert '  docs:\n    image: "nginx:1.27-alpine"\n    host: containerapp\n' in yaml
    assert "  api:\n    project: api\n    language: docker\n" in yaml
    assert "'nginx:1.27-alpine'" in files_of(b.stack)["modules/container-app-docs.bicep"]


def test_reusable_example_uses_its_construct_twice_without_a_collision() -> None:
    files = files_of(load_example("reusable.py"))
    for site in ("shop", "outlet"):
        assert f"modules/container-app-{site}-app.bicep" in files and f"modules/storage-{site}-files.bicep" in files
        assert f"  {site}-app:\n    project: storefront\n" in files["azure.yaml"]
    assert "targetPort: 3000" in files["modules/container-app-outlet-app.bicep"]
    assert "targetPort: 8000" in files["modules/container-app-shop-app.bicep"]
    project = project_of(load_example("reusable.py"))
    assert {(g.principal, g.target) for g in project.grants if g.role.name != "AcrPull"} == {
        ("storefronts/shop/app", "storefronts/shop/files"),
        ("storefronts/outlet/app", "storefronts/outlet/files"),
    }
