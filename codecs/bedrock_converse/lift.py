"""Converse wire -> IR: request bodies and the content blocks that responses share.

A block the IR cannot hold exactly is lifted to a ``ProviderPart`` / ``ProviderTool`` whose
``data`` is the whole union wrapper; unknown fields go to ``provider_options["bedrock-converse"]``
(``spec/canonicalizations/bedrock-converse.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from ir_codec.codec import expect_object, load_json, wire_convert
from ir_codec.errors import DecodeError
from ir_codec.ir import (
    Audio,
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    Image,
    Json,
    Message,
    Part,
    ProviderPart,
    ProviderTool,
    ReasoningConfig,
    RedactedThinking,
    Request,
    ResponseFormat,
    SystemBlock,
    Text,
    TextSource,
    Thinking,
    Tool,
    ToolChoice,
    ToolResult,
    ToolSpec,
    ToolUse,
    UrlSource,
)
from ir_codec.lowering import plain_text_member, split_unknown

from .wire import (
    AUDIO_FORMATS,
    DEFAULT_DOCUMENT_NAME,
    DOCUMENT_FORMATS,
    IMAGE_FORMATS,
    NAME,
    TEXT_DOCUMENT_FORMATS,
    WAudioBlock,
    WCachePointBlock,
    WContentBlock,
    WConverseRequest,
    WDocumentBlock,
    WDocumentSource,
    WImageBlock,
    WImageSource,
    WOutputFormat,
    WReasoningContentBlock,
    WSystemContentBlock,
    WTool,
    WToolChoice,
    WToolConfiguration,
    WToolResultBlock,
    WToolResultContentBlock,
    WToolUseBlock,
    check_unions,
    doc_name,
)

SIGNATURES = "anthropic"
"""Signed reasoning on Converse comes from Claude models (CodecProfile.signatures)."""

__all__ = [
    "SIGNATURES",
    "decode_request",
    "ir_mapped",
    "lift_block",
    "lift_result_block",
    "lift_tool",
    "opts",
    "text_format_shape",
    "thinking_config",
]


class _NotExact(Exception):
    """The wire block has no exact IR form; it is kept as a ProviderPart."""


def opts(extra: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``provider_options`` holding the unknown wire fields ``extra`` (none: ``{}``)."""
    return {NAME: extra} if extra else {}


def _rest(obj: Mapping[str, Any], known: tuple[str, ...], path: str) -> dict[str, Any]:
    return split_unknown(obj, known, path)[1]


# --------------------------------------------------------------------------------------------
# Content blocks. Each lifter takes the whole union wrapper (``{"image": {...}}``) and raises
# _NotExact when the IR cannot hold the block exactly.


def _lift_source(src: WImageSource | WDocumentSource, raw: Mapping[str, Any], media_type: str) -> Any:
    inner = raw["source"]
    if src.bytes is not UNSET:
        if set(inner) != {"bytes"}:
            raise _NotExact
        return Base64Source(media_type=media_type, data=src.bytes)
    if src.s3Location is not UNSET:
        if set(inner) != {"s3Location"} or set(inner["s3Location"]) != {"uri"}:
            raise _NotExact  # bucketOwner has no IR field
        return UrlSource(url=src.s3Location.uri, media_type=media_type)
    raise _NotExact


def _member(obj: dict[str, Any], tag: str, path: str) -> tuple[Any, str]:
    """The value of the wrapper's only member (a wrapper with more keys has no IR form)."""
    if len(obj) != 1:
        raise _NotExact
    return obj[tag], f"{path}.{tag}"


def _lift_text(obj: dict[str, Any], path: str) -> Part:
    return Text(text=obj["text"], provider_options=opts(_rest(obj, ("text",), path)))


def _lift_json(obj: dict[str, Any], path: str) -> Part:
    return Json(value=obj["json"], provider_options=opts(_rest(obj, ("json",), path)))


def _lift_image(obj: dict[str, Any], path: str) -> Part:
    raw, path = _member(obj, "image", path)
    w = wire_convert(raw, WImageBlock, path)
    check_unions(w, path)
    source = _lift_source(w.source, raw, IMAGE_FORMATS[w.format])
    return Image(source=source, provider_options=opts(_rest(raw, ("format", "source"), path)))


def _lift_audio(obj: dict[str, Any], path: str) -> Part:
    raw, path = _member(obj, "audio", path)
    w = wire_convert(raw, WAudioBlock, path)
    check_unions(w, path)
    source = _lift_source(w.source, raw, AUDIO_FORMATS[w.format])
    return Audio(source=source, provider_options=opts(_rest(raw, ("format", "source"), path)))


def _lift_document(obj: dict[str, Any], path: str) -> Part:
    raw, path = _member(obj, "document", path)
    w = wire_convert(raw, WDocumentBlock, path)
    check_unions(w, path)
    extra = _rest(raw, ("format", "name", "source", "context", "citations"), path)
    if w.format is UNSET:
        raise _NotExact  # no media type to give the IR source
    mt = DOCUMENT_FORMATS[w.format]
    source: Any
    if w.source.text is not UNSET:
        if set(raw["source"]) != {"text"} or w.format not in TEXT_DOCUMENT_FORMATS:
            raise _NotExact
        # Built without media_type when it is the default: msgspec omits a default str only when
        # it is the very default object, and the invariant compares canonical JSON.
        source = TextSource(text=w.source.text) if mt == "text/plain" else TextSource(text=w.source.text, media_type=mt)
    else:
        source = _lift_source(w.source, raw, mt)
    citations: bool | None = None
    if w.citations is not UNSET:
        if set(raw["citations"]) != {"enabled"}:
            raise _NotExact
        citations = w.citations.enabled
    if doc_name(w.name) != w.name:
        raise _NotExact  # a name the encoder would not produce
    return Document(
        source=source,
        name=None if w.name == DEFAULT_DOCUMENT_NAME else w.name,
        context=None if w.context is UNSET else w.context,
        citations=citations,
        provider_options=opts(extra),
    )


def _lift_tool_use(obj: dict[str, Any], path: str) -> Part:
    raw, path = _member(obj, "toolUse", path)
    w = wire_convert(raw, WToolUseBlock, path)
    if not isinstance(w.input, dict):
        raise _NotExact
    extra = _rest(raw, ("toolUseId", "name", "input"), path)
    return ToolUse(id=w.toolUseId, name=w.name, input=w.input, provider_options=opts(extra))


def _lift_tool_result(obj: dict[str, Any], path: str) -> Part:
    raw, path = _member(obj, "toolResult", path)
    w = wire_convert(raw, WToolResultBlock, path)
    extra = _rest(raw, ("toolUseId", "content", "status"), path)
    content = [lift_result_block(b, f"{path}.content[{k}]") for k, b in enumerate(raw["content"])]
    return ToolResult(
        tool_use_id=w.toolUseId,
        content=content,  # type: ignore[arg-type]
        is_error=w.status == "error",
        provider_options=opts(extra),
    )


def _lift_reasoning(obj: dict[str, Any], path: str) -> Part:
    raw, path = _member(obj, "reasoningContent", path)
    w = wire_convert(raw, WReasoningContentBlock, path)
    check_unions(w, path)
    extra = _rest(raw, ("reasoningText", "redactedContent"), path)
    if w.reasoningText is not UNSET:
        if not set(raw["reasoningText"]) <= {"text", "signature"}:
            raise _NotExact
        sig = None if w.reasoningText.signature is UNSET else w.reasoningText.signature
        origin = None if sig is None else SIGNATURES
        return Thinking(text=w.reasoningText.text, signature=sig, origin=origin, provider_options=opts(extra))
    assert isinstance(w.redactedContent, str)
    return RedactedThinking(data=w.redactedContent, origin=SIGNATURES, provider_options=opts(extra))


_Lifter = Callable[[dict[str, Any], str], Part]

LIFT_BLOCK: dict[str, _Lifter] = {
    "text": _lift_text,
    "image": _lift_image,
    "document": _lift_document,
    "audio": _lift_audio,
    "toolUse": _lift_tool_use,
    "toolResult": _lift_tool_result,
    "reasoningContent": _lift_reasoning,
}
"""``ContentBlock`` member -> lifter; every other member is kept as a ProviderPart."""
LIFT_RESULT_BLOCK: dict[str, _Lifter] = {
    "json": _lift_json,
    "text": _lift_text,
    "image": _lift_image,
    "document": _lift_document,
}
"""``ToolResultContentBlock`` member -> lifter."""

_CONTENT_MEMBERS = tuple(WContentBlock.__struct_fields__)
_RESULT_MEMBERS = tuple(WToolResultContentBlock.__struct_fields__)


def _one_member(obj: dict[str, Any], members: tuple[str, ...], path: str) -> str:
    found = [k for k in obj if k in members]
    if len(found) != 1:
        raise DecodeError(path, f"exactly one of {', '.join(members)}", ", ".join(found) or "none")
    return found[0]


def _lift_union(obj: Any, path: str, members: tuple[str, ...], table: Mapping[str, _Lifter], wtype: type[Any]) -> Part:
    obj = expect_object(obj, path)
    tag = _one_member(obj, members, path)
    if tag == "cachePoint":
        raise DecodeError(f"{path}.cachePoint", "a content block (a cachePoint is handled by its list)", "a cachePoint")
    wire_convert({tag: obj[tag]}, wtype, path)  # type check of the member
    lift = table.get(tag)
    if lift is not None:
        try:
            return lift(obj, path)
        except _NotExact:
            pass
    return ProviderPart(codec=NAME, data=obj)


def lift_block(obj: Any, path: str) -> Part:
    """A ``ContentBlock`` (not a cachePoint) as an IR part; ``path`` is its JSON path."""
    if plain_text_member(obj):
        return Text(text=obj["text"])  # {"text": "..."}: a plain Text, at once
    return _lift_union(obj, path, _CONTENT_MEMBERS, LIFT_BLOCK, WContentBlock)


def lift_result_block(obj: Any, path: str) -> Part:
    """A ``ToolResultContentBlock`` as an IR part."""
    if plain_text_member(obj):
        return Text(text=obj["text"])  # {"text": "..."}: a plain Text, at once
    return _lift_union(obj, path, _RESULT_MEMBERS, LIFT_RESULT_BLOCK, WToolResultContentBlock)


def lift_tool(t: Any, path: str) -> ToolSpec:
    """A ``Tool`` (not a cachePoint): ``toolSpec`` as an IR Tool, anything else a ProviderTool."""
    t = expect_object(t, path)
    tag = _one_member(t, tuple(WTool.__struct_fields__), path)
    w = wire_convert(t, WTool, path)
    if tag == "toolSpec" and len(t) == 1:
        spec = t["toolSpec"]
        assert not isinstance(w.toolSpec, UnsetType)
        rest = _rest(spec, ("name", "description", "inputSchema", "strict"), f"{path}.toolSpec")
        if set(spec["inputSchema"]) == {"json"}:
            ws = w.toolSpec
            return Tool(
                name=ws.name,
                input_schema=ws.inputSchema.json,
                description=None if ws.description is UNSET else ws.description,
                strict=None if ws.strict is UNSET else ws.strict,
                provider_options=opts(rest),
            )
    if tag == "cachePoint":
        raise DecodeError(f"{path}.cachePoint", "a tool (a cachePoint is handled by its list)", "a cachePoint")
    return ProviderTool(codec=NAME, data=t)


# --------------------------------------------------------------------------------------------
# Cache points


def _lift_cache_point(obj: dict[str, Any], path: str) -> CacheControl:
    if len(obj) != 1:
        raise DecodeError(path, "a cachePoint block with no other member", ", ".join(obj))
    w = wire_convert(obj["cachePoint"], WCachePointBlock, f"{path}.cachePoint")
    if set(obj["cachePoint"]) - {"type", "ttl"}:
        raise DecodeError(f"{path}.cachePoint", "only type and ttl", ", ".join(obj["cachePoint"]))
    return CacheControl(ttl=CacheTtl.ONE_HOUR if w.ttl == "1h" else CacheTtl.FIVE_MINUTES)


class _Marks:
    """Attaches each cachePoint to the item before it in prefix order (tools, system, messages).

    A cachePoint that opens a list closes the last item of the nearest earlier list (the cached
    prefix is the same); one with nothing before it caches nothing and is dropped."""

    def __init__(self) -> None:
        self.last: tuple[list[Any], int] | None = None  # (list, index) of the last item

    def item(self, items: list[Any]) -> None:
        self.last = (items, len(items) - 1)

    def mark(self, obj: dict[str, Any], path: str) -> None:
        cache = _lift_cache_point(obj, path)
        if self.last is None:
            return
        items, i = self.last
        if items[i].cache is not None:
            raise DecodeError(path, "a cachePoint after a content block", "a second cachePoint for the same block")
        items[i] = msgspec.structs.replace(items[i], cache=cache)


# --------------------------------------------------------------------------------------------
# What decode lifts into the IR (the raw options may not set these; see lower.py)


def thinking_config(v: Any) -> bool:
    """``additionalModelRequestFields.thinking`` in the form IR ``reasoning`` lowers to."""
    return (
        isinstance(v, dict)
        and v.get("type") in ("enabled", "adaptive", "disabled")
        and set(v) <= {"type", "budget_tokens"}
        and (
            "budget_tokens" not in v
            or (isinstance(v["budget_tokens"], int) and not isinstance(v["budget_tokens"], bool))
        )
    )


def text_format_shape(tf: Any) -> bool:
    """A ``textFormat`` with no field the IR ResponseFormat lacks (else it stays in options)."""
    return (
        isinstance(tf, dict)
        and set(tf) == {"type", "structure"}
        and isinstance(tf["structure"], dict)
        and set(tf["structure"]) == {"jsonSchema"}
        and isinstance(tf["structure"]["jsonSchema"], dict)
        and set(tf["structure"]["jsonSchema"]) <= {"schema", "name", "description"}
        and isinstance(tf["structure"]["jsonSchema"].get("schema"), str)
    )


def ir_mapped(key: str, sub: str, value: Any) -> bool:
    """Is ``body[key][sub] = value`` a field that decode lifts into the IR?"""
    if key == "inferenceConfig":
        return sub in ("maxTokens", "temperature", "topP", "stopSequences")
    if key == "toolConfig":
        return sub in ("tools", "toolChoice")
    if key == "outputConfig":
        return sub == "effort" or (sub == "textFormat" and text_format_shape(value))
    if key == "additionalModelRequestFields":
        return (sub == "top_k" and isinstance(value, int) and not isinstance(value, bool)) or (
            sub == "thinking" and thinking_config(value)
        )
    return False


# --------------------------------------------------------------------------------------------
# The request body

_ROOT_FIELDS = (
    "messages",
    "system",
    "inferenceConfig",
    "toolConfig",
    "additionalModelRequestFields",
    "requestMetadata",
    "outputConfig",
)


def decode_request(raw: dict[str, Any]) -> Request:
    """Lift a ``ConverseRequest`` body (a parsed JSON object) to IR."""
    known, extra = split_unknown(raw, _ROOT_FIELDS, "$")
    w = wire_convert(known, WConverseRequest)
    options: dict[str, Any] = dict(extra)
    marks = _Marks()
    fields: dict[str, Any] = {}
    # prefix order (tools, system, messages): a cachePoint closes the item before it
    if w.toolConfig is not UNSET:
        fields["tools"], fields["tool_choice"] = _lift_tool_config(raw["toolConfig"], w.toolConfig, marks, options)
    fields["system"] = _lift_system(raw.get("system", []), marks)
    fields["messages"] = _lift_messages(raw.get("messages", []), marks)

    if w.inferenceConfig is not UNSET:
        ic = w.inferenceConfig
        if ic.maxTokens is not UNSET:
            fields["max_tokens"] = ic.maxTokens
        if ic.temperature is not UNSET:
            fields["temperature"] = float(ic.temperature)
        if ic.topP is not UNSET:
            fields["top_p"] = float(ic.topP)
        if ic.stopSequences is not UNSET:
            fields["stop"] = ic.stopSequences
        rest_ic = _rest(raw["inferenceConfig"], ("maxTokens", "temperature", "topP", "stopSequences"), "$")
        if rest_ic:
            options["inferenceConfig"] = rest_ic

    if w.additionalModelRequestFields is not UNSET:
        amrf = dict(raw["additionalModelRequestFields"])
        top_k = amrf.get("top_k")
        if isinstance(top_k, int) and not isinstance(top_k, bool):
            fields["top_k"] = amrf.pop("top_k")
        thinking = amrf.get("thinking")
        if isinstance(thinking, dict) and thinking_config(thinking):
            fields["reasoning"] = ReasoningConfig(type=thinking["type"], budget_tokens=thinking.get("budget_tokens"))
            del amrf["thinking"]
        if amrf:
            options["additionalModelRequestFields"] = amrf

    if w.requestMetadata is not UNSET:
        fields["metadata"] = dict(w.requestMetadata)

    if w.outputConfig is not UNSET:
        oc = dict(raw["outputConfig"])
        if w.outputConfig.effort is not UNSET:
            fields["reasoning_effort"] = oc.pop("effort")
        if w.outputConfig.textFormat is not UNSET:
            rf = _lift_text_format(raw["outputConfig"]["textFormat"], w.outputConfig.textFormat)
            if rf is not None:
                fields["response_format"] = rf
                del oc["textFormat"]
        if oc:
            options["outputConfig"] = oc

    if options:
        fields["provider_options"] = {NAME: options}
    return Request(**fields)


def _lift_tool_config(
    tc: dict[str, Any], w: WToolConfiguration, marks: _Marks, options: dict[str, Any]
) -> tuple[list[ToolSpec], ToolChoice | None]:
    tools: list[ToolSpec] = []
    for i, t in enumerate(tc["tools"]):
        p = f"$.toolConfig.tools[{i}]"
        t = expect_object(t, p)
        if "cachePoint" in t:
            marks.mark(t, p)
            continue
        tools.append(lift_tool(t, p))
        marks.item(tools)
    choice: ToolChoice | None = None
    if w.toolChoice is not UNSET:
        choice = _lift_tool_choice(tc["toolChoice"], w.toolChoice)
    rest_tc = _rest(tc, ("tools", "toolChoice"), "$.toolConfig")
    if rest_tc:
        options["toolConfig"] = rest_tc
    return tools, choice


def _lift_tool_choice(raw: dict[str, Any], w: WToolChoice) -> ToolChoice | None:
    path = "$.toolConfig.toolChoice"
    check_unions(w, path)
    # Only the exact forms the encoder writes (auto {}, any {}, tool {name}) have an IR form.
    if (
        set(raw) - {"auto", "any", "tool"}
        or any(raw[k] != {} for k in ("auto", "any") if k in raw)
        or ("tool" in raw and set(raw["tool"]) != {"name"})
    ):
        raise DecodeError(path, "auto {}, any {} or tool {name}", "other fields")
    if w.auto is not UNSET:
        return ToolChoice(mode="auto")
    if w.any is not UNSET:
        return ToolChoice(mode="required")
    if w.tool is not UNSET:
        return ToolChoice(mode="tool", name=w.tool.name)
    return None


def _lift_system(blocks: list[Any], marks: _Marks) -> list[SystemBlock]:
    system: list[SystemBlock] = []
    for i, b in enumerate(blocks):
        p = f"$.system[{i}]"
        b = expect_object(b, p)
        if "cachePoint" in b:
            marks.mark(b, p)
            continue
        tag = _one_member(b, tuple(WSystemContentBlock.__struct_fields__), p)
        rest = _rest(b, ("text",), p)
        # a guardContent block lifts to an empty text block carrying it (lower.py sends it back)
        system.append(SystemBlock(text=b["text"] if tag == "text" else "", provider_options=opts(rest)))
        marks.item(system)
    return system


def _tool_id(v: Any) -> bool:
    """A ``toolUseId`` / tool ``name`` as ``WToolUseBlock`` and ``WToolResultBlock`` take it."""
    return type(v) is str and 0 < len(v) <= 64


def _plain_tool_block(b: Any) -> Part | None:
    """The IR part of a ``{"toolUse": {toolUseId, name, input}}`` block with an object input, or
    of a ``{"toolResult": {toolUseId, content, status?}}`` block whose content is plain text
    blocks, both with no other field; None for any other block. Equivalent to ``lift_block``
    for them (``_lift_tool_use`` / ``_lift_tool_result``: the same conversions pass, no field
    is left for the options, and each text block reads as a plain Text)."""
    if type(b) is not dict or len(b) != 1:
        return None
    u = b.get("toolUse")
    if u is not None:
        if (
            type(u) is dict
            and len(u) == 3
            and _tool_id(u.get("toolUseId"))
            and _tool_id(u.get("name"))
            and type(u.get("input")) is dict
        ):
            return ToolUse(id=u["toolUseId"], name=u["name"], input=u["input"])
        return None
    r = b.get("toolResult")
    if type(r) is not dict or not _tool_id(r.get("toolUseId")) or type(r.get("content")) is not list:
        return None
    status = r.get("status")
    if len(r) != (2 if status is None else 3) or status not in (None, "success", "error"):
        return None
    if not all(map(plain_text_member, r["content"])):
        return None
    content: list[Any] = [Text(text=q["text"]) for q in r["content"]]
    return ToolResult(tool_use_id=r["toolUseId"], content=content, is_error=status == "error")


def _raw_call_id(block: dict[str, Any]) -> str | None:
    """The id of a ``toolUse`` block decode keeps raw (an input that is no object, a member the
    IR has no field for), else None."""
    use = block.get("toolUse")
    return use.get("toolUseId") if isinstance(use, dict) and isinstance(use.get("toolUseId"), str) else None


def _lift_messages(raw_messages: list[Any], marks: _Marks) -> list[Message]:
    messages: list[Message] = []
    raw_calls: set[str] = set()  # the calls kept raw: the results that answer them are kept raw too
    for i, m in enumerate(raw_messages):
        # role and content only (both required: the WConverseRequest conversion checked them),
        # so no unknown field for the options; otherwise split them off first, as before
        rest = {} if type(m) is dict and len(m) == 2 else _rest(m, ("role", "content"), f"$.messages[{i}]")
        content: list[Part] = []
        for j, b in enumerate(m["content"]):
            if plain_text_member(b):
                content.append(Text(text=b["text"]))  # lift_block's first case, at once
                continue
            part = _plain_tool_block(b)
            if part is None:
                bp = f"$.messages[{i}].content[{j}]"
                b = expect_object(b, bp)
                if "cachePoint" in b:
                    if content:
                        marks.item(content)  # the last part so far: what marks.item after each part sets
                    marks.mark(b, bp)
                    continue
                part = lift_block(b, bp)
                if type(part) is ProviderPart and (call := _raw_call_id(b)) is not None:
                    raw_calls.add(call)
            if raw_calls and type(part) is ToolResult and part.tool_use_id in raw_calls:
                # the IR pairs a result with a ToolUse only: the answer to a raw call is raw too
                # (unless a ToolUse has the id as well)
                if not any(type(q) is ToolUse and q.id == part.tool_use_id for n in messages for q in n.content):
                    part = ProviderPart(codec=NAME, data=b)
            content.append(part)
        if content:
            marks.item(content)  # (called once here, not after each part: only mark reads it)
        messages.append(Message(role=m["role"], content=content, provider_options=opts(rest)))
    return messages


def _lift_text_format(raw: dict[str, Any], w: WOutputFormat) -> ResponseFormat | None:
    path = "$.outputConfig.textFormat.structure.jsonSchema.schema"
    if not text_format_shape(raw):
        return None
    js = w.structure.jsonSchema
    schema = load_json(js.schema) if js.schema.strip() else None
    if not isinstance(schema, dict):
        raise DecodeError(path, "a JSON object schema as a string", js.schema[:40])
    return ResponseFormat(
        type="json_schema",
        schema=schema,
        name=None if js.name is UNSET else js.name,
        description=None if js.description is UNSET else js.description,
    )
