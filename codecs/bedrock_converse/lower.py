"""IR -> Converse wire: the request body.

An encode runs in three steps, so that every loss is reported at the caller's path
(``spec/losses.md``, the realignment rule):

1. :func:`reduce_request` drops what the Converse wire cannot hold (a blank text, an image in an
   assistant turn, an http image URL, a foreign provider part, a message left empty, ...), each
   at its own path with kind ``dropped``, and records where every kept item came from
   (:class:`~ir_codec.codec.Origins`). Nothing that reaches the cache planner is dropped later,
   so no mark is placed on a block that is not sent.
2. The profile's passes run on the reduced request through those origins:
   ``plan_cache_breakpoints``, then ``merge_consecutive_turns`` (Converse requires alternating
   turns).
3. :func:`lower_request` builds the body. Every part is lowered at its path in the reduced
   request (the merged turns are walked in step with the turns they came from), which the
   context maps back to the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

import msgspec

from ir_codec.codec import EncodeContext, Origins, foreign_reasoning
from ir_codec.errors import DecodeError, LossKind
from ir_codec.ir import (
    Audio,
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    FileSource,
    Image,
    Json,
    Message,
    Part,
    ProviderPart,
    ProviderTool,
    RedactedThinking,
    Refusal,
    Request,
    ResponseFormat,
    SystemBlock,
    Text,
    TextSource,
    Thinking,
    Tool,
    ToolResult,
    ToolSpec,
    ToolUse,
    UrlSource,
)
from ir_codec.lowering import merge_options, own_options, plain_call, plain_result, plain_text, plain_texts
from ir_codec.paths import IRPath, render

from .lift import SIGNATURES, ir_mapped, lift_block, lift_result_block, lift_tool
from .wire import (
    AUDIO_FORMATS,
    DEFAULT_DOCUMENT_NAME,
    DOCUMENT_FORMATS,
    IMAGE_FORMATS,
    META_KEY,
    META_VALUE,
    NAME,
    TEXT_DOCUMENT_FORMATS,
    WContentBlock,
    WDocumentBlock,
    WReasoningContentBlock,
    WSystemContentBlock,
    WToolResultContentBlock,
    WToolSpecification,
    doc_name,
    format_for,
    is_blank,
    is_s3_uri,
)

__all__ = ["LEADING_USER_TEXT", "lower_request", "reduce_request"]

LEADING_USER_TEXT = "."
"""Text of the user turn inserted before a conversation that opens with an assistant turn
(Converse rejects it: "A conversation must start with a user message")."""

# Keys a raw option may not set, per wire object: the IR writes them there, or decode would read
# them into the IR (for a union wrapper, every member of the union).
WRAPPER_KEYS = frozenset(WContentBlock.__struct_fields__) | frozenset(WToolResultContentBlock.__struct_fields__)
MEDIA_KEYS = frozenset({"format", "source"})
DOCUMENT_KEYS = frozenset(WDocumentBlock.__struct_fields__)
TOOL_USE_KEYS = frozenset({"toolUseId", "name", "input"})
TOOL_RESULT_KEYS = frozenset({"toolUseId", "content", "status"})
REASONING_KEYS = frozenset(WReasoningContentBlock.__struct_fields__)
SYSTEM_KEYS = frozenset(WSystemContentBlock.__struct_fields__)
MESSAGE_KEYS = frozenset({"role", "content"})
TOOL_SPEC_KEYS = frozenset(WToolSpecification.__struct_fields__)
ROOT_KEYS = frozenset({"messages", "system", "requestMetadata"})
"""Body fields decode always lifts into the IR."""
NESTED_ROOT = ("inferenceConfig", "toolConfig", "outputConfig", "additionalModelRequestFields")
"""Body objects whose unknown fields decode keeps in the options, key by key."""


def cache_point(cache: CacheControl) -> dict[str, Any]:
    """The ``cachePoint`` block that closes a marked item (AWS user guide "Prompt caching")."""
    # Canonical form: 5 minutes is the default type with no ttl; "ttl": "5m" is its synonym.
    point: dict[str, Any] = {"type": "default"}
    if cache.ttl is CacheTtl.ONE_HOUR:
        point["ttl"] = "1h"
    return {"cachePoint": point}


# ============================================================================================
# 1. Reduce: what the wire cannot hold is dropped before the passes


def _media_drop(kind: str, source: Any, table: Mapping[str, str]) -> str | None:
    match source:
        case Base64Source(media_type=mt, data=data):
            if format_for(mt, None, table) is None:
                return f"{kind} media type {mt!r} has no Bedrock format; dropped"
            return None if data else f"empty {kind} bytes are rejected by Bedrock; dropped"
        case UrlSource(url=url, media_type=mt) if is_s3_uri(url):
            if format_for(mt, url, table) is None:
                return f"no Bedrock {kind} format for {mt or url!r}; dropped"
            return None
        case TextSource():
            return None
    what = "a file id" if isinstance(source, FileSource) else "a non-S3 URL"
    return f"Bedrock Converse takes {kind} bytes or an s3:// location, not {what}; dropped"


def _lift_own(part: ProviderPart, role: str) -> Part:
    lift = lift_result_block if role == "tool_result" else lift_block
    return lift(part.data, "$")


def _why_dropped(part: Part, role: str) -> str | None:
    """Why ``part`` cannot be sent in a turn of ``role`` (``"tool_result"`` for a part inside a
    tool result); None when it can. Tool uses and results and reasoning blocks always can."""
    match part:
        case Text(text=text) if is_blank(text):
            return "Bedrock rejects blank text blocks; dropped"
        case Refusal(text=text) if is_blank(text):
            return "Bedrock has no refusal block and rejects blank text; dropped"
        # Message.content doc: "You can only include images and documents if the role is user."
        case Image() if role not in ("user", "tool_result"):
            return f"Bedrock takes images only in user turns, not {role}; dropped"
        case Document() if role not in ("user", "tool_result"):
            return f"Bedrock takes documents only in user turns, not {role}; dropped"
        case Audio() if role == "tool_result":
            return "a Bedrock tool result cannot hold audio; dropped"  # ToolResultContentBlock
        case Image(source=source):
            return _media_drop("image", source, IMAGE_FORMATS)
        case Audio(source=source):
            return _media_drop("audio", source, AUDIO_FORMATS)
        case Document(source=source):
            return _media_drop("document", source, DOCUMENT_FORMATS)
        case Json() if role != "tool_result":
            return "Bedrock has json blocks only inside tool results; dropped"
        case RedactedThinking() if foreign_reasoning(part, SIGNATURES):
            return foreign_reasoning(part, SIGNATURES)
        case ProviderPart(codec=codec) if codec != NAME:
            return f"a {codec!r} provider part cannot be sent to {NAME}; dropped"
        case ProviderPart():
            try:
                _lift_own(part, role)
            except DecodeError as exc:
                return f"not a valid Bedrock content block ({exc}); dropped"
    return None


def _drop_tool(tool: ToolSpec) -> str | None:
    if not isinstance(tool, ProviderTool):
        return None
    if tool.codec != NAME:
        return f"a {tool.codec!r} provider tool cannot be sent to {NAME}; dropped"
    try:
        lift_tool(tool.data, "$")
    except DecodeError as exc:
        return f"not a valid Bedrock tool ({exc}); dropped"
    return None


def _drop_system(block: SystemBlock) -> str | None:
    # A guardContent system block lifts to an empty text block carrying it (lift.py).
    if is_blank(block.text) and not (block.text == "" and "guardContent" in block.provider_options.get(NAME, {})):
        return "Bedrock rejects blank system text; dropped"
    return None


def _kept_whole(part: Part) -> bool:
    """Whether ``part`` is sure to be kept as it is in a turn of any role: a non-blank Text, a
    ToolUse, or a ToolResult holding only non-blank Texts (``_why_dropped`` drops none of them,
    nor anything inside them)."""
    if type(part) is Text:
        return not is_blank(part.text)
    if type(part) is ToolResult:
        return all(type(q) is Text and not is_blank(q.text) for q in part.content)
    return type(part) is ToolUse


def _keep(
    items: list[Any], path: IRPath, why: Callable[[Any], str | None], ctx: EncodeContext
) -> tuple[list[Any], list[int]]:
    """The items of the list at ``path`` that ``why`` does not drop, and their indices; each
    dropped item is reported at its own path."""
    out: list[Any] = []
    kept: list[int] = []
    for i, item in enumerate(items):
        reason = why(item)
        if reason is None:
            out.append(item)
            kept.append(i)
        else:
            ctx.lossy((*path, i), LossKind.DROPPED, reason)
    return out, kept


def reduce_request(request: Request, ctx: EncodeContext) -> tuple[Request, Origins]:
    """``request`` without what the Converse wire cannot hold, each dropped item reported at its
    own path (kind ``dropped``), and the origins of what is kept (registered for each list that
    lost items, under its path in the reduced request)."""
    origins = Origins()
    messages: list[Message] = []
    kept_messages: list[int] = []
    for i, m in enumerate(request.messages):
        if m.content and all(map(_kept_whole, m.content)):
            # the common message, every part kept as it is: what the general path below keeps
            # and reports for it (m itself, nothing), without building its lists
            messages.append(m)
            kept_messages.append(i)
            continue
        path = ("messages", i, "content")
        content, kept = _keep(m.content, path, partial(_why_dropped, role=m.role), ctx)
        if not content:
            # Converse rejects a message with empty content.
            ctx.lossy(("messages", i), LossKind.DROPPED, "a message with no content Bedrock can take is dropped")
            continue
        at = ("messages", len(messages), "content")
        if len(content) != len(m.content):
            origins.keep(at, kept)
        for j, p in enumerate(content):
            if isinstance(p, ToolResult):
                inner_path = (*path, kept[j], "content")
                inner, kept_inner = _keep(p.content, inner_path, partial(_why_dropped, role="tool_result"), ctx)
                if len(inner) != len(p.content):
                    origins.keep((*at, j, "content"), kept_inner)
                    content[j] = msgspec.structs.replace(p, content=inner)
        messages.append(m if content == m.content else msgspec.structs.replace(m, content=content))
        kept_messages.append(i)
    if len(messages) != len(request.messages):
        origins.keep(("messages",), kept_messages)
    system, kept = _keep(request.system, ("system",), _drop_system, ctx)
    if len(system) != len(request.system):
        origins.keep(("system",), kept)
    tools, kept = _keep(request.tools, ("tools",), _drop_tool, ctx)
    if len(tools) != len(request.tools):
        origins.keep(("tools",), kept)
    reduced = msgspec.structs.replace(request, messages=messages, system=system, tools=tools)
    return (request if reduced == request else reduced), origins


# ============================================================================================
# 3. Lower: the body of the reduced, planned and merged request


def _wire_source(source: Any) -> dict[str, Any]:
    match source:
        case Base64Source(data=data):
            return {"bytes": data}
        case UrlSource(url=url):
            return {"s3Location": {"uri": url}}
        case TextSource(text=text):
            return {"text": text}
    raise AssertionError(f"a {type(source).__name__} is dropped before lowering")


class _Lowering:
    """Lowers one reduced request; every path it reports is a path of the reduced request, which
    ``ctx`` maps to the caller's."""

    def __init__(self, ctx: EncodeContext) -> None:
        self.ctx = ctx

    def options(self, obj: dict[str, Any], options: Any, path: IRPath, reserved: frozenset[str]) -> dict[str, Any]:
        """Merge the item's raw options into ``obj`` (the one rule: ``merge_options``); ``reserved``
        are the keys of this wire object that the IR writes or decode would read."""
        own = own_options(options, path, self.ctx)
        return merge_options(obj, own, path=path, ctx=self.ctx, mapped=reserved)

    # -- parts -----------------------------------------------------------------------------------

    def part(self, part: Part, path: IRPath, role: str) -> dict[str, Any]:
        return LOWER_PART[type(part)](self, part, path, role)

    def media(self, source: Any, table: Mapping[str, str], path: IRPath) -> dict[str, Any]:
        """``{"format", "source"}`` of an image, audio or binary document."""
        url = source.url if isinstance(source, UrlSource) else None
        fmt = format_for(source.media_type, url, table)
        assert fmt is not None, "a source with no format is dropped before lowering"
        if table[fmt] != source.media_type:
            why = f"sent as format {fmt!r}, read back as {table[fmt]!r}"
            self.ctx.lossy((*path, "source", "media_type"), LossKind.CHANGED, why)
        return {"format": fmt, "source": _wire_source(source)}

    def text(self, part: Text, path: IRPath, role: str) -> dict[str, Any]:
        return self.options({"text": part.text}, part.provider_options, path, WRAPPER_KEYS)

    def image(self, part: Image, path: IRPath, role: str) -> dict[str, Any]:
        obj = self.media(part.source, IMAGE_FORMATS, path)
        return {"image": self.options(obj, part.provider_options, path, MEDIA_KEYS)}

    def audio(self, part: Audio, path: IRPath, role: str) -> dict[str, Any]:
        obj = self.media(part.source, AUDIO_FORMATS, path)
        return {"audio": self.options(obj, part.provider_options, path, MEDIA_KEYS)}

    def document(self, part: Document, path: IRPath, role: str) -> dict[str, Any]:
        src = part.source
        if isinstance(src, TextSource):
            fmt = format_for(src.media_type, None, DOCUMENT_FORMATS)
            if fmt is None or fmt not in TEXT_DOCUMENT_FORMATS:
                fmt = "txt"
            if DOCUMENT_FORMATS[fmt] != src.media_type:
                why = f"sent as format {fmt!r}, read back as {DOCUMENT_FORMATS[fmt]!r}"
                self.ctx.lossy((*path, "source", "media_type"), LossKind.CHANGED, why)
            obj: dict[str, Any] = {"format": fmt, "source": _wire_source(src)}
        else:
            obj = self.media(src, DOCUMENT_FORMATS, path)
        name = doc_name(part.name)
        if (None if name == DEFAULT_DOCUMENT_NAME else name) != part.name:
            self.ctx.lossy(
                (*path, "name"),
                LossKind.CHANGED,
                "Bedrock requires a document name of letters, digits, single spaces, '-', '()', '[]'; "
                f"sent as {name!r}",
            )
        out: dict[str, Any] = {"format": obj["format"], "name": name, "source": obj["source"]}
        if part.context is not None:
            out["context"] = part.context
        if part.citations is not None:
            out["citations"] = {"enabled": part.citations}
        return {"document": self.options(out, part.provider_options, path, DOCUMENT_KEYS)}

    def json(self, part: Json, path: IRPath, role: str) -> dict[str, Any]:
        return self.options({"json": part.value}, part.provider_options, path, WRAPPER_KEYS)

    def tool_use(self, part: ToolUse, path: IRPath, role: str) -> dict[str, Any]:
        obj = {"toolUseId": part.id, "name": part.name, "input": part.input}
        return {"toolUse": self.options(obj, part.provider_options, path, TOOL_USE_KEYS)}

    def tool_result(self, part: ToolResult, path: IRPath, role: str) -> dict[str, Any]:
        content = [self.part(q, (*path, "content", k), "tool_result") for k, q in enumerate(part.content)]
        obj: dict[str, Any] = {"toolUseId": part.tool_use_id, "content": content}
        if part.is_error:
            obj["status"] = "error"
        return {"toolResult": self.options(obj, part.provider_options, path, TOOL_RESULT_KEYS)}

    def thinking(self, part: Thinking, path: IRPath, role: str) -> dict[str, Any]:
        text: dict[str, Any] = {"text": part.text}
        if part.signature is not None:
            text["signature"] = part.signature
        obj = {"reasoningText": text}
        return {"reasoningContent": self.options(obj, part.provider_options, path, REASONING_KEYS)}

    def redacted(self, part: RedactedThinking, path: IRPath, role: str) -> dict[str, Any]:
        obj = {"redactedContent": part.data}
        return {"reasoningContent": self.options(obj, part.provider_options, path, REASONING_KEYS)}

    def refusal(self, part: Refusal, path: IRPath, role: str) -> dict[str, Any]:
        self.ctx.lossy(path, LossKind.CHANGED, "Bedrock has no refusal block; sent as a text block")
        return self.options({"text": part.text}, part.provider_options, path, WRAPPER_KEYS)

    def provider(self, part: ProviderPart, path: IRPath, role: str) -> dict[str, Any]:
        back = _lift_own(part, role)
        if not (isinstance(back, ProviderPart) and back.data == part.data):
            self.ctx.lossy(path, LossKind.CHANGED, f"this block is read back as an IR {type(back).__name__} part")
        return dict(part.data)

    # -- lists -----------------------------------------------------------------------------------

    def messages(self, merged: list[Message], reduced: list[Message]) -> list[dict[str, Any]]:
        # merge_consecutive_turns joined runs of reduced turns (none of them empty) in order: walk
        # the reduced turns in step, so that each part is reported at its reduced path.
        sources: Iterator[int] = iter(range(len(reduced)))
        out: list[dict[str, Any]] = []
        firsts: list[int] = []
        for m in merged:
            first = i = next(sources)
            size = len(reduced[i].content)
            while size < len(m.content):  # m is reduced turns first .. i, merged
                i = next(sources)
                size += len(reduced[i].content)
            paths: list[IRPath] | None = None  # built for the first part that needs its path
            content: list[dict[str, Any]] = []
            for k, p in enumerate(m.content):
                if plain_text(p):
                    content.append({"text": p.text})  # _plain_block's first case, at once
                    continue
                block = _plain_block(p)
                if block is not None:
                    content.append(block)
                    continue
                if paths is None:
                    turns = range(first, i + 1)
                    paths = [("messages", t, "content", j) for t in turns for j in range(len(reduced[t].content))]
                    assert len(paths) == len(m.content)
                content.append(self.part(p, paths[k], m.role))
                if p.cache is not None:
                    content.append(cache_point(p.cache))
            msg = {"role": m.role, "content": content}
            if m.provider_options:
                msg = self.options(msg, m.provider_options, ("messages", first), MESSAGE_KEYS)
            out.append(msg)  # without options, what self.options returns: msg itself
            firsts.append(first)
        # Converse: "A conversation must start with a user message." System-role turns may come
        # first; the first other turn must be a user turn.
        for n, msg in enumerate(out):
            if msg["role"] == "system":
                continue
            if msg["role"] == "assistant":
                # An inserted turn has no path of its own in the request: the list is what differs.
                before: IRPath = ("messages", firsts[n])
                if self.ctx.origins is not None:
                    before = self.ctx.origins.original(before)
                self.ctx.lossy(
                    ("messages",),
                    LossKind.CHANGED,
                    f"Bedrock conversations open with a user turn; a user turn {LEADING_USER_TEXT!r} "
                    f"is inserted before {render(before)}",
                )
                out.insert(n, {"role": "user", "content": [{"text": LEADING_USER_TEXT}]})
            break
        return out

    def system(self, blocks: list[SystemBlock]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i, block in enumerate(blocks):
            path = ("system", i)
            if block.text == "":
                # a guardContent block (the only empty one reduce keeps) is its raw options
                out.append(self.options({}, block.provider_options, path, SYSTEM_KEYS - {"guardContent"}))
            else:
                out.append(self.options({"text": block.text}, block.provider_options, path, SYSTEM_KEYS))
            if block.cache is not None:
                out.append(cache_point(block.cache))
        return out

    def tool(self, t: ToolSpec, path: IRPath) -> dict[str, Any]:
        match t:
            case ProviderTool():
                back = lift_tool(t.data, "$")
                if not (isinstance(back, ProviderTool) and back.data == t.data):
                    self.ctx.lossy(path, LossKind.CHANGED, f"this tool is read back as an IR {type(back).__name__}")
                return dict(t.data)
            case Tool():
                spec: dict[str, Any] = {"name": t.name}
                if t.description:
                    spec["description"] = t.description
                elif t.description is not None:
                    why = "Bedrock tool descriptions must not be empty; not sent"
                    self.ctx.lossy((*path, "description"), LossKind.DROPPED, why)
                spec["inputSchema"] = {"json": t.input_schema}
                if t.strict is not None:
                    spec["strict"] = t.strict
                return {"toolSpec": self.options(spec, t.provider_options, path, TOOL_SPEC_KEYS)}
        raise AssertionError(f"no lowering for {type(t).__name__}")

    def tool_config(self, request: Request) -> dict[str, Any]:
        tools: list[dict[str, Any]] = []
        for i, t in enumerate(request.tools):
            tools.append(self.tool(t, ("tools", i)))
            if t.cache is not None:
                tools.append(cache_point(t.cache))
        choice = request.tool_choice
        if choice is None:
            return {"tools": tools} if tools else {}
        if not tools:
            why = "Bedrock takes a tool choice only with tools (toolConfig.tools needs one); not sent"
            self.ctx.lossy(("tool_choice",), LossKind.DROPPED, why)
            return {}
        config: dict[str, Any] = {"tools": tools}
        if choice.mode == "auto":
            config["toolChoice"] = {"auto": {}}
        elif choice.mode == "required":
            config["toolChoice"] = {"any": {}}
        elif choice.mode == "tool" and choice.name:
            config["toolChoice"] = {"tool": {"name": choice.name}}
        else:
            why = f"Bedrock ToolChoice has auto, any and tool only, no {choice.mode!r}; not sent"
            self.ctx.lossy(("tool_choice",), LossKind.DROPPED, why)
        return config

    # -- settings --------------------------------------------------------------------------------

    def inference(self, request: Request) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if request.max_tokens is not None:
            if request.max_tokens >= 1:
                out["maxTokens"] = request.max_tokens
            else:
                self.ctx.lossy(("max_tokens",), LossKind.DROPPED, "Bedrock maxTokens must be at least 1; not sent")
        for field, wire in (("temperature", "temperature"), ("top_p", "topP")):
            value = getattr(request, field)
            if value is None:
                continue
            # InferenceConfiguration: temperature and topP lie in [0, 1].
            clamped = float(min(max(value, 0.0), 1.0))
            if clamped != value or type(value) is not float:
                kind = LossKind.APPROXIMATED if clamped != value else LossKind.CHANGED
                self.ctx.lossy((field,), kind, f"Bedrock {wire} is a float in [0, 1]; sent as {clamped}")
            out[wire] = clamped
        if request.stop is not None:
            stops = []
            for k, s in enumerate(request.stop):
                if s:
                    stops.append(s)
                else:
                    self.ctx.lossy(("stop", k), LossKind.DROPPED, "Bedrock stop sequences must not be empty; dropped")
            out["stopSequences"] = stops
        return out

    def additional_fields(self, request: Request) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if request.top_k is not None:
            # Converse has no topK; Anthropic models read top_k from additionalModelRequestFields
            # (AWS user guide, "Anthropic Claude Messages API" inference parameters).
            out["top_k"] = request.top_k
        if request.reasoning is not None:
            # Claude extended thinking on Converse: additionalModelRequestFields.thinking.
            thinking: dict[str, Any] = {"type": request.reasoning.type}
            if request.reasoning.budget_tokens is not None:
                thinking["budget_tokens"] = request.reasoning.budget_tokens
            out["thinking"] = thinking
        return out

    def metadata(self, metadata: dict[str, str]) -> dict[str, str]:
        # botocore RequestMetadata: 1-16 pairs, keys and values of a restricted alphabet.
        out: dict[str, str] = {}
        for key, val in metadata.items():
            if len(out) >= 16:
                why = "Bedrock requestMetadata holds at most 16 pairs; dropped"
                self.ctx.lossy(("metadata", key), LossKind.DROPPED, why)
            elif META_KEY.match(key) and META_VALUE.match(val):
                out[key] = val
            else:
                why = "characters outside Bedrock's requestMetadata pattern; dropped"
                self.ctx.lossy(("metadata", key), LossKind.DROPPED, why)
        if not metadata:
            self.ctx.lossy(("metadata",), LossKind.DROPPED, "Bedrock requestMetadata needs at least one pair; not sent")
        return out

    def output_config(self, request: Request) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if request.response_format is not None:
            fmt = self.text_format(request.response_format)
            if fmt is not None:
                out["textFormat"] = fmt
        if request.reasoning_effort is not None:
            if len(request.reasoning_effort) <= 16:
                out["effort"] = request.reasoning_effort
            else:
                why = "Bedrock outputConfig.effort is at most 16 characters; not sent"
                self.ctx.lossy(("reasoning_effort",), LossKind.DROPPED, why)
        return out

    def text_format(self, rf: ResponseFormat) -> dict[str, Any] | None:
        # OutputConfig.textFormat: only json_schema, with the schema as a JSON string.
        if rf.type != "json_schema" or rf.schema is None:
            why = f"Bedrock outputConfig.textFormat takes a JSON schema only, not {rf.type!r} without one; not sent"
            self.ctx.lossy(("response_format",), LossKind.DROPPED, why)
            return None
        schema: dict[str, Any] = {"schema": msgspec.json.encode(rf.schema).decode()}
        if rf.name is not None:
            schema["name"] = rf.name
        if rf.description is not None:
            schema["description"] = rf.description
        if rf.strict is not None:
            why = "Bedrock JsonSchemaDefinition has no strict flag; not sent"
            self.ctx.lossy(("response_format", "strict"), LossKind.DROPPED, why)
        return {"type": "json_schema", "structure": {"jsonSchema": schema}}

    def root_options(self, body: dict[str, Any], options: Any) -> None:
        """Merge the request's raw options into the body, key by key in their order. The nested
        objects decode keeps unknown fields of (``NESTED_ROOT``) merge field by field."""
        for key, value in own_options(options, (), self.ctx).items():
            if key in NESTED_ROOT and isinstance(value, dict) and value:
                target = body.get(key, {})
                mapped = {sub for sub, v in value.items() if ir_mapped(key, sub, v)}
                merge_options(target, value, path=(), ctx=self.ctx, mapped=mapped, nested=(key,))
                if target:
                    body[key] = target
            else:
                merge_options(body, {key: value}, path=(), ctx=self.ctx, mapped=ROOT_KEYS | frozenset(NESTED_ROOT))


def _plain_block(part: Part) -> dict[str, Any] | None:
    """The wire block of a part with no mark and no options that lowers with nothing to merge or
    report (a Text, a ToolUse, a ToolResult of such Texts), written at once; None for any other
    part. Equivalent to ``_Lowering.part`` (``text``, ``tool_use``, ``tool_result``) for them:
    ``self.options`` returns the object as it is when there are no options, and no cachePoint
    follows an unmarked part."""
    if plain_text(part):
        return {"text": part.text}
    if plain_call(part):
        return {"toolUse": {"toolUseId": part.id, "name": part.name, "input": part.input}}
    if plain_result(part):
        texts = [{"text": t} for t in plain_texts(part.content) or ()]  # None for no content
        obj: dict[str, Any] = {"toolUseId": part.tool_use_id, "content": texts}
        if part.is_error:
            obj["status"] = "error"
        return {"toolResult": obj}
    return None


LOWER_PART: dict[type[Any], Callable[[_Lowering, Any, IRPath, str], dict[str, Any]]] = {
    Text: _Lowering.text,
    Image: _Lowering.image,
    Audio: _Lowering.audio,
    Document: _Lowering.document,
    Json: _Lowering.json,
    ToolUse: _Lowering.tool_use,
    ToolResult: _Lowering.tool_result,
    Thinking: _Lowering.thinking,
    RedactedThinking: _Lowering.redacted,
    Refusal: _Lowering.refusal,
    ProviderPart: _Lowering.provider,
}
"""IR part type -> its lowering (``provider_options`` merge into the object that *is* the part:
the union wrapper for text and json, the wrapper's value otherwise)."""


def lower_request(request: Request, reduced: Request, ctx: EncodeContext) -> dict[str, Any]:
    """The Converse body of ``request`` (the reduced request after the passes); ``reduced`` is
    the request the passes ran on, ``ctx`` maps its paths to the caller's."""
    low = _Lowering(ctx)
    body: dict[str, Any] = {}
    messages = low.messages(request.messages, reduced.messages)
    if messages:
        body["messages"] = messages
    system = low.system(request.system)
    if system:
        body["system"] = system
    inference = low.inference(request)
    if inference:
        body["inferenceConfig"] = inference
    tool_config = low.tool_config(request)
    if tool_config:
        body["toolConfig"] = tool_config
    extra = low.additional_fields(request)
    if extra:
        body["additionalModelRequestFields"] = extra
    if request.metadata is not None:
        meta = low.metadata(request.metadata)
        if meta:
            body["requestMetadata"] = meta
    output = low.output_config(request)
    if output:
        body["outputConfig"] = output
    low.root_options(body, request.provider_options)
    return body
