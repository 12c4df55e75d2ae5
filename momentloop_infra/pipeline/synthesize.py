"""Stack → Project: plan, expand every construct into records, lay out main.bicep, validate.
The Project that comes out holds records only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.base import AzureConstruct
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.errors import StackError
from momentloop_infra.model.arm_limits import MAX_PARAMS, MAX_RESOURCES
from momentloop_infra.model.project import Grant, Project, Service, Workflow
from momentloop_infra.model.records import ParamValue
from momentloop_infra.pipeline.collector import collector_paused
from momentloop_infra.pipeline.fit import fit_modules, fit_params
from momentloop_infra.pipeline.loops import collapse, constants_of
from momentloop_infra.pipeline.main_file import main_file
from momentloop_infra.pipeline.outputs import fold_outputs
from momentloop_infra.pipeline.plan import azure_constructs, collect_problems, plan_stack, unique
from momentloop_infra.pipeline.shape import FIRST_SHAPE, Shape, next_shape
from momentloop_infra.validation.core import ValidationFailed, validate_project
from momentloop_infra.validation.template_size import CompiledSizes


def deploy_workflow(stack: Construct, offered: list[Workflow]) -> Workflow | None:
    """The workflow the stack asks for (Stack(deploy_workflow=True)), shaped by the DeployIdentity
    it logs in as (plan_stack allows at most one); without one, pushes to main, no environment."""
    # The option lives on Stack, a layer above this one: read it as a plain attribute.
    if getattr(stack, "deploy_workflow", False) is not True:
        return None
    return offered[0] if offered else Workflow()


def synthesize(
    stack: Construct,
    profile: str = "default",
    *,
    validate: bool = True,
    parallel: bool = False,
    shape: Shape = FIRST_SHAPE,
) -> Project:
    """The project for `profile`; with `validate` (the default) also every offline check, raising
    StackError (a ValidationFailed) with every blocking finding. Raises StackError listing every
    problem of the stack before anything is built. `parallel` lets validation use a child process
    (validate_project): for a caller that owns its process, as momentloop-synth does. `shape`
    is the layout to start from (pipeline/shape.py); a validated one past one of ARM's limits is
    made again in the next layout that fits (refitted)."""
    with collector_paused():
        project = _synthesize(stack, profile, shape)
        if not validate:
            return project
        try:
            return checked(project, parallel=parallel)
        except ValidationFailed as failed:
            return refitted(stack, profile, failed, shape, parallel=parallel)


def refitted(
    stack: Construct, profile: str, failed: ValidationFailed, shape: Shape, *, parallel: bool = False
) -> Project:
    """After `failed` (the project of `shape` refused), the validated project of the first next
    layout that fits (next_shape); raises `failed`, the layout the stack asked for, when none does
    or what refused it is not a size past a limit."""
    refused = failed
    shares_anyway = _shares(azure_constructs(stack))
    tried = shape
    while (following := next_shape(tried, refused.report, shares_anyway, _groups(refused.project))) is not None:
        tried = following
        try:
            with collector_paused():
                return checked(_synthesize(stack, profile, tried), parallel=parallel)
        except ValidationFailed as again:
            refused = again
    raise failed


def _groups(project: Project) -> frozenset[str]:
    """main.bicep's grouping modules that hold more than one call."""
    return frozenset(
        c.symbol for c in project.main.modules if c.file in project.modules and len(project.modules[c.file].modules) > 1
    )


def _shares(constructs: list[AzureConstruct[Any]]) -> bool:
    # Past 800 deployments a stack is past 4 MB too, one module file per construct: share them.
    return sum(c.module_calls for c in constructs) > MAX_RESOURCES


def _built(plan: Plan, constructs: list[AzureConstruct[Any]], synth: Synthesis) -> Synthesis:
    """`synth` once every construct has expanded into it; raises StackError on clashing symbols."""
    for c in constructs:
        synth.claim(c.symbol, c.node.path)
    if synth.problems:
        raise StackError(synth.problems)
    for c in constructs:
        c.build(plan.settings[c.node.path], plan, synth)
    return synth


def _synthesize(stack: Construct, profile: str, shape: Shape) -> Project:
    plan = plan_stack(stack, profile)
    constructs = azure_constructs(stack)
    share = shape.share or _shares(constructs)
    # environmentName and location, and at least each construct's settings.
    grouped = 2 + sum(c.settings_params for c in constructs) > MAX_PARAMS
    synth = _built(plan, constructs, Synthesis(profile, share=share, group_settings=grouped))
    if grouped and 2 + synth.plain_params <= MAX_PARAMS:  # a construct promised more than it added
        synth = _built(plan, constructs, Synthesis(profile, share=share))
    problems = collect_problems(stack) + synth.problems
    if problems:
        raise StackError(unique(problems))
    values = (
        ParamValue("environmentName", "AZURE_ENV_NAME", "string", None),
        ParamValue("location", "AZURE_LOCATION", "string", None),
        *synth.param_values,
    )
    services: list[Service] = []
    for c in constructs:
        service = c.azd_service(plan.settings[c.node.path])
        if service is not None:
            services.append(service)
    held = [c for c in stack.node.walk() if isinstance(c, AzureConstruct)]
    # Within ARM's limits at any size: group the parameters by kind, the module calls into groups.
    planned, modules = fold_outputs(main_file(stack.node.path, profile, constructs, synth), synth.modules)
    main, grouped_values = fit_params(planned, values, synth.param_owners)
    # Calls still as the constructs added them (no parameter was renamed): what each reads is known.
    main, groups = fit_modules(main, modules, synth.reads if main is planned else {}, shape.budget)
    if synth.share or groups:
        # Like calls become loops: each module's template is written into main.json once.
        main = collapse(main, constants_of(main))
        groups = {name: collapse(file, constants_of(file)) for name, file in groups.items()}
    return Project(
        name=stack.node.id,
        stack_path=stack.node.path,
        profile=profile,
        main=main,
        modules=dict(sorted({**modules, **groups}.items())),
        param_values=grouped_values,
        services=tuple(services),
        grants=tuple(Grant(g.role, g.principal.node.path, g.target.node.path) for g in plan.grants),
        names=plan.names,
        # Every construct's, a child Resource's too (its parent's module holds it).
        suppressions={c.node.path: c.suppressions for c in held if c.suppressions},
        workflow=deploy_workflow(stack, [w for c in constructs if (w := c.workflow(plan.settings[c.node.path]))]),
    )


def checked(project: Project, *, parallel: bool = False, sizes: Callable[[], CompiledSizes] | None = None) -> Project:
    """The project with its validation report (and honoured suppressions written in); raises
    ValidationFailed on blocking findings. `parallel` and `sizes` as validate_project takes them."""
    report, project = validate_project(project, parallel=parallel, sizes=sizes)
    if report.errors:
        raise ValidationFailed(report, project)
    return attrs.evolve(project, report=report)
