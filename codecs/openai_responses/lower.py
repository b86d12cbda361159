"""IR -> wire: an IR :class:`~ir_codec.ir.Request` lowered to a Responses request body, in three
steps (``spec/losses.md``): :func:`reduce_request` drops what the wire cannot hold at all, each
loss at its own path, and records the :class:`~ir_codec.codec.Origins` of what it kept; the
profile's passes (the cache planner) run on the rest; :func:`lower_request` maps it one to one.
The last two report through ``ctx.through(origins)``, at the caller's paths. The mapping rules
are in ``spec/canonicalizations/openai-responses.md``; a raw option (``merge_options``) fills a
field the IR did not write and decode would not lift.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias, assert_never

import msgspec
from msgspec import UNSET

from ir_codec.codec import EncodeContext, Origins, foreign_reasoning
from ir_codec.errors import DecodeError, LossKind
from ir_codec.ir import (
    Audio,
    Base64Source,
    CacheControl,
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
    ToolChoice,
    ToolResult,
    ToolUse,
    UrlSource,
)
from ir_codec.lowering import merge_options, own_options, plain_call, plain_texts, report_merged
from ir_codec.paths import IRPath, render

from . import lift
from .lift import Record
from .wire import (
    DEFAULT_DETAIL,
    INPUT_PARTS,
    JOIN,
    NAME,
    OUTPUT_PARTS,
    canon_args,
    data_url,
    json_key,
    parse_data_url,
    type_of,
)

__all__ = ["reduce_request", "lower_request"]

_OWN: IRPath = ("provider_options", NAME)
"""Where this codec's options sit on any IR node."""

# --------------------------------------------------------------------------------------------
# Step 1: what the wire cannot hold at all


def _why_thinking(p: Thinking | RedactedThinking, role: str) -> str | None:
    # A reasoning item must carry the id OpenAI gave it (response_reasoning_item_param.py);
    # reasoning from elsewhere cannot be replayed.
    foreign = foreign_reasoning(p, "openai")
    if foreign is not None:
        return foreign
    if isinstance(p.provider_options.get(NAME, {}).get("id"), str):
        return None
    return "reasoning items need the id OpenAI assigned; thinking without one is dropped"


def _why_provider_part(p: ProviderPart, role: str) -> str | None:
    if p.codec != NAME:
        return f"a {p.codec!r} provider part cannot be sent to {NAME}; dropped"
    t = type_of(p.data)
    if t in INPUT_PARTS or t in OUTPUT_PARTS:
        want = OUTPUT_PARTS if role == "assistant" else INPUT_PARTS
        # A cache mark is the planner's business (it moves it off this part), not a reason to drop.
        if t in want and lift.relifts(msgspec.structs.replace(p, cache=None), role):
            return None
        return f"this raw {t} part does not read back as itself in a {role} message; dropped"
    try:
        lift.lift_item(p.data, "$", "30m")
    except DecodeError as exc:
        return f"this raw input item is not valid Responses wire ({exc}); dropped"
    return None


def _in_assistant(what: str) -> Callable[[Any, str], str | None]:
    why = f"assistant messages hold only output_text and refusal parts; {what} dropped"
    return lambda p, role: why if role == "assistant" else None


def _never(what: str) -> Callable[[Any, str], str | None]:
    why = f"Responses messages cannot carry {what}; dropped"
    return lambda p, role: why


_UNSENDABLE: dict[type, Callable[[Any, str], str | None]] = {
    Text: lambda p, role: None,
    Image: _in_assistant("image"),
    Document: _in_assistant("document"),
    Refusal: lambda p, role: (
        None if role == "assistant" else f"refusal parts exist only in assistant messages, not {role}; dropped"
    ),
    Audio: _never("audio input"),
    Json: _never("a JSON part"),
    ToolUse: lambda p, role: None,
    ToolResult: lambda p, role: None,
    Thinking: _why_thinking,
    RedactedThinking: _why_thinking,
    ProviderPart: _why_provider_part,
}
"""IR part type -> why a part of a ``role`` message cannot be sent (``None``: it can)."""


def _why_result_provider_part(q: ProviderPart) -> str | None:
    if q.codec != NAME:
        return "function_call_output cannot carry ProviderPart; dropped"
    if type_of(q.data) in INPUT_PARTS and lift.relifts(msgspec.structs.replace(q, cache=None), "user"):
        return None
    return "this raw part is not a tool-output part that reads back as itself; dropped"


_UNSENDABLE_IN_RESULT: dict[type, Callable[[Any], str | None]] = {
    Text: lambda q: None,
    Image: lambda q: None,
    Document: lambda q: None,
    Json: lambda q: None,
    ProviderPart: _why_result_provider_part,
}
"""IR part type -> why a ``function_call_output`` cannot hold it; any other type it cannot."""


def _why_result_part(q: Any) -> str | None:
    why = _UNSENDABLE_IN_RESULT.get(type(q))
    return why(q) if why is not None else f"function_call_output cannot carry {type(q).__name__}; dropped"


def _why_tool(tool: Any) -> str | None:
    if type(tool) is Tool:
        return None
    if tool.codec != NAME:
        return f"a {tool.codec!r} provider tool cannot be sent to {NAME}; dropped"
    try:
        lift.lift_tool(tool.data, "$")
    except DecodeError as exc:
        return f"this raw tool is not valid Responses wire ({exc}); dropped"
    return None


def reduce_request(request: Request, ctx: EncodeContext) -> tuple[Request, Origins]:
    """``request`` without the tools and parts the wire cannot hold (each reported, kind
    ``dropped``, at the caller's path), and where each kept item came from."""
    origins = Origins()
    reduced = False
    tools = []
    for i, tool in enumerate(request.tools):
        why = _why_tool(tool)
        if why is None:
            tools.append((i, tool))
        else:
            ctx.lossy(("tools", i), LossKind.DROPPED, why)
    if len(tools) < len(request.tools):
        origins.keep(("tools",), [i for i, _ in tools])
        reduced = True
    messages: list[Message] = []
    for i, m in enumerate(request.messages):
        if _always_sent(m.content):  # nothing to drop: what the loop below makes of it
            messages.append(m)
            continue
        kept: list[int] = []
        content: list[Part] = []
        for j, p in enumerate(m.content):
            why = _UNSENDABLE[type(p)](p, m.role)
            if why is not None:
                ctx.lossy(("messages", i, "content", j), LossKind.DROPPED, why)
                continue
            if isinstance(p, ToolResult):
                at = ("messages", i, "content", len(content))
                p = _keep_result_parts(p, ("messages", i, "content", j), at, ctx, origins)
            kept.append(j)
            content.append(p)
        if len(kept) < len(m.content):
            origins.keep(("messages", i, "content"), kept)
        if len(kept) < len(m.content) or any(a is not b for a, b in zip(content, m.content, strict=False)):
            m = msgspec.structs.replace(m, content=content)
            reduced = True
        messages.append(m)
    if not reduced:
        return request, origins
    return msgspec.structs.replace(request, tools=[t for _, t in tools], messages=messages), origins


def _always_sent(content: list[Part]) -> bool:
    """Whether every part of ``content`` can be sent in a message of any role, and every part of
    each of its tool results in a ``function_call_output`` (so that :func:`reduce_request` keeps
    it as it is): text, tool calls, and tool results of text, images, documents and JSON."""
    for p in content:
        if type(p) is ToolResult:
            for q in p.content:
                if type(q) not in _ALWAYS_IN_RESULT:
                    return False
        elif type(p) is not Text and type(p) is not ToolUse:
            return False
    return True


_ALWAYS_IN_RESULT = frozenset({Text, Image, Document, Json})
"""The part types :func:`_why_result_part` always lets into a ``function_call_output``."""


def _keep_result_parts(
    p: ToolResult, path: IRPath, reduced: IRPath, ctx: EncodeContext, origins: Origins
) -> ToolResult:
    """``p`` without the parts a ``function_call_output`` cannot hold; ``path`` is its caller's
    path, ``reduced`` its path in the reduced request."""
    kept: list[int] = []
    for k, q in enumerate(p.content):
        why = _why_result_part(q)
        if why is None:
            kept.append(k)
        else:
            ctx.lossy((*path, "content", k), LossKind.DROPPED, why)
    if len(kept) == len(p.content):
        return p
    origins.keep((*reduced, "content"), kept)
    return msgspec.structs.replace(p, content=[p.content[k] for k in kept])


# --------------------------------------------------------------------------------------------
# Step 3: the request


def lower_request(req: Request, ctx: EncodeContext) -> dict[str, Any]:
    """The wire body of ``req`` (already reduced by :func:`reduce_request` and planned)."""
    own = dict(own_options(req.provider_options, (), ctx))
    body: dict[str, Any] = {}

    def put(key: str, value: Any) -> None:  # an IR value: None (or no item) is absent
        if value is not None and value != []:
            body[key] = value

    def put_object(key: str, value: Any) -> None:  # a raw value may be null
        if value is not UNSET:
            body[key] = value

    put("model", req.model)
    put("instructions", _lower_system(req.system, ctx) if req.system else None)
    put("input", _lower_messages(req.messages, ctx))
    put("tools", [_LOWER_TOOL[type(t)](t, ("tools", i), ctx) for i, t in enumerate(req.tools)])
    put("tool_choice", None if req.tool_choice is None else _lower_tool_choice(req.tool_choice, ctx))
    put("parallel_tool_calls", req.parallel_tool_calls)
    max_tokens = req.max_tokens
    if max_tokens is not None and max_tokens < MIN_OUTPUT_TOKENS:
        why = f"the API refuses max_output_tokens below {MIN_OUTPUT_TOKENS}; sent as {MIN_OUTPUT_TOKENS}"
        ctx.lossy(("max_tokens",), LossKind.APPROXIMATED, why)
        max_tokens = MIN_OUTPUT_TOKENS
    put("max_output_tokens", max_tokens)
    put("temperature", req.temperature)
    put("top_p", req.top_p)
    fmt = None if req.response_format is None else {"format": _lower_format(req.response_format, ctx)}
    put_object("text", _option_object("text", fmt, own.pop("text", UNSET), "response_format", ctx))
    effort = None if req.reasoning_effort is None else {"effort": req.reasoning_effort}
    put_object("reasoning", _option_object("reasoning", effort, own.pop("reasoning", UNSET), "reasoning_effort", ctx))
    put("metadata", None if req.metadata is None else dict(req.metadata))
    # `user` is deprecated in favour of safety_identifier (response_create_params.py).
    put("safety_identifier", req.user)
    put("prompt_cache_key", req.cache_key)
    cache = None if req.cache is None else {"mode": "implicit", "ttl": req.cache.ttl.value}
    pco = _option_object("prompt_cache_options", cache, own.pop("prompt_cache_options", UNSET), "cache", ctx)
    put_object("prompt_cache_options", pco)
    put("stream", req.stream)
    mapped = [k for k, v in own.items() if lift.lifts_field(k, v)]
    return merge_options(body, own, path=(), ctx=ctx, mapped=mapped)


def _lower_system(system: list[SystemBlock], ctx: EncodeContext) -> str:
    for i, block in enumerate(system):
        for name in block.provider_options:
            why = "instructions is a plain string; block options are not carried"
            ctx.lossy(("system", i, "provider_options", name), LossKind.DROPPED, why)
    if len(system) > 1:
        why = f"instructions is one string: {len(system)} blocks joined with a blank line"
        ctx.lossy(("system",), LossKind.CHANGED, why)
    return JOIN.join(b.text for b in system)


def _lower_format(rf: ResponseFormat, ctx: EncodeContext) -> dict[str, Any]:
    fmt: dict[str, Any] = {"type": rf.type}
    if rf.type != "json_schema":
        for f in ("schema", "name", "description", "strict"):
            if getattr(rf, f) is not None:
                ctx.lossy(("response_format", f), LossKind.DROPPED, f"text.format {rf.type!r} has no {f}; dropped")
        return fmt
    if rf.name is None:
        ctx.lossy(("response_format", "name"), LossKind.CHANGED, "text.format.name is required; sent as 'response'")
    fmt["name"] = rf.name if rf.name is not None else "response"
    if rf.schema is None:
        why = "text.format.schema is required; sent as an empty object schema"
        ctx.lossy(("response_format", "schema"), LossKind.CHANGED, why)
    fmt["schema"] = rf.schema if rf.schema is not None else {"type": "object"}
    if rf.description is not None:
        fmt["description"] = rf.description
    if rf.strict is not None:
        fmt["strict"] = rf.strict
    return fmt


MIN_OUTPUT_TOKENS = 16
"""The published schema's minimum of ``max_output_tokens`` (PROVIDERS.md §13)."""


def _option_object(key: str, written: dict[str, Any] | None, raw: Any, source: str, ctx: EncodeContext) -> Any:
    """The wire object ``key`` (``text``, ``reasoning``, ``prompt_cache_options``): the fields the
    IR ``source`` writes, with the raw option's other fields. Where the IR sets nothing, the raw
    object travels as it is, but for the fields decode would read into ``source``."""
    at = (*_OWN, key)
    if written is None:
        if not isinstance(raw, dict):
            return raw
        lifted = _LIFTED[key](raw)
        for k in lifted:
            why = f"it would read back as the request's {source}, which is not set; not sent"
            ctx.lossy((*at, k), LossKind.DROPPED, why)
        return {k: v for k, v in raw.items() if k not in lifted} or (UNSET if lifted else raw)
    if isinstance(raw, dict):
        return merge_options(written, raw, path=(), ctx=ctx, nested=(key,))
    if raw is not UNSET:
        ctx.lossy(at, LossKind.DROPPED, f"{key} is written from {source}; this value is dropped")
    return written


_LIFTED: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "text": lambda raw: ["format"] if lift.lift_format(raw.get("format")) is not None else [],
    "reasoning": lambda raw: ["effort"] if isinstance(raw.get("effort"), str) else [],
    # IR request-level caching is OpenAI's implicit mode ("mode defaults to implicit",
    # PromptCacheOptions in response_create_params.py): such an object reads back as `cache`.
    "prompt_cache_options": lambda raw: list(raw) if raw.get("mode", "implicit") == "implicit" else [],
}
"""Option object -> the raw fields of it that decode would read into the IR."""


# -- tools


def _lower_function_tool(tool: Tool, path: IRPath, ctx: EncodeContext) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "function", "name": tool.name, "parameters": tool.input_schema}
    if tool.strict is not None:
        out["strict"] = tool.strict
    if tool.description is not None:
        out["description"] = tool.description
    raw = own_options(tool.provider_options, path, ctx)
    mapped = [k for k, ok in (("strict", bool), ("description", str)) if isinstance(raw.get(k), ok)]
    return merge_options(out, raw, path=path, ctx=ctx, mapped=mapped)


def _lower_provider_tool(tool: ProviderTool, path: IRPath, ctx: EncodeContext) -> dict[str, Any]:
    if lift.lift_tool(tool.data, "$") != tool:
        ctx.lossy(path, LossKind.CHANGED, "this raw tool reads back as a function tool; sent as given")
    return dict(tool.data)


_LOWER_TOOL: dict[type, Callable[[Any, IRPath, EncodeContext], dict[str, Any]]] = {
    Tool: _lower_function_tool,
    ProviderTool: _lower_provider_tool,
}
"""IR tool type -> lowering."""


def _lower_tool_choice(tc: ToolChoice, ctx: EncodeContext) -> str | dict[str, Any] | None:
    if tc.mode != "tool":
        if tc.name is not None:
            ctx.lossy(("tool_choice", "name"), LossKind.DROPPED, f"tool_choice {tc.mode!r} takes no name; dropped")
        return tc.mode
    if tc.name is None:
        ctx.lossy(("tool_choice",), LossKind.DROPPED, "tool_choice 'tool' without a name cannot be sent; dropped")
        return None
    return {"type": "function", "name": tc.name}


# --------------------------------------------------------------------------------------------
# Messages and turns


def _lower_messages(messages: list[Message], ctx: EncodeContext) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    recs: list[Record] = []
    for i, m in enumerate(messages):
        _lower_message(m, i, items, recs, ctx)
    # Report the messages whose items decode would group into other turns.
    changes, merged, reshaped, turns = lift.regrouped(recs, [m.role for m in messages])
    for i, why in changes.items():
        ctx.lossy(("messages", i), LossKind.CHANGED, why)
    for ks in merged:

        def each(k: int, ks: list[int] = ks) -> str:
            return "its input items read back as one turn with " + ", ".join(
                render(("messages", o)) for o in ks if o != k
            )

        whole = "the input items of " + ", ".join(render(("messages", k)) for k in ks) + " read back as one turn"
        report_merged(ctx, messages, ks, each, whole)
    if reshaped:
        # A message split (or lending items to a turn of another role) inserts turns that no
        # message of the request stands for: the list itself changes, and the turns after it
        # read back at other indices.
        why = f"the {len(messages)} messages read back as {turns} turns, some split or of another role"
        ctx.lossy(("messages",), LossKind.CHANGED, why)
    return items


def _lower_message(m: Message, i: int, items: list[dict[str, Any]], recs: list[Record], ctx: EncodeContext) -> None:
    texts = None if m.provider_options else plain_texts(m.content)
    if texts is not None:
        # The common message: plain text parts only, no options. What the general path below
        # makes of it: one message item, nothing to merge or report.
        if m.role == "assistant":
            content = [{"type": "output_text", "text": t, "annotations": []} for t in texts]
        else:
            content = [{"type": "input_text", "text": t} for t in texts]
        items.append({"type": "message", "role": m.role, "content": content})
        recs.append(Record(m.role, True, {}, list(m.content), i))
        return
    if not m.provider_options and _plain_items(m.content, i, items, recs):
        return
    path: IRPath = ("messages", i)
    raw = dict(own_options(m.provider_options, path, ctx))
    fields: dict[str, Any] = {}
    wire_role: str = m.role
    if m.role == "system" and raw.get("role") == "developer":
        # A developer message decodes as an IR system message that remembers its wire role.
        wire_role = fields["role"] = raw.pop("role")
    # Message-level options (id, status, phase, ...) go on every message item of the message.
    template = merge_options({"type": "message", "role": wire_role, "content": []}, raw, path=path, ctx=ctx)
    extras = {k: v for k, v in template.items() if k not in ("type", "role", "content")}
    fields.update(extras)
    n_before = len(items)
    pending: list[dict[str, Any]] = []
    pending_parts: list[Part] = []

    def flush() -> None:
        if pending:
            items.append({**template, "content": list(pending)})
            recs.append(Record(m.role, True, dict(fields), list(pending_parts), i))
            pending.clear()
            pending_parts.clear()

    for j, p in enumerate(m.content):
        role, wire = _LOWER_PART[type(p)](p, (*path, "content", j), m.role, ctx)
        if role is None:
            pending.append(wire)
            pending_parts.append(p)
        else:
            flush()
            items.append(wire)
            recs.append(Record(role, False, {}, [p], i))
    flush()
    if len(items) == n_before:
        items.append(dict(template))
        recs.append(Record(m.role, True, dict(fields), [], i))
    elif fields and not any(r.is_message for r in recs[-(len(items) - n_before) :]):
        for key in fields:
            why = "the message has no message item to carry this field"
            ctx.lossy((*path, *_OWN, key), LossKind.DROPPED, why)


def _plain_items(content: list[Part], i: int, items: list[dict[str, Any]], recs: list[Record]) -> bool:
    """Write the items of message ``i`` (one with no options) at once when each of its parts is
    an item of its own with nothing to report: a tool call with no options (the call ``id``,
    ``name`` and compact ``input`` JSON), a tool result with no options, not an error, of plain
    text parts (one: the output string; more: input_text parts). What the general path makes of
    such a message: these items, no message item, no field left without one, no loss. Returns
    whether it did; else it writes nothing."""
    out: list[dict[str, Any]] = []
    for p in content:
        if plain_call(p):
            out.append({"type": "function_call", "call_id": p.id, "name": p.name, "arguments": canon_args(p.input)})
        elif type(p) is ToolResult and not p.provider_options and not p.is_error:
            texts = plain_texts(p.content)
            if texts is None:
                return False
            output: Any = texts[0] if len(texts) == 1 else [{"type": "input_text", "text": t} for t in texts]
            out.append({"type": "function_call_output", "call_id": p.tool_use_id, "output": output})
        else:
            return False
    if not out:
        return False
    items.extend(out)
    for p in content:
        recs.append(Record("assistant" if type(p) is ToolUse else "user", False, {}, [p], i))
    return True


# --------------------------------------------------------------------------------------------
# Parts (IR type -> lowering). A part lowers to (None, content part) inside a message item, or
# to (role, input item) for an item of its own.

_Lowered: TypeAlias = tuple[str | None, dict[str, Any]]


def _mapped_breakpoint(raw: dict[str, Any]) -> list[str]:
    # A raw breakpoint that decode would read as the part's cache mark never travels raw.
    return ["prompt_cache_breakpoint"] if lift.breakpoint_ttl(raw.get("prompt_cache_breakpoint"), "30m") else []


def _breakpoint(cache: CacheControl | None, out: dict[str, Any]) -> dict[str, Any]:
    if cache is not None:
        out["prompt_cache_breakpoint"] = {"mode": "explicit", "ttl": cache.ttl.value}
    return out


def _input_text(p: Text, path: IRPath, ctx: EncodeContext) -> dict[str, Any]:
    raw = own_options(p.provider_options, path, ctx)
    out = _breakpoint(p.cache, {"type": "input_text", "text": p.text})
    return merge_options(out, raw, path=path, ctx=ctx, mapped=_mapped_breakpoint(raw))


def _lower_text_part(p: Text, path: IRPath, role: str, ctx: EncodeContext) -> _Lowered:
    if role != "assistant":
        return None, _input_text(p, path, ctx)
    # Earlier assistant output is output_text, which requires annotations
    # (response_output_text_param.py); annotations travel in provider_options.
    raw = dict(own_options(p.provider_options, path, ctx))
    if raw.get("annotations", None) == []:
        ctx.lossy((*path, *_OWN, "annotations"), LossKind.DROPPED, "no annotations is the default; not kept")
    out: dict[str, Any] = {"type": "output_text", "text": p.text, "annotations": raw.pop("annotations", [])}
    return None, merge_options(out, raw, path=path, ctx=ctx)


def _lower_refusal(p: Refusal, path: IRPath, role: str, ctx: EncodeContext) -> _Lowered:
    out: dict[str, Any] = {"type": "refusal", "refusal": p.text}
    return None, merge_options(out, own_options(p.provider_options, path, ctx), path=path, ctx=ctx)


def _inline_url(src: Base64Source, path: IRPath, ctx: EncodeContext) -> str:
    url = data_url(src.media_type, src.data)
    if parse_data_url(url) != (src.media_type, src.data):
        ctx.lossy((*path, "source"), LossKind.CHANGED, "this media type does not survive a data URL")
    return url


def _no_media_type(src: UrlSource | FileSource, what: str, path: IRPath, ctx: EncodeContext) -> None:
    if src.media_type is not None:
        why = f"{what} has no media type beside a URL or file id; dropped"
        ctx.lossy((*path, "source", "media_type"), LossKind.DROPPED, why)


def _image_part(p: Image, path: IRPath, ctx: EncodeContext) -> dict[str, Any]:
    raw = dict(own_options(p.provider_options, path, ctx))
    out: dict[str, Any] = {"type": "input_image"}
    mapped = _mapped_breakpoint(raw)
    match p.source:
        case Base64Source() as src:
            out["image_url"] = _inline_url(src, path, ctx)
        case UrlSource() as src:
            out["image_url"] = src.url
            if parse_data_url(src.url) is not None:
                ctx.lossy((*path, "source"), LossKind.CHANGED, "a base64 data URL reads back as inline bytes")
            _no_media_type(src, "input_image", path, ctx)
        case FileSource() as src:
            out["file_id"] = src.file_id
            _no_media_type(src, "input_image", path, ctx)
            # Decode prefers image_url over file_id: a raw image_url would replace the IR source.
            mapped += ["image_url"] if isinstance(raw.get("image_url"), str) else []
        case _ as never:
            assert_never(never)
    if raw.get("detail", None) == DEFAULT_DETAIL:
        ctx.lossy((*path, *_OWN, "detail"), LossKind.DROPPED, "detail 'auto' is the default; not kept as an option")
    out["detail"] = raw.pop("detail", DEFAULT_DETAIL)
    _breakpoint(p.cache, out)
    return merge_options(out, raw, path=path, ctx=ctx, mapped=mapped)


def _document_part(p: Document, path: IRPath, ctx: EncodeContext) -> dict[str, Any]:
    raw = own_options(p.provider_options, path, ctx)
    out: dict[str, Any] = {"type": "input_file"}
    # Decode takes the source from file_data, then file_url, then file_id: a raw field earlier
    # in that order would replace the IR source.
    shadowing: tuple[str, ...] = ()
    match p.source:
        case TextSource() as src:
            # The whole part is reported: its own options are not sent either.
            ctx.lossy(path, LossKind.CHANGED, "input_file takes no inline plain text; sent as an input_text part")
            return _breakpoint(p.cache, {"type": "input_text", "text": src.text})
        case Base64Source() as src:
            out["file_data"] = _inline_url(src, path, ctx)
        case UrlSource() as src:
            out["file_url"] = src.url
            shadowing = ("file_data",)
            _no_media_type(src, "input_file", path, ctx)
        case FileSource() as src:
            out["file_id"] = src.file_id
            shadowing = ("file_data", "file_url")
            _no_media_type(src, "input_file", path, ctx)
        case _ as never:
            assert_never(never)
    mapped = [k for k in (*shadowing, "filename") if isinstance(raw.get(k), str)] + _mapped_breakpoint(raw)
    if p.name is not None:
        out["filename"] = p.name
    if p.context is not None:
        ctx.lossy((*path, "context"), LossKind.DROPPED, "input_file has no context field; dropped")
    if p.citations is not None:
        ctx.lossy((*path, "citations"), LossKind.DROPPED, "input_file has no citations switch; dropped")
    _breakpoint(p.cache, out)
    return merge_options(out, raw, path=path, ctx=ctx, mapped=mapped)


def _lower_tool_use(p: ToolUse, path: IRPath, role: str, ctx: EncodeContext) -> _Lowered:
    raw = dict(own_options(p.provider_options, path, ctx))
    args = canon_args(p.input)
    given = raw.pop("arguments", UNSET)
    if isinstance(given, str):
        # Keep the model's own argument text byte for byte where it means the same object.
        try:
            same = json_key(msgspec.json.decode(given)) == json_key(p.input)
        except msgspec.DecodeError:
            same = False
        if same:
            args = given
        else:
            ctx.lossy((*path, *_OWN, "arguments"), LossKind.DROPPED, "raw arguments differ from input; input is sent")
    elif given is not UNSET:
        ctx.lossy((*path, *_OWN, "arguments"), LossKind.DROPPED, "raw arguments must be a string; dropped")
    out = {"type": "function_call", "call_id": p.id, "name": p.name, "arguments": args}
    return "assistant", merge_options(out, raw, path=path, ctx=ctx)


def _lower_tool_result(p: ToolResult, path: IRPath, role: str, ctx: EncodeContext) -> _Lowered:
    raw = own_options(p.provider_options, path, ctx)
    if p.is_error:
        ctx.lossy((*path, "is_error"), LossKind.DROPPED, "function_call_output has no error flag; dropped")
    parts = [_LOWER_RESULT_PART[type(q)](q, (*path, "content", k), ctx) for k, q in enumerate(p.content)]
    # One plain text part is sent as the output string (the documented common form).
    output: str | list[dict[str, Any]] = parts
    if len(parts) == 1 and set(parts[0]) == {"type", "text"} and parts[0]["type"] == "input_text":
        output = parts[0]["text"]
    out = {"type": "function_call_output", "call_id": p.tool_use_id, "output": output}
    return "user", merge_options(out, raw, path=path, ctx=ctx)


def _lower_reasoning_item(p: Thinking | RedactedThinking, path: IRPath, role: str, ctx: EncodeContext) -> _Lowered:
    raw = dict(own_options(p.provider_options, path, ctx))
    out: dict[str, Any] = {"type": "reasoning", "id": raw.pop("id")}  # an id: reduce_request checked
    match p:
        case Thinking():
            out["summary"] = [{"type": "summary_text", "text": p.text}] if p.text else []
            if p.signature is not None:
                out["encrypted_content"] = p.signature
        case RedactedThinking():
            why = "redacted thinking is sent as a reasoning item with only encrypted_content; reads back as thinking"
            ctx.lossy(path, LossKind.CHANGED, why)
            out["summary"] = []
            out["encrypted_content"] = p.data
        case _ as never:
            assert_never(never)
    if "content" in raw:
        why = "reasoning text content would make the item opaque; dropped"
        ctx.lossy((*path, *_OWN, "content"), LossKind.DROPPED, why)
        del raw["content"]
    mapped = ["encrypted_content"] if isinstance(raw.get("encrypted_content"), str) else []
    return "assistant", merge_options(out, raw, path=path, ctx=ctx, mapped=mapped)


def _lower_provider_part(p: ProviderPart, path: IRPath, role: str, ctx: EncodeContext) -> _Lowered:
    # reduce_request let through only own parts that read back as themselves and valid items.
    if (t := type_of(p.data)) in INPUT_PARTS or t in OUTPUT_PARTS:
        return None, dict(p.data)
    lifted = lift.lift_item(p.data, "$", "30m")
    if lifted.is_message or lifted.parts != [p]:
        ctx.lossy(path, LossKind.CHANGED, "this raw input item reads back as something else; sent as given")
    return lift.item_role(p.data), dict(p.data)


_LOWER_PART: dict[type, Callable[[Any, IRPath, str, EncodeContext], _Lowered]] = {
    Text: _lower_text_part,
    Image: lambda p, path, role, ctx: (None, _image_part(p, path, ctx)),
    Document: lambda p, path, role, ctx: (None, _document_part(p, path, ctx)),
    Refusal: _lower_refusal,
    ToolUse: _lower_tool_use,
    ToolResult: _lower_tool_result,
    Thinking: _lower_reasoning_item,
    RedactedThinking: _lower_reasoning_item,
    ProviderPart: _lower_provider_part,
}
"""IR part type -> lowering (audio and JSON parts never get here: :func:`reduce_request`)."""


def _result_json(q: Json, path: IRPath, ctx: EncodeContext) -> dict[str, Any]:
    ctx.lossy(path, LossKind.CHANGED, "function_call_output has no JSON part; sent as input_text with the JSON text")
    return _breakpoint(q.cache, {"type": "input_text", "text": canon_args(q.value)})


_LOWER_RESULT_PART: dict[type, Callable[[Any, IRPath, EncodeContext], dict[str, Any]]] = {
    Text: _input_text,
    Image: _image_part,
    Document: _document_part,
    Json: _result_json,
    ProviderPart: lambda q, path, ctx: dict(q.data),
}
"""IR part type -> lowering inside a ``function_call_output`` list."""
