"""Refresh momentloop_infra/data/azure-types.json from the shared Azure type index.

Keeps only the `Type@apiVersion` entries the generator pins (model/api_versions.py), so the
package ships a small file that the validator loads lazily.

Usage: python scripts/extract_azure_types.py [../shared/data/azure-types/azure-types.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from momentloop_infra.model.api_versions import API_VERSIONS  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "azure-types" / "azure-types.json"
TARGET = ROOT / "momentloop_infra" / "data" / "azure-types.json"


# The source removed every key named "description" to save space, which also dropped real
# properties of that name. Restore the ones the generator writes (ARM REST API reference of
# the version named: RoleAssignmentProperties.description is a string).
RESTORED_PROPERTIES = {
    ("Microsoft.Authorization/roleAssignments@2022-04-01", "RoleAssignmentProperties"): ("description",),
}


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


def _restore(key: str, nodes: list[dict[str, object]]) -> list[dict[str, object]]:
    for index, node in enumerate(nodes):
        names = RESTORED_PROPERTIES.get((key, str(node.get("name"))), ())
        properties = node.get("properties")
        if names and isinstance(properties, dict):
            string_ref = next(i for i, n in enumerate(nodes) if n == {"$type": "StringType"})
            for name in names:
                properties.setdefault(name, {"flags": 0, "type": {"$ref": f"#/{string_ref}"}})
            nodes[index] = node
    return nodes


def extract(source: Path) -> dict[str, object]:
    data = json.loads(source.read_text("utf-8"))
    wanted = sorted(f"{type_}@{version}" for type_, version in API_VERSIONS.items())
    types = {**{key: build() for key, build in HAND_WRITTEN.items()}, **data["types"]}
    missing = [key for key in wanted if key not in types]
    if missing:
        raise SystemExit(f"{source} has no definitions for: {', '.join(missing)}")
    source_note = str(data.get("source", ""))
    added = sorted(key for key in HAND_WRITTEN if key in wanted and key not in data["types"])
    if added:
        source_note = f"{source_note.rstrip('.')}. Written by hand from the ARM REST API reference: {', '.join(added)}."
    return {"source": source_note, "types": {key: _restore(key, types[key]) for key in wanted}}


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    subset = extract(source)
    TARGET.write_text(json.dumps(subset, separators=(",", ":"), sort_keys=True) + "\n", "utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(subset['types'])} types")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
