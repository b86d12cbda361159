"""JSON Schemas of the IR, generated from the msgspec types (``spec/schema/*.json``).

Descriptions come from docstrings. How they arrive differs by library and interpreter version
(msgspec 0.23 dedents them, older releases do not; Python 3.13 dedents ``__doc__`` itself), so
every description is normalized with :func:`inspect.cleandoc`: the committed files then depend
on our types alone, and ``python -m ir_codec.schema spec/schema`` writes the same bytes anywhere.
"""

from __future__ import annotations

import inspect
from typing import Any

import msgspec

from .ir import Request, Response

__all__ = ["normalize_descriptions", "render", "schemas"]


def normalize_descriptions(node: Any) -> Any:
    """A copy of a JSON Schema with every ``description`` passed through :func:`inspect.cleandoc`."""
    if isinstance(node, dict):
        return {
            k: inspect.cleandoc(v) if k == "description" and isinstance(v, str) else normalize_descriptions(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [normalize_descriptions(v) for v in node]
    return node


def schemas() -> dict[str, dict[str, Any]]:
    """``{"ir.json": <Request schema>, "response.json": <Response schema>}``, descriptions normalized."""
    return {
        "ir.json": normalize_descriptions(msgspec.json.schema(Request)),
        "response.json": normalize_descriptions(msgspec.json.schema(Response)),
    }


def render(schema: dict[str, Any]) -> bytes:
    """The committed file form of a schema: two-space indented JSON and a final newline."""
    return msgspec.json.format(msgspec.json.encode(schema), indent=2) + b"\n"


if __name__ == "__main__":  # python -m ir_codec.schema spec/schema
    import sys
    from pathlib import Path

    out = Path(sys.argv[1])
    for name, schema in schemas().items():
        (out / name).write_bytes(render(schema))
