"""azure.yaml names each app's project folder relative to azure.yaml, through symbolic links as
Path.resolve() follows them (the folders are resolved with their parents shared)."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from momentloop_infra.emit.files import Layout, _Resolver, render_files
from momentloop_infra.pipeline.synthesize import synthesize
from tests.infra.builders import base


def projects(root: Path, out: Path, **folders: str | None) -> dict[str, str]:
    b = base()
    for app_id, project in folders.items():
        b.app(app_id, project=project)
    files = render_files(synthesize(b.stack), Layout.of(out, out / "azure.yaml", root))
    services = yaml.safe_load(files["azure.yaml"])["services"]
    return {name: service["project"] for name, service in services.items()}


def test_project_folders_follow_links_as_resolve_does(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "src" / "api").mkdir(parents=True)
    (root / "web").symlink_to(root / "src" / "api")  # a folder that is a link
    (tmp_path / "linked-repo").symlink_to(root)  # a project root reached through a link
    out = root / "deploy"
    out.mkdir()
    found = projects(
        tmp_path / "linked-repo", out, web=None, worker="tools/worker", shared="../repo/src/api", plain=None
    )
    expected = {
        app: os.path.relpath((tmp_path / "linked-repo" / folder).resolve(), out.resolve())
        for app, folder in {
            "web": "web",
            "worker": "tools/worker",
            "shared": "../repo/src/api",
            "plain": "plain",
        }.items()
    }
    assert found == expected
    assert found["web"] == "../src/api" and found["plain"] == "../plain"


def test_every_folder_is_named_as_relpath_of_its_resolved_path_would_name_it(tmp_path: Path) -> None:
    # The parent's path from azure.yaml's folder plus the name is relpath's answer only when that
    # folder is not inside the target: azure.yaml in the project folder itself, or below it.
    root = tmp_path / "repo"
    for folder in ("apps/api", "apps/api/deploy/deeper", "apps/web", "other", "real"):
        (root / folder).mkdir(parents=True)
    (root / "apps" / "linked").symlink_to(root / "real")
    (root / "apps" / "dangling").symlink_to(root / "nowhere")
    targets = [root / "apps" / name for name in ("api", "web", "linked", "dangling", "missing", "deploy")] + [
        root / "other",
        root,
        tmp_path,
        root / "apps",
    ]
    for start in (root, root / "apps" / "api", root / "apps" / "api" / "deploy" / "deeper", root / "apps", tmp_path):
        resolver = _Resolver(start.resolve())
        for target in targets:
            expected = os.path.relpath(target.resolve(), start.resolve())
            assert resolver.relative(target) == ("." if expected == "." else Path(expected).as_posix()), (start, target)
