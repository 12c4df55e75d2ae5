"""The stack bench_synth.py times: N container apps and N blob stores, each app read-write on its
own store and read on its neighbour's.

`momentloop-synth --app benchmarks/generated_stack.py:stack` synthesizes it as a user would, with
N from MOMENTLOOP_BENCH_APPS (default 500); `generated(n)` builds it in a script of one's own.
"""

from __future__ import annotations

import os

from momentloop_infra import BlobStore, ContainerApp, ContainerAppsEnvironment, ContainerRegistry, LogAnalytics, Stack


def generated(n: int) -> Stack:
    stack = Stack("generated")
    env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
    registry = ContainerRegistry(stack, "registry")
    stores = [BlobStore(stack, f"store-{i}", containers=["files"]) for i in range(n)]
    for i in range(n):
        app = ContainerApp(stack, f"app-{i}", environment=env, registry=registry)
        app.connect(stores[i], access="read_write")  # its own store
        app.connect(stores[(i + 1) % n], env_name="NEIGHBOUR_STORAGE_URL")  # read on its neighbour's
    return stack


def __getattr__(name: str) -> Stack:
    # `stack` is built when the CLI asks for it, so importing generated() builds nothing.
    if name == "stack":
        return generated(int(os.environ.get("MOMENTLOOP_BENCH_APPS", "500")))
    raise AttributeError(name)
