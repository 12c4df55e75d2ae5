"""`momentloop-synth diff`, `cost` and `summary`: thin commands over the review modules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from momentloop_infra.errors import StackError
from momentloop_infra.loader import LoadError, load_stack
from momentloop_infra.pipeline.synthesize import synthesize
from momentloop_infra.profiles import PROFILES
from momentloop_infra.review.assignments import with_assignment_grants
from momentloop_infra.review.assumptions import AssumptionError, parse_assumptions
from momentloop_infra.review.cost import estimate
from momentloop_infra.review.json_report import cost_json, diff_json
from momentloop_infra.review.markdown import cost_markdown, diff_markdown
from momentloop_infra.review.reader import ReadError, snapshot_of_dir
from momentloop_infra.review.review import Review, review
from momentloop_infra.review.snapshot import Snapshot, module_paths, own_paths, snapshot_of
from momentloop_infra.review.sources import SourceError, default_ref, snapshot_at_ref
from momentloop_infra.review.summary import LIMITS, summary_markdown
from momentloop_infra.review.text import cost_text, diff_text

EXIT_BROADENING = 3


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _current(app: str, profiles: tuple[str, ...]) -> dict[str, Snapshot]:
    try:
        stack = load_stack(app)
        projects = {p: synthesize(stack, p, validate=False) for p in profiles}
        return {p: with_assignment_grants(snapshot_of(project, "working tree")) for p, project in projects.items()}
    except (LoadError, StackError) as exc:
        _fail(str(exc))


def _assumptions(given: tuple[str, ...]) -> dict[str, float]:
    try:
        return parse_assumptions(given)
    except AssumptionError as exc:
        _fail(str(exc))


def _others(
    app: str, current: dict[str, Snapshot], against: str | None, against_dir: str | None
) -> dict[str, Snapshot]:
    profiles = tuple(current)
    if against is not None and against_dir is not None:
        _fail("give --against REF or --against-dir DIR, not both")
    try:
        if against_dir is not None:
            # What the folder cannot say, from the current stack: the construct path of each module
            # and of each child Resource.
            return {
                p: snapshot_of_dir(Path(against_dir), p, module_paths(s.instances.values()), own_paths(s))
                for p, s in current.items()
            }
        return snapshot_at_ref(against or default_ref(), app, profiles)
    except (SourceError, ReadError) as exc:
        _fail(str(exc))


def _reviews(
    app: str, profiles: tuple[str, ...], against: str | None, against_dir: str | None, assume: tuple[str, ...]
) -> list[Review]:
    assumptions = _assumptions(assume)
    new = _current(app, profiles)
    old = _others(app, new, against, against_dir)
    return [review(old[p], new[p], assumptions) for p in profiles]


_app_option = click.option("--app", "app", default=None, help="The stack [default: the group's --app].")
_assume_option = click.option(
    "--assume", "assume", multiple=True, metavar="NAME=N", help="Change a usage assumption of the cost estimate."
)
_against_option = click.option(
    "--against",
    "against",
    default=None,
    metavar="REF",
    help="Git ref to compare with [default: the merge base with the default branch, else HEAD].",
)


@click.command()
@_app_option
@click.option(
    "--profile", type=click.Choice(PROFILES), default=None, help="Size profile [default: the group's --profile]."
)
@_against_option
@click.option(
    "--against-dir",
    "against_dir",
    default=None,
    metavar="DIR",
    help="Compare with an output folder (DIR/infra/...) instead.",
)
@click.option("--format", "format_", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option(
    "--fail-on",
    "fail_on",
    type=click.Choice(["broadening"]),
    default=None,
    help="Exit 3 when the change widens access.",
)
@_assume_option
@click.pass_context
def diff(
    ctx: click.Context,
    app: str | None,
    profile: str | None,
    against: str | None,
    against_dir: str | None,
    format_: str,
    fail_on: str | None,
    assume: tuple[str, ...],
) -> None:
    """Compare the stack with the same stack at a git ref (or an output folder): resources added,
    removed, changed and replaced, a security table, and the cost change."""
    app = app or ctx.obj["app"]
    profile = profile or ctx.obj["profile"]
    (r,) = _reviews(app, (profile,), against, against_dir, assume)
    render = {"text": diff_text, "markdown": diff_markdown, "json": diff_json}[format_]
    click.echo(render(r), nl=False)
    if fail_on == "broadening" and r.broadening:
        click.echo(f"refused: {len(r.broadening)} change(s) widen access (--fail-on broadening)", err=True)
        sys.exit(EXIT_BROADENING)


@click.command()
@_app_option
@click.option("--profile", type=click.Choice(PROFILES), default=None, help="One profile [default: every profile].")
@click.option("--format", "format_", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@_assume_option
@click.pass_context
def cost(ctx: click.Context, app: str | None, profile: str | None, format_: str, assume: tuple[str, ...]) -> None:
    """Estimate the monthly cost per resource and in total, for each profile, from the shipped
    price table (USD list prices; usage assumptions printed beside the figures)."""
    app = app or ctx.obj["app"]
    profiles = (profile,) if profile is not None else PROFILES
    assumptions = _assumptions(assume)
    reports = [estimate(s, assumptions) for s in _current(app, profiles).values()]
    render = {"text": cost_text, "markdown": cost_markdown, "json": cost_json}[format_]
    click.echo(render(reports), nl=False)


@click.command()
@_app_option
@_against_option
@click.option(
    "--limit",
    type=click.Choice(sorted(LIMITS)),
    default="comment",
    show_default=True,
    help="GitHub's size limit to stay under.",
)
@_assume_option
@click.pass_context
def summary(ctx: click.Context, app: str | None, against: str | None, limit: str, assume: tuple[str, ...]) -> None:
    """One Markdown document for a pull request: headline, security table, RBAC matrix,
    a Mermaid flowchart and the changed resources (for $GITHUB_STEP_SUMMARY or a comment)."""
    app = app or ctx.obj["app"]
    reviews = _reviews(app, PROFILES, against, None, assume)
    click.echo(summary_markdown(reviews, LIMITS[limit]), nl=False)
