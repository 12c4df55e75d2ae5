"""What validation adds to synth, on the MomentLoop stack.

Usage: .venv/bin/python benchmarks/bench_validate.py [repeats]
Prints the cold cost (first call: loading and parsing the Azure type definitions, imports) and the
warm median of synthesize() without and with validation, and of validation alone.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from momentloop_infra.loader import load_stack  # noqa: E402
from momentloop_infra.pipeline.synthesize import synthesize  # noqa: E402
from momentloop_infra.validation import validate_project  # noqa: E402


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    stack = load_stack(f"{ROOT / 'examples' / 'momentloop.py'}:stack")
    synthesize(stack, validate=False)  # warm the synthesizer's own imports and templates

    start = time.perf_counter()
    project = synthesize(stack, validate=False)
    validate_project(project)
    cold = time.perf_counter() - start

    def timed(fn: object) -> list[float]:
        samples = []
        for _ in range(repeats):
            t = time.perf_counter()
            fn()  # type: ignore[operator]
            samples.append(time.perf_counter() - t)
        return samples

    without = timed(lambda: synthesize(stack, validate=False))
    with_ = timed(lambda: synthesize(stack))
    alone = timed(lambda: validate_project(project))
    print(f"MomentLoop stack, {repeats} runs each (median)")
    print(f"  first validation (imports + loading azure-types.json): {ms(cold)}")
    print(f"  assemble without validation: {ms(statistics.median(without))}")
    print(f"  assemble with validation:    {ms(statistics.median(with_))}")
    print(f"  validation alone:            {ms(statistics.median(alone))}")
    print(f"  added by validation:         {ms(statistics.median(with_) - statistics.median(without))}")


if __name__ == "__main__":
    main()
