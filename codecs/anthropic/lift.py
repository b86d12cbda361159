"""Wire -> IR: lift a Messages request body (the same on the three platforms) into an IR request.

Every field the IR does not model is kept in ``provider_options["anthropic"]`` where it stood;
every block type the IR does not model is kept whole as a :class:`ProviderPart`, every server
tool as a :class:`ProviderTool` (codec ``"anthropic"`` for all three platforms).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from ir_codec.codec import expect_object, wire_convert
from ir_codec.errors import DecodeError
from ir_codec.ir import (
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    FileSource,
    Image,
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
from ir_codec.lowering import plain_text_block, split_unknown, struct_fields

from .wire import (
    API_2026,
    EFFORTS,
    FAMILY,
    LEGACY_VERSIONS,
    SAMPLING_FIELDS,
    BodyForm,
    WAnyBlock,
    WBase64Source,
    WCacheControl,
    WDocumentBlock,
    WFileSource,
    WImageBlock,
    WMessageParam,
    WPlainTextSource,
    WRedactedThinkingBlock,
    WRequest,
    WServerTool,
    WTextBlock,
    WThinkingBlock,
    WTool,
    WToolResultBlock,
    WToolUseBlock,
    WUrlSource,
    family_options_of,
)

__all__ = [
    "cache_to_ir",
    "check_request_rules",
    "lift_block",
    "lift_citations",
    "lift_metadata",
    "lift_output_config",
    "lift_request",
    "lift_thinking",
    "lift_tool",
    "lift_tool_choice",
]


class _NotLiftable(Exception):
    """A known block type whose content the IR cannot hold: kept as a ProviderPart."""


_CC_FIELDS = frozenset({"type", "ttl"})


def cache_extras(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``obj``'s ``cache_control`` newer than our wire types (PROVIDERS.md §13: a
    ``scope`` is seen accepted), kept on decode as ``{"cache_control": {...}}`` in the node's
    ``provider_options["anthropic"]``; encode writes them back into the mark."""
    cc = obj.get("cache_control")
    if isinstance(cc, dict) and not cc.keys() <= _CC_FIELDS:
        return {"cache_control": {k: v for k, v in cc.items() if k not in _CC_FIELDS}}
    return {}


def cache_to_ir(cc: WCacheControl | None | UnsetType) -> CacheControl | None:
    if cc is None or cc is UNSET:
        return None
    assert isinstance(cc, WCacheControl)
    return CacheControl(ttl=CacheTtl.ONE_HOUR if cc.ttl == "1h" else CacheTtl.FIVE_MINUTES)


# ============================================================================================
# The request


def lift_request(form: BodyForm, req: dict[str, Any]) -> Request:
    """The IR of a Messages request body on the platform ``form``."""
    known_names = struct_fields(WRequest)
    if not form.body_version:
        known_names = known_names - {"anthropic_version"}
    if not form.has_model:
        known_names = known_names - {"model"}
    if not form.has_stream:
        known_names = known_names - {"stream"}
    known, unknown = split_unknown(req, known_names, "$")
    unknown.update(cache_extras(req))
    if "messages" not in known:
        raise DecodeError("$", "required field 'messages'", "nothing")
    w = wire_convert(known, WRequest)
    fields: dict[str, Any] = {}
    if w.anthropic_version is not UNSET and w.anthropic_version != form.api_version:
        unknown["anthropic_version"] = w.anthropic_version
    elif not form.body_version and form.api_version == API_2026 and any(f in req for f in SAMPLING_FIELDS):
        # written for 2023-06-01 (PROVIDERS.md §13): the version travels with the request, so that
        # identity is lossless; encoding to 2026-10-21 (another request) still reports them
        unknown["anthropic_version"] = "2023-06-01"
    if w.model is not UNSET:
        fields["model"] = w.model
    if w.max_tokens is not UNSET:
        fields["max_tokens"] = w.max_tokens
    if w.system is not UNSET:
        fields["system"] = _lift_system(w.system)
    fields["messages"] = [_lift_message(m, f"$.messages[{i}]") for i, m in enumerate(w.messages)]
    if w.tools is not UNSET:
        fields["tools"] = [lift_tool(t, f"$.tools[{i}]") for i, t in enumerate(w.tools)]
    if w.tool_choice is not UNSET:
        tc = lift_tool_choice(w.tool_choice)
        if tc is None:
            unknown["tool_choice"] = w.tool_choice
        else:
            fields["tool_choice"], par = tc
            if par is not None:
                fields["parallel_tool_calls"] = par
    if w.stop_sequences is not UNSET:
        fields["stop"] = w.stop_sequences
    for name, lift, target in (
        ("metadata", lift_metadata, "user"),
        ("thinking", lift_thinking, "reasoning"),
    ):
        value = getattr(w, name)
        if value is UNSET:
            continue
        lifted = lift(value)
        if lifted is None:
            unknown[name] = value
        else:
            fields[target] = lifted
    if w.output_config is not UNSET:
        oc = lift_output_config(w.output_config)
        if oc is None:
            unknown["output_config"] = w.output_config
        else:
            effort, fmt = oc
            if effort is not None:
                fields["reasoning_effort"] = effort
            if fmt is not None:
                fields["response_format"] = fmt
    cache = cache_to_ir(w.cache_control)
    if cache is not None:
        fields["cache"] = cache
    for name in ("stream", "temperature", "top_p", "top_k"):
        value = getattr(w, name)
        if value is not UNSET:
            fields[name] = value
    return Request(**fields, provider_options=family_options_of(unknown))


def _lift_system(system: str | list[dict[str, Any]]) -> list[SystemBlock]:
    if isinstance(system, str):
        return [SystemBlock(text=system)] if system else []
    out = []
    for i, b in enumerate(system):
        path = f"$.system[{i}]"
        w = wire_convert(b, WTextBlock, path)
        _, unknown = split_unknown(b, struct_fields(WTextBlock), path)
        unknown.update(cache_extras(b))
        out.append(
            SystemBlock(text=w.text, cache=cache_to_ir(w.cache_control), provider_options=family_options_of(unknown))
        )
    return out


_ROLES = frozenset({"user", "assistant", "system"})


def _lift_message(m: dict[str, Any], path: str) -> Message:
    if type(m) is dict and len(m) == 2 and type(m.get("role")) is str and m["role"] in _ROLES:
        # the common shape, which WMessageParam takes as it is: role and content only
        c = m.get("content")
        if type(c) is str:
            return Message(role=m["role"], content=[Text(text=c)] if c else [])
        if type(c) is list:
            content: list[Part] = []
            for j, b in enumerate(c):
                if plain_text_block(b):
                    content.append(Text(text=b["text"]))  # lift_block's first case, at once
                else:
                    content.append(lift_block(b, f"{path}.content[{j}]"))
            return Message(role=m["role"], content=content)
    known, unknown = split_unknown(m, struct_fields(WMessageParam), path)
    w = wire_convert(known, WMessageParam, path)
    if isinstance(w.content, str):
        content = [Text(text=w.content)] if w.content else []
    else:
        content = [lift_block(b, f"{path}.content[{j}]") for j, b in enumerate(w.content)]
    return Message(role=w.role, content=content, provider_options=family_options_of(unknown))


# ============================================================================================
# Blocks: one lifting function per wire tag (_LIFT); other tags stay whole as provider parts


def lift_block(b: Any, path: str) -> Part:
    """The IR part of a content block at JSON path ``path``."""
    if plain_text_block(b):
        return Text(text=b["text"])  # {"type": "text", "text": "..."}: a plain Text
    b = expect_object(b, path)
    kind = b.get("type")
    if not isinstance(kind, str):
        raise DecodeError(f"{path}.type", "a block type string", type(kind).__name__)
    entry = _LIFT.get(kind)
    if entry is None:
        return _provider_part(b, path)
    struct, lift = entry
    w = wire_convert(b, struct, path)
    _, unknown = split_unknown(b, struct_fields(struct), path)
    unknown.update(cache_extras(b))
    try:
        return lift(w, unknown, path)
    except _NotLiftable:
        return _provider_part(b, path)


def _provider_part(b: dict[str, Any], path: str) -> ProviderPart:
    w = wire_convert(b, WAnyBlock, path)
    data = {k: v for k, v in b.items() if k != "cache_control"} | cache_extras(b)
    return ProviderPart(codec=FAMILY, data=data, cache=cache_to_ir(w.cache_control))


_IMAGE_SOURCES = WBase64Source | WUrlSource | WFileSource
_DOCUMENT_SOURCES = WBase64Source | WUrlSource | WFileSource | WPlainTextSource


def _lift_source(src: dict[str, Any], path: str, union: Any) -> Any:
    if not isinstance(src.get("type"), str):
        raise DecodeError(f"{path}.type", "a source type string", type(src.get("type")).__name__)
    try:
        w = msgspec.convert(src, union)
    except msgspec.ValidationError:
        # an unknown source type (e.g. a document "content" source) or extra fields: the IR has
        # no word for it, so the whole block stays a provider part
        raise _NotLiftable from None
    match w:
        case WBase64Source():
            return Base64Source(media_type=w.media_type, data=w.data)
        case WUrlSource():
            return UrlSource(url=w.url)
        case WFileSource():
            return FileSource(file_id=w.file_id)
        case WPlainTextSource():
            return TextSource(text=w.data)
    raise AssertionError(f"unhandled source {type(w).__name__}")  # pragma: no cover


def _lift_text(w: WTextBlock, unknown: dict[str, Any], path: str) -> Text:
    return Text(text=w.text, cache=cache_to_ir(w.cache_control), provider_options=family_options_of(unknown))


def _lift_image(w: WImageBlock, unknown: dict[str, Any], path: str) -> Image:
    src = _lift_source(w.source, f"{path}.source", _IMAGE_SOURCES)
    return Image(source=src, cache=cache_to_ir(w.cache_control), provider_options=family_options_of(unknown))


def lift_citations(v: Any) -> bool | None:
    """``{"enabled": bool}`` as the IR's ``Document.citations``, else None (kept raw)."""
    if isinstance(v, dict) and set(v) == {"enabled"} and isinstance(v["enabled"], bool):
        return bool(v["enabled"])
    return None


def _lift_document(w: WDocumentBlock, unknown: dict[str, Any], path: str) -> Document:
    src = _lift_source(w.source, f"{path}.source", _DOCUMENT_SOURCES)
    citations = None
    if w.citations is not UNSET:
        citations = lift_citations(w.citations)
        if citations is None:
            unknown = {**unknown, "citations": w.citations}
    return Document(
        source=src,
        name=w.title if isinstance(w.title, str) else None,  # null: absent (canonicalizations)
        context=w.context if isinstance(w.context, str) else None,
        citations=citations,
        cache=cache_to_ir(w.cache_control),
        provider_options=family_options_of(unknown),
    )


def _lift_tool_use(w: WToolUseBlock, unknown: dict[str, Any], path: str) -> ToolUse:
    return ToolUse(
        id=w.id,
        name=w.name,
        input=w.input,
        cache=cache_to_ir(w.cache_control),
        provider_options=family_options_of(unknown),
    )


def _lift_tool_result(w: WToolResultBlock, unknown: dict[str, Any], path: str) -> ToolResult:
    content: list[Any] = []
    if isinstance(w.content, str):
        content = [Text(text=w.content)] if w.content else []
    elif isinstance(w.content, list):
        content = [lift_block(b, f"{path}.content[{k}]") for k, b in enumerate(w.content)]
        for k, q in enumerate(content):
            if not isinstance(q, Text | Image | Document | ProviderPart):
                raise DecodeError(
                    f"{path}.content[{k}]", "a text, image, document or other content block", q.__class__.__name__
                )
    return ToolResult(
        tool_use_id=w.tool_use_id,
        content=content,
        is_error=w.is_error is True,
        cache=cache_to_ir(w.cache_control),
        provider_options=family_options_of(unknown),
    )


def _lift_thinking_block(w: WThinkingBlock, unknown: dict[str, Any], path: str) -> Thinking:
    return Thinking(text=w.thinking, signature=w.signature, origin=FAMILY, provider_options=family_options_of(unknown))


def _lift_redacted(w: WRedactedThinkingBlock, unknown: dict[str, Any], path: str) -> RedactedThinking:
    return RedactedThinking(data=w.data, origin=FAMILY, provider_options=family_options_of(unknown))


_LIFT: dict[str, tuple[type[Any], Callable[[Any, dict[str, Any], str], Part]]] = {
    "text": (WTextBlock, _lift_text),
    "image": (WImageBlock, _lift_image),
    "document": (WDocumentBlock, _lift_document),
    "tool_use": (WToolUseBlock, _lift_tool_use),
    "tool_result": (WToolResultBlock, _lift_tool_result),
    "thinking": (WThinkingBlock, _lift_thinking_block),
    "redacted_thinking": (WRedactedThinkingBlock, _lift_redacted),
}
"""Wire block tag -> (its strict Struct, its lifting function)."""


# ============================================================================================
# Tools and request settings


def lift_tool(t: Any, path: str) -> ToolSpec:
    """A custom tool as an IR :class:`Tool`; a server tool (any other ``type``) kept whole."""
    t = expect_object(t, path)
    kind = t.get("type")
    if kind is not None and kind != "custom":
        w = wire_convert(t, WServerTool, path)
        data = {k: v for k, v in t.items() if k != "cache_control"} | cache_extras(t)
        return ProviderTool(codec=FAMILY, data=data, cache=cache_to_ir(w.cache_control))
    wt = wire_convert(t, WTool, path)
    _, unknown = split_unknown(t, struct_fields(WTool), path)
    unknown.update(cache_extras(t))
    return Tool(
        name=wt.name,
        input_schema=wt.input_schema,
        description=None if wt.description is UNSET else wt.description,
        strict=None if wt.strict is UNSET else wt.strict,
        cache=cache_to_ir(wt.cache_control),
        provider_options=family_options_of(unknown),
    )


_CHOICE_MODES: dict[str, Literal["auto", "required", "none"]] = {"auto": "auto", "any": "required", "none": "none"}
_CHOICE_FIELDS = {
    "auto": {"type", "disable_parallel_tool_use"},
    "any": {"type", "disable_parallel_tool_use"},
    "tool": {"type", "name", "disable_parallel_tool_use"},
    "none": {"type"},
}
"""src: SDK types/tool_choice_*_param.py."""


def lift_tool_choice(v: Any) -> tuple[ToolChoice, bool | None] | None:
    """(IR choice, parallel_tool_calls) or None when the object is not one the IR models."""
    if not isinstance(v, dict):
        return None
    kind = v.get("type")
    if not isinstance(kind, str) or kind not in _CHOICE_FIELDS or not set(v) <= _CHOICE_FIELDS[kind]:
        return None
    dis = v.get("disable_parallel_tool_use")
    if dis is not None and not isinstance(dis, bool):
        return None
    if kind == "tool":
        if not isinstance(v.get("name"), str):
            return None
        choice = ToolChoice(mode="tool", name=v["name"])
    else:
        choice = ToolChoice(mode=_CHOICE_MODES[kind])
    return choice, (None if dis is None else not dis)


def lift_metadata(v: Any) -> str | None:
    """``{"user_id": str}`` as the IR's ``user``, else None (kept raw)."""
    if isinstance(v, dict) and set(v) == {"user_id"} and isinstance(v["user_id"], str):
        return str(v["user_id"])
    return None


def lift_thinking(v: Any) -> ReasoningConfig | None:
    """A ``thinking`` config the IR models, else None (kept raw)."""
    if not isinstance(v, dict):
        return None
    if v.get("type") == "enabled" and set(v) == {"type", "budget_tokens"} and type(v["budget_tokens"]) is int:
        return ReasoningConfig(type="enabled", budget_tokens=v["budget_tokens"])
    if v.get("type") in ("adaptive", "disabled") and set(v) == {"type"}:
        return ReasoningConfig(type=v["type"])
    return None


def lift_output_config(v: Any) -> tuple[str | None, ResponseFormat | None] | None:
    """(effort, response format) of an ``output_config`` the IR models, else None (kept raw)."""
    if not isinstance(v, dict) or not v or not set(v) <= {"effort", "format"}:
        return None
    effort = v.get("effort")
    if "effort" in v and (not isinstance(effort, str) or effort not in EFFORTS):
        return None
    fmt = None
    if "format" in v:
        f = v["format"]
        if not (
            isinstance(f, dict)
            and set(f) == {"type", "schema"}
            and f["type"] == "json_schema"
            and isinstance(f["schema"], dict)
        ):
            return None
        fmt = ResponseFormat(type="json_schema", schema=f["schema"])
    return effort, fmt


# ============================================================================================
# The API's own rules (Codec.validate_wire)


def check_request_rules(form: BodyForm, req: Mapping[str, Any]) -> None:
    """Raise :class:`DecodeError` where the body breaks a rule the API enforces and the encoder
    guarantees: no empty text blocks, no empty non-final messages, at most 4 cache marks, no
    sampling parameters on 2026-10-21, no ``model``/``stream`` where the platform forbids them."""
    version = form.version(req.get("anthropic_version"))
    if version not in LEGACY_VERSIONS:
        for k in ("temperature", "top_p", "top_k"):
            if k in req:
                raise DecodeError(f"$.{k}", f"no {k} with API version {version}", "a value")
    if not form.has_model and "model" in req:
        raise DecodeError("$.model", f"no model in a {form.codec} body", "a value")
    if not form.has_stream and "stream" in req:
        raise DecodeError("$.stream", f"no stream in a {form.codec} body", "a value")
    marks: list[str] = []  # paths of the cache_control marks, in prefix order
    last_marked = False  # the automatic mark is a no-op on a last block marked already (A-PC)
    for i, t in enumerate(req.get("tools") or []):  # prefix order: tools, system, messages
        last_marked = isinstance(t.get("cache_control"), dict)
        if last_marked:
            marks.append(f"$.tools[{i}].cache_control")
    for i, s in enumerate(req.get("system") or []):
        if isinstance(s, dict):
            last_marked = isinstance(s.get("cache_control"), dict)
            if last_marked:
                marks.append(f"$.system[{i}].cache_control")
            if s.get("text") == "":
                raise DecodeError(f"$.system[{i}].text", "non-empty text", "''")
    msgs = req["messages"]
    for i, m in enumerate(msgs):
        content = m["content"]
        if not content and not (i == len(msgs) - 1 and m["role"] == "assistant"):
            raise DecodeError(f"$.messages[{i}].content", "at least one block", "none")
        for j, b in enumerate(content if isinstance(content, list) else []):
            marked = isinstance(b.get("cache_control"), dict)
            if marked:
                marks.append(f"$.messages[{i}].content[{j}].cache_control")
            if b.get("type") not in ("thinking", "redacted_thinking"):
                last_marked = marked
            if b.get("type") == "text" and b.get("text") == "":
                raise DecodeError(f"$.messages[{i}].content[{j}].text", "non-empty text", "''")
            if b.get("type") == "document" and m["role"] == "assistant" and version not in LEGACY_VERSIONS:
                raise DecodeError(f"$.messages[{i}].content[{j}]", "no document in an assistant message", "one")
    if isinstance(req.get("cache_control"), dict) and not last_marked:
        marks.append("$.cache_control")
    if len(marks) > 4:  # the same rule and path as ir_codec.rules (IRC201): the first mark over the cap
        raise DecodeError(marks[4], "at most 4 cache_control marks (IRC201)", f"mark {len(marks)}")
