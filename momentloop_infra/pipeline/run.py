"""The one way to turn a stack into files (synthesize_files, write) and to validate it: used by the
CLI, `Stack.synth()` and the tests alike; emit.disk compares the files with those on disk."""

from __future__ import annotations

import contextlib

from momentloop_infra.construct import Construct
from momentloop_infra.emit.disk import write_files
from momentloop_infra.emit.files import Layout, render_again, render_files
from momentloop_infra.errors import StackError
from momentloop_infra.model.findings import Report
from momentloop_infra.model.project import Project
from momentloop_infra.pipeline.collector import collector_paused
from momentloop_infra.pipeline.shape import FIRST_SHAPE
from momentloop_infra.pipeline.synthesize import checked, refitted, synthesize
from momentloop_infra.validation.core import ValidationFailed, locate, problems_as_findings, validate_project
from momentloop_infra.validation.size_estimate import size_estimate


def synthesize_files(
    stack: Construct, profile: str, layout: Layout, *, parallel: bool = False
) -> tuple[Project, dict[str, str]]:
    """The validated project and its files' texts (nothing written); raises StackError as
    synthesize does. With `parallel` (a caller that owns its process, as momentloop-synth), the
    files are rendered while a forked child estimates the compiled size: validation's longer
    half and the rendering then take two cores instead of one after the other. A project past one
    of ARM's limits is made again in the next layout that fits (refitted)."""
    with collector_paused():
        project = synthesize(stack, profile, validate=False)
        refused: ValidationFailed | None = None
        with size_estimate(project, in_child=parallel) as sizes:
            files = render_files(project, layout)
            try:
                validated = checked(project, sizes=sizes)
            except ValidationFailed as failed:
                refused = failed
        if refused is None:
            return validated, render_again(files, project, validated)
        validated = refitted(stack, profile, refused, FIRST_SHAPE, parallel=parallel)  # the next layout
        return validated, render_files(validated, layout)


def write(project: Project, layout: Layout) -> dict[str, str]:
    """Render the project and write it (infra/ swapped in whole, unless it is on disk already);
    returns the files of the output."""
    with collector_paused():
        files = render_files(project, layout)
        write_files(files, layout)
    return files


def validate_stack(stack: Construct, profile: str = "default") -> Report:
    """The full report for a stack: its own problems, or every finding on what it synthesizes,
    each placed on its line in the rendered files."""
    try:
        project = synthesize(stack, profile, validate=False)
    except StackError as exc:
        return Report.of(stack.node.path, profile, problems_as_findings(exc.problems))
    report, project = validate_project(project)
    if report.errors:  # as synthesize does: past one of ARM's limits, the next layout that fits
        with contextlib.suppress(ValidationFailed):
            project = refitted(stack, profile, ValidationFailed(report, project), FIRST_SHAPE)
            assert project.report is not None  # a validated project carries its report
            report = project.report
    return locate(report, render_files(project, Layout.of("synth_out", "azure.yaml")))
