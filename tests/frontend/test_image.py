"""The frontend image's parts agree with each other (no Docker here to build it): what the
Dockerfile copies and where, the port, the user, the variables the template may use, and the
start-up check on BACKEND_URL. hadolint runs on the Dockerfile in tests/test_lint.py."""

from __future__ import annotations

import re
import subprocess

from tests.frontend.node_project import FRONTEND
from tests.repo import REPO_ROOT

DOCKERFILE = (FRONTEND / "Dockerfile").read_text()
TEMPLATE = (FRONTEND / "nginx" / "default.conf.template").read_text()
CHECK_SCRIPT = FRONTEND / "nginx" / "10-require-backend-url.sh"


def instructions(name: str) -> list[str]:
    """The arguments of every `name` instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [m.group(1).strip() for m in re.finditer(rf"^{name}\s+(.+)$", joined, flags=re.M)]


def env_values() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in instructions("ENV"):
        for key, quoted, bare in re.findall(r'(\w+)=(?:"([^"]*)"|(\S+))', line):
            values[key] = quoted or bare
    return values


def test_a_node_build_stage_then_an_alpine_nginx_runtime() -> None:
    stages = instructions("FROM")
    assert len(stages) == 2
    assert re.fullmatch(r"node:\d+-alpine AS build", stages[0])
    assert re.fullmatch(r"nginx:\d+\.\d+-alpine", stages[1]), "pin the nginx minor version"
    assert "RUN npm ci --no-audit --no-fund" in DOCKERFILE  # from the committed lock file


def test_the_build_lands_where_the_template_serves_from() -> None:
    root = re.search(r"^\s*root (\S+);", TEMPLATE, flags=re.M)
    assert root, "the template has no root line"
    copies = [line for line in instructions("COPY") if line.startswith("--from=build")]
    assert copies == [f"--from=build /app/dist {root.group(1)}"]


def test_the_template_goes_to_the_images_template_folder() -> None:
    # The image's entrypoint renders /etc/nginx/templates/*.template into conf.d at start-up.
    assert "nginx/default.conf.template /etc/nginx/templates/default.conf.template" in instructions("COPY")


def test_runs_unprivileged_on_the_port_it_exposes() -> None:
    user = instructions("USER")
    assert len(user) == 1 and user[0].isdigit() and int(user[0]) != 0
    assert instructions("EXPOSE") == [env_values()["FRONTEND_PORT"]]
    assert int(env_values()["FRONTEND_PORT"]) > 1024  # no privileged port for a non-root nginx
    assert re.search(r"^\s*listen \$\{FRONTEND_PORT\};", TEMPLATE, flags=re.M)


def test_the_stack_sends_ingress_to_the_port_the_image_exposes() -> None:
    """The synthesized frontend container app (committed output) targets the image's port."""
    module = (REPO_ROOT / "synth_out" / "infra" / "modules" / "container-app-frontend.bicep").read_text()
    assert re.findall(r"targetPort:\s*(\d+)", module) == instructions("EXPOSE")


def test_envsubst_touches_exactly_the_templates_variables() -> None:
    used = set(re.findall(r"\$\{(\w+)\}", TEMPLATE))
    assert used == {"BACKEND_URL", "FRONTEND_PORT"}
    allowed = re.compile(env_values()["NGINX_ENVSUBST_FILTER"])
    assert all(allowed.search(name) for name in used)
    # nginx's own variables and the environment's usual names stay untouched.
    for name in ("HOME", "PATH", "HOSTNAME", "host", "uri", "BACKEND_URL_EXTRA", "NGINX_VERSION"):
        assert not allowed.search(name), name


def test_start_up_refuses_a_missing_backend_url_in_one_sentence() -> None:
    missing = subprocess.run(["sh", str(CHECK_SCRIPT)], env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1 and "BACKEND_URL is not set" in missing.stderr
    given = subprocess.run(
        ["sh", str(CHECK_SCRIPT)],
        env={"PATH": "/usr/bin:/bin", "BACKEND_URL": "http://backend:8000"},
        capture_output=True,
        text=True,
    )
    assert given.returncode == 0 and given.stderr == ""
    assert "COPY --chmod=755 nginx/10-require-backend-url.sh /docker-entrypoint.d/" in DOCKERFILE
