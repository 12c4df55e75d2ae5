"""The GitHub Actions deploy workflow, from the project's records: repository variables for the azd
environment and the identity it logs in as, and one repository secret per `@secure()` parameter of
main.bicep, named as the environment variable main.bicepparam reads it from."""

from __future__ import annotations

from momentloop_infra.emit.bicep_file import finish
from momentloop_infra.emit.render import environment
from momentloop_infra.model.project import Project, Workflow

# What azd reads to create its environment in a fresh runner, and the identity to log in as.
VARIABLES = ("AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_TENANT_ID")


def workflow_secrets(project: Project) -> tuple[str, ...]:
    """The repository secrets the workflow passes to `azd provision`, in main.bicep's order."""
    env_of = {value.name: value.env for value in project.param_values}
    return tuple(env_of[p.name] for p in project.main.params if p.secure and p.name in env_of)


def render_workflow(project: Project, workflow: Workflow) -> str:
    return finish(
        environment()
        .get_template("deploy.yml.j2")
        .render(
            stack_path=project.stack_path,
            branch=workflow.branch,
            environment=workflow.environment,
            identity=workflow.identity,
            group=f"deploy-{project.name}",
            variables=VARIABLES,
            secrets=workflow_secrets(project),
            extra_env=sorted(workflow.env.items()),
        )
    )
