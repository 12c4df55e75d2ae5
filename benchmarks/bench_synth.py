"""Synthesis speed and memory.

1. The whole `momentloop-synth` process for the MomentLoop stack (wall time, several runs), as the
   README's first command installs it (`pip install .`, benchmarks/plain_install.py: what a user
   runs) and, beside it, from the test command's editable install (whose finder every start-up
   imports).
2. Generated stacks of N apps, N blob stores and their connections (N = 10, 100, 200, 500; each
   app read-write on its own store and read on its neighbour's; benchmarks/generated_stack.py),
   each size timed two ways, both whole processes:
   - `momentloop-synth --app benchmarks/generated_stack.py:stack`, the plain install: the command a
     user runs (a forked child estimates the compiled size while it validates and renders the
     files: two cores' work);
   - a Python script importing the library, building the stack and writing it (synthesize +
     write), which also reports the in-process synthesis time per app (flat when growth is linear).
   Up to 800 module deployments (199 apps here) each construct has a module file of its own, as
   in the seed's layout; past that, like constructs share one and their calls loop, which costs
   far less per app. N = 100 and 200 stand either side of that change, so the per-app figures
   are compared within a layout: 10 -> 100 and 200 -> 500.
   Peak memory is each process's maximum resident set (from the kernel). Whether every template
   is inside ARM's limits (256 parameters, 512 variables, 800 resources and module deployments
   counting every copy of a loop, 64 outputs, 4 MB for the compiled main.json and 1 MB for one
   resource definition in it, estimated by validation/template_size.py) is measured once per size
   in a run of its own; the timed runs do only what a user's process does (synthesize validates
   them anyway: ML210 is an error).

3. Beside them, when it is installed (`npm ci --prefix benchmarks/cdk`): AWS CDK's JavaScript synth
   of the same shape (N buckets + N functions with the same grants; benchmarks/cdk/README.md), with
   its validation as it ships and with it turned off, and the ratios at N = 500.

The rounds are interleaved (one run of each kind per round), so load on the shared machine
falls on all of them alike; best and median are printed.

Run: .venv/bin/python benchmarks/bench_synth.py
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from plain_install import plain_install

REPO = Path(__file__).resolve().parents[1]
EDITABLE_SYNTH = Path(sys.executable).parent / "momentloop-synth"

GENERATED = r"""
import json, resource, sys, tempfile, time
t0 = time.perf_counter()
from momentloop_infra import synthesize
from momentloop_infra.emit.files import Layout
from momentloop_infra.pipeline.run import write
sys.path.insert(0, "benchmarks")
from generated_stack import generated
n, check = int(sys.argv[1]), sys.argv[2:] == ["check"]
t1 = time.perf_counter()
stack = generated(n)
with tempfile.TemporaryDirectory() as out:
    project = synthesize(stack)  # always validated: a template past ARM's limits is an ML210 error
    files = write(project, Layout.of(out))
    t2 = time.perf_counter()  # before the folder is removed: cleaning up is not synthesis
found = {"import_s": t1 - t0, "synth_s": t2 - t1, "resources": project.resource_count,
         "roles": project.role_assignment_count, "files": len(files),
         "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
if check:  # once per size, untimed: each template's counts and the compiled sizes, measured again here
    from momentloop_infra.validation.rules import TEMPLATE_LIMITS
    from momentloop_infra.validation.template_size import MAX_RESOURCE_BYTES, MAX_TEMPLATE_BYTES, compiled_sizes
    limits = dict(TEMPLATE_LIMITS)
    worst = {what: 0 for what in limits}
    for f in (project.main, *project.modules.values()):
        counts = {"params": len(f.params), "variables": len(f.variables), "outputs": len(f.outputs),
                  "resources and modules": f.deployments}
        for what, count in counts.items():
            worst[what] = max(worst[what], count)
    # What azd submits: main.json, every module declaration's template inlined (a loop's once).
    sizes = compiled_sizes(project)
    fits = all(worst[w] <= limits[w] for w in limits)
    found.update(fits=fits and sizes.total <= MAX_TEMPLATE_BYTES and sizes.largest <= MAX_RESOURCE_BYTES,
                 worst=worst, compiled_kib=sizes.total / 1024, largest_resource_kib=sizes.largest / 1024,
                 largest_kib=max(len(text.encode()) for name, text in files.items() if name.endswith(".bicep")) / 1024)
print(json.dumps(found))
"""


# The interpreter and the two libraries the synthesizer imports (in the plain install): what no
# change of ours can remove.
FLOOR = "import click, attrs"


SIZES = (10, 100, 200, 500)
LARGEST = 1000  # checked once, untimed: still inside every limit
ROUNDS = 5
CDK = REPO / "benchmarks" / "cdk"
CDK_MODES = (("validation on", ()), ("validation off", ("--no-validation",)))


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, check=True, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, done.stdout


def timed_peak(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one process (the kernel's count, from wait4)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{errors.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    # A plain `pip install .` byte-compiles the package; an editable checkout under
    # PYTHONDONTWRITEBYTECODE would recompile every module on every run. Measure the former.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "momentloop_infra")], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        synth = plain_install(Path(tmp) / "plain")
        # Into a folder holding its output already, as a clone's committed synth_out/ does: the
        # command then writes nothing (emit.disk.on_disk). Beside it, into a folder removed first.
        cli = [str(synth), "--app", "examples/momentloop.py:stack", "--out", tmp]
        fresh_out = Path(tmp) / "fresh"
        fresh_cli = [*cli[:-1], str(fresh_out)]
        editable_cli = [str(EDITABLE_SYNTH), *cli[1:]]
        timed(cli)  # warm the file cache
        timed(editable_cli)
        cli_times: list[float] = []
        fresh_times: list[float] = []
        editable_times: list[float] = []
        floor_times: list[float] = []
        generated: dict[int, list[tuple[float, dict[str, object]]]] = {n: [] for n in SIZES}
        # The user's command on the generated stack, written into a folder removed before each run.
        user_runs: dict[int, list[tuple[float, float]]] = {n: [] for n in SIZES}
        user_out = Path(tmp) / "generated"
        checked = {
            n: json.loads(timed([sys.executable, "-c", GENERATED, str(n), "check"])[1]) for n in (*SIZES, LARGEST)
        }
        with_cdk = (CDK / "node_modules" / "aws-cdk-lib").is_dir()
        cdk_runs: dict[tuple[str, int], list[tuple[float, dict[str, object]]]] = {}
        for _ in range(ROUNDS):  # interleaved: each round runs every process once
            cli_times.append(timed(cli)[0])
            shutil.rmtree(fresh_out, ignore_errors=True)
            fresh_times.append(timed(fresh_cli)[0])
            editable_times.append(timed(editable_cli)[0])
            floor_times.append(timed([str(synth.parent / "python"), "-c", FLOOR])[0])
            for n in SIZES:
                shutil.rmtree(user_out, ignore_errors=True)
                command = [str(synth), "--app", "benchmarks/generated_stack.py:stack", "--out", str(user_out)]
                user_runs[n].append(timed_peak(command, {**os.environ, "MOMENTLOOP_BENCH_APPS": str(n)}))
                wall, out = timed([sys.executable, "-c", GENERATED, str(n)])
                generated[n].append((wall, json.loads(out)))
                for mode, flags in CDK_MODES if with_cdk and n in (100, 500) else ():
                    wall, out = timed(["node", str(CDK / "synth.js"), str(n), f"{tmp}/cdk", *flags])
                    cdk_runs.setdefault((mode, n), []).append((wall, json.loads(out)))
    best, median = min(cli_times), statistics.median(cli_times)
    print(f"momentloop-synth process, MomentLoop stack ({ROUNDS} interleaved rounds):")
    print(
        f"  installed with `pip install .`, output up to date: best {best:.3f} s  median {median:.3f} s  "
        "(target < 0.15 s)"
    )
    print(
        f"  the same, written into an empty folder: best {min(fresh_times):.3f} s  "
        f"median {statistics.median(fresh_times):.3f} s"
    )
    print(
        f"  the editable install of the test command: best {min(editable_times):.3f} s  "
        f"median {statistics.median(editable_times):.3f} s"
    )
    print(
        f"  floor, python importing click + attrs: best {min(floor_times):.3f} s  "
        f"median {statistics.median(floor_times):.3f} s"
    )
    print()
    print("generated stacks: N apps + N blob stores, each app read-write on its store and read on its neighbour's")
    print("  cli = `momentloop-synth --app benchmarks/generated_stack.py:stack` (installed with `pip install .`);")
    print("  script = a Python process importing the library; synth ms/app = its in-process synthesis")
    header: tuple[tuple[str, int], ...] = ("N", 5), ("resources", 9), ("roles", 6), ("files", 6)
    header += (("cli best", 10), ("cli med", 9))
    header += (("script best", 11), ("script med", 10), ("synth ms/app", 12), ("peak MiB", 8), ("in limits", 9))
    print("  " + " ".join(f"{name:>{width}}" for name, width in header))
    for n in SIZES:
        runs = generated[n]
        walls = [wall for wall, _ in runs]
        users = [wall for wall, _ in user_runs[n]]
        synths = sorted(float(str(run["synth_s"])) for _, run in runs)
        peak = max(max(float(str(r["peak_mib"])) for _, r in runs), max(mib for _, mib in user_runs[n]))
        first = checked[n]
        fits = bool(first["fits"])
        print(
            f"  {n:>5} {first['resources']:>9} {first['roles']:>6} {first['files']:>6} {min(users):>10.3f} "
            f"{statistics.median(users):>9.3f} {min(walls):>11.3f} {statistics.median(walls):>10.3f} "
            f"{1000 * synths[0] / n:>12.2f} {peak:>8.1f} {'yes' if fits else 'NO':>9}"
        )
        if n == SIZES[-1]:
            worst, largest = first["worst"], float(str(first["largest_kib"]))
            print(f"        largest counts in one template: {worst}; largest file {largest:.0f} KiB")
            compiled = float(str(first["compiled_kib"]))
            print(f"        compiled main.json (estimate, as azd submits it; limit 4096 KiB): {compiled:.0f} KiB")
            resource_kib = float(str(first["largest_resource_kib"]))
            print(f"        its largest resource (a group's deployment; limit 1024 KiB): {resource_kib:.0f} KiB")
    top = checked[LARGEST]
    print(
        f"  {LARGEST:>5} {top['resources']:>9} {top['roles']:>6} {top['files']:>6}  (one untimed run) "
        f"in limits: {'yes' if top['fits'] else 'NO'}; compiled main.json {float(str(top['compiled_kib'])):.0f} KiB, "
        f"largest resource {float(str(top['largest_resource_kib'])):.0f} KiB"
    )
    synth_s = {n: min(float(str(run["synth_s"])) for _, run in generated[n]) for n in SIZES}
    for (low, high), layout in (((10, 100), "a module file per construct"), ((200, 500), "shared files, loops")):
        step = 1000 * (synth_s[high] - synth_s[low]) / (high - low)
        print(f"  each app added from {low} to {high} ({layout}): {step:.2f} ms of synthesis")
    print("  (targets at N=500: whole process under 0.4 s and 100 MiB peak, every template in limits;")
    print("   synth ms/app flat from 100 to 500 = linear growth; it falls at 200, where files are shared)")
    print()
    if not cdk_runs:
        print("AWS CDK (JavaScript) not timed: install it with `npm ci --prefix benchmarks/cdk`")
        return
    print("AWS CDK (JavaScript), the same shape: N buckets + N functions with the same grants, whole process")
    print(f"  {'':16} {'N':>5} {'resources':>9} {'proc best':>9} {'proc med':>8} {'ms/app':>7}")
    for (mode, n), runs in cdk_runs.items():
        walls = [wall for wall, _ in runs]
        print(
            f"  {mode:16} {n:>5} {runs[0][1]['resources']:>9} {min(walls):>9.3f} {statistics.median(walls):>8.3f} "
            f"{1000 * min(walls) / n:>7.2f}"
        )
    ours = {
        "momentloop-synth": statistics.median(wall for wall, _ in user_runs[500]),
        "the library script": statistics.median(wall for wall, _ in generated[500]),
    }
    for mode, _ in CDK_MODES:
        theirs = statistics.median(wall for wall, _ in cdk_runs[(mode, 500)])
        against = ", ".join(f"{theirs / time_:.1f} times {what}" for what, time_ in ours.items())
        print(f"  at N=500, CDK with {mode} takes {against} (medians)")
    print("  (aim: at least 4 times, against CDK with its validation off, while we always validate)")


if __name__ == "__main__":
    main()
