"""The one way to turn a stack into files (synthesize_files, write) and to validate it: used by the
CLI, `Stack.synth()` and the tests alike; emit.disk compares the files with those on disk."""

from __future__ import annotations

from momentloop_infra.construct import Construct
from momentloop_infra.emit.disk import write_files
from momentloop_infra.emit.files import Layout, render_again, render_files
from momentloop_infra.errors import StackError
from momentloop_infra.model.findings import Report
from momentloop_infra.model.project import Project
from momentloop_infra.pipeline.collector import collector_paused
from momentloop_infra.pipeline.synthesize import checked, reshaped, synthesize
from momentloop_infra.validation.core import ValidationFailed, locate, problems_as_findings, validate_project
from momentloop_infra.validation.size_estimate import size_estimate


def synthesize_files(
    stack: Construct, profile: str, layout: Layout, *, parallel: bool = False
) -> tuple[Project, dict[str, str]]:
    """The validated project and its files' texts (nothing written); raises StackError as
    synthesize does. With `parallel` (a caller that owns its process, as momentloop-synth), the
    files are rendered while a forked child estimates the compiled size: validation's longer
    half and the rendering then take two cores instead of one after the other. A layout of a file
    per construct past one of ARM's limits is made again with shared files (reshaped)."""
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
        wider = reshaped(stack, profile, refused.report, False)
        if wider is None:
            raise refused
        try:  # past a limit with a file per construct: shared files instead
            validated = checked(wider)
        except ValidationFailed:
            raise refused from None
        return validated, render_again(render_files(wider, layout), wider, validated)


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
    wider = reshaped(stack, profile, report, False)
    if wider is not None:  # as synthesize does: past a limit with a file per construct, shared files
        wider_report, wider = validate_project(wider)
        if not wider_report.errors:
            report, project = wider_report, wider
    return locate(report, render_files(project, Layout.of("synth_out", "azure.yaml")))
