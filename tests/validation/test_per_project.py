"""Values several checks read (what each module parameter can receive, the apps' service tags) are
worked out once per project: never stale for another project, never keeping one alive."""

from __future__ import annotations

import gc
import weakref

import attrs

from momentloop_infra import Stack
from momentloop_infra.pipeline.synthesize import synthesize
from momentloop_infra.validation.consistency import module_param_values
from momentloop_infra.validation.rules import tagged_apps
from tests.infra.builders import base


def _two_apps() -> Stack:
    b = base()
    b.app("web").connect(b.store(), access="read_write")
    b.app("worker", ingress="none")
    return b.stack


def test_one_project_derives_once_and_another_project_anew() -> None:
    project = synthesize(_two_apps(), validate=False)
    values = module_param_values(project)
    assert module_param_values(project) is values
    assert tagged_apps(project) is tagged_apps(project)
    # An equal project built apart, and one with another app, each get their own.
    again = synthesize(_two_apps(), validate=False)
    assert module_param_values(again) is not values and module_param_values(again) == values
    other = attrs.evolve(project, main=attrs.evolve(project.main, modules=project.main.modules[:-1]))
    assert module_param_values(other) != values
    assert sorted(tags for _, _, tags in tagged_apps(project)) == [["web"], ["worker"]]


def test_a_finished_project_is_not_kept_alive_for_its_derived_values() -> None:
    project = synthesize(_two_apps(), validate=False)
    module_param_values(project)
    tagged_apps(project)
    gone = weakref.ref(project)
    del project
    gc.collect()
    assert gone() is None
