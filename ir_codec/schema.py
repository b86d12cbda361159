"""JSON Schemas of the IR, generated from the msgspec types (``spec/schema/*.json``)."""

from __future__ import annotations

from typing import Any

import msgspec

from .ir import Request, Response

__all__ = ["schemas"]


def schemas() -> dict[str, dict[str, Any]]:
    """``{"ir.json": <Request schema>, "response.json": <Response schema>}``."""
    return {"ir.json": msgspec.json.schema(Request), "response.json": msgspec.json.schema(Response)}


if __name__ == "__main__":  # python -m ir_codec.schema spec/schema
    import sys
    from pathlib import Path

    out = Path(sys.argv[1])
    for name, schema in schemas().items():
        (out / name).write_bytes(msgspec.json.format(msgspec.json.encode(schema), indent=2) + b"\n")
