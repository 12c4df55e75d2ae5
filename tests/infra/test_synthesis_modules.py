"""How Synthesis files module calls: like constructs share one module file per distinct text in a
large stack, and a file is marked as the library's once however many constructs write it."""

from __future__ import annotations

import attrs

from momentloop_infra.bicep.expr import ref
from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.model.records import BicepFile, Param, Resource


@attrs.frozen
class Node:
    id: str

    @property
    def path(self) -> str:
        return f"demo/{self.id}"

    @property
    def unique_id(self) -> str:
        return self.id


@attrs.frozen
class Owner:
    node: Node

    @property
    def symbol(self) -> str:
        return self.node.id.replace("-", "_")


def store_file(sku_param: str = "skuName", *, generated: bool = False) -> BicepFile:
    """Built afresh each time, as each construct builds its own."""
    return BicepFile(
        params=(Param("name", "string", generated=generated), Param(sku_param, "string")),
        resources=(Resource("account", "Microsoft.Storage/storageAccounts", "2025-06-01", {"name": ref("name")}),),
    )


def add(synth: Synthesis, id: str, file: BicepFile) -> str:
    synth.module(Owner(Node(id)), id.replace("-", "_"), f"storage-{id}", file, {}, family="storage")
    return synth.calls[-1].file


def test_like_files_share_one_path_and_another_text_gets_the_next() -> None:
    synth = Synthesis("default", share=True)
    assert add(synth, "a", store_file()) == "modules/storage.bicep"
    assert add(synth, "b", store_file()) == "modules/storage.bicep"
    assert add(synth, "c", store_file("tier")) == "modules/storage-2.bicep"
    assert add(synth, "d", store_file()) == "modules/storage.bicep"
    assert sorted(synth.modules) == ["modules/storage-2.bicep", "modules/storage.bicep"]
    assert all(p.generated for f in synth.modules.values() for p in f.params)  # written as the library's


def test_files_equal_only_once_marked_still_share() -> None:
    synth = Synthesis("default", share=True)
    assert add(synth, "a", store_file()) == "modules/storage.bicep"
    # Built with a mark already: unequal as built, equal as written.
    assert add(synth, "b", store_file(generated=True)) == "modules/storage.bicep"
    assert add(synth, "c", store_file(generated=True)) == "modules/storage.bicep"
    assert list(synth.modules) == ["modules/storage.bicep"]


def test_a_file_written_by_many_is_marked_once_and_a_changed_one_again() -> None:
    synth = Synthesis("default")
    owner = Owner(Node("id-a"))
    synth.module(owner, "a", "identity", store_file(), {})
    first = synth.modules["modules/identity.bicep"]
    synth.module(Owner(Node("id-b")), "b", "identity", store_file(), {})
    assert synth.modules["modules/identity.bicep"] is first  # the marked copy reused
    assert synth.problems == []
    synth.module(Owner(Node("id-c")), "c", "identity", store_file("tier"), {})
    assert [p.message for p in synth.problems] == [
        "writes modules/identity.bicep, as demo/id-a does, with other content; give one of them another id"
    ]
