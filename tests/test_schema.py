"""The committed JSON Schemas of the IR are the ones the types generate."""

from __future__ import annotations

import json
from pathlib import Path

from ir_codec.schema import schemas

ROOT = Path(__file__).resolve().parent.parent / "spec" / "schema"


def test_committed_schemas_are_current() -> None:
    for name, schema in schemas().items():
        committed = json.loads((ROOT / name).read_text())
        assert committed == schema, f"spec/schema/{name} is stale: run python -m ir_codec.schema spec/schema"


def test_schema_names_every_part_type() -> None:
    defs = schemas()["ir.json"]["$defs"]
    for part in ("Text", "Image", "Document", "Audio", "Json", "ToolUse", "ToolResult", "Thinking",
                 "RedactedThinking", "Refusal", "ProviderPart", "CacheControl"):
        assert part in defs
    assert defs["CacheControl"]["properties"]["ttl"]["$ref"] == "#/$defs/CacheTtl"
    assert sorted(defs["CacheTtl"]["enum"]) == ["12h", "1h", "30m", "5m"]
