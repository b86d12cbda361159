"""generateContent body -> IR (decode), and the part lifting that replies share.

Decode is tolerant (``spec/canonicalizations/gemini.md``): snake_case and single objects are
accepted (:func:`~.wire.normalize`), unknown fields are kept in ``provider_options["gemini"]``
of the node where they appear, and values whose JSON type the IR cannot hold exactly stay raw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import msgspec

from ir_codec.codec import load_json, wire_convert
from ir_codec.errors import DecodeError
from ir_codec.ir import (
    Base64Source,
    FileSource,
    Json,
    Message,
    Part,
    ProviderPart,
    ProviderTool,
    ReasoningConfig,
    Request,
    ResponseFormat,
    SystemBlock,
    Text,
    Thinking,
    Tool,
    ToolChoice,
    ToolResult,
    ToolUse,
    UrlSource,
)
from ir_codec.lowering import plain_text_member

from .wire import (
    CHOICES,
    LEVELS,
    NAME,
    OBJECT_SCHEMA,
    WGenerateContentRequest,
    assign_ids,
    check_response_parts,
    kind_for,
    normalize,
    uri_is_file,
)

__all__ = ["PART_KINDS", "decode_request", "lift_part", "lift_result", "opts"]

Ids = dict[tuple[int, int], str]

_LIFTED = frozenset({"contents", "systemInstruction", "tools", "toolConfig", "generationConfig"})
"""Top-level fields decode maps into the IR (the rest stays raw in provider_options)."""


def opts(fields: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``provider_options`` holding ``fields`` under this codec's name (empty when there are none)."""
    return {NAME: fields} if fields else {}


def decode_request(payload: Mapping[str, Any] | bytes | str) -> Request:
    """Lift a ``generateContent`` body (camelCase or snake_case) to IR."""
    root = normalize(load_json(payload))
    wire_convert(root, WGenerateContentRequest)  # type errors with JSON paths
    root_opts = {k: v for k, v in root.items() if k not in _LIFTED}
    if "cachedContent" in root:
        for key in ("systemInstruction", "tools", "toolConfig"):
            if key in root:
                raise DecodeError(
                    f"$.{key}",
                    "no systemInstruction, tools or toolConfig with cachedContent",
                    "both (Gemini rejects this request)",
                )
    contents = root.get("contents", [])
    ids, call_names = assign_ids(contents)
    messages = [_lift_content(c, i, ids, call_names) for i, c in enumerate(contents)]
    system = _lift_system(root["systemInstruction"]) if "systemInstruction" in root else []
    tools: list[Any] = []
    for i, t in enumerate(root.get("tools", [])):
        if "functionDeclarations" in t:
            tools += [
                _lift_decl(d, f"$.tools[{i}].functionDeclarations[{k}]")
                for k, d in enumerate(t["functionDeclarations"])
            ]
        rest = {k: v for k, v in t.items() if k != "functionDeclarations"}
        if rest:
            tools.append(ProviderTool(codec=NAME, data=rest))
    fields: dict[str, Any] = {}
    if "toolConfig" in root:
        choice = _lift_choice(root["toolConfig"])
        if choice is None:
            root_opts["toolConfig"] = root["toolConfig"]
        else:
            fields["tool_choice"] = choice
    if "generationConfig" in root:
        extras = _lift_generation(root["generationConfig"], fields)
        if extras:
            root_opts["generationConfig"] = extras
    return Request(system=system, messages=messages, tools=tools, provider_options=opts(root_opts), **fields)


def _lift_system(si: dict[str, Any]) -> list[SystemBlock]:
    extra = set(si) - {"parts", "role"}
    if extra:
        raise DecodeError(f"$.systemInstruction.{sorted(extra)[0]}", "only parts (and role)", "another field")
    system: list[SystemBlock] = []
    for k, part in enumerate(si.get("parts", [])):
        if "text" not in part or part.get("thought") is True:
            raise DecodeError(f"$.systemInstruction.parts[{k}]", "a text part", "another part")
        rest = {x: v for x, v in part.items() if x != "text"}
        system.append(SystemBlock(text=part["text"], provider_options=opts(rest)))
    return system


# --------------------------------------------------------------------------------------------
# Parts: wire payload field -> lifting function (PART_KINDS gives the precedence)


def _source(payload: dict[str, Any], key: str) -> tuple[Any, str | None]:
    if key == "inlineData":
        return Base64Source(media_type=payload["mimeType"], data=payload["data"]), payload["mimeType"]
    uri = payload["fileUri"]
    mime = payload.get("mimeType")
    if uri_is_file(uri):
        return FileSource(file_id=uri, media_type=mime), mime
    return UrlSource(url=uri, media_type=mime), mime


def _payload_extras(payload: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in known}


def _lift_media(part: dict[str, Any], key: str) -> Part:
    payload = part[key]
    src, mime = _source(payload, key)
    used = {"mimeType", "data"} if key == "inlineData" else {"mimeType", "fileUri"}
    extras = {k: v for k, v in part.items() if k != key}
    inner = _payload_extras(payload, frozenset(used))
    if inner:
        extras[key] = inner
    return kind_for(mime)(source=src, provider_options=opts(extras))


def _lift_inline(part: dict[str, Any], ids: Ids, call_names: dict[str, str], loc: tuple[int, int], path: str) -> Part:
    return _lift_media(part, "inlineData")


def _lift_file(part: dict[str, Any], ids: Ids, call_names: dict[str, str], loc: tuple[int, int], path: str) -> Part:
    return _lift_media(part, "fileData")


def _lift_text(part: dict[str, Any], ids: Ids, call_names: dict[str, str], loc: tuple[int, int], path: str) -> Part:
    if part.get("thought") is True:
        rest = {k: v for k, v in part.items() if k not in ("text", "thought", "thoughtSignature")}
        sig = part.get("thoughtSignature")
        origin = None if sig is None else "gemini"
        return Thinking(text=part["text"], signature=sig, origin=origin, provider_options=opts(rest))
    return Text(text=part["text"], provider_options=opts({k: v for k, v in part.items() if k != "text"}))


def lift_result(fr: dict[str, Any], rid: str, path: str = "$.functionResponse") -> ToolResult:
    """A ``functionResponse`` as a tool result: ``{}`` is empty, ``{"output": text}`` one text
    part, ``{"error": x}`` an error result, any other object one JSON part; media in
    ``parts`` follow (spec/canonicalizations/gemini.md)."""
    response = fr.get("response", {})
    content: list[Any] = []
    is_error = False
    if not response:
        pass
    elif set(response) == {"output"} and isinstance(response["output"], str):
        content = [Text(text=response["output"])]
    elif set(response) == {"error"}:
        is_error = True
        err = response["error"]
        if isinstance(err, str):
            content = [Text(text=err)]
        elif err is not None:
            content = [Json(value=err)]
    else:
        content = [Json(value=response)]
    parts = fr.get("parts", [])
    check_response_parts(parts, path)
    for q in parts:
        key = "inlineData" if "inlineData" in q else "fileData"
        src, mime = _source(q[key], key)
        content.append(kind_for(mime)(source=src))
    return ToolResult(tool_use_id=rid, content=content, is_error=is_error)


def _lift_call(part: dict[str, Any], ids: Ids, call_names: dict[str, str], loc: tuple[int, int], path: str) -> Part:
    call = part["functionCall"]
    extras = {k: v for k, v in part.items() if k != "functionCall"}
    inner = _payload_extras(call, frozenset({"id", "name", "args"}))
    if inner:
        extras["functionCall"] = inner
    cid = call["id"] if "id" in call else ids[loc]
    return ToolUse(id=cid, name=call["name"], input=call.get("args", {}), provider_options=opts(extras))


def _lift_response(part: dict[str, Any], ids: Ids, call_names: dict[str, str], loc: tuple[int, int], path: str) -> Part:
    fr = part["functionResponse"]
    rid = fr["id"] if "id" in fr else ids[loc]
    result = lift_result(fr, rid, f"{path}.functionResponse")
    extras = {k: v for k, v in part.items() if k != "functionResponse"}
    inner = _payload_extras(fr, frozenset({"id", "name", "response", "parts"}))
    if call_names.get(rid) != fr["name"]:
        inner["name"] = fr["name"]  # no matching call: keep the wire name
    if inner:
        extras["functionResponse"] = inner
    return msgspec.structs.replace(result, provider_options=opts(extras))


_LiftPart = Callable[[dict[str, Any], Ids, dict[str, str], tuple[int, int], str], Part]
_LIFT_PART: dict[str, _LiftPart] = {
    "functionCall": _lift_call,
    "functionResponse": _lift_response,
    "inlineData": _lift_inline,
    "fileData": _lift_file,
    "text": _lift_text,
}
PART_KINDS: tuple[str, ...] = tuple(_LIFT_PART)
"""The payload fields that make a part's kind, by precedence: a part is lifted by the first of
them it holds (a part with none is an opaque ``ProviderPart``)."""


def lift_part(part: dict[str, Any], ids: Ids, call_names: dict[str, str], loc: tuple[int, int], path: str) -> Part:
    """Lift a normalized wire part by the first payload field it holds (``PART_KINDS``); a part
    with none of them is an opaque ``ProviderPart``. ``ids`` are :func:`~.wire.assign_ids`'s."""
    for key, lift in _LIFT_PART.items():
        if key in part:
            return lift(part, ids, call_names, loc, path)
    return ProviderPart(codec=NAME, data=part)


def _lift_content(c: dict[str, Any], i: int, ids: Ids, call_names: dict[str, str]) -> Message:
    role: Literal["user", "assistant"] = "assistant" if c.get("role", "user") == "model" else "user"
    if not c.get("parts"):
        raise DecodeError(f"$.contents[{i}].parts", "at least one part (the API refuses parts: [])", "none")
    parts = [
        # a plain text part read inline (what lift_part / _lift_text give it)
        Text(text=p["text"])
        if plain_text_member(p)
        else lift_part(p, ids, call_names, (i, j), f"$.contents[{i}].parts[{j}]")
        for j, p in enumerate(c["parts"])
    ]
    if len(c) == 2 and "role" in c:  # role and parts only: no extras
        return Message(role=role, content=parts)
    extras = {k: v for k, v in c.items() if k not in ("role", "parts")}
    return Message(role=role, content=parts, provider_options=opts(extras))


# --------------------------------------------------------------------------------------------
# Tools and generation settings


def _lift_decl(d: dict[str, Any], path: str) -> Tool:
    if "parameters" in d and "parametersJsonSchema" in d:
        raise DecodeError(f"{path}.parameters", "parameters or parametersJsonSchema", "both")
    extras = {k: v for k, v in d.items() if k not in ("name", "description", "parametersJsonSchema")}
    schema = d.get("parametersJsonSchema", d.get("parameters", OBJECT_SCHEMA))
    if not isinstance(schema, dict):
        raise DecodeError(f"{path}.parametersJsonSchema", "a JSON Schema object", type(schema).__name__)
    return Tool(name=d["name"], description=d.get("description"), input_schema=schema, provider_options=opts(extras))


def _lift_choice(tc: dict[str, Any]) -> ToolChoice | None:
    """A toolConfig the IR can say exactly; anything else stays raw in provider_options."""
    if set(tc) != {"functionCallingConfig"}:
        return None
    fcc = tc["functionCallingConfig"]
    mode = fcc.get("mode")
    if set(fcc) == {"mode"} and mode in CHOICES:
        return ToolChoice(mode=CHOICES[mode])  # type: ignore[arg-type]
    names = fcc.get("allowedFunctionNames")
    if set(fcc) == {"mode", "allowedFunctionNames"} and mode == "ANY" and isinstance(names, list) and len(names) == 1:
        return ToolChoice(mode="tool", name=names[0])
    return None


_GEN_FIELDS: tuple[tuple[str, str, type], ...] = (
    ("maxOutputTokens", "max_tokens", int),
    ("temperature", "temperature", float),
    ("topP", "top_p", float),
    ("topK", "top_k", int),
    ("seed", "seed", int),
    ("candidateCount", "n", int),
)


def _lift_generation(gc: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """Fill IR fields from generationConfig; return what stays raw (values the IR cannot hold
    with the exact JSON type stay raw, so that a payload round-trips byte for byte)."""
    extras = dict(gc)
    for key, field, kind in _GEN_FIELDS:
        if key in extras and type(extras[key]) is kind:
            fields[field] = extras.pop(key)
    if isinstance(extras.get("stopSequences"), list):
        fields["stop"] = extras.pop("stopSequences")
    mime = extras.get("responseMimeType")
    if mime == "text/plain" and "responseJsonSchema" not in extras:
        fields["response_format"] = ResponseFormat(type="text")
        del extras["responseMimeType"]
    elif mime == "application/json":
        schema = extras.get("responseJsonSchema")
        if schema is None and "responseJsonSchema" not in extras:
            fields["response_format"] = ResponseFormat(type="json_object")
            del extras["responseMimeType"]
        elif isinstance(schema, dict):
            fields["response_format"] = ResponseFormat(type="json_schema", schema=schema)
            del extras["responseMimeType"], extras["responseJsonSchema"]
    if "thinkingConfig" in extras:
        think = dict(extras.pop("thinkingConfig"))
        level = think.get("thinkingLevel")
        if level in LEVELS:
            fields["reasoning_effort"] = LEVELS[level]
            del think["thinkingLevel"]
        budget = think.get("thinkingBudget")
        if "reasoning_effort" not in fields and type(budget) is int:
            rc: ReasoningConfig | None = None
            if budget == 0:
                rc = ReasoningConfig(type="disabled")
            elif budget == -1:
                rc = ReasoningConfig(type="adaptive")
            elif budget > 0 and not (type(fields.get("max_tokens")) is int and budget >= fields["max_tokens"]):
                # a budget at or above maxOutputTokens is no valid IR budget (ir_codec.check): raw
                rc = ReasoningConfig(type="enabled", budget_tokens=budget)
            if rc is not None:
                fields["reasoning"] = rc
                del think["thinkingBudget"]
        if think:
            extras["thinkingConfig"] = think
    return extras
