"""The committed JSON Schemas of the IR are the ones the types generate, whatever the library
versions: descriptions are normalized, so docstring indentation cannot make them stale."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ir_codec.ir import Request, Response
from ir_codec.schema import normalize_descriptions, render, schemas

ROOT = Path(__file__).resolve().parent.parent / "spec" / "schema"


def test_committed_schemas_are_current() -> None:
    for name, schema in schemas().items():
        assert (ROOT / name).read_bytes() == render(schema), (
            f"spec/schema/{name} is stale: run python -m ir_codec.schema spec/schema"
        )


def _descriptions(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["description"]] if isinstance(node.get("description"), str) else []
        return own + [d for k, v in node.items() if k != "description" for d in _descriptions(v)]
    if isinstance(node, list):
        return [d for v in node for d in _descriptions(v)]
    return []


def _reindent(node: Any, how: str) -> Any:
    """Rewrite every description as one msgspec version or another would deliver it."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "description" and isinstance(v, str):
                clean = inspect.cleandoc(v)
                first, _, rest = clean.partition("\n")
                if rest and how == "indented":
                    rest = textwrap.indent(rest, "    ")
                out[k] = first + ("\n" + rest if rest else "")
            else:
                out[k] = _reindent(v, how)
        return out
    if isinstance(node, list):
        return [_reindent(v, how) for v in node]
    return node


@pytest.mark.parametrize("kind", [Request, Response])
def test_generation_is_stable_under_docstring_indentation(kind: type) -> None:
    raw = msgspec.json.schema(kind)
    indented, dedented = _reindent(raw, "indented"), _reindent(raw, "dedented")
    assert any("\n    " in d for d in _descriptions(indented))  # the two forms really differ
    assert indented != dedented
    assert render(normalize_descriptions(indented)) == render(normalize_descriptions(dedented))
    name = "ir.json" if kind is Request else "response.json"
    assert render(normalize_descriptions(indented)) == (ROOT / name).read_bytes()


def test_schema_names_every_part_type() -> None:
    defs = schemas()["ir.json"]["$defs"]
    for part in (
        "Text",
        "Image",
        "Document",
        "Audio",
        "Json",
        "ToolUse",
        "ToolResult",
        "Thinking",
        "RedactedThinking",
        "Refusal",
        "ProviderPart",
        "CacheControl",
    ):
        assert part in defs
    assert defs["CacheControl"]["properties"]["ttl"]["$ref"] == "#/$defs/CacheTtl"
    assert sorted(defs["CacheTtl"]["enum"]) == ["12h", "1h", "30m", "5m"]
