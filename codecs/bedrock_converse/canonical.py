"""The canonical form: the wire forms that decode to the same IR, rewritten into the one the
encoder writes (``spec/canonicalizations/bedrock-converse.md``)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import msgspec

from .lift import text_format_shape

__all__ = ["CANONICALIZATIONS", "canonicalize"]

CANONICALIZATIONS: tuple[str, ...] = (
    'cachePoint "ttl": "5m" == no ttl (the default type is 5 minutes)',
    "a cachePoint that opens a list (system, messages[i].content, toolConfig.tools) == the same cachePoint at "
    "the end of the nearest earlier non-empty list in prefix order; with nothing before it, it is removed",
    'toolResult "status": "success" == no status',
    "empty messages / system lists and empty inferenceConfig / outputConfig / additionalModelRequestFields "
    "objects == absent",
    "outputConfig.textFormat...jsonSchema.schema (a JSON string) is written as compact JSON, key order kept",
)
"""The wire forms that decode to the same IR, in words."""


def canonicalize(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Rewrite ``payload`` into the form the encoder writes (see ``CANONICALIZATIONS``)."""
    body = copy.deepcopy(dict(payload))
    lists: list[list[Any]] = []
    tc = body.get("toolConfig")
    if isinstance(tc, dict) and isinstance(tc.get("tools"), list):
        lists.append(tc["tools"])
    if isinstance(body.get("system"), list):
        lists.append(body["system"])
    for m in body.get("messages") or []:
        if isinstance(m, dict) and isinstance(m.get("content"), list):
            lists.append(m["content"])
            for b in m["content"]:
                # only a block that lifts to an IR ToolResult (a one-key wrapper)
                tr = b.get("toolResult") if isinstance(b, dict) and len(b) == 1 else None
                if isinstance(tr, dict) and tr.get("status") == "success":
                    del tr["status"]
    # cachePoint ttl 5m == default; a cachePoint opening a list moves to the end of the
    # nearest earlier non-empty list (or is removed when there is none).
    previous: list[Any] | None = None
    for items in lists:
        for b in items:
            if isinstance(b, dict) and isinstance(b.get("cachePoint"), dict) and b["cachePoint"].get("ttl") == "5m":
                del b["cachePoint"]["ttl"]
        while items and isinstance(items[0], dict) and "cachePoint" in items[0]:
            point = items.pop(0)
            if previous is not None:
                previous.append(point)
        if items:
            previous = items
    for key in ("messages", "system"):
        if body.get(key) == []:
            del body[key]
    oc = body.get("outputConfig")
    if isinstance(oc, dict):
        tf = oc.get("textFormat")
        if isinstance(tf, dict) and text_format_shape(tf):
            js = tf["structure"]["jsonSchema"]
            try:
                schema = msgspec.json.decode(js["schema"])
            except msgspec.DecodeError:
                schema = None
            if isinstance(schema, dict):
                js["schema"] = msgspec.json.encode(schema).decode()
    for key in ("inferenceConfig", "outputConfig", "additionalModelRequestFields"):
        if body.get(key) == {}:
            del body[key]
    return body
