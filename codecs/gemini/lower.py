"""IR -> generateContent body.

:meth:`GeminiCodec._encode <ir_codec.codecs.gemini.GeminiCodec._encode>` runs three steps:

1. :func:`reduce_request` drops what the body has no place for at all (redacted thinking, other
   codecs' provider parts and tools, provider parts that are no valid Gemini part, parts inside
   a function response that it cannot hold, system / tools / tool_choice beside a
   ``cachedContent`` reference), each reported at the caller's path with kind ``dropped``, and
   records the :class:`~ir_codec.codec.Origins` of every list it rebuilt;
2. the profile's passes (the cache planner) and
3. :func:`lower_request` run with ``ctx.through(origins)``, so every later loss names the
   caller's path (the realignment rule of ``spec/losses.md``).

Raw ``provider_options["gemini"]`` are merged by :func:`~ir_codec.lowering.merge_options` (deep:
``generationConfig``, a part's ``inlineData`` or ``functionCall`` merge member by member).

Contents have the roles ``user`` and ``model`` only: a leading system message of plain texts,
in a request without system blocks, is the ``systemInstruction`` (it reads back as the system
blocks, reported); a system message elsewhere goes in as a user turn (reported).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, assert_never

import msgspec

from ir_codec.codec import EncodeContext, Origins, wire_convert
from ir_codec.errors import DecodeError, LossKind
from ir_codec.ir import (
    Audio,
    Base64Source,
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
from ir_codec.lowering import merge_options, own_options, plain_call, plain_text, plain_texts
from ir_codec.paths import IRPath

from .lift import PART_KINDS
from .wire import (
    EFFORTS,
    MODES,
    NAME,
    OBJECT_SCHEMA,
    TOOL_FIELDS,
    WPart,
    camel_keys,
    check_response_parts,
    is_bare_json,
    kind_for,
    norm_part,
    omit_derived_ids,
    uri_is_file,
)

__all__ = ["lower_request", "reduce_request"]

DROPPED, CHANGED = LossKind.DROPPED, LossKind.CHANGED

# --------------------------------------------------------------------------------------------
# 1. Reduce: what the body cannot hold at all

# Gemini rejects systemInstruction, tools and toolConfig next to cachedContent (400: "Tool config,
# tools and system instruction should not be set in the request when using cached content";
# PROVIDERS.md 7b): the cache must already hold them.
_BESIDE_CACHE: dict[str, str] = {
    "system": "Gemini rejects systemInstruction with cachedContent; dropped (the cache holds it)",
    "tools": "Gemini rejects tools with cachedContent; dropped (the cache holds them)",
    "tool_choice": "Gemini rejects toolConfig with cachedContent; dropped",
}


def reduce_request(request: Request, ctx: EncodeContext) -> tuple[Request, Origins]:
    """``request`` without what the generateContent body cannot hold, each drop reported at the
    caller's path (kind ``dropped``), and where the kept items of each rebuilt list came from."""
    origins = Origins()
    messages: list[Message] = []
    kept_messages: list[int] = []
    for i, m in enumerate(request.messages):
        # a message of parts that are never dropped is kept as it is (what _reduce_message returns)
        reduced = m if _all_sendable(m.content) else _reduce_message(m, i, len(messages), ctx, origins)
        if not reduced.content:  # the API refuses `parts: []` (PROVIDERS.md §13)
            ctx.lossy(("messages", i), DROPPED, "a turn with no part Gemini can take is dropped (parts: [] is refused)")
            continue
        messages.append(reduced)
        kept_messages.append(i)
    if len(messages) != len(request.messages):
        origins.keep(("messages",), kept_messages)
    changes: dict[str, Any] = {"messages": messages}
    cached = "cachedContent" in request.provider_options.get(NAME, {})
    if cached and request.system:
        ctx.lossy(("system",), DROPPED, _BESIDE_CACHE["system"])
        changes["system"] = []
    if cached and request.tools:
        ctx.lossy(("tools",), DROPPED, _BESIDE_CACHE["tools"])
        changes["tools"] = []
    else:
        tools, kept = _kept(request.tools, _unsendable_tool, ("tools",), ctx)
        if len(kept) != len(request.tools):
            origins.keep(("tools",), kept)
            changes["tools"] = tools
    if cached and request.tool_choice is not None:
        ctx.lossy(("tool_choice",), DROPPED, _BESIDE_CACHE["tool_choice"])
        changes["tool_choice"] = None
    return msgspec.structs.replace(request, **changes), origins


def _kept(
    items: list[Any], unsendable: Callable[[Any], str | None], path: IRPath, ctx: EncodeContext
) -> tuple[list[Any], list[int]]:
    """The items of the caller's list at ``path`` that ``unsendable`` finds no reason to drop,
    and their indices; the others are reported dropped at their own path."""
    kept: list[Any] = []
    indices: list[int] = []
    for k, item in enumerate(items):
        why = unsendable(item)
        if why is None:
            kept.append(item)
            indices.append(k)
        else:
            ctx.lossy((*path, k), DROPPED, why)
    return kept, indices


_SENDABLE: frozenset[type] = frozenset({Text, Thinking, Refusal, Json, ToolUse})
"""IR part types :func:`_unsendable_part` never drops (no source, no inner parts)."""
_SENDABLE_IN_RESULT: frozenset[type] = frozenset((Text, Json))
"""IR part types :func:`_unsendable_in_result` never drops."""


def _all_sendable(content: list[Part]) -> bool:
    """Whether no part of ``content``, nor of a tool result in it, can be dropped:
    :func:`_reduce_message` would return the message as it is."""
    for p in content:
        if type(p) in _SENDABLE:
            continue
        if type(p) is not ToolResult:
            return False
        for q in p.content:
            if type(q) not in _SENDABLE_IN_RESULT:
                return False
    return True


def _reduce_message(m: Message, i: int, at: int, ctx: EncodeContext, origins: Origins) -> Message:
    """Message ``i`` of the caller's request, which stands at ``at`` in the reduced one."""
    path = ("messages", i, "content")
    reduced_path = ("messages", at, "content")
    content, kept = _kept(m.content, _unsendable_part, path, ctx)
    changed = len(kept) != len(m.content)
    if changed:
        origins.keep(reduced_path, kept)
    for j, p in enumerate(content):  # j: the index in the reduced list, kept[j]: the caller's
        if isinstance(p, ToolResult):
            inner, inner_kept = _kept(p.content, _unsendable_in_result, (*path, kept[j], "content"), ctx)
            if len(inner_kept) != len(p.content):
                origins.keep((*reduced_path, j, "content"), inner_kept)
                content[j] = msgspec.structs.replace(p, content=inner)
                changed = True
    return msgspec.structs.replace(m, content=content) if changed else m


def _unsendable_part(p: Part) -> str | None:
    match p:
        case RedactedThinking():
            return "Gemini has no redacted thinking part; dropped"
        case ProviderPart(codec=codec) if codec != NAME:
            return f"a {codec!r} provider part cannot be sent to Gemini; dropped"
        case ProviderPart():
            return _invalid_part(p.data)
        case _:
            return _bare_file_id(p)


_BARE_ID = "Gemini fileUri must be a URI (a Files API URI, files/..., gs://), not a bare file id; dropped"


def _bare_file_id(p: Any) -> str | None:
    """A file source whose id is no URI and no Files API name (PROVIDERS.md §13)."""
    src = getattr(p, "source", None)
    if isinstance(src, FileSource) and "://" not in src.file_id and not src.file_id.startswith("files/"):
        return _BARE_ID
    return None


def _unsendable_in_result(q: Any) -> str | None:
    # types.FunctionResponse holds `response` (JSON) and `parts` (inline or file data) only
    if isinstance(q, ProviderPart):
        return "Gemini function responses cannot hold provider parts; dropped"
    return _bare_file_id(q)


def _unsendable_tool(t: ToolSpec) -> str | None:
    if isinstance(t, ProviderTool):
        if t.codec != NAME:
            return f"a {t.codec!r} provider tool cannot be sent to Gemini; dropped"
        if not t.data:
            return "an empty provider tool is no Gemini tool; dropped"
    return None


def _invalid_part(data: dict[str, Any]) -> str | None:
    """Why the opaque ``data`` of a gemini provider part is not a part the API (and decode)
    accepts, or None when it is."""
    try:
        norm = norm_part(data, "$")
        wire_convert(norm, WPart)
        if "functionResponse" in norm:
            check_response_parts(norm["functionResponse"].get("parts", []), "$.functionResponse")
    except DecodeError as exc:
        return f"this provider part is not a valid Gemini part ({exc}); dropped"
    return None


# --------------------------------------------------------------------------------------------
# 2. Lower (paths are those of the reduced request; ctx maps them back to the caller's)

_ROOT_MAPPED = frozenset({"contents", "systemInstruction", "tools"})
"""Top-level fields decode always lifts into the IR: a raw copy would not survive a round trip."""
_DECL_MAPPED = frozenset({"description", "parametersJsonSchema"})
"""Declaration fields decode lifts into the IR tool (``parameters`` stays raw: see _lower_decl)."""


def lower_request(request: Request, ctx: EncodeContext) -> dict[str, Any]:
    """The generateContent body of a reduced request (see :func:`reduce_request`)."""
    raw = own_options(request.provider_options, (), ctx)
    # The model is part of the URL (`{model}:generateContent`) and streaming is the endpoint:
    # both travel in Encoded.endpoint (Codec.URL_FIELDS), not the body.
    names: dict[str, str] = {}
    for m in request.messages:
        for q in m.content:
            if isinstance(q, ToolUse):
                names.setdefault(q.id, q.name)
    msgs = request.messages
    leading = _leading_system(request)
    start = 0 if leading is None else 1
    body: dict[str, Any] = {"contents": [_lower_message(msgs[i], i, names, ctx) for i in range(start, len(msgs))]}
    if request.system:
        body["systemInstruction"] = {"parts": [_lower_system(b, i, ctx) for i, b in enumerate(request.system)]}
    elif leading is not None:
        body["systemInstruction"] = {"parts": [{"text": t} for t in leading]}
        own_options(msgs[0].provider_options, ("messages", 0), ctx)  # reports other codecs' options
        _report_leading_system(request, ctx)
    tools = _lower_tools(request.tools, ctx)
    if tools:
        body["tools"] = tools
    if request.tool_choice is not None:
        body["toolConfig"] = _lower_choice(request.tool_choice, ctx)
    gen = _lower_generation(request, ctx)
    if gen:
        body["generationConfig"] = gen
    body = merge_options(body, raw, path=(), ctx=ctx, mapped=_ROOT_MAPPED, deep=True)
    omit_derived_ids(body["contents"])
    return body


def _leading_system(request: Request) -> list[str] | None:
    """The texts of a leading system message that goes into ``systemInstruction`` (a request
    without system blocks whose first message is a system message of plain texts: Chat's
    ``system`` message where the codec reads ``developer``, a Responses ``system`` item), else
    None. Gemini contents have no system role; a turn of instructions is no user turn."""
    if request.system or not request.messages or request.messages[0].role != "system":
        return None
    if "cachedContent" in request.provider_options.get(NAME, {}):
        return None  # Gemini rejects systemInstruction beside cachedContent (_BESIDE_CACHE)
    if NAME in request.messages[0].provider_options:
        return None  # a turn's own fields: systemInstruction takes parts (and role) only
    return plain_texts(request.messages[0].content)


def _report_leading_system(request: Request, ctx: EncodeContext) -> None:
    """The leading system message reads back as the system blocks (the rule Chat reports by)."""
    why = "a leading system message is sent as systemInstruction, which reads back as the top-level system blocks"
    ctx.lossy(("system",), CHANGED, why)
    msgs = request.messages
    if len(msgs) > 1 and msgs[1].role == "system":
        # the next message, a system message too, takes its place when read back: a reader that
        # pairs messages by shape cannot tell which went (spec/losses.md), so the list is named
        why = "messages[0] is read back as the top-level system blocks; messages[1], a system message too, moves up"
        ctx.lossy(("messages",), LossKind.MOVED, why)
    else:
        ctx.lossy(("messages", 0), LossKind.MOVED, "read back as the top-level system blocks")


def _lower_system(block: SystemBlock, i: int, ctx: EncodeContext) -> dict[str, Any]:
    path = ("system", i)
    return merge_options(
        {"text": block.text}, own_options(block.provider_options, path, ctx), path=path, ctx=ctx, deep=True
    )


def _lower_message(m: Message, i: int, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
    path = ("messages", i)
    if m.role == "system":
        # Gemini contents have roles user and model only (types.Content.role); instructions in
        # the middle of a conversation go in as a user turn.
        ctx.lossy((*path, "role"), CHANGED, "Gemini has no system role in contents; sent as a user turn")
    parts: list[dict[str, Any]] = []
    for j, p in enumerate(m.content):
        # the common parts, without a mark or options, written at once (what _LOWER_PART gives them)
        if plain_text(p):
            parts.append({"text": p.text})
        elif plain_call(p):
            parts.append({"functionCall": {"id": p.id, "name": p.name, "args": p.input}})
        elif type(p) is ToolResult and (text := _plain_result(p, names)) is not None:
            key = "error" if p.is_error else "output"
            fr = {"id": p.tool_use_id, "name": names[p.tool_use_id], "response": {key: text}}
            parts.append({"functionResponse": fr})
        else:
            parts.append(_LOWER_PART[type(p)](p, (*path, "content", j), names, ctx))
    content = {"role": "model" if m.role == "assistant" else "user", "parts": parts}
    if not m.provider_options:  # nothing to merge (merge_options of no options)
        return content
    return merge_options(content, own_options(m.provider_options, path, ctx), path=path, ctx=ctx, deep=True)


def _plain_result(p: ToolResult, names: dict[str, str]) -> str | None:
    """The text of a tool result that answers a call of this request with one plain text part,
    without a mark or options (else None): :func:`_lower_tool_result` then writes ``{"id", "name",
    "response": {"output" | "error": text}}`` with nothing to merge or report."""
    if p.cache is None and not p.provider_options and p.tool_use_id in names and len(p.content) == 1:
        q = p.content[0]
        if plain_text(q):
            return q.text
    return None


# -- parts: IR part type -> lowering function (_LOWER_PART)


def _with_options(
    wire: dict[str, Any],
    p: Any,
    path: IRPath,
    ctx: EncodeContext,
    mapped: frozenset[str] = frozenset(),
    raw: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Merge the part's raw options (``raw``, else its own_options) into its wire part. A raw
    payload field that outranks the part's own (PART_KINDS) would make decode lift another kind
    of part: like a field the IR writes, it is not sent."""
    if raw is None:
        if not p.provider_options:
            return wire
        raw = own_options(p.provider_options, path, ctx)
    if not raw:
        return wire
    own = next((n for n, key in enumerate(PART_KINDS) if key in wire), len(PART_KINDS))
    blocked = mapped | frozenset(PART_KINDS[:own])
    return merge_options(wire, raw, path=path, ctx=ctx, mapped=blocked, deep=True)


def _lower_text(p: Text, path: IRPath, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
    return _with_options({"text": p.text}, p, path, ctx)


def _lower_thinking(p: Thinking, path: IRPath, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
    # Thought parts are text parts with `thought: true`; the signature is echoed back as
    # `thoughtSignature` (types.Part.thought / thought_signature).
    wire: dict[str, Any] = {"text": p.text, "thought": True}
    if p.signature is not None:
        wire["thoughtSignature"] = p.signature
    return _with_options(wire, p, path, ctx, mapped=frozenset({"thoughtSignature"}))


def _lower_refusal(p: Refusal, path: IRPath, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
    ctx.lossy(path, CHANGED, "Gemini has no refusal part; sent as a text part")
    return _with_options({"text": p.text}, p, path, ctx)


def _lower_json(p: Json, path: IRPath, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
    ctx.lossy(path, CHANGED, "Gemini has no JSON part outside a function response; sent as JSON text")
    return _with_options({"text": msgspec.json.encode(p.value).decode()}, p, path, ctx)


def _lower_media(
    p: Image | Document | Audio, path: IRPath, names: dict[str, str], ctx: EncodeContext
) -> dict[str, Any]:
    return _with_options(_media(p, path, ctx), p, path, ctx)


def _media(p: Image | Document | Audio, path: IRPath, ctx: EncodeContext) -> dict[str, Any]:
    src = p.source
    src_path = (*path, "source")
    wire: dict[str, Any]
    match src:
        case Base64Source():
            wire = {"inlineData": {"mimeType": src.media_type, "data": src.data}}
        case TextSource():
            ctx.lossy(src_path, CHANGED, "Gemini has no plain-text document source; sent as base64 inline data")
            data = base64.b64encode(src.text.encode()).decode()
            wire = {"inlineData": {"mimeType": src.media_type, "data": data}}
        case FileSource() | UrlSource():
            uri = src.file_id if isinstance(src, FileSource) else src.url
            fd: dict[str, Any] = {"fileUri": uri}
            if src.media_type is not None:
                fd["mimeType"] = src.media_type
            wire = {"fileData": fd}
            if isinstance(src, FileSource) and not uri_is_file(uri):
                ctx.lossy(
                    src_path, CHANGED, "a file id that looks like a URL is sent as fileUri and reads back as a URL"
                )
            elif isinstance(src, UrlSource) and uri_is_file(uri):
                ctx.lossy(src_path, CHANGED, "this URL is a Gemini file URI (or no URL); it reads back as a file id")
        case _:
            assert_never(src)
    mime = src.media_type
    kind = kind_for(mime)
    if kind is not type(p):
        ctx.lossy(
            path, CHANGED, f"Gemini tells part kinds by MIME type; {mime!r} reads back as {kind.__name__.lower()}"
        )
    elif isinstance(p, Document):
        for field in ("name", "context", "citations"):
            if getattr(p, field) is not None:
                ctx.lossy((*path, field), DROPPED, f"Gemini documents have no {field}")
    return wire


def _lower_provider(p: ProviderPart, path: IRPath, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
    # reduce_request dropped other codecs' parts and invalid ones: the data is sent as it is.
    norm = norm_part(p.data, "$")
    if norm != p.data or any(key in norm for key in PART_KINDS):
        ctx.lossy(
            path,
            CHANGED,
            "this provider part is a standard Gemini part (or not in canonical form) and reads back differently",
        )
    return dict(p.data)


def _lower_tool_use(p: ToolUse, path: IRPath, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
    # types.FunctionCall{id, name, args}; the id keeps IR tool-call ids stable.
    return _with_options({"functionCall": {"id": p.id, "name": p.name, "args": p.input}}, p, path, ctx)


def _lower_tool_result(p: ToolResult, path: IRPath, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
    # types.FunctionResponse.response: "Use 'output' key to specify function output and 'error'
    # key to specify error details"; multimodal results go in FunctionResponse.parts.
    raw = own_options(p.provider_options, path, ctx)
    fr: dict[str, Any] = {"id": p.tool_use_id}
    raw_fr = raw.get("functionResponse")
    if not (isinstance(raw_fr, dict) and isinstance(raw_fr.get("name"), str)):
        # the name of the matching call; a name recorded on decode is merged in with the options
        if p.tool_use_id in names:
            fr["name"] = names[p.tool_use_id]
        else:
            ctx.lossy(path, CHANGED, "no tool call with this id in the request; the id is sent as the function name")
            fr["name"] = p.tool_use_id
    data: list[Any] = []
    media: list[dict[str, Any]] = []
    media_first = False  # a media part before a text or JSON part: `parts` come after `response`
    for k, q in enumerate(p.content):
        qpath = (*path, "content", k)
        match q:
            case Text():
                data.append(q.text)
                media_first = media_first or bool(media)
            case Json():
                data.append(q.value)
                media_first = media_first or bool(media)
            case Image() | Document() | Audio():
                media.append(_media(q, qpath, ctx))
            case ProviderPart():
                continue  # dropped by reduce_request
            case _:
                assert_never(q)
        for c in q.provider_options:
            ctx.lossy(
                (*qpath, "provider_options", c), DROPPED, "options of a part inside a tool result are not carried"
            )
    fr["response"] = _response(p, data)
    if media:
        fr["parts"] = media
    if media_first or not _reads_back(p, data):
        ctx.lossy(
            (*path, "content"),
            CHANGED,
            "Gemini reads this result back differently: text and JSON travel "
            'in one `response` object ({"output": ...} / {"error": ...}), media in `parts` after it',
        )
    return _with_options({"functionResponse": fr}, p, path, ctx, raw=raw)


def _response(p: ToolResult, data: list[Any]) -> Any:
    key = "error" if p.is_error else "output"
    if not data:
        return {"error": None} if p.is_error else {}
    if len(data) > 1:
        return {key: data}
    if p.is_error or any(isinstance(q, Text) for q in p.content) or not is_bare_json(data[0]):
        return {key: data[0]}
    return data[0]


def _reads_back(p: ToolResult, data: list[Any]) -> bool:
    """Whether :func:`_response` of these text / JSON values decodes to the same parts
    (lift.lift_result): one text, or one JSON value that is neither a string nor (as an error)
    null nor (as a success) an object that reads as a wrapper; never several values."""
    if len(data) != 1:
        return not data
    if any(isinstance(q, Text) for q in p.content):
        return True
    value = data[0]
    if p.is_error:
        return not isinstance(value, str) and value is not None
    return is_bare_json(value)


_LowerPart = Callable[[Any, IRPath, dict[str, str], EncodeContext], dict[str, Any]]
_LOWER_PART: dict[type, _LowerPart] = {
    Text: _lower_text,
    Thinking: _lower_thinking,
    Refusal: _lower_refusal,
    Json: _lower_json,
    Image: _lower_media,
    Document: _lower_media,
    Audio: _lower_media,
    ProviderPart: _lower_provider,
    ToolUse: _lower_tool_use,
    ToolResult: _lower_tool_result,
}
"""IR part type -> lowering function (RedactedThinking never gets here: reduce_request drops it)."""


# -- tools, tool choice, generation settings


def _lower_tools(tools: list[ToolSpec], ctx: EncodeContext) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    open_decls: list[dict[str, Any]] | None = None  # the functionDeclarations entry being filled
    for i, t in enumerate(tools):
        path = ("tools", i)
        match t:
            case ProviderTool():  # a gemini tool with data (reduce_request dropped the others)
                try:
                    canonical = camel_keys(t.data, TOOL_FIELDS, "$") == t.data
                except DecodeError:
                    canonical = False
                if not canonical or "functionDeclarations" in t.data:
                    ctx.lossy(
                        path,
                        CHANGED,
                        "this provider tool holds function declarations or is not in canonical form; "
                        "it reads back differently",
                    )
                out.append(dict(t.data))
                open_decls = None
            case Tool():
                if open_decls is None:
                    open_decls = []
                    out.append({"functionDeclarations": open_decls})
                open_decls.append(_lower_decl(t, path, ctx))
            case _:
                assert_never(t)
    return out


def _lower_decl(t: Tool, path: IRPath, ctx: EncodeContext) -> dict[str, Any]:
    decl: dict[str, Any] = {"name": t.name}
    if t.description is not None:
        decl["description"] = t.description
    raw = dict(own_options(t.provider_options, path, ctx))
    if "parameters" in raw and raw["parameters"] != t.input_schema:
        del raw["parameters"]
        ctx.lossy(
            (*path, "provider_options", NAME, "parameters"),
            DROPPED,
            "the input schema differs from the OpenAPI `parameters`; parametersJsonSchema is sent",
        )
    # `parametersJsonSchema` takes full JSON Schema (types.FunctionDeclaration), so no keyword is
    # lost; a declaration read with the OpenAPI-subset `parameters` keeps it (as an option).
    if not (raw.get("parameters") == t.input_schema or t.input_schema == OBJECT_SCHEMA):
        decl["parametersJsonSchema"] = t.input_schema
    if t.strict is not None:
        ctx.lossy((*path, "strict"), DROPPED, "Gemini function declarations have no strict flag")
    return merge_options(decl, raw, path=path, ctx=ctx, mapped=_DECL_MAPPED, deep=True)


def _lower_choice(choice: ToolChoice, ctx: EncodeContext) -> dict[str, Any]:
    # types.FunctionCallingConfig: mode AUTO / ANY / NONE; allowedFunctionNames only with ANY.
    if choice.mode == "tool":
        fcc: dict[str, Any] = {"mode": "ANY"}
        if choice.name is not None:
            fcc["allowedFunctionNames"] = [choice.name]
        else:
            ctx.lossy(("tool_choice",), CHANGED, "a forced tool without a name is sent as mode ANY")
    else:
        fcc = {"mode": MODES[choice.mode]}
        if choice.name is not None:
            ctx.lossy(("tool_choice", "name"), DROPPED, f"a name has no meaning with mode {choice.mode!r}; dropped")
    return {"functionCallingConfig": fcc}


_GEN_FIELDS = (
    ("max_tokens", "maxOutputTokens"),
    ("temperature", "temperature"),
    ("top_p", "topP"),
    ("top_k", "topK"),
    ("stop", "stopSequences"),
    ("seed", "seed"),
    ("n", "candidateCount"),
)
"""IR request field -> types.GenerationConfig field."""


def _lower_generation(r: Request, ctx: EncodeContext) -> dict[str, Any]:
    gen: dict[str, Any] = {}
    for field, key in _GEN_FIELDS:
        value = getattr(r, field)
        if value is not None:
            gen[key] = value
    rf = r.response_format
    if rf is not None:
        if rf.type == "text":
            gen["responseMimeType"] = "text/plain"
        else:
            gen["responseMimeType"] = "application/json"
            if rf.type == "json_schema":
                if rf.schema is None:
                    why = "a json_schema format without a schema is sent as plain JSON mode"
                    ctx.lossy(("response_format",), CHANGED, why)
                else:
                    gen["responseJsonSchema"] = rf.schema
        if rf.type != "json_schema" and rf.schema is not None:
            why = f"a schema has no meaning with format {rf.type!r}; dropped"
            ctx.lossy(("response_format", "schema"), DROPPED, why)
        for field in ("name", "description", "strict"):
            if getattr(rf, field) is not None and not (rf.type == "json_schema" and rf.schema is None):
                ctx.lossy(("response_format", field), DROPPED, f"Gemini response schemas have no {field}")
    think = _lower_thinking_config(r, ctx)
    if think:
        gen["thinkingConfig"] = think
    return gen


def _lower_thinking_config(r: Request, ctx: EncodeContext) -> dict[str, Any]:
    think: dict[str, Any] = {}
    if r.reasoning_effort is not None:
        level = EFFORTS.get(r.reasoning_effort)
        if level is None:
            ctx.lossy(("reasoning_effort",), DROPPED, f"Gemini thinkingLevel has no {r.reasoning_effort!r}")
        else:
            think["thinkingLevel"] = level
    rc = r.reasoning
    if rc is None:
        return think
    if "thinkingLevel" in think:
        # Gemini 3: "You cannot use both thinking_level and the legacy thinking_budget parameter
        # in the same request" (400).
        ctx.lossy(
            ("reasoning",), DROPPED, "Gemini rejects thinkingBudget together with thinkingLevel; the level is sent"
        )
    elif rc.type == "enabled" and rc.budget_tokens is not None and rc.budget_tokens > 0:
        think["thinkingBudget"] = rc.budget_tokens
    elif rc.type == "disabled" and rc.budget_tokens is None:
        think["thinkingBudget"] = 0  # thinkingBudget 0 turns thinking off
    elif rc.type == "adaptive" and rc.budget_tokens is None:
        think["thinkingBudget"] = -1  # -1: the model decides (dynamic thinking)
    else:
        ctx.lossy(("reasoning",), DROPPED, "Gemini has no thinkingBudget for this reasoning setting; dropped")
    return think
