"""A construct called with a misspelt required keyword (`ContainerApp(..., enviroment=env)`) is a
Problem naming the keyword it lacks and the one it was probably meant to be, instead of Python's
bare TypeError. The misspelt name itself would go to the settings (`**settings`), which would
report it too, but the missing required argument stops the call first."""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable
from typing import Any

from momentloop_infra.errors import Problem, StackError

_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def checked_init(init: Callable[..., None]) -> Callable[..., None]:
    """`init`, raising StackError instead of TypeError when the call itself does not bind."""
    signature = inspect.signature(init)

    @functools.wraps(init)
    def checked(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            init(self, *args, **kwargs)
        except TypeError:
            problems = call_problems(type(self).__name__, signature, (self, *args), kwargs)
            if not problems:
                raise  # the call bound: the error is from inside, and says what it says
            raise StackError(problems) from None

    return checked


def call_problems(
    kind: str, signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> list[Problem]:
    """What is wrong with a call that does not bind: each required argument missing, with the
    given keyword it is closest to; empty when the call binds."""
    try:
        signature.bind(*args, **kwargs)
        return []
    except TypeError:
        pass
    try:
        bound = signature.bind_partial(*args, **kwargs).arguments
    except TypeError:
        return []  # too many positional arguments, say: Python's own message is the clearest
    scope, id_ = bound.get("scope"), bound.get("id")
    node = getattr(scope, "node", None)
    path = f"{node.path}/{id_}" if node is not None and isinstance(id_, str) else str(id_ or kind)
    unknown = [name for name in kwargs if name not in signature.parameters]
    problems: list[Problem] = []
    for name, parameter in signature.parameters.items():
        if parameter.kind in _NAMED and parameter.default is parameter.empty and name not in bound:
            close = difflib.get_close_matches(name, unknown, n=1, cutoff=0.6)
            hint = f"; did you mean {name}= where you wrote {close[0]}=?" if close else ""
            problems.append(Problem(path, name, None, f"{kind} needs {name}=, which was not given{hint}"))
    return problems
