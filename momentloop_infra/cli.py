"""momentloop-synth: synthesize a stack written in Python into an azd project."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from momentloop_infra.emit.disk import diff, write_files
from momentloop_infra.emit.files import Layout
from momentloop_infra.errors import StackError
from momentloop_infra.lazy_group import LazyGroup
from momentloop_infra.loader import LoadError, load_stack
from momentloop_infra.model.project import Project
from momentloop_infra.pipeline.collector import collector_paused
from momentloop_infra.pipeline.run import synthesize_files, validate_stack
from momentloop_infra.profiles import PROFILES
from momentloop_infra.validation.formats import render_report

DEFAULT_APP = "examples/momentloop.py:stack"
DEFAULT_OUT = "synth_out"
# The review commands, imported only when one runs.
REVIEW_COMMANDS = {name: f"momentloop_infra.review.commands:{name}" for name in ("diff", "cost", "summary")}


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _where(layout: Layout, project: Project) -> str:
    if project.workflow is None:
        return f"{layout.infra} and {layout.azure_yaml}"
    return f"{layout.infra}, {layout.azure_yaml} and {layout.workflow}"


@click.group(
    cls=LazyGroup,
    lazy=REVIEW_COMMANDS,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--app",
    "app",
    default=DEFAULT_APP,
    show_default=True,
    help="The stack: module:attribute or file.py:attribute.",
)
@click.option(
    "--out",
    "out",
    default=None,
    help=f"Output folder [default: {DEFAULT_OUT}, with azure.yaml in the current folder].",
)
@click.option("--profile", type=click.Choice(PROFILES), default="default", show_default=True, help="Size profile.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and show the diff when the output on disk is stale.")
@click.pass_context
def main(ctx: click.Context, app: str, out: str | None, profile: str, check: bool) -> None:
    """Synthesize the stack into infra/ (main.bicep, modules, main.bicepparam) and azure.yaml, and the
    GitHub deploy workflow (.github/workflows/deploy.yml beside azure.yaml) if the stack asks for one."""
    ctx.ensure_object(dict)
    ctx.obj.update(app=app, profile=profile)
    if ctx.invoked_subcommand is not None:
        return
    layout = Layout.of(out, None) if out is not None else Layout.of(DEFAULT_OUT, "azure.yaml")
    try:
        # Declaring a large stack builds as many small objects as synthesizing it: hold the
        # collector off for both, as synthesize does for itself.
        with collector_paused():
            stack = load_stack(app)
            # The command owns its process (one thread): validation may fork a child.
            project, files = synthesize_files(stack, profile, layout, parallel=True)
    except (LoadError, StackError) as exc:
        _fail(str(exc))
    if check:
        lines = diff(files, layout)
        if lines:
            click.echo("".join(lines), nl=False)
            click.echo(
                f"\nstale: the output differs from what {app} generates; run momentloop-synth and commit it",
                err=True,
            )
            sys.exit(1)
        click.echo(f"up to date: {_where(layout, project)} match {app}")
        return
    try:
        written = write_files(files, layout)
    except OSError as exc:
        _fail(f"cannot write the output: {exc}")
    if project.report is not None:
        for finding in project.report.warnings:
            click.echo(f"warning: {finding.path}: {finding}", err=True)
    click.echo(
        f"synthesized {stack.node.id!r} (profile {profile}) into {_where(layout, project)}: {len(files)} files, "
        f"{project.resource_count} resources, {project.role_assignment_count} role assignments"
        + ("" if written else " (up to date already: nothing written)")
    )


@main.command()
@click.option("--app", "app", default=None, help="The stack [default: the group's --app].")
@click.option(
    "--profile", type=click.Choice(PROFILES), default=None, help="Size profile [default: the group's --profile]."
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="text for people; json or sarif (SARIF 2.1.0, for code scanning) for machines.",
)
@click.option("--output", "-o", "output", default=None, help="Write the report to this file instead of stdout.")
@click.pass_context
def validate(ctx: click.Context, app: str | None, profile: str | None, format_: str, output: str | None) -> None:
    """Check the stack offline: Azure types, template consistency, security and azd rules.
    Exits 2 when there are errors; writes no infrastructure files."""
    app = app or ctx.obj["app"]
    profile = profile or ctx.obj["profile"]
    try:
        stack = load_stack(app)
    except LoadError as exc:
        _fail(str(exc))
    report = validate_stack(stack, profile)
    text = render_report(report, format_)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write the report: {exc}")
        click.echo(report.summary(), err=True)
    if report.errors:
        sys.exit(2)


def run() -> NoReturn:
    """The `momentloop-synth` console command: `main`, then an exit that skips the interpreter's
    teardown (freeing every module and object one by one: a seventh of a synth's wall time), as
    mypy's command does. Everything is written and closed by then; the streams are flushed here."""
    try:
        main()
        code: object = 0
    except SystemExit as done:
        code = done.code
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"), or any other object: Python prints it, exits 1
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a reader that went away (`| head`): nothing more to say
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()

__all__ = ["main", "run"]
