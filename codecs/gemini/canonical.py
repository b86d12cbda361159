"""The canonical form of a generateContent body: what ``encode(decode(p))`` writes for ``p``.

Each rewrite is one numbered rule of ``spec/canonicalizations/gemini.md`` (and one entry of
:data:`CANONICALIZATIONS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .wire import OBJECT_SCHEMA, assign_ids, normalize, omit_derived_ids

__all__ = ["CANONICALIZATIONS", "canonicalize"]

CANONICALIZATIONS: tuple[str, ...] = (
    "snake_case field names (system_instruction, inline_data, mime_type, function_call, "
    "generation_config, max_output_tokens, thinking_budget, ...) are written in camelCase",
    "a single object where a list is expected (contents, parts, tools, functionDeclarations, "
    "functionResponse.parts) is a one-element list",
    "a Content without role has role 'user'; contents absent is contents []",
    "systemInstruction.role is dropped (the API ignores it); a systemInstruction without parts is dropped",
    "functionCall without args has args {}; functionResponse without response has response {}",
    "ids follow the module rule: a functionResponse without id answering a call with an explicit id "
    "gets that id; a functionCall id equal to its derived id, and a functionResponse id equal to the "
    "id of a call without one (or to the derived orphan id), is omitted",
    "a tools entry mixing functionDeclarations with another tool kind is split (declarations first); "
    "consecutive functionDeclarations entries are merged; entries with no declarations are dropped",
    "parametersJsonSchema {'type': 'object'} is dropped (a function without parameters)",
    "an empty generationConfig or thinkingConfig is dropped",
    "the legacy content role 'function' is written 'user'",
    "enum values (functionCallingConfig.mode, thinkingConfig.thinkingLevel) are written in upper case",
    "a schema field that is null is absent (google-genai model_dump() output)",
)
"""Wire forms that decode to the same IR (spec/canonicalizations/gemini.md)."""


def canonicalize(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical form of a body (see :data:`CANONICALIZATIONS`)."""
    root = normalize(payload)
    root.setdefault("contents", [])
    ids, _ = assign_ids(root["contents"])
    for i, c in enumerate(root["contents"]):
        c.setdefault("role", "user")
        c.setdefault("parts", [])
        for j, part in enumerate(c["parts"]):
            if "functionCall" in part:
                part["functionCall"].setdefault("args", {})
                part["functionCall"]["id"] = ids[(i, j)]
            elif "functionResponse" in part:
                resp = part["functionResponse"]
                resp.setdefault("response", {})
                resp["id"] = ids[(i, j)]
                if resp.get("parts") == []:
                    del resp["parts"]
    omit_derived_ids(root["contents"])
    si = root.get("systemInstruction")
    if si is not None:
        si.pop("role", None)
        if not si.get("parts"):
            del root["systemInstruction"]
    if "tools" in root:
        tools = _canonical_tools(root["tools"])
        if tools:
            root["tools"] = tools
        else:
            del root["tools"]
    gc = root.get("generationConfig")
    if gc is not None:
        if gc.get("thinkingConfig") == {}:
            del gc["thinkingConfig"]
        if not gc:
            del root["generationConfig"]
    return root


def _canonical_tools(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tools: list[dict[str, Any]] = []
    for t in entries:
        decls = t.get("functionDeclarations", [])
        for d in decls:
            if d.get("parametersJsonSchema") == OBJECT_SCHEMA and "parameters" not in d:
                del d["parametersJsonSchema"]
        if decls:
            if tools and set(tools[-1]) == {"functionDeclarations"}:
                tools[-1]["functionDeclarations"] += decls
            else:
                tools.append({"functionDeclarations": decls})
        rest = {k: v for k, v in t.items() if k != "functionDeclarations"}
        if rest:
            tools.append(rest)
    return tools
