"""The JSON Schema of the findings document (`jointaudit round findings --json`).

`python -m flows.reconcile.schema` rewrites docs/findings.schema.json from the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from flows.reconcile.findings import Findings

SCHEMA_PATH = Path(__file__).parents[2] / "docs" / "findings.schema.json"


def findings_schema() -> dict[str, Any]:
    """The findings document's JSON Schema (draft 2020-12), as the JSON output is shaped."""
    schema = Findings.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text() -> str:
    """The schema as the published file holds it."""
    return json.dumps(findings_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    """Write the schema beside the findings documentation."""
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
