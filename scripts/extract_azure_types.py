"""Refresh momentloop_infra/data/azure_types/ from an Azure type index.

Bundles every `Type@apiVersion` the source holds, one small file per key, plus `index.json`
(the keys and the source's attribution), so the validator loads only the definitions a stack
uses. The versions the generator pins (model/api_versions.py) must be among them.

Usage: python scripts/extract_azure_types.py SOURCE.json   (the full Azure type index, kept outside the repository)
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from momentloop_infra.model.api_versions import API_VERSIONS  # noqa: E402
from momentloop_infra.model.type_files import INDEX, type_file_name  # noqa: E402

TARGET = ROOT / "momentloop_infra" / "data" / "azure_types"


# The source removed every key named "description" to save space, which also dropped real
# properties of that name. Restore the ones the generator writes (ARM REST API reference:
# RoleAssignmentProperties.description is a string in every version).
RESTORED_PROPERTIES = {"RoleAssignmentProperties": ("description",)}


# Types the source index lacks, written from the ARM REST API reference of the version named
# ("Role Definitions - Create Or Update", Microsoft.Authorization 2022-04-01): the properties a
# custom role sets, with bicep-types' flags (1 required, 2 read-only, 8 deploy-time constant).
def _role_definitions() -> list[dict[str, object]]:
    key = "Microsoft.Authorization/roleDefinitions@2022-04-01"
    string, strings = {"$ref": "#/1"}, {"$ref": "#/8"}
    read_only = {"flags": 2, "type": string}
    return [
        {"$type": "ResourceType", "name": key, "body": {"$ref": "#/4"}, "readableScopes": 31, "writableScopes": 31},
        {"$type": "StringType"},
        {"$type": "StringLiteralType", "value": "Microsoft.Authorization/roleDefinitions"},
        {"$type": "StringLiteralType", "value": "2022-04-01"},
        {
            "$type": "ObjectType",
            "name": "Microsoft.Authorization/roleDefinitions",
            "properties": {
                "id": {"flags": 10, "type": string},
                "name": {"flags": 9, "type": string},
                "type": {"flags": 10, "type": {"$ref": "#/2"}},
                "apiVersion": {"flags": 10, "type": {"$ref": "#/3"}},
                "properties": {"flags": 0, "type": {"$ref": "#/5"}},
            },
        },
        {
            "$type": "ObjectType",
            "name": "RoleDefinitionProperties",
            "properties": {
                "roleName": {"flags": 0, "type": string},
                "description": {"flags": 0, "type": string},
                "type": {"flags": 0, "type": string},
                "permissions": {"flags": 0, "type": {"$ref": "#/7"}},
                "assignableScopes": {"flags": 0, "type": strings},
                "createdOn": read_only,
                "updatedOn": read_only,
                "createdBy": read_only,
                "updatedBy": read_only,
            },
        },
        {
            "$type": "ObjectType",
            "name": "Permission",
            "properties": {
                "actions": {"flags": 0, "type": strings},
                "notActions": {"flags": 0, "type": strings},
                "dataActions": {"flags": 0, "type": strings},
                "notDataActions": {"flags": 0, "type": strings},
                "condition": {"flags": 0, "type": string},
                "conditionVersion": {"flags": 0, "type": string},
            },
        },
        {"$type": "ArrayType", "itemType": {"$ref": "#/6"}},
        {"$type": "ArrayType", "itemType": string},
    ]


HAND_WRITTEN = {"Microsoft.Authorization/roleDefinitions@2022-04-01": _role_definitions}


def _restore(nodes: list[dict[str, object]]) -> list[dict[str, object]]:
    for node in nodes:
        names = RESTORED_PROPERTIES.get(str(node.get("name")), ())
        properties = node.get("properties")
        if names and isinstance(properties, dict):
            string_ref = next(i for i, n in enumerate(nodes) if n == {"$type": "StringType"})
            for name in names:
                properties.setdefault(name, {"flags": 0, "type": {"$ref": f"#/{string_ref}"}})
    return nodes


def extract(source: Path) -> tuple[str, dict[str, list[dict[str, object]]]]:
    data = json.loads(source.read_text("utf-8"))
    types: dict[str, list[dict[str, object]]] = {**{k: build() for k, build in HAND_WRITTEN.items()}, **data["types"]}
    missing = sorted(f"{t}@{v}" for t, v in API_VERSIONS.items() if f"{t}@{v}" not in types)
    if missing:
        raise SystemExit(f"{source} has no definitions for the pinned versions: {', '.join(missing)}")
    source_note = str(data.get("source", ""))
    added = sorted(key for key in HAND_WRITTEN if key not in data["types"])
    if added:
        source_note = f"{source_note.rstrip('.')}. Written by hand from the ARM REST API reference: {', '.join(added)}."
    return source_note, {key: _restore(types[key]) for key in sorted(types)}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python scripts/extract_azure_types.py SOURCE.json (the full Azure type index)", file=sys.stderr)
        return 2
    source = Path(argv[1])
    if not source.is_file():
        print(f"extract_azure_types: {source} is not a file: pass the full Azure type index", file=sys.stderr)
        return 2
    source_text, types = extract(source)
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    for key, nodes in types.items():
        (TARGET / type_file_name(key)).write_text(json.dumps(nodes, separators=(",", ":")) + "\n", "utf-8")
    index = {"source": source_text, "types": list(types)}
    (TARGET / INDEX).write_text(json.dumps(index, indent=0, sort_keys=True) + "\n", "utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(types)} type definitions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
