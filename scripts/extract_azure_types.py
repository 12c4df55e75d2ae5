"""Refresh momentloop_infra/data/azure-types.json from the shared Azure type index.

Keeps only the `Type@apiVersion` entries the generator pins (model/api_versions.py), so the
package ships a small file that the validator loads lazily.

Usage: python scripts/extract_azure_types.py SOURCE.json   (the full Azure type index, kept outside the repository)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from momentloop_infra.model.api_versions import API_VERSIONS  # noqa: E402

TARGET = ROOT / "momentloop_infra" / "data" / "azure-types.json"


# The source removed every key named "description" to save space, which also dropped real
# properties of that name. Restore the ones the generator writes (ARM REST API reference of
# the version named: RoleAssignmentProperties.description is a string).
RESTORED_PROPERTIES = {
    ("Microsoft.Authorization/roleAssignments@2022-04-01", "RoleAssignmentProperties"): ("description",),
}


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
    missing = [key for key in wanted if key not in data["types"]]
    if missing:
        raise SystemExit(f"{source} has no definitions for: {', '.join(missing)}")
    return {"source": data.get("source", ""), "types": {key: _restore(key, data["types"][key]) for key in wanted}}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python scripts/extract_azure_types.py SOURCE.json (the full Azure type index)", file=sys.stderr)
        return 2
    source = Path(argv[1])
    if not source.is_file():
        print(f"extract_azure_types: {source} is not a file: pass the full Azure type index", file=sys.stderr)
        return 2
    subset = extract(source)
    TARGET.write_text(json.dumps(subset, separators=(",", ":"), sort_keys=True) + "\n", "utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(subset['types'])} types")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
