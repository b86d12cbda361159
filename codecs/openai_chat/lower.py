"""IR -> wire: an IR :class:`~ir_codec.ir.Request` lowered to a Chat Completions request body.

Encoding runs in three steps (``spec/losses.md``):

1. :func:`reduce_request` drops what the wire cannot hold at all (parts a role does not take,
   sources a part type cannot reference, other codecs' parts and tools), each reported at its
   own path, and records the :class:`~ir_codec.codec.Origins` of what it kept;
2. the profile's passes (the cache planner) run on what is left;
3. :class:`Lowerer` maps the rest, reporting every field it changes.

Steps 2 and 3 report through ``ctx.through(origins)``, so every warning names the caller's path.

Rules (``spec/canonicalizations/openai-chat.md``): IR ``system`` blocks become ONE leading message
with the role ``system_role``; an IR user message becomes a ``user`` message per run of
ordinary parts and one ``tool`` message per tool result, in IR order; the IR messages that
decode will read back merged (:func:`~.wire.group_messages`) or as the system blocks are
reported. Tool-call arguments are compact JSON unless the kept raw text still denotes the input.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from ir_codec.codec import EncodeContext, Origins
from ir_codec.errors import LossKind
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
    ProviderOptions,
    ProviderPart,
    ProviderTool,
    RedactedThinking,
    Refusal,
    Request,
    ResponseFormat,
    Text,
    Thinking,
    Tool,
    ToolResult,
    ToolUse,
    UrlSource,
)
from ir_codec.lowering import merge_options, own_options, plain_texts, report_merged
from ir_codec.paths import IRPath, render

from .lift import is_system_blocks, own_part
from .wire import (
    AUDIO_FORMAT,
    DATA_URL,
    FORMAT_MEDIA,
    SCALAR_FIELDS,
    arguments_denote,
    compact,
    content_form,
    detail_item,
    format_family,
    group_messages,
)

if TYPE_CHECKING:
    from . import OpenAIChatCodec

__all__ = ["Lowerer", "encode_request", "reduce_request"]

_JSON_SCHEMA_DEFAULT_NAME = "response"

WIRE_TYPE: dict[type, str] = {
    Text: "text",
    Image: "image_url",
    Audio: "input_audio",
    Document: "file",
    Refusal: "refusal",
}
"""The wire part type each IR part type is lowered to."""


def encode_request(codec: OpenAIChatCodec, request: Request, ctx: EncodeContext) -> dict[str, Any]:
    """The wire body of ``request`` (steps 1-3 of the module doc)."""
    reduced, origins = reduce_request(codec, request, ctx)
    inner = ctx.through(origins)
    planned = codec.run_passes(reduced, inner)
    return Lowerer(codec, inner, request).request(planned)


# -- step 1: what the wire cannot hold ---------------------------------------------------------


def source_problem(p: Part) -> str | None:
    """Why a media part's source cannot be sent (it is then dropped), or None."""
    src = getattr(p, "source", None)
    if isinstance(p, Image) and not isinstance(src, Base64Source | UrlSource):
        return "Chat image_url parts cannot reference an uploaded file id; image dropped"
    if isinstance(p, Audio) and not (isinstance(src, Base64Source) and src.media_type in AUDIO_FORMAT):
        return "Chat input_audio takes only inline base64 wav or mp3; audio dropped"
    if isinstance(p, Document) and not isinstance(src, Base64Source | FileSource):
        return f"Chat file parts take inline data or a file id, not a {type(src).__name__}; document dropped"
    return None


def _same_count(raw: Any, value: int | None) -> bool:
    return type(raw) is int and raw == value


def unsupported_reason(name: str, p: Part, role: str) -> str:
    if isinstance(p, ProviderPart):
        if p.codec != name:
            return f"a {p.codec!r} provider part is not carried by {name}; dropped"
        return f"this {name} provider part cannot stand in a {role} message; dropped"
    return f"{name} {role} messages cannot carry {p.__class__.__name__} parts; dropped"


def report_drops(
    ctx: EncodeContext, list_path: IRPath, items: Sequence[Any], kept: list[int], drops: list[tuple[int, str]]
) -> None:
    """Report each dropped item of a list at its own path (kind ``dropped``). Where an item of
    the same type stays, a reader pairing the items by shape cannot tell which of them went
    (``invariant.diff_paths`` weighs every field alike), so that drop is named at the list."""
    if not drops:
        return
    shapes = {type(items[k]) for k in kept}
    for j, why in drops:
        if type(items[j]) in shapes:
            ctx.lossy(list_path, LossKind.DROPPED, f"{render((*list_path, j))}: {why}")
        else:
            ctx.lossy((*list_path, j), LossKind.DROPPED, why)


def reduce_request(codec: OpenAIChatCodec, request: Request, ctx: EncodeContext) -> tuple[Request, Origins]:
    """``request`` without what the wire cannot hold, each drop reported at its path (kind
    ``dropped``), and where the kept items came from."""
    name, flavor = codec.NAME, codec.FLAVOR
    origins = Origins()
    messages: list[Message] = []
    kept_messages: list[int] = []
    roles = {"user": "user", "assistant": "assistant", "system": codec.system_role}
    takes_text = {r: "text" in flavor.ROLE_PARTS[wire_role] for r, wire_role in roles.items()}
    for i, m in enumerate(request.messages):
        if m.content and takes_text[m.role]:
            for p in m.content:
                if type(p) is not Text:
                    break
            else:
                messages.append(m)  # the common message: text only, kept as it is (no lists built)
                kept_messages.append(i)
                continue
        at = ("messages", len(messages), "content")  # its path in the reduced request
        role = codec.system_role if m.role == "system" else m.role
        allowed = flavor.ROLE_PARTS[role]
        text_allowed = "text" in allowed
        kept: list[int] = []
        drops: list[tuple[int, str]] = []
        content: list[Part] = []
        for j, p in enumerate(m.content):
            if text_allowed and type(p) is Text:  # kept in every role that takes text
                kept.append(j)
                content.append(p)
                continue
            path = ("messages", i, "content", j)
            why: str | None = None
            if m.role == "system":
                why = None if isinstance(p, Text) else f"{role} messages take only text; {type(p).__name__} dropped"
            elif isinstance(p, ToolUse):
                why = None if m.role == "assistant" else unsupported_reason(name, p, m.role)
            elif isinstance(p, Refusal) and m.role == "assistant" and flavor.REFUSAL_FIELD is not None:
                why = None  # the message's refusal field (ChatFlavor.REFUSAL_FIELD)
            elif isinstance(p, Thinking | RedactedThinking) and m.role == "assistant" and flavor.REQUEST_REASONING:
                why = None  # an item of the message's reasoning details (ChatFlavor.REQUEST_REASONING)
            elif isinstance(p, ToolResult):
                if m.role == "user":
                    p = _reduce_result(codec, p, path, ctx, origins, (*at, len(content), "content"))
                else:
                    why = unsupported_reason(name, p, m.role)
            elif isinstance(p, ProviderPart):
                own = own_part(name, p, m.role, flavor.REQUEST_REASONING)
                why = None if own else unsupported_reason(name, p, m.role)
            elif type(p) in WIRE_TYPE and WIRE_TYPE[type(p)] in allowed:
                why = source_problem(p)
            else:
                why = unsupported_reason(name, p, m.role)
            if why is None:
                kept.append(j)
                content.append(p)
            else:
                drops.append((j, why))
        report_drops(ctx, ("messages", i, "content"), m.content, kept, drops)
        if not content and not (m.role == "assistant" and m.provider_options.get(name)):
            # Chat refuses an empty content list and an assistant message with neither content
            # nor tool calls (PROVIDERS.md §13); raw fields (an assistant `audio`) can stand alone
            article = "an" if m.role == "assistant" else "a"
            why = f"{article} {m.role} message with nothing {name} can send is dropped (Chat refuses an empty one)"
            ctx.lossy(("messages", i), LossKind.DROPPED, why)
            continue
        if len(kept) != len(m.content):
            origins.keep(at, kept)
            m = msgspec.structs.replace(m, content=content)
        elif any(map(operator.is_not, content, m.content)):  # a tool result reduced in place
            m = msgspec.structs.replace(m, content=content)
        messages.append(m)
        kept_messages.append(i)
    if len(messages) != len(request.messages):
        origins.keep(("messages",), kept_messages)
    tools: list[Any] = []
    kept_tools: list[int] = []
    tool_drops: list[tuple[int, str]] = []
    for i, t in enumerate(request.tools):
        if isinstance(t, Tool) or (t.codec == name and t.data.get("type") != "function"):
            kept_tools.append(i)
            tools.append(t)
        else:
            tool_drops.append((i, f"a {t.codec!r} provider tool is not carried by {name}; dropped"))
    report_drops(ctx, ("tools",), request.tools, kept_tools, tool_drops)
    if len(kept_tools) != len(request.tools):
        origins.keep(("tools",), kept_tools)
    return msgspec.structs.replace(request, messages=messages, tools=tools), origins


def _reduce_result(
    codec: OpenAIChatCodec, p: ToolResult, path: IRPath, ctx: EncodeContext, origins: Origins, reduced_path: IRPath
) -> ToolResult:
    allowed = codec.FLAVOR.ROLE_PARTS["tool"]
    rich = "file" in allowed
    kept: list[int] = []
    drops: list[tuple[int, str]] = []
    content: list[Any] = []
    for k, q in enumerate(p.content):
        why: str | None = None
        if isinstance(q, Json):
            pass  # sent as its text (reported when lowered)
        elif type(q) in WIRE_TYPE and WIRE_TYPE[type(q)] in allowed and not isinstance(q, Refusal):
            why = source_problem(q)
        elif isinstance(q, ProviderPart) and rich and q.data.get("type") == "file" and own_part(codec.NAME, q, "user"):
            pass
        else:
            what = "text, image, audio and file parts" if rich else "only text"
            why = f"{codec.NAME} tool messages carry {what}; {q.__class__.__name__} dropped"
        if why is None:
            kept.append(k)
            content.append(q)
        else:
            drops.append((k, why))
    report_drops(ctx, (*path, "content"), p.content, kept, drops)
    if len(kept) == len(p.content):
        return p
    origins.keep(reduced_path, kept)
    return msgspec.structs.replace(p, content=content)


# -- step 3: lowering --------------------------------------------------------------------------


class Lowerer:
    """Lowers one (reduced, planned) request for one codec configuration."""

    def __init__(self, codec: OpenAIChatCodec, ctx: EncodeContext, original: Request) -> None:
        self.codec = codec
        self.name = codec.NAME
        self.flavor = codec.FLAVOR
        self.system_role = codec.system_role
        self.ctx = ctx
        self.original = original

    def w(self, field: str) -> str:
        """This provider's name of OpenAI's top-level ``field``."""
        return self.flavor.RENAMED_FIELDS.get(field, field)

    def merge(
        self, obj: dict[str, Any], opts: ProviderOptions, path: IRPath, subs: Iterable[str] = ()
    ) -> dict[str, Any]:
        """Merge own provider_options into ``obj`` (``own_options``, then :meth:`merge_own`)."""
        if not opts:
            return obj
        return self.merge_own(obj, own_options(opts, path, self.ctx), path, subs)

    def merge_own(
        self, obj: dict[str, Any], raw: Mapping[str, Any], path: IRPath, subs: Iterable[str] = ()
    ) -> dict[str, Any]:
        """``merge_options``; an option named after a nested wire object in ``subs``
        (``image_url``, ``function``, ...) holding an object is merged into that object by the
        same rule."""
        if not raw:
            return obj
        own = dict(raw)
        for key in subs:
            value = own.get(key)
            if isinstance(value, dict) and isinstance(obj.get(key), dict):
                del own[key]
                merge_options(obj[key], value, path=path, ctx=self.ctx, nested=(key,))
        return merge_options(obj, own, path=path, ctx=self.ctx)

    def with_mark(self, obj: dict[str, Any], cache: CacheControl | None) -> dict[str, Any]:
        # the planner left marks only where the profile's CacheRules let them stand
        key = self.flavor.MARK_KEY
        if cache is not None and key is not None:
            obj[key] = self.flavor.write_mark(cache)
        return obj

    def tool_id(self, ir_id: str, path: IRPath) -> str:
        wire_id = self.flavor.tool_call_id_to_wire(ir_id)
        if self.flavor.tool_call_id_from_wire(wire_id) != ir_id:
            pattern = self.flavor.TOOL_CALL_ID_PATTERN
            rule = f"ids that match {pattern.pattern!r}" if pattern is not None else "other ids"
            self.ctx.lossy(path, LossKind.CHANGED, f"{self.name} takes {rule}; {ir_id!r} sent as {wire_id!r}")
        return wire_id

    # -- the request ------------------------------------------------------------------------

    def request(self, req: Request) -> dict[str, Any]:
        ctx, w = self.ctx, self.w
        own = own_options(req.provider_options, (), ctx)
        max_field = self.codec.max_tokens_field
        for f in self.flavor.MAX_TOKENS_FIELDS:
            # decode keeps the other spelling of max_tokens beside the IR value (lift.py)
            if f != max_field and f in own and _same_count(own[f], req.max_tokens):
                max_field, own = f, {k: v for k, v in own.items() if k != f}
                break
        body: dict[str, Any] = {}
        if req.model is not None:
            body[w("model")] = req.model
        body[w("messages")] = self.messages(req)
        if req.tools:
            body[w("tools")] = [self.tool(i, t) for i, t in enumerate(req.tools)]
        if req.tool_choice is not None:
            self.tool_choice(req, body)
        for openai_name, ir_name in SCALAR_FIELDS.items():
            value = getattr(req, ir_name)
            if value is not None:
                body[w(openai_name)] = value
            if openai_name == "parallel_tool_calls" and req.max_tokens is not None:
                body[max_field] = req.max_tokens
        for wire_name, ir_name in self.flavor.EXTRA_FIELDS.items():
            if getattr(req, ir_name) is not None:
                body[wire_name] = getattr(req, ir_name)
        if req.response_format is not None:
            body[w("response_format")] = self.response_format(req.response_format)
        if req.cache is not None:
            self.auto_cache(req.cache, body)
        if req.stream and self.flavor.STREAM_OPTIONS is not None and "stream_options" not in own:
            body["stream_options"] = dict(self.flavor.STREAM_OPTIONS)  # the usage of a stream (flavor.py)
        return merge_options(body, own, path=(), ctx=ctx)

    def auto_cache(self, cache: CacheControl, body: dict[str, Any]) -> None:
        key = self.flavor.AUTO_CACHE_KEY
        if key is None:
            self.ctx.lossy(("cache",), LossKind.DROPPED, f"{self.name} has no request-level cache mark; dropped")
            return
        body[key] = self.flavor.write_auto_cache(cache)
        back = self.flavor.read_auto_cache(body[key])
        if back is None:
            self.ctx.lossy(("cache",), LossKind.CHANGED, f"{key} is not read back as the request-level cache")
        elif back != cache:
            sent = back.ttl.value
            why = f"{key}.ttl accepts only {sent} on {self.name}; TTL {cache.ttl.value} sent as {sent}"
            self.ctx.lossy(("cache",), LossKind.APPROXIMATED, why)

    def tool_choice(self, req: Request, body: dict[str, Any]) -> None:
        tc, ctx, key = req.tool_choice, self.ctx, self.w("tool_choice")
        assert tc is not None
        modes = self.flavor.TOOL_CHOICE_MODES
        if tc.mode == "tool":
            if tc.name is None:
                ctx.lossy(("tool_choice",), LossKind.CHANGED, "a tool choice without a name is sent as required")
                body[key] = modes["required"]
            else:
                body[key] = {"type": "function", "function": {"name": tc.name}}
            return
        if tc.mode not in modes:
            ctx.lossy(("tool_choice",), LossKind.DROPPED, f"{self.name} has no tool_choice {tc.mode!r}; dropped")
            return
        body[key] = modes[tc.mode]
        if tc.name is not None:
            ctx.lossy(("tool_choice", "name"), LossKind.DROPPED, f"tool_choice {tc.mode!r} takes no tool name")

    def response_format(self, rf: ResponseFormat) -> dict[str, Any]:
        ctx = self.ctx
        if rf.type != "json_schema":
            for f in ("schema", "name", "description", "strict"):
                if getattr(rf, f) is not None:
                    why = f"response_format {rf.type!r} takes no {f}; dropped"
                    ctx.lossy(("response_format", f), LossKind.DROPPED, why)
            return {"type": rf.type}
        js: dict[str, Any] = {}
        if rf.name is None:
            why = f"json_schema needs a name; sent as {_JSON_SCHEMA_DEFAULT_NAME!r}"
            ctx.lossy(("response_format", "name"), LossKind.CHANGED, why)
        js["name"] = rf.name if rf.name is not None else _JSON_SCHEMA_DEFAULT_NAME
        if rf.description is not None:
            js["description"] = rf.description
        if rf.schema is not None:
            js["schema"] = rf.schema
        if rf.strict is not None:
            js["strict"] = rf.strict
        return {"type": "json_schema", "json_schema": js}

    # -- messages ---------------------------------------------------------------------------

    def messages(self, req: Request) -> list[dict[str, Any]]:
        wire: list[dict[str, Any]] = []
        origin: list[int] = []
        if req.system:
            parts = [
                self.merge(self.with_mark({"type": "text", "text": b.text}, b.cache), b.provider_options, ("system", i))
                for i, b in enumerate(req.system)
            ]
            wire.append({"role": self.system_role, "content": content_form(parts)})
            origin.append(-1)
        # Decode reads consecutive user/tool messages as one (group_messages): only where two IR
        # messages meet that way may it read them merged.
        meet = False
        last = None  # the role of the wire message written last
        for i, m in enumerate(req.messages):
            texts = plain_texts(m.content) if m.role in ("user", "assistant") and not m.provider_options else None
            if texts is not None:
                # text parts only, without marks or options: what user_message and
                # assistant_message write for them, at once
                body = texts[0] if len(texts) == 1 else [{"type": "text", "text": t} for t in texts]
                out = [{"role": m.role, "content": body}]
            else:
                out = LOWER_MESSAGE[m.role](self, ("messages", i), m)
            if out:
                if last in ("user", "tool") and out[0]["role"] in ("user", "tool"):
                    meet = True
                last = out[-1]["role"]
            wire += out
            origin += [i] * len(out)
        # Report the IR messages that decode will read differently (see the module docstring).
        start = 0
        if wire and is_system_blocks(wire[0], self.system_role):
            start = 1
            if not req.system:
                self.report_leading_system()
        if meet:
            for group in group_messages(wire, start):
                ks = sorted({origin[g] for g in group})
                if len(ks) > 1:
                    self.report_merged(ks)
        return wire

    def report_merged(self, ks: list[int]) -> None:
        merged = ", ".join(f"messages[{k}]" for k in ks)

        def each(k: int) -> str:
            others = ", ".join(f"messages[{o}]" for o in ks if o != k)
            return f"consecutive user/tool messages are read back as one user message: merged with {others}"

        whole = f"consecutive user/tool messages {merged} are read back as one user message"
        report_merged(self.ctx, self.original.messages, ks, each, whole)

    def report_leading_system(self) -> None:
        why = f"a leading {self.system_role} message is read back as the top-level system blocks"
        self.ctx.lossy(("system",), LossKind.CHANGED, why)
        msgs = self.original.messages
        if len(msgs) > 1 and msgs[1].role == "system":
            # The next message is a system message too and takes the first one's place when read
            # back: a reader that pairs the messages by shape cannot tell which of the two went,
            # so the loss is named at the list (spec/losses.md: items of the same shape pair up).
            why = "messages[0] is read back as the top-level system blocks; messages[1], a system message too, moves up"
            self.ctx.lossy(("messages",), LossKind.MOVED, why)
        else:
            self.ctx.lossy(("messages", 0), LossKind.MOVED, "read back as the top-level system blocks")

    def system_message(self, path: IRPath, m: Message) -> list[dict[str, Any]]:
        parts = [self.text(p, (*path, "content", j)) for j, p in enumerate(m.content) if isinstance(p, Text)]
        own = dict(own_options(m.provider_options, path, self.ctx))
        role = self.system_role
        if "role" in own:
            want = own.pop("role")
            if want in self.flavor.SYSTEM_ROLES and want != self.system_role:
                role = want
            else:
                why = f"role {want!r} is not a system role other than {self.system_role!r}; not sent"
                self.ctx.lossy((*path, "provider_options", self.name, "role"), LossKind.DROPPED, why)
        msg: dict[str, Any] = {"role": role, "content": content_form(parts)}
        return [merge_options(msg, own, path=path, ctx=self.ctx)]

    def assistant_message(self, path: IRPath, m: Message) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        calls: list[dict[str, Any]] = []
        details: list[dict[str, Any]] = []  # the flavor's reasoning details (REQUEST_REASONING)
        refusals: list[tuple[IRPath, Refusal]] = []  # for the flavor's REFUSAL_FIELD
        field = self.flavor.REFUSAL_FIELD
        order: list[int] = []  # where each kept part goes: -1 reasoning, 0 content, 1 the refusal field, 2 tool calls
        for j, p in enumerate(m.content):
            pp = (*path, "content", j)
            rank = 0
            if isinstance(p, ToolUse):
                calls.append(self.tool_use(p, pp))
                rank = 2
            elif isinstance(p, Thinking | RedactedThinking):  # kept by reduce_request only where the flavor reads them
                details.append(self.reasoning_detail(p, pp))
                rank = -1
            elif isinstance(p, ProviderPart) and "reasoning_detail" in p.data:
                details.append(dict(p.data["reasoning_detail"]))
                rank = -1
            elif isinstance(p, Text):
                parts.append(self.text(p, pp))
            elif isinstance(p, Refusal) and field is not None:
                refusals.append((pp, p))
                rank = 1
            elif isinstance(p, Refusal):
                parts.append(self.merge({"type": "refusal", "refusal": p.text}, p.provider_options, pp))
            elif isinstance(p, ProviderPart):
                is_call = "tool_call" in p.data
                (calls if is_call else parts).append(_raw(p))
                rank = 2 if is_call else 0
            order.append(rank)
        if order != sorted(order):
            why = "tool calls are sent after the assistant's text (Chat keeps them apart)"
            if field is not None and 1 in order:
                why = f"the message's content, then its {field}, then its tool calls are sent in that order"
            if -1 in order:
                details_field = self.flavor.REASONING_DETAILS_FIELD
                why = f"the message's {details_field} are read first, then its content and tool calls"
            self.ctx.lossy((*path, "content"), LossKind.MOVED, why)
        msg: dict[str, Any] = {"role": "assistant"}
        if parts:
            msg["content"] = content_form(parts)
        if refusals and field is not None:
            msg[field] = self.refusal_field(refusals)
        if details:
            msg[str(self.flavor.REASONING_DETAILS_FIELD)] = details
        if calls:
            msg["tool_calls"] = calls
        return [self.merge(msg, m.provider_options, path)]

    def reasoning_detail(self, p: Thinking | RedactedThinking, path: IRPath) -> dict[str, Any]:
        """The reasoning detail of ``p`` (the inverse of ``Lifter.reasoning_detail``): its
        type, text or data, signature and the ``format`` of its origin, then its own options."""
        own = dict(own_options(p.provider_options, path, self.ctx))
        summary = isinstance(p, Thinking) and own.get("type") == "reasoning.summary"
        if summary:
            del own["type"]
        d = detail_item(p, summary)
        formats = self.flavor.REASONING_FORMATS
        if p.origin is not None:  # fit_signatures left an origin only on a signed part
            if p.origin in formats:
                d["format"] = formats[p.origin]
            else:
                why = f"{self.name} names no {p.origin!r} reasoning format; the origin is not sent"
                self.ctx.lossy((*path, "origin"), LossKind.DROPPED, why)
        elif (isinstance(p, RedactedThinking) or p.signature is not None) and (
            family := format_family(own.get("format"), formats)
        ) is not None:
            why = f"format {own['format']!r} is sent; a signed item of that format reads back with origin {family!r}"
            self.ctx.lossy(path, LossKind.CHANGED, why)
        return merge_options(d, own, path=path, ctx=self.ctx)

    def refusal_field(self, refusals: list[tuple[IRPath, Refusal]]) -> str:
        """The text of the flavor's ``REFUSAL_FIELD``: one string for the turn's refusals."""
        for pp, r in refusals:
            if r.cache is not None:
                self.ctx.lossy(
                    (*pp, "cache"), LossKind.DROPPED, f"the {self.flavor.REFUSAL_FIELD} field has no cache mark"
                )
            if r.provider_options:
                own_options(r.provider_options, pp, self.ctx)  # reports other codecs' options
                if self.name in r.provider_options:
                    why = f"the {self.flavor.REFUSAL_FIELD} field is a string; these fields are not sent"
                    self.ctx.lossy((*pp, "provider_options", self.name), LossKind.DROPPED, why)
        if len(refusals) > 1:
            why = f"one turn has one {self.flavor.REFUSAL_FIELD} string: the refusals are joined into the first"
            for pp, _ in refusals:
                self.ctx.lossy(pp, LossKind.CHANGED, why)
        return "".join(r.text for _, r in refusals)

    def user_message(self, path: IRPath, m: Message) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        run: list[dict[str, Any]] | None = None
        first_user: dict[str, Any] | None = None
        for j, p in enumerate(m.content):
            pp = (*path, "content", j)
            if isinstance(p, ToolResult):
                out.append(self.tool_result(p, pp))
                run = None
                continue
            if isinstance(p, ProviderPart) and "message" in p.data:  # a whole message kept raw (own_part)
                out.append(dict(p.data["message"]))
                run = None
                continue
            part = _raw(p) if isinstance(p, ProviderPart) else LOWER_PART[type(p)](self, p, pp)
            if run is None:
                run = []
                msg: dict[str, Any] = {"role": "user", "content": run}
                first_user = first_user or msg
                out.append(msg)
            run.append(part)
        if not out:
            first_user = {"role": "user", "content": []}
            out.append(first_user)
        for msg in out:
            if msg["role"] == "user":
                msg["content"] = content_form(msg["content"])
        if first_user is not None:
            self.merge(first_user, m.provider_options, path)
        elif m.provider_options:
            own_options(m.provider_options, path, self.ctx)  # reports other codecs' options
        if first_user is None and self.name in m.provider_options:
            why = "a user message of only tool results has no user message to carry these fields"
            self.ctx.lossy((*path, "provider_options", self.name), LossKind.DROPPED, why)
        return out

    def tool_result(self, p: ToolResult, path: IRPath) -> dict[str, Any]:
        parts: list[dict[str, Any]] = []
        for k, q in enumerate(p.content):
            qp = (*path, "content", k)
            if isinstance(q, Json):
                parts.append({"type": "text", "text": compact(q.value)})
                why = f"{self.name} tool messages have no JSON part; JSON sent as its text"
                self.ctx.lossy(qp, LossKind.CHANGED, why)
            elif isinstance(q, ProviderPart):
                parts.append(_raw(q))
            else:
                parts.append(LOWER_PART[type(q)](self, q, qp))
        if p.is_error:
            why = "Chat tool messages have no error flag; sent as a plain result"
            self.ctx.lossy((*path, "is_error"), LossKind.DROPPED, why)
        call_id = self.tool_id(p.tool_use_id, (*path, "tool_use_id"))
        if not parts:  # Chat refuses an empty content list (PROVIDERS.md §13)
            why = "an empty result is sent as the empty string; it reads back as one empty text part"
            self.ctx.lossy((*path, "content"), LossKind.CHANGED, why)
        msg = {"role": "tool", "tool_call_id": call_id, "content": content_form(parts) if parts else ""}
        return self.merge(msg, p.provider_options, path)

    # -- parts ------------------------------------------------------------------------------

    def text(self, p: Text, path: IRPath) -> dict[str, Any]:
        if p.cache is None and not p.provider_options:
            return {"type": "text", "text": p.text}
        return self.merge(self.with_mark({"type": "text", "text": p.text}, p.cache), p.provider_options, path)

    def image(self, p: Image, path: IRPath) -> dict[str, Any]:
        src = p.source
        if isinstance(src, Base64Source):
            url = f"data:{src.media_type};base64,{src.data}"
        else:
            assert isinstance(src, UrlSource)  # reduce_request dropped the rest
            url = src.url
            if DATA_URL.match(url):
                why = "a base64 data URL is read back as an inline base64 source"
                self.ctx.lossy((*path, "source"), LossKind.CHANGED, why)
            elif src.media_type is not None:
                why = "image_url carries no media type for a URL; dropped"
                self.ctx.lossy((*path, "source", "media_type"), LossKind.DROPPED, why)
        part = self.with_mark({"type": "image_url", "image_url": {"url": url}}, p.cache)
        return self.merge(part, p.provider_options, path, ("image_url",))

    def audio(self, p: Audio, path: IRPath) -> dict[str, Any]:
        src = p.source
        assert isinstance(src, Base64Source)  # reduce_request dropped the rest
        fmt = AUDIO_FORMAT[src.media_type]
        if FORMAT_MEDIA[fmt] != src.media_type:
            why = f"sent as format {fmt!r}, read back as {FORMAT_MEDIA[fmt]}"
            self.ctx.lossy((*path, "source", "media_type"), LossKind.CHANGED, why)
        part = self.with_mark({"type": "input_audio", "input_audio": {"data": src.data, "format": fmt}}, p.cache)
        return self.merge(part, p.provider_options, path, ("input_audio",))

    def document(self, p: Document, path: IRPath) -> dict[str, Any]:
        src = p.source
        file: dict[str, Any] = {}
        if isinstance(src, Base64Source):
            # The prompt-caching / PDF-input guides send file_data as a data URL.
            file["file_data"] = f"data:{src.media_type};base64,{src.data}"
        else:
            assert isinstance(src, FileSource)  # reduce_request dropped the rest
            file["file_id"] = src.file_id
            if src.media_type is not None:
                why = "a Chat file part carries no media type for a file id; dropped"
                self.ctx.lossy((*path, "source", "media_type"), LossKind.DROPPED, why)
        if p.name is not None:
            file["filename"] = p.name
        if p.context is not None:
            self.ctx.lossy((*path, "context"), LossKind.DROPPED, "Chat file parts have no document context; dropped")
        if p.citations is not None:
            self.ctx.lossy((*path, "citations"), LossKind.DROPPED, "Chat file parts have no citations switch; dropped")
        part = self.with_mark({"type": "file", "file": file}, p.cache)
        return self.merge(part, p.provider_options, path, ("file",))

    def tool_use(self, p: ToolUse, path: IRPath) -> dict[str, Any]:
        own = dict(own_options(p.provider_options, path, self.ctx))
        raw = own.pop("arguments", None)
        args = compact(p.input)
        if raw is not None:
            if isinstance(raw, str) and arguments_denote(raw, p.input):
                args = raw
            else:
                why = "the kept arguments text no longer matches the tool input; the input is sent as compact JSON"
                self.ctx.lossy((*path, "provider_options", self.name, "arguments"), LossKind.DROPPED, why)
        call_id = self.tool_id(p.id, (*path, "id"))
        call: dict[str, Any] = {"id": call_id, "type": "function", "function": {"name": p.name, "arguments": args}}
        return self.merge_own(call, own, path, ("function",))

    # -- tools ------------------------------------------------------------------------------

    def tool(self, i: int, t: Tool | ProviderTool) -> dict[str, Any]:
        path: IRPath = ("tools", i)
        if isinstance(t, ProviderTool):
            # an own raw tool: a mark in its data would be read back as the tool's mark
            data = dict(t.data)
            key = self.flavor.MARK_KEY
            rules = self.codec.profile().cache
            if key in data and rules.tool_markable(t) and rules.max_breakpoints != 0:
                if t.cache is not None or self.flavor.read_mark(data[key]) is not None:
                    self.ctx.lossy((*path, "data", key), LossKind.CHANGED, "read back as the tool's cache mark")
                    del data[key]
            return self.with_mark(data, t.cache)
        fn: dict[str, Any] = {"name": t.name}
        if t.description is not None:
            fn["description"] = t.description
        fn["parameters"] = t.input_schema
        if t.strict is not None:
            fn["strict"] = t.strict
        tool = self.with_mark({"type": "function", "function": fn}, t.cache)
        return self.merge(tool, t.provider_options, path, ("function",))


def _raw(p: ProviderPart) -> dict[str, Any]:
    return dict(p.data["tool_call"]) if "tool_call" in p.data else dict(p.data)


LOWER_PART: dict[type, Callable[[Lowerer, Any, IRPath], dict[str, Any]]] = {
    Text: Lowerer.text,
    Image: Lowerer.image,
    Audio: Lowerer.audio,
    Document: Lowerer.document,
}
"""IR part type -> the function that lowers it in a user or tool message (the dispatch table)."""


LOWER_MESSAGE: dict[str, Callable[[Lowerer, IRPath, Message], list[dict[str, Any]]]] = {
    "system": Lowerer.system_message,
    "assistant": Lowerer.assistant_message,
    "user": Lowerer.user_message,
}
"""IR role -> the function that lowers a message of it to wire messages."""
