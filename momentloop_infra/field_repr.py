"""`FieldRepr`: the one `__repr__` every attrs class of the library shares (declared `repr=False`).

attrs writes each class's methods as Python source and compiles it when the class is created. The
repr is the largest of them (an f-string per field), and compiling it for the ~45 classes the
command imports cost 6 % of every `momentloop-synth` run, for a method only a person debugging
calls. This one reads the fields when it is called and prints what attrs' own would:
`Param(name='location', type='string', ...)`, fields declared `repr=False` left out, `...` for an
object already being printed further up.
"""

from __future__ import annotations

import reprlib
from typing import Any, ClassVar

import attrs


class FieldRepr:
    __slots__ = ()
    __attrs_attrs__: ClassVar[Any]  # set by attrs on every subclass

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        shown = []
        for field in attrs.fields(type(self)):
            if field.repr is False:
                continue
            value = getattr(self, field.name)
            shown.append(f"{field.name}={repr(value) if field.repr is True else field.repr(value)}")
        return f"{type(self).__qualname__.rsplit('>.', 1)[-1]}({', '.join(shown)})"
