"""Replies: ``ChatCompletion`` bodies and ``ChatCompletionChunk`` streams to an IR Response.

Content order of a reply: reasoning (the flavor's ``REASONING_DETAILS_FIELD`` or
``REASONING_FIELDS``), text, refusal, tool calls. Usage: :func:`chat_usage`. Stop reasons:
:data:`FINISH_REASONS` plus the flavor's ``STOP_REASONS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import msgspec

from ir_codec.codec import EncodeContext, expect_object, expect_str, load_json, wire_convert
from ir_codec.errors import DecodeError, LossKind
from ir_codec.ir import (
    Part,
    ProviderPart,
    RedactedThinking,
    Refusal,
    ReplyError,
    Response,
    StopReason,
    Text,
    Thinking,
    ToolUse,
    Usage,
)
from ir_codec.paths import IRPath
from ir_codec.replies import (
    Piece,
    StreamEncoder,
    WireEvent,
    drop_counters,
    drop_part,
    error_as_number,
    kept_fields,
    merge_unwritten,
    part_options,
    reply_error,
    unwritten,
    wire_stop_reason,
    write_kept,
    write_or_zero,
)
from ir_codec.stream import (
    MessageStart,
    PartOptions,
    Stop,
    StreamDecoder,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    UsageUpdate,
    WholePart,
    events_of,
)

from .wire import (
    DETAIL_PAYLOAD,
    WChatCompletion,
    WChatCompletionChunk,
    WChoiceDeltaToolCall,
    WCompletionUsage,
    WReplyToolCall,
    arguments_denote,
    compact,
    detail_item,
    parse_arguments,
    signed_origin,
)

if TYPE_CHECKING:
    from ir_codec.codec import Codec

    from .flavor import ChatFlavor

__all__ = [
    "FINISH_REASONS",
    "ChatStreamDecoder",
    "ChatStreamEncoder",
    "chat_usage",
    "decode_response",
    "encode_reply",
    "reply_events",
    "reply_tool_call",
    "stop_reason",
]

FINISH_REASONS: dict[str, StopReason] = {
    # ChatCompletion.Choice.finish_reason (chat_completion.py); "error" is OpenRouter's
    # (chatfinishreasonenum.py), which OpenAI-compatible servers share. Chat says "stop" for a
    # natural end and a stop sequence alike.
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "content_filter",
    "error": "error",
}
"""OpenAI's ``finish_reason`` values -> IR stop reasons."""


def stop_reason(finish: str | None, flavor: ChatFlavor, *, refused: bool = False) -> StopReason | None:
    """Normalized stop reason; a reply carrying a ``refusal`` is a refusal."""
    if finish is None:
        return None
    if refused and finish == "stop":
        return "refusal"
    return flavor.STOP_REASONS.get(finish) or FINISH_REASONS.get(finish, "other")


_USAGE_BUCKETS = frozenset(f for f in Usage.__struct_fields__ if f.endswith("_tokens"))


def chat_usage(raw: Mapping[str, Any], path: str = "$.usage", extra: Mapping[str, str] | None = None) -> Usage:
    """IR usage from Chat ``CompletionUsage`` (``raw``, at JSON path ``path``).

    ``prompt_tokens`` INCLUDES ``prompt_tokens_details.cached_tokens`` (reads) and
    ``cache_write_tokens`` (writes, GPT-5.6+; OpenRouter too), so the uncached bucket is what is
    left (PROVIDERS.md §1, §5a, §8), by :meth:`Usage.from_inclusive`'s overlap rule: reads,
    then writes, each capped at what is left of ``prompt_tokens``, so that counters which
    overlap and exceed ``prompt_tokens`` (OpenRouter over Gemini, PROVIDERS.md §13) never give
    a negative bucket. Chat reports no TTL split of the writes.
    ``completion_tokens_details.reasoning_tokens`` is part of ``completion_tokens``. A counter
    the object leaves out is ``None`` (OpenAI-compatible servers leave some out).
    ``extra`` maps other counters of ``raw`` to IR buckets (a flavor's ``USAGE_FIELDS``); a
    reported one wins, and a reported uncached bucket is taken as it is.
    """
    u = wire_convert(raw, WCompletionUsage, path)
    d = u.prompt_tokens_details
    c = u.completion_tokens_details
    buckets: dict[str, int | None] = {
        "cache_read_tokens": d.cached_tokens if d else None,
        "cache_write_tokens": d.cache_write_tokens if d else None,
        "uncached_input_tokens": None,
        "output_tokens": u.completion_tokens,
        "reasoning_tokens": c.reasoning_tokens if c else None,
    }
    for field, bucket in (extra or {}).items():
        if bucket not in _USAGE_BUCKETS:
            raise ValueError(f"USAGE_FIELDS: {bucket!r} is not a Usage field")
        value = raw.get(field)
        if value is not None:
            if not isinstance(value, int) or isinstance(value, bool):
                raise DecodeError(f"{path}.{field}", "an integer", type(value).__name__)
            buckets[bucket] = value
    rest = {k: v for k, v in buckets.items() if v is not None and k not in _INPUT_BUCKETS}
    read, write, uncached = (buckets[k] for k in ("cache_read_tokens", "cache_write_tokens", "uncached_input_tokens"))
    if uncached is None:
        return Usage.from_inclusive(u.prompt_tokens, cache_read_tokens=read, cache_write_tokens=write, **rest)
    return Usage(uncached_input_tokens=uncached, cache_read_tokens=read, cache_write_tokens=write, **rest)


_INPUT_BUCKETS = frozenset({"cache_read_tokens", "cache_write_tokens", "uncached_input_tokens"})


def _list(value: Any, path: str) -> list[Any]:
    """A list field that may be absent or null."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise DecodeError(path, "an array or null", type(value).__name__)
    return value


def _reasoning_text(msg: Mapping[str, Any], flavor: ChatFlavor) -> str | None:
    # not in OpenAI's types: a field of this name that is no string (another server's use of
    # it) is not read as reasoning
    for name in flavor.REASONING_FIELDS:
        text = msg.get(name)
        if isinstance(text, str) and text:
            return text
    return None


def _reasoning_detail(d: Any, path: str, name: str, formats: Mapping[str, str]) -> Part:
    d = expect_object(d, path)
    t = d.get("type")
    own = detail_fields(d)
    if t == "reasoning.encrypted" and isinstance(d.get("data"), str):
        origin = signed_origin(own, formats)
        return RedactedThinking(data=d["data"], origin=origin, provider_options={name: own} if own else {})
    if t == "reasoning.text":
        text = expect_str(d.get("text"), f"{path}.text", nullable=True)
        signature = expect_str(d.get("signature"), f"{path}.signature", nullable=True)
        origin = signed_origin(own, formats) if signature is not None else None
        opts = {name: own} if own else {}
        return Thinking(text=text or "", signature=signature, origin=origin, provider_options=opts)
    opts = {name: own} if own else {}
    if t == "reasoning.summary" and isinstance(d.get("summary"), str):
        return Thinking(text=d["summary"], provider_options=opts)
    if isinstance(t, str) and _opaque_detail(d):  # reasoning.server_tool_call, or a type of the future
        return ProviderPart(codec=name, data={"reasoning_detail": d})
    raise DecodeError(f"{path}.type", "reasoning.text, reasoning.summary or reasoning.encrypted", repr(t))


def _opaque_detail(d: Mapping[str, Any]) -> bool:
    """A reasoning detail of a type that is no IR reasoning part (``reasoning.server_tool_call``,
    ``reasoningdetailservertoolcall.py``): a reply keeps it as an own :class:`ProviderPart`."""
    return d.get("type") not in DETAIL_PAYLOAD


def detail_fields(d: Mapping[str, Any]) -> dict[str, Any]:
    """A reasoning detail's own fields (OpenRouter ``reasoningdetail*.py``): its ``format``
    (``anthropic-claude-v1``, ``openai-responses-v1``: whose reasoning it is, which a later
    request must send back) and ``id``, and ``type`` where it is ``reasoning.summary`` (a
    Thinking reads as ``reasoning.text`` otherwise). Kept in the part's ``provider_options``."""
    out = {k: d[k] for k in ("format", "id") if isinstance(d.get(k), str)}
    if d.get("type") == "reasoning.summary":
        out["type"] = "reasoning.summary"
    return out


def _detail_item(p: Part, own: Mapping[str, Any], formats: Mapping[str, str]) -> dict[str, Any]:
    """The ``reasoning_details`` item of reasoning part ``p`` with its own fields ``own``
    (:func:`detail_fields`), the ``format`` of its origin where it has one (``formats``)."""
    extra = {k: own[k] for k in ("format", "id") if isinstance(own.get(k), str)}
    if "format" not in extra and _carries_origin(p, own, formats):
        extra = {"format": formats[str(getattr(p, "origin", ""))], **extra}
    assert isinstance(p, Thinking | RedactedThinking)
    return {**detail_item(p, own.get("type") == "reasoning.summary"), **extra}


def reply_tool_call(call: Any, path: str, name: str, flavor: ChatFlavor) -> ToolUse | ProviderPart:
    """A reply's tool call. Ids, types and the like are not request options; only the raw
    arguments text is kept (for the next turn). A call without ``function.arguments`` (or with
    ``null``; some OpenAI-compatible servers, PROVIDERS.md §13) has the input ``{}`` and no kept
    text, so it re-encodes with ``"arguments": "{}"``. A call of another type (a custom tool's,
    ``ChatCompletionMessageCustomToolCall``) is a :class:`ProviderPart` ``{"tool_call": raw}``,
    as in a request."""
    obj = expect_object(call, path)
    if "type" in obj and obj["type"] != "function" and isinstance(obj["type"], str):
        return ProviderPart(codec=name, data={"tool_call": obj})
    w = wire_convert(obj, WReplyToolCall, path)
    if w.function.arguments is None:
        return ToolUse(id=flavor.tool_call_id_from_wire(w.id), name=w.function.name, input={})
    value, kept = parse_arguments(w.function.arguments)
    return ToolUse(
        id=flavor.tool_call_id_from_wire(call["id"]),
        name=call["function"]["name"],
        input=value,
        provider_options={name: {"arguments": kept}} if kept else {},
    )


def _plain_thinking(chunk: Mapping[str, Any]) -> str | None:
    """The text of a ``thinking`` chunk that holds one text and nothing else, else None."""
    inner = chunk.get("thinking")
    if set(chunk) != {"type", "thinking"} or type(inner) is not list or len(inner) != 1:
        return None
    t = inner[0]
    if type(t) is not dict or set(t) != {"type", "text"} or t["type"] != "text" or type(t["text"]) is not str:
        return None
    return t["text"]


def content_chunks(chunks: list[Any], path: str, name: str) -> list[Part]:
    """The parts of a content list (``ChatFlavor.REPLY_CONTENT_CHUNKS``), one per chunk, in order."""
    out: list[Part] = []
    for i, raw in enumerate(chunks):
        c = expect_object(raw, f"{path}[{i}]")
        if c.get("type") == "text" and set(c) == {"type", "text"} and type(c["text"]) is str:
            out.append(Text(text=c["text"]))
        elif c.get("type") == "thinking" and (thought := _plain_thinking(c)) is not None:
            out.append(Thinking(text=thought))
        else:
            out.append(ProviderPart(codec=name, data={"content_chunk": c}))
    return out


def _own_chunk(p: Part, name: str) -> bool:
    """Whether ``p`` is a content chunk decode keeps raw (:func:`content_chunks`)."""
    return (
        type(p) is ProviderPart
        and p.codec == name
        and set(p.data) == {"content_chunk"}
        and isinstance(p.data["content_chunk"], dict)
    )


def decode_response(payload: Mapping[str, Any] | bytes | str, name: str, flavor: ChatFlavor) -> Response:
    """Lift a ``ChatCompletion`` (its first choice) to an IR :class:`Response`."""
    data = expect_object(load_json(payload), "$")
    comp = wire_convert(data, WChatCompletion)
    if not comp.choices:
        raise DecodeError("$.choices", "at least one choice", "an empty list")
    choice = comp.choices[0]
    msg = choice.message
    mpath = "$.choices[0].message"
    parts: list[Part] = []
    details_field = flavor.REASONING_DETAILS_FIELD
    details = _list(msg.get(details_field), f"{mpath}.{details_field}") if details_field else []
    if details:
        formats = flavor.REASONING_FORMATS
        parts += [_reasoning_detail(d, f"{mpath}.{details_field}[{i}]", name, formats) for i, d in enumerate(details)]
    elif (text := _reasoning_text(msg, flavor)) is not None:
        parts.append(Thinking(text=text))
    if flavor.REPLY_CONTENT_CHUNKS and isinstance(msg.get("content"), list):
        parts += content_chunks(msg["content"], f"{mpath}.content", name)
    else:
        content = expect_str(msg.get("content"), f"{mpath}.content", nullable=True)
        if content:
            parts.append(Text(text=content))
    refusal = expect_str(msg.get("refusal"), f"{mpath}.refusal", nullable=True)
    refused = refusal is not None
    if refusal is not None:
        parts.append(Refusal(text=refusal))
    for k, call in enumerate(_list(msg.get("tool_calls"), f"{mpath}.tool_calls")):
        parts.append(reply_tool_call(call, f"{mpath}.tool_calls[{k}]", name, flavor))
    error = _chat_error(data, data["choices"][0], "$")
    stop = stop_reason(choice.finish_reason, flavor, refused=refused) if error is None else "error"
    usage = flavor.convert_usage(comp.usage, "$.usage") if comp.usage is not None else None
    return Response(
        id=comp.id,
        model=comp.model,
        content=parts,
        stop_reason=stop,
        raw_stop_reason=choice.finish_reason,
        usage=usage,
        provider_options=_reply_extras(
            data, comp.usage, usage, name, flavor, _message_extras(msg, flavor), _choice_extras(data["choices"][0])
        ),
        error=error,
    )


_REPLY_FIELDS = frozenset({"id", "object", "model", "choices", "usage", "error"})
"""Top-level reply (and chunk) fields the IR holds; the others are kept raw."""

_CHUNK_FIELDS = _REPLY_FIELDS | {"obfuscation"}
"""A chunk's fields that are no reply field kept raw: those the IR holds, and ``obfuscation``,
padding of a random length in every chunk (``chat_completion_chunk.py``; sent unless
``stream_options.include_obfuscation`` is false), which says nothing of the reply."""

_NESTED = frozenset({"usage", "message", "choice"})
"""Keys of the kept fields (:func:`_reply_extras`) that hold another object's, not the reply's."""


def _message_extras(message: Mapping[str, Any], flavor: ChatFlavor) -> dict[str, Any]:
    """A message's (or a delta's) fields the IR has no word for: OpenAI's ``annotations`` (the
    URL citations of web search, ``chat_completion_message.py``), ``audio``, Mistral's ``prefix``."""
    details = (flavor.REASONING_DETAILS_FIELD,) if flavor.REASONING_DETAILS_FIELD is not None else ()
    return kept_fields(message, {*_MESSAGE_FIELDS, *flavor.REASONING_FIELDS, *details})


_MESSAGE_FIELDS = frozenset({"role", "content", "refusal", "tool_calls"})

_CHOICE_FIELDS = frozenset({"index", "message", "delta", "finish_reason", "error"})
"""Fields of a choice the IR holds (the error: :func:`_chat_error`); the others are kept raw."""


def _choice_extras(choice: Mapping[str, Any]) -> dict[str, Any]:
    """The first choice's fields the IR has no word for: ``logprobs`` (``chat_completion.py``
    ``ChoiceLogprobs``), OpenRouter's ``native_finish_reason`` (``chatchoice.py``)."""
    return kept_fields(choice, _CHOICE_FIELDS)


def _join_choice_extras(kept: dict[str, Any], choice: Mapping[str, Any]) -> None:
    """Add a chunk's choice fields to those of the chunks before (``kept``), as the whole reply
    has them: the token lists of ``logprobs`` (``content``, ``refusal``) are joined, any other
    field is the last value that is not null."""
    for k, v in _choice_extras(choice).items():
        old = kept.get(k)
        if k == "logprobs" and isinstance(old, dict) and isinstance(v, dict):
            joined = dict(old)
            for key, tokens in v.items():
                before = joined.get(key)
                joined[key] = before + tokens if isinstance(before, list) and isinstance(tokens, list) else tokens
            kept[k] = joined
        else:
            kept[k] = v


def _reply_extras(
    data: Mapping[str, Any],
    raw_usage: Any,
    usage: Usage | None,
    name: str,
    flavor: ChatFlavor,
    message: Mapping[str, Any],
    choice: Mapping[str, Any],
) -> dict[str, dict[str, Any]]:
    """The reply's fields the IR has no word for (``created``, ``system_fingerprint``,
    ``service_tier``, OpenRouter's ``provider``), under ``message`` its message's
    (:func:`_message_extras`), under ``choice`` its choice's (:func:`_choice_extras`), and
    under ``usage`` those of its usage that
    the IR usage does not write back (OpenRouter's ``cost``, ``prompt_tokens_details.audio_tokens``):
    ``provider_options[name]``, written back by :func:`encode_reply`."""
    extras = kept_fields(data, _REPLY_FIELDS, {"created": 0, **flavor.REPLY_DEFAULTS})
    if isinstance(raw_usage, dict) and usage is not None:
        kept = unwritten(raw_usage, _usage_body(usage, EncodeContext(name), flavor))
        if kept:
            extras["usage"] = kept
    if message:
        extras["message"] = dict(message)
    if choice:
        extras["choice"] = dict(choice)
    return {name: extras} if extras else {}


def _chat_error(data: dict[str, Any], choice: Any, path: str) -> ReplyError | None:
    """The error a reply or chunk carries: OpenAI's ``{"error": ...}`` (the chunk of the error
    alone), OpenRouter's beside the choices (SDK ``chatstreamchunk.py``: ``code``, ``message``,
    ``metadata.error_type``, the type) or in the choice (its "Errors" documentation: an error
    while the model produces the output is "emitted in the response body or as an SSE data
    event")."""
    where, raw = f"{path}.error", data.get("error")
    if raw is None and isinstance(choice, dict):
        where, raw = f"{path}.choices[0].error", choice.get("error")
    error = reply_error(raw, where)
    meta = raw.get("metadata") if isinstance(raw, dict) else None
    if error is not None and error.type is None and isinstance(meta, dict):
        kind = expect_str(meta.get("error_type"), f"{where}.metadata.error_type", nullable=True)
        error = msgspec.structs.replace(error, type=kind)
    return error


def _openrouter_error(error: ReplyError, ctx: EncodeContext) -> dict[str, Any]:
    """OpenRouter's error object (SDK ``chatstreamchunk.py`` ``ChatStreamChunkError``: ``code``
    a number, ``message``, ``metadata.error_type``): a code that is no number is written as 500
    (reported)."""
    code = error_as_number(error.code)
    if not isinstance(code, int):
        code = 500
        ctx.lossy(("error", "code"), LossKind.CHANGED, "OpenRouter's error code is a number: written as 500")
    wire: dict[str, Any] = {"code": code, "message": error.message}
    if error.type is not None:
        wire["metadata"] = {"error_type": error.type}
    return wire


# Part indices in the assembled response: reasoning first, then text, refusal, tool calls.
_CHUNK_INDEX = 500
"""The first stream index of content chunks kept whole (``ChatFlavor.REPLY_CONTENT_CHUNKS``)."""
_TEXT_INDEX = 1000
_REFUSAL_INDEX = 1001
_TOOL_INDEX = 2000


class ChatStreamDecoder(StreamDecoder):
    """``ChatCompletionChunk`` events (first choice) to IR stream events.

    ``finish()`` equals :func:`decode_response` of the equivalent whole reply: text and tool-call
    argument deltas are joined, reasoning deltas become thinking parts, and the usage comes from
    the chunk that carries it. Encrypted reasoning is passed on whole (a :class:`WholePart`) where
    it arrives, among the other reasoning items; a refusal (it arrives in pieces but is no IR
    piece) and tool calls whose arguments text must be kept byte for byte are handed to the
    assembler whole (``add_part``) when the choice finishes.
    """

    def __init__(self, name: str, flavor: ChatFlavor) -> None:
        super().__init__()
        self.name = name
        self.flavor = flavor
        self._started = False
        self._refusal: str | None = None
        self._args: dict[int, str] = {}
        self._tools: dict[int, tuple[str, str]] = {}
        self._last_tool: int | None = None  # the index of the last tool-call piece
        self._raw_chunks = 0  # content chunks read as parts of their own (_chunk_pieces)
        self._encrypted: dict[int, str] = {}
        self._top: dict[str, Any] = {}
        """Every chunk's fields beyond the IR's, the last value of each (``created``, ...)."""
        self._detail_own: dict[int, dict[str, Any]] = {}
        """Each reasoning detail's own fields (:func:`detail_fields`), by its index."""
        self._origin: dict[int, str] = {}
        """The signature family of each signed detail whose format named it, by its index."""
        self._message: dict[str, Any] = {}
        """The first choice's delta fields beyond the IR's (``annotations``), the last of each."""
        self._choice: dict[str, Any] = {}
        """The first choice's fields beyond the IR's (``logprobs``, joined; ``native_finish_reason``)."""
        self._usage: tuple[Any, Usage] | None = None
        """The last usage: as the chunk wrote it, and read (for :func:`_reply_extras`)."""
        self._head: tuple[str | None, str | None] = (None, None)
        """The reply's id and model so far."""

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        chunk = wire_convert(expect_object(data, "$"), WChatCompletionChunk)
        out: list[StreamEvent] = []
        if not self._started and (chunk.id is not None or chunk.model is not None):
            self._started = True
            self._head = (chunk.id, chunk.model)
            out.append(MessageStart(id=chunk.id, model=chunk.model))
        elif self._started and ((chunk.id and not self._head[0]) or (chunk.model and not self._head[1])):
            # Azure OpenAI opens with a chunk of empty id and model (its prompt_filter_results):
            # the reply's are those of the first chunk that has them
            self._head = (self._head[0] or chunk.id, self._head[1] or chunk.model)
            out.append(MessageStart(id=self._head[0], model=self._head[1]))
        first = next((c for c in data.get("choices") or [] if isinstance(c, dict) and c.get("index", 0) == 0), None)
        error = _chat_error(data, first, "$")
        for ci, choice in enumerate(chunk.choices):
            if choice.index != 0:
                continue
            _join_choice_extras(self._choice, data["choices"][ci])
            out += self._delta(choice.delta, f"$.choices[{ci}].delta")
            if choice.finish_reason is not None and error is None:
                self._hand_over_whole_parts()
                refused = self._refusal is not None
                out.append(
                    Stop(
                        stop_reason=stop_reason(choice.finish_reason, self.flavor, refused=refused),
                        raw_stop_reason=choice.finish_reason,
                    )
                )
        self._top.update((k, v) for k, v in data.items() if k not in _CHUNK_FIELDS and v is not None)
        if chunk.usage is not None:
            self._usage = (chunk.usage, self.flavor.convert_usage(chunk.usage, "$.usage"))
            out.append(UsageUpdate(usage=self._usage[1]))
        raw, usage = self._usage or (None, None)
        self.assembler.response_options = _reply_extras(
            self._top, raw, usage, self.name, self.flavor, self._message, self._choice
        )
        if error is not None:  # the stream ends here (OpenAI: a chunk of the error alone; OpenRouter: beside a choice)
            self._hand_over_whole_parts()
            out.append(Stop(stop_reason="error", raw_stop_reason=error.type or error.code, error=error))
        return out

    def _delta(self, delta: dict[str, Any], path: str) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        self._message.update(_message_extras(delta, self.flavor))
        details_field = self.flavor.REASONING_DETAILS_FIELD
        details = _list(delta.get(details_field), f"{path}.{details_field}") if details_field else []
        for i, d in enumerate(details):
            d = expect_object(d, f"{path}.{details_field}[{i}]")
            idx = d.get("index", 0) if isinstance(d.get("index"), int) else 0
            t = d.get("type")
            if isinstance(t, str) and _opaque_detail(d):
                # passed on whole, as the whole reply reads it (a reasoning.server_tool_call comes in one piece)
                out.append(WholePart(index=idx, part=ProviderPart(codec=self.name, data={"reasoning_detail": d})))
                continue
            own = {**self._detail_own.get(idx, {}), **detail_fields(d)}
            if idx in self._origin:  # its format said its origin (signed_origin): not an own field
                own.pop("format", None)
            if own != self._detail_own.get(idx, {}):  # the detail's own fields, as the whole reply's part has them
                self._detail_own[idx] = own
                if t != "reasoning.encrypted":  # before the piece: an encoder writes them on its item
                    out.append(PartOptions(index=idx, provider_options={self.name: own}))
            if t == "reasoning.encrypted" and isinstance(d.get("data"), str):
                # passed on whole where it stands among the reasoning items (a piece more of it
                # replaces the part with all its data so far)
                self._encrypted[idx] = self._encrypted.get(idx, "") + d["data"]
                own = dict(own)
                origin = signed_origin(own, self.flavor.REASONING_FORMATS)
                opts = {self.name: own} if own else {}
                part = RedactedThinking(data=self._encrypted[idx], origin=origin, provider_options=opts)
                out.append(WholePart(index=idx, part=part))
            elif t in ("reasoning.text", "reasoning.summary"):
                dpath = f"{path}.{details_field}[{i}]"
                key = "text" if t == "reasoning.text" else "summary"
                text = expect_str(d.get(key), f"{dpath}.{key}", nullable=True)
                signature = expect_str(d.get("signature"), f"{dpath}.signature", nullable=True)
                origin = None
                if t == "reasoning.text" and signature is not None and idx not in self._origin:
                    # signed: a format that names a family is its origin (as the whole reply reads it)
                    mapped = dict(own)
                    origin = signed_origin(mapped, self.flavor.REASONING_FORMATS)
                    if origin is not None:
                        self._origin[idx] = origin
                        self._detail_own[idx] = mapped
                        out.append(PartOptions(index=idx, provider_options={self.name: mapped} if mapped else {}))
                out.append(ThinkingDelta(index=idx, text=text or "", signature=signature, origin=origin))
            else:
                raise DecodeError(f"{path}.{details_field}[{i}].type", "a reasoning detail type", repr(t))
        if not details and (text := _reasoning_text(delta, self.flavor)) is not None:
            out.append(ThinkingDelta(index=0, text=text))
        if self.flavor.REPLY_CONTENT_CHUNKS and isinstance(delta.get("content"), list):
            out += self._chunk_pieces(delta["content"], f"{path}.content")
        else:
            content = expect_str(delta.get("content"), f"{path}.content", nullable=True)
            if content:
                out.append(TextDelta(index=_TEXT_INDEX, text=content))
        refusal = expect_str(delta.get("refusal"), f"{path}.refusal", nullable=True)
        if refusal is not None:
            self._refusal = (self._refusal or "") + refusal
        for k, raw in enumerate(_list(delta.get("tool_calls"), f"{path}.tool_calls")):
            tpath = f"{path}.tool_calls[{k}]"
            if type(raw) is dict and "index" not in raw:
                raw = {**raw, "index": self._index_of(raw)}
            tc = wire_convert(raw, WChoiceDeltaToolCall, tpath)
            self._last_tool = tc.index
            fn = tc.function
            fname = expect_str(fn.get("name"), f"{tpath}.function.name", nullable=True) or ""
            args = expect_str(fn.get("arguments"), f"{tpath}.function.arguments", nullable=True)
            if tc.index not in self._tools:
                call_id = self.flavor.tool_call_id_from_wire(tc.id or "")
                self._tools[tc.index] = (tc.id or "", fname)
                out.append(ToolCallStart(index=_TOOL_INDEX + tc.index, id=call_id, name=fname))
            if args is not None:
                self._args[tc.index] = self._args.get(tc.index, "") + args
                if args:
                    out.append(ToolCallDelta(index=_TOOL_INDEX + tc.index, arguments=args))
        return out

    def _chunk_pieces(self, chunks: list[Any], path: str) -> list[StreamEvent]:
        """A delta's content chunks (``ChatFlavor.REPLY_CONTENT_CHUNKS``): a text chunk is a piece
        of the one text, a thinking chunk of one text a piece of the one thought (as a reasoning
        field's would be), any other chunk a part of its own, whole, between the two."""
        out: list[StreamEvent] = []
        for p in content_chunks(chunks, path, self.name):
            if isinstance(p, Text):
                if p.text:
                    out.append(TextDelta(index=_TEXT_INDEX, text=p.text))
            elif isinstance(p, Thinking):
                out.append(ThinkingDelta(index=0, text=p.text))
            else:
                out.append(WholePart(index=_CHUNK_INDEX + self._raw_chunks, part=p))
                self._raw_chunks += 1
        return out

    def _index_of(self, piece: dict[str, Any]) -> int:
        """The index of a tool-call piece that has none (Mistral's ``ToolCall.index`` is optional,
        ``mistralai/models/toolcall.py``; its streams send each call whole): a piece with an id
        other than the last call's starts the next call, any other piece continues the last one."""
        last = self._last_tool
        if last is None:
            return 0
        new_id = piece.get("id")
        if isinstance(new_id, str) and new_id and new_id != self._tools.get(last, ("", ""))[0]:
            return max(self._tools) + 1
        return last

    def _hand_over_whole_parts(self) -> None:
        """At the end of the choice: the parts the assembler takes whole, each at its index (a
        tool call replaces its streamed pieces, lifted exactly as in a whole reply)."""
        asm = self.assembler
        if self._refusal is not None:
            asm.add_part(_REFUSAL_INDEX, Refusal(text=self._refusal))
        for i, (cid, fname) in self._tools.items():
            fn: dict[str, Any] = {"name": fname}
            if i in self._args:  # no piece carried ``arguments``: as a whole call without it
                fn["arguments"] = self._args[i]
            call = {"id": cid, "type": "function", "function": fn}
            asm.add_part(_TOOL_INDEX + i, reply_tool_call(call, f"$.tool_calls[{i}]", self.name, self.flavor))


# --------------------------------------------------------------------------------------------
# Encoding replies and streams (IR Response -> ChatCompletion / ChatCompletionChunk stream)

_WRITE_FINISH: dict[StopReason, str] = {
    "end_turn": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "content_filter": "content_filter",
    "refusal": "stop",  # reads back as a refusal where the reply carries one
}
"""IR stop reason -> ``finish_reason`` (``chat_completion.py``: stop, length, tool_calls,
content_filter, function_call); a flavor's own values are added from its ``STOP_REASONS``."""

_RANK = {Thinking: 0, RedactedThinking: 0, Text: 1, Refusal: 2, ToolUse: 3}
"""The order in which decode lists a reply's parts: reasoning, text, refusal, tool calls."""


def _write_finish(flavor: ChatFlavor, name: str) -> dict[StopReason, str]:
    out = dict(_WRITE_FINISH)
    if name == "openrouter":
        out["error"] = "error"  # chatfinishreasonenum.py
    for wire, ir in flavor.STOP_REASONS.items():
        out.setdefault(ir, wire)
    return out


def _usage_body(usage: Usage, ctx: EncodeContext, flavor: ChatFlavor) -> dict[str, Any]:
    """``CompletionUsage``: ``prompt_tokens`` is the sum of the input buckets (the inverse of
    :meth:`Usage.from_inclusive`), reads and writes in ``prompt_tokens_details``; a flavor's
    ``USAGE_FIELDS`` are written from their buckets."""
    why = "CompletionUsage requires the prompt count"
    if usage.uncached_input_tokens is None:
        write_or_zero(usage, "uncached_input_tokens", ctx, why)
    prompt = usage.input_tokens or 0
    completion = write_or_zero(usage, "output_tokens", ctx, "CompletionUsage requires completion_tokens")
    out: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    details: dict[str, Any] = {}
    if usage.cache_read_tokens is not None:
        details["cached_tokens"] = usage.cache_read_tokens
    if usage.cache_write_tokens is not None:
        details["cache_write_tokens"] = usage.cache_write_tokens
    if details:
        out["prompt_tokens_details"] = details
    if usage.reasoning_tokens is not None:
        out["completion_tokens_details"] = {"reasoning_tokens": usage.reasoning_tokens}
    for wire, bucket in flavor.USAGE_FIELDS.items():
        value = getattr(usage, bucket)
        if bucket == "uncached_input_tokens" and value is None:
            value = 0  # as prompt_tokens counts it (reported above)
        if value is not None:
            out[wire] = value
    ttls = ("cache_write_5m_tokens", "cache_write_1h_tokens", "cache_write_30m_tokens", "cache_write_12h_tokens")
    drop_counters(usage, ttls, ctx, "Chat usage has no TTL split of the cache writes")
    return out


def _reasoning(
    parts: list[tuple[int, Part]], ctx: EncodeContext, flavor: ChatFlavor, own: Mapping[int, Mapping[str, Any]]
) -> dict[str, Any]:
    """The reasoning fields of the message: ``REASONING_DETAILS_FIELD`` where a part needs it
    (a signature, encrypted reasoning, several parts, a detail's own fields ``own``: part index
    -> :func:`detail_fields`), else the text in ``REASONING_FIELDS[0]``."""
    if not parts:
        return {}
    details_field = flavor.REASONING_DETAILS_FIELD
    needs = (
        len(parts) > 1
        or any(isinstance(p, RedactedThinking) or p.signature is not None for _, p in parts)  # type: ignore[union-attr]
        or any(own.values())
    )
    formats = flavor.REASONING_FORMATS if details_field is not None and needs else {}
    for j, p in parts:
        origin = p.origin  # type: ignore[union-attr]
        if origin is not None and not _carries_origin(p, own.get(j, {}), formats):
            ctx.lossy(("content", j, "origin"), LossKind.DROPPED, "Chat reasoning carries no origin")
    if details_field is not None and needs:
        # as the provider writes them (and the stream encoder does): each item with its ``index``,
        # and the text of the thoughts in the text field beside them, for a reader of that field
        items = [{**_detail_item(p, own.get(j, {}), formats), "index": n} for n, (j, p) in enumerate(parts)]
        text = "".join(p.text for _, p in parts if isinstance(p, Thinking))
        return (
            {flavor.REASONING_FIELDS[0]: text, details_field: items}
            if text and flavor.REASONING_FIELDS
            else {details_field: items}
        )
    if not flavor.REASONING_FIELDS:
        for j, _ in parts:
            ctx.lossy(("content", j), LossKind.DROPPED, "this provider's replies carry no reasoning")
        return {}
    thoughts: list[tuple[int, Thinking]] = []
    for j, p in parts:
        if isinstance(p, RedactedThinking):
            ctx.lossy(("content", j), LossKind.DROPPED, "encrypted reasoning has no place in the reply")
            continue
        assert isinstance(p, Thinking)
        if p.signature is not None:
            ctx.lossy(("content", j, "signature"), LossKind.DROPPED, "the reasoning text field has no signature")
        thoughts.append((j, p))
    _joined(thoughts, ctx, "reasoning parts are joined into one text", empty_drops=True)
    texts = [p.text for _, p in thoughts]
    return {flavor.REASONING_FIELDS[0]: "".join(texts)} if any(texts) else {}


def _carries_origin(p: Part, own: Mapping[str, Any], formats: Mapping[str, str]) -> bool:
    """Whether the reasoning detail of ``p`` says its origin: signed, and a format that names the
    family (``formats``: ``ChatFlavor.REASONING_FORMATS``; the detail's own ``format``, if any,
    is that one)."""
    origin = getattr(p, "origin", None)
    signed = isinstance(p, RedactedThinking) or getattr(p, "signature", None) is not None
    fmt = formats.get(origin) if isinstance(origin, str) else None
    return signed and fmt is not None and own.get("format", fmt) == fmt


def _report_moves(
    order: list[tuple[int, int]],
    reasoning: list[tuple[int, Part]],
    texts: list[tuple[int, Text]],
    refusals: list[tuple[int, Refusal]],
    ctx: EncodeContext,
    flavor: ChatFlavor,
) -> None:
    """Decode lists reasoning, text, refusal, tool calls: a part that reads back as a part of
    its own (not dropped, not joined into an earlier one) is reported ``moved`` where another
    kind of part takes its place."""
    gone: set[int] = set()
    details = flavor.REASONING_DETAILS_FIELD is not None and (
        len(reasoning) > 1 or any(isinstance(p, RedactedThinking) or p.signature is not None for _, p in reasoning)  # type: ignore[union-attr]
    )
    if not details:
        joined = [j for j, p in reasoning if isinstance(p, Thinking) and p.text and flavor.REASONING_FIELDS]
        gone |= {j for j, _ in reasoning} - set(joined[:1])
    for group in (texts, refusals):
        full = [j for j, p in group if p.text] or ([] if group is texts else [j for j, _ in group])
        gone |= {j for j, _ in group} - set(full[:1])
    alive = [(rank, j) for rank, j in order if j not in gone]
    for (_, j), (_, k) in zip(alive, sorted(alive, key=lambda t: t[0]), strict=True):
        if j != k:
            ctx.lossy(
                ("content", j), LossKind.MOVED, "a Chat reply lists reasoning, text, refusal, tool calls in order"
            )


def _joined(parts: list[tuple[int, Any]], ctx: EncodeContext, why: str, *, empty_drops: bool) -> None:
    """Report parts joined into one string: empty ones vanish (``dropped``, where an empty
    string reads back as no part or is absorbed), non-empty ones change when two or more join."""
    full = [j for j, p in parts if p.text]
    for j, p in parts:
        if not p.text and empty_drops:
            ctx.lossy(("content", j), LossKind.DROPPED, "an empty string reads back as no part")
        elif p.text and len(full) > 1:
            ctx.lossy(("content", j), LossKind.CHANGED, why)


def _own_call(p: ProviderPart, name: str) -> bool:
    """Whether ``p`` is a tool call decode keeps raw (:func:`reply_tool_call`)."""
    if p.codec != name or set(p.data) != {"tool_call"}:
        return False
    call = p.data["tool_call"]
    return isinstance(call, dict) and isinstance(call.get("type"), str) and call["type"] != "function"


def encode_reply(
    response: Response, ctx: EncodeContext, name: str, flavor: ChatFlavor, *, choice_errors: bool = False
) -> dict[str, Any]:
    """The ``ChatCompletion`` of ``response`` (one choice; SDK ``chat/chat_completion.py``);
    the reply's own fields kept raw (:func:`_reply_extras`) are written back. ``choice_errors``:
    a choice says the error that ended it (``Codec.REPLY_ERRORS``: OpenRouter)."""
    reasoning: list[tuple[int, Part]] = []
    texts: list[tuple[int, Text]] = []
    refusals: list[tuple[int, Refusal]] = []
    calls: list[dict[str, Any]] = []
    order: list[tuple[int, int]] = []  # (rank, IR index) of the parts kept, in IR order
    detail_own: dict[int, dict[str, Any]] = {}  # reasoning part -> its detail's own fields
    # content as a list of chunks, in IR order (ChatFlavor.REPLY_CONTENT_CHUNKS): its texts are not joined
    chunked = flavor.REPLY_CONTENT_CHUNKS and any(type(p) is Thinking or _own_chunk(p, name) for p in response.content)
    chunks: list[dict[str, Any]] = []
    for j, p in enumerate(response.content):
        path: IRPath = ("content", j)
        rank = _RANK.get(type(p))
        if isinstance(p, ProviderPart) and _own_call(p, name):  # a custom tool call, as decode keeps it
            order.append((_RANK[ToolUse], j))
            calls.append(dict(p.data["tool_call"]))
            continue
        if chunked and isinstance(p, ProviderPart) and _own_chunk(p, name):
            order.append((_RANK[Text], j))
            chunks.append(dict(p.data["content_chunk"]))
            continue
        if rank is None or not isinstance(p, Thinking | RedactedThinking | Text | Refusal | ToolUse):
            drop_part(p, path, ctx, "a Chat reply")
            continue
        if chunked and isinstance(p, Thinking):
            rank = _RANK[Text]  # a chunk among the texts
        order.append((rank, j))
        raw = part_options(p.provider_options, p.cache, path, ctx, name)
        kept = raw.pop("arguments", None) if isinstance(p, ToolUse) else None
        if isinstance(p, Thinking | RedactedThinking) and flavor.REASONING_DETAILS_FIELD is not None:
            detail_own[j] = {k: raw.pop(k) for k in detail_fields(raw) if k != "type" or isinstance(p, Thinking)}
        for k in raw:
            ctx.lossy((*path, "provider_options", name, k), LossKind.DROPPED, "not a field of a reply part")
        if isinstance(p, Refusal) and not flavor.REPLY_REFUSAL:
            ctx.lossy(path, LossKind.CHANGED, "the reply has no refusal field; sent as text")
            p = Text(text=p.text)
        match p:
            case Thinking() if chunked:
                for field in ("signature", "origin"):
                    if getattr(p, field) is not None:
                        ctx.lossy((*path, field), LossKind.DROPPED, f"a thinking chunk carries no {field} here")
                chunks.append({"type": "thinking", "thinking": [{"type": "text", "text": p.text}]})
            case Text() if chunked:
                chunks.append({"type": "text", "text": p.text})
            case Thinking() | RedactedThinking():
                reasoning.append((j, p))
            case Text():
                texts.append((j, p))
            case Refusal():
                refusals.append((j, p))
            case ToolUse():
                wire_id = flavor.tool_call_id_to_wire(p.id)
                if flavor.tool_call_id_from_wire(wire_id) != p.id:
                    ctx.lossy((*path, "id"), LossKind.CHANGED, f"the provider's id rule: sent as {wire_id!r}")
                args = kept if isinstance(kept, str) and arguments_denote(kept, p.input) else compact(p.input)
                if kept is not None and args != kept:
                    ctx.lossy(
                        (*path, "provider_options", name, "arguments"), LossKind.DROPPED, "does not denote the input"
                    )
                calls.append({"id": wire_id, "type": "function", "function": {"name": p.name, "arguments": args}})
    # decode lists reasoning, text, refusal, tool calls: a part that another one takes the
    # place of reads back elsewhere
    _report_moves(order, reasoning, texts, refusals, ctx, flavor)
    message: dict[str, Any] = {"role": "assistant"}
    _joined(texts, ctx, "a Chat reply has one content string; texts joined", empty_drops=True)
    text = "".join(t.text for _, t in texts)
    message["content"] = chunks if chunked else text if text else None
    _joined(refusals, ctx, "a Chat reply has one refusal string; refusals joined", empty_drops=len(refusals) > 1)
    if refusals or name == "openai-chat":  # ChatCompletionMessage.refusal: always written by OpenAI
        message["refusal"] = "".join(r.text for _, r in refusals) if refusals else None
    message.update(_reasoning(reasoning, ctx, flavor, detail_own))
    if calls:
        message["tool_calls"] = calls
    refused = bool(refusals)
    finish = wire_stop_reason(
        response,
        ctx,
        lambda w: stop_reason(w, flavor, refused=refused),
        _write_finish(flavor, name),
        "stop",
    )
    body: dict[str, Any] = {}
    for field in ("id", "model"):
        value = getattr(response, field)
        if value is None:
            ctx.lossy((field,), LossKind.CHANGED, f"a ChatCompletion requires {field}; written as ''")
        body[field] = value if value is not None else ""
    body["object"] = "chat.completion"
    own = part_options(response.provider_options, None, (), ctx, name)
    kept_usage = own.pop("usage", None)
    kept_choice = own.pop("choice", None)
    if "message" in own:  # the message's own fields, kept raw (_message_extras)
        merge_unwritten(message, own.pop("message"), ("provider_options", name, "message"), ctx)
    body["created"] = 0
    body.update(flavor.REPLY_DEFAULTS)
    write_kept(body, own, _REPLY_FIELDS, ("provider_options", name), ctx)  # the reply's own (_reply_extras)
    body["choices"] = [{"index": 0, "message": message, "finish_reason": finish}]
    if kept_choice is not None:  # the choice's own fields, kept raw (_choice_extras)
        merge_unwritten(body["choices"][0], kept_choice, ("provider_options", name, "choice"), ctx)
    error = response.error
    if error is not None and choice_errors:
        # OpenRouter: the choice finishes with "error" and says it (its ErrorResponse: code, message)
        if finish != "error":
            ctx.lossy(("stop_reason",), LossKind.CHANGED, "a choice with an error finishes with 'error'")
        body["choices"][0].update(finish_reason="error", error=_openrouter_error(error, ctx))
    if response.usage is not None:
        body["usage"] = _usage_body(response.usage, ctx, flavor)
        if kept_usage is not None:
            merge_unwritten(body["usage"], kept_usage, ("provider_options", name, "usage"), ctx)
    elif kept_usage is not None:
        ctx.lossy(("provider_options", name, "usage"), LossKind.DROPPED, "the Response has no usage")
    if response.usage is None and flavor.REPLY_USAGE_REQUIRED:
        ctx.lossy(("usage",), LossKind.CHANGED, "the reply requires usage; written as 0 tokens")
        body["usage"] = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    return body


# --------------------------------------------------------------------------------------------
# Streams out: IR stream events -> ChatCompletionChunk events, as they arrive


def reply_events(response: Response, name: str) -> list[StreamEvent]:
    """The IR stream events of a whole ``response`` (:func:`~ir_codec.stream.events_of`), with
    a tool call that keeps its arguments text (``provider_options[name]["arguments"]``, which
    :func:`encode_reply` writes as it is) as one :class:`WholePart`: ``events_of`` gives the
    pieces as compact JSON and the kept text after them, too late for an encoder that writes
    each piece as it comes."""
    kept = {
        i
        for i, p in enumerate(response.content)
        if isinstance(p, ToolUse) and p.cache is None and "arguments" in p.provider_options.get(name, {})
    }
    out: list[StreamEvent] = []
    for ev in events_of(response):
        i = getattr(ev, "index", None)
        if i not in kept:
            out.append(ev)
        elif isinstance(ev, ToolCallStart):
            out.append(WholePart(index=ev.index, part=response.content[ev.index]))
    return out


def _decoded_input(text: str) -> dict[str, Any]:
    """The input the stream decoder reads from a call's arguments text (``{}`` for a text that
    is not a JSON object, which it keeps raw)."""
    return parse_arguments(text)[0]


class _Call:
    """A tool call of the stream: its number in this reply and what has been written of it."""

    __slots__ = ("args", "escaped", "in_string", "n", "name", "pending", "sealed", "wire_id", "written")

    def __init__(self, n: int, wire_id: str, name: str) -> None:
        self.n = n
        self.wire_id = wire_id
        self.name = name
        self.args = ""
        """The arguments text of the IR pieces so far."""
        self.written = ""
        """The arguments text written so far."""
        self.pending = False
        """Held to be written whole (``WHOLE_STREAMED_TOOL_CALLS``)."""
        self.sealed = False
        """Written whole: later pieces cannot be added."""
        self.in_string = False
        self.escaped = False

    def squeeze(self, piece: str) -> str:
        """``piece`` without the whitespace between JSON tokens (the reply writes the compact
        form of the input; a source streams the model's text, ``{"city": "Paris"}``). The
        position inside a string is carried from piece to piece."""
        out: list[str] = []
        for ch in piece:
            if self.in_string:
                if self.escaped:
                    self.escaped = False
                elif ch == "\\":
                    self.escaped = True
                elif ch == '"':
                    self.in_string = False
            elif ch in " \t\n\r":
                continue
            elif ch == '"':
                self.in_string = True
            out.append(ch)
        return "".join(out)


class ChatStreamEncoder(StreamEncoder):
    """IR stream events to ``ChatCompletionChunk`` events, written as they arrive (openai SDK
    ``types/chat/chat_completion_chunk.py``: ``ChatCompletionChunk``, ``ChoiceDelta``,
    ``ChoiceDeltaToolCall``; mistralai ``models/completionchunk.py``; openrouter
    ``components/chatstreamchunk.py``, ``chatstreamdelta.py``).

    Every chunk carries the reply's ``id``, ``object: "chat.completion.chunk"``, ``created`` and
    ``model``; the first one the role. Then one chunk per IR piece: text in ``delta.content``;
    reasoning in the flavor's ``REASONING_DETAILS_FIELD`` (``reasoning.text`` items, with their
    signature, numbered by the reasoning part, beside the text in ``REASONING_FIELDS[0]``, as
    OpenRouter streams it) or, without one, in ``REASONING_FIELDS[0]``; a refusal (it arrives
    whole) in ``delta.refusal``; a tool call's id and name in a first
    ``delta.tool_calls[{index, id, type, function}]`` and each piece of its arguments in
    ``{index, function: {arguments}}`` (``index``: the call's number in this reply; the
    whitespace between JSON tokens left out, as the reply writes the compact JSON of the input),
    or the whole call in one delta when it closes where the flavor streams calls whole
    (Mistral); a call that arrives whole in one delta with the arguments the reply writes. At
    the end a chunk with the ``finish_reason`` and one without choices with the usage (as
    ``stream_options.include_usage`` gives it), both from the whole reply :func:`encode_reply`
    writes.

    The decoder lists reasoning, text, refusal and tool calls apart, so the pieces of different
    parts may interleave (``SEQUENTIAL = False``). What the whole reply drops is not written
    (its losses are reported by :meth:`finish`); what only the stream loses is reported too:
    the pieces of two parts interleaved in one string (``content``, a reasoning field), a part
    opened after a later one of its kind, a tool call's arguments text that differs from the one
    the reply writes (the text a Chat source keeps arrives with its last chunk, after the
    pieces), a piece for a call already written whole.
    """

    SEQUENTIAL: ClassVar[bool] = False
    ERROR_EVENTS: ClassVar[bool] = True

    def __init__(self, codec: Codec, flavor: ChatFlavor) -> None:
        super().__init__(codec)
        self.flavor = flavor
        self._head: dict[str, Any] = {}
        self._numbered: dict[str, list[int]] = {}  # details / tool_calls -> parts, in their wire order
        self._joined: dict[str, list[int]] = {}  # content / refusal / a reasoning field -> parts, as written
        self._detail: dict[int, int] = {}  # reasoning part -> its reasoning_details index
        self._own_written: dict[int, dict[str, Any]] = {}  # reasoning part -> its detail's own fields written
        self._blank: list[int] = []  # reasoning parts with nothing written yet (empty so far)
        self._details = False  # known to be a reply that lists its reasoning as details
        self._calls: dict[int, _Call] = {}
        self._late_calls: set[int] = set()
        self._notes: list[tuple[int, str]] = []  # what only the stream changes, at part k
        self._raw_calls: list[int] = []  # custom tool calls (ProviderParts) the whole reply writes

    # -- the chunks ---------------------------------------------------------------------------

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> WireEvent:
        """A ``ChatCompletionChunk`` with one choice (``Choice``: ``delta``, ``finish_reason``,
        ``index``)."""
        return None, {**self._head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    def _start(self) -> list[WireEvent]:
        asm = self.assembler
        own = asm.response_options.get(self.codec.NAME, {})
        extras = {k: v for k, v in own.items() if k not in _REPLY_FIELDS | _NESTED and k != "created" and v is not None}
        created = own.get("created", 0)
        head = {"id": asm.id or "", "object": "chat.completion.chunk", "created": created, "model": asm.model or ""}
        self._head = {**head, **extras}
        return [self._chunk({"role": "assistant", "content": ""})]

    # -- parts --------------------------------------------------------------------------------

    def _begin(self, k: int, ev: Piece) -> list[WireEvent]:
        out = self._seal_calls(k)
        if isinstance(ev, ThinkingDelta):
            out += self._open_reasoning(k)
        elif isinstance(ev, ToolCallStart | ToolCallDelta):
            call_id, name = (ev.id, ev.name) if isinstance(ev, ToolCallStart) else ("", "")
            out += self._open_call(k, call_id, name)
        return out + self._piece(k, ev)

    def _piece(self, k: int, ev: Piece) -> list[WireEvent]:
        if isinstance(ev, TextDelta):
            return self._text(k, ev.text)
        if isinstance(ev, ThinkingDelta):
            return self._thinking(k, ev.text, ev.signature, ev.origin)
        call = self._calls[k]
        if isinstance(ev, ToolCallStart):  # started again: the assembler starts its arguments over
            call.args, call.in_string, call.escaped = "", False, False
            return []
        call.args += ev.arguments
        if call.sealed:
            self._late_calls.add(k)
            return []
        text = call.squeeze(ev.arguments)
        if call.pending or not text:
            return []
        call.written += text
        return [self._chunk({"tool_calls": [{"index": call.n, "function": {"arguments": text}}]})]

    def _whole(self, k: int, part: Part) -> list[WireEvent]:
        out = self._seal_calls(k)
        match part:
            case Thinking():
                out += self._open_reasoning(k)
                return out + self._thinking(k, part.text, part.signature, part.origin)
            case RedactedThinking():
                field = self.flavor.REASONING_DETAILS_FIELD
                if field is None:
                    return out  # the whole reply drops it
                out += self._open_reasoning(k)
                self._blank.remove(k)
                out += self._details_needed()
                own = part.provider_options.get(self.codec.NAME, {})
                item = {**_detail_item(part, own, self.flavor.REASONING_FORMATS), "index": self._detail[k]}
                return [*out, self._chunk({field: [item]})]
            case Refusal() if self.flavor.REPLY_REFUSAL:
                if part.text:
                    self._joined_piece(k, "refusal")
                return [*out, self._chunk({"refusal": part.text})]
            case Text() | Refusal():  # a refusal is sent as text where the reply has no field for it
                return out + self._text(k, part.text)
            case ToolUse():
                out += self._open_call(k, part.id, part.name, whole=True)
                return out + self._write_whole(k, self._calls[k])
            case ProviderPart() if _own_call(part, self.codec.NAME):
                self._raw_calls.append(k)
        return out  # a part a Chat reply cannot hold: the whole reply reports it dropped

    def _joined_piece(self, k: int, field: str) -> None:
        """A non-empty piece of part ``k`` goes into the one ``field`` string (parts joined: the
        whole reply reports each); where it follows a piece of another part that the reply puts
        after it, or resumes a part after another one's piece, the string has them in another
        order than the reply (reported at the end)."""
        parts = self._joined.setdefault(field, [])
        if parts and parts[-1] != k:
            if k in parts:
                why = f"its pieces and another part's interleaved; the one {field} string has them as they came"
                self._notes.append((k, why))
            elif parts[-1] > k:
                why = f"streamed after a later part; the one {field} string has them in the order streamed"
                self._notes.append((k, why))
        if not parts or parts[-1] != k:
            parts.append(k)

    def _text(self, k: int, text: str) -> list[WireEvent]:
        if not text:
            return []  # an empty string says nothing (and an empty part reads back as none)
        self._joined_piece(k, "content")
        return [self._chunk({"content": text})]

    # -- reasoning ----------------------------------------------------------------------------

    def _open_reasoning(self, k: int) -> list[WireEvent]:
        """A reasoning part opens: numbered among the ``reasoning_details`` items where the
        flavor has them, held as empty until a piece says something."""
        if self.flavor.REASONING_DETAILS_FIELD is None:
            return []
        self._numbered.setdefault("details", []).append(k)
        self._detail[k] = len(self._detail)
        self._blank.append(k)
        return self._details_needed(but=k) if len(self._detail) > 1 else []

    def _details_needed(self, but: int | None = None) -> list[WireEvent]:
        """The reply lists its reasoning as ``reasoning_details`` (several parts, a signature or
        encrypted reasoning; one unsigned part is only the text field, where an empty one reads
        back as no part): the empty parts held so far are written now, as empty items in their
        place, and later ones as they open."""
        if self._details:
            return []
        self._details = True
        held = [i for i in self._blank if i != but]
        self._blank = [i for i in self._blank if i == but]
        return [self._blank_item(i) for i in held]

    def _blank_item(self, k: int) -> WireEvent:
        """An empty ``reasoning.text`` (or ``.summary``) item for reasoning part ``k``."""
        own = self._own_detail(k)
        key = "summary" if own.get("type") == "reasoning.summary" else "text"
        item = {"type": f"reasoning.{key}", key: "", "index": self._detail[k], **self._first_own(k, own)}
        return self._chunk({str(self.flavor.REASONING_DETAILS_FIELD): [item]})

    def _own_detail(self, k: int) -> dict[str, Any]:
        """The detail's own fields of reasoning part ``k`` known now (:func:`detail_fields`)."""
        whole = self.assembler.extra_parts.get(k)
        opts = getattr(whole, "provider_options", {}) if whole is not None else self.assembler.part_options.get(k, {})
        return detail_fields(opts.get(self.codec.NAME, {}))

    def _first_own(self, k: int, own: dict[str, Any]) -> dict[str, Any]:
        """``format`` and ``id`` for the first item written for part ``k`` (the decoder keeps them
        from any item of the part); what was written is checked at the end."""
        if k in self._own_written:
            return {}
        self._own_written[k] = own
        return {f: own[f] for f in ("format", "id") if f in own}

    def _thinking(self, k: int, text: str, signature: str | None, origin: str | None = None) -> list[WireEvent]:
        """A piece of thinking: a ``reasoning.text`` detail (openrouter
        ``reasoningdetailtext.py``: ``text``, ``signature``, ``index``) beside the text field, or
        the text field alone (DeepSeek's ``reasoning_content``: no signature), or nothing where
        the reply has no reasoning."""
        f = self.flavor
        details = f.REASONING_DETAILS_FIELD
        if details is None:
            if not f.REASONING_FIELDS or not text:
                return []
            self._joined_piece(k, f.REASONING_FIELDS[0])
            return [self._chunk({f.REASONING_FIELDS[0]: text})]
        own = self._own_detail(k)
        if not text and signature is None and not own:
            if self._details and k in self._blank:  # an empty part the reply lists
                self._blank.remove(k)
                return [self._blank_item(k)]
            return []  # written when the reply turns out to list it (or at the end)
        if k in self._blank:
            self._blank.remove(k)
        out = self._details_needed() if signature is not None or own else []
        key = "summary" if own.get("type") == "reasoning.summary" else "text"
        item: dict[str, Any] = {"type": f"reasoning.{key}"}
        if text:
            item[key] = text
        if signature is not None:
            item["signature"] = signature
        item["index"] = self._detail[k]
        item.update(self._first_own(k, own))
        fmt = f.REASONING_FORMATS.get(origin) if origin is not None else None
        if signature is not None and fmt is not None and "format" not in item and "format" not in own:
            item["format"] = fmt  # the signed item says whose it is
            self._own_written[k].setdefault("format", fmt)
        delta: dict[str, Any] = {f.REASONING_FIELDS[0]: text} if text and f.REASONING_FIELDS else {}
        delta[details] = [item]
        return [*out, self._chunk(delta)]

    # -- tool calls ---------------------------------------------------------------------------

    def _open_call(self, k: int, call_id: str, name: str, *, whole: bool = False) -> list[WireEvent]:
        self._numbered.setdefault("tool_calls", []).append(k)
        call = self._calls[k] = _Call(len(self._calls), self.flavor.tool_call_id_to_wire(call_id), name)
        if whole:
            return []
        if self.flavor.WHOLE_STREAMED_TOOL_CALLS:
            call.pending = True  # CompletionChunk's ToolCall needs the name in every delta
            return []
        start = {"index": call.n, "id": call.wire_id, "type": "function", "function": {"name": name, "arguments": ""}}
        return [self._chunk({"tool_calls": [start]})]

    def _call_text(self, k: int, call: _Call) -> str:
        """The arguments text the whole reply writes for call ``k`` as known now: the text kept
        for it where that stands for its input, else the compact JSON of the input."""
        part = self.assembler.extra_parts.get(k)
        if isinstance(part, ToolUse):
            value: Any = part.input
            own = part.provider_options.get(self.codec.NAME, {})
        else:
            try:
                value = msgspec.json.decode(call.args.strip() or "{}")
            except msgspec.DecodeError:
                value = None
            if not isinstance(value, dict):
                return call.args  # not (yet) a JSON object: written as it came
            own = self.assembler.part_options.get(k, {}).get(self.codec.NAME, {})
        kept = own.get("arguments")
        return kept if isinstance(kept, str) and arguments_denote(kept, value) else compact(value)

    def _write_whole(self, k: int, call: _Call, text: str | None = None) -> list[WireEvent]:
        """The whole call in one delta (mistralai ``ToolCall``: ``id``, ``type``, ``function``
        with ``name`` and ``arguments``, ``index``)."""
        call.written = self._call_text(k, call) if text is None else text
        call.pending, call.sealed = False, True
        fn = {"name": call.name, "arguments": call.written}
        item = {"index": call.n, "id": call.wire_id, "type": "function", "function": fn}
        return [self._chunk({"tool_calls": [item]})]

    def _seal_calls(self, k: int) -> list[WireEvent]:
        """Another part opens: the calls held to be written whole are complete."""
        out: list[WireEvent] = []
        for i, call in self._calls.items():
            if call.pending and i != k:
                out += self._write_whole(i, call)
        return out

    # -- the end ------------------------------------------------------------------------------

    def _report_chunks(self, response: Response) -> None:
        """The whole reply wrote its content as chunks (``ChatFlavor.REPLY_CONTENT_CHUNKS``); the
        stream writes one content string and no reasoning: what only the stream loses."""
        name = self.codec.NAME
        texts: list[tuple[int, Text]] = []
        for j, p in enumerate(response.content):
            if type(p) is Thinking or _own_chunk(p, name):
                why = "the stream writes the text alone (no reasoning field, no content chunks); not written"
                self.stream_loss(("content", j), LossKind.DROPPED, why)
            elif type(p) is Text or (type(p) is Refusal and not self.flavor.REPLY_REFUSAL):
                texts.append((j, Text(text=p.text)))
        _joined(texts, self.ctx, "a Chat stream has one content string; texts joined", empty_drops=True)

    def _end(self, response: Response, body: dict[str, Any]) -> list[WireEvent]:
        return self._closing(response, body, None)

    def _error_end(self, response: Response, body: dict[str, Any], error: ReplyError) -> list[WireEvent]:
        return self._closing(response, body, error)

    def _closing(self, response: Response, body: dict[str, Any], error: ReplyError | None) -> list[WireEvent]:
        """The last chunks: the calls still to write, the finish reason, the usage; with an
        ``error``, the usage and then the error, which ends the stream. OpenAI sends the error
        object alone in a chunk (the SDK raises ``APIError`` for it, ``openai/_streaming.py``);
        OpenRouter beside a choice that finishes with ``"error"`` (its "Error handling during
        streaming" documentation)."""
        position = self.positions()
        choice = body["choices"][0]
        message = choice["message"]
        out: list[WireEvent] = []
        details = self.flavor.REASONING_DETAILS_FIELD
        if details is not None and details in message:  # the reply keeps empty reasoning parts
            out += [self._blank_item(k) for k in self._blank]
        calls = [c for c in message.get("tool_calls", []) if c["type"] == "function"]  # a custom call is no ToolUse
        numbers = [j for j, p in enumerate(response.content) if isinstance(p, ToolUse)]
        opened = self._numbered.get("tool_calls", [])
        lands = {got: position[want] for got, want in zip(opened, sorted(opened), strict=True)}
        for k, call in self._calls.items():
            j = position[k]
            if j not in numbers:  # replaced by a part of another kind (the core reports it)
                continue
            text = calls[numbers.index(j)]["function"]["arguments"]
            if call.pending:
                out += self._write_whole(k, call, text)
            elif not call.written and not call.sealed:  # no piece: the call's arguments as the reply has them
                call.written = text
                out.append(self._chunk({"tool_calls": [{"index": call.n, "function": {"arguments": text}}]}))
            part = response.content[j]
            assert isinstance(part, ToolUse)
            self._check_call(k, call, text, part, lands[k])
        for field in ("id", "model"):
            if self._head[field] != body[field]:
                why = f"the chunks carry the {field} known when the first was written"
                self.ctx.lossy((field,), LossKind.CHANGED, why)
        for k, written in self._own_written.items():  # a reasoning detail's own fields, learnt late
            thought = response.content[position[k]] if k in position else None
            expected = (
                detail_fields(thought.provider_options.get(self.codec.NAME, {}))
                if isinstance(thought, Thinking)
                else {}
            )
            formats = self.flavor.REASONING_FORMATS
            if isinstance(thought, Thinking) and _carries_origin(thought, expected, formats):
                expected.setdefault("format", formats[str(thought.origin)])
            if isinstance(thought, Thinking) and expected != written:
                why = "the reasoning detail's format, id or type came after its first item was written"
                self.stream_loss(("content", position[k], "provider_options", self.codec.NAME), LossKind.CHANGED, why)
        for key in response.provider_options.get(self.codec.NAME, {}).keys() - _NESTED:
            if key in body and self._head.get(key) != body[key]:  # a reply field kept raw, learnt late
                why = f"the chunks carry the {key} known when the first was written"
                self.stream_loss(("provider_options", self.codec.NAME, key), LossKind.CHANGED, why)
        for k, why in self._notes:
            self.ctx.lossy(("content", position[k]), LossKind.CHANGED, why)
        for k in self._raw_calls:
            why = "a Chat stream's tool-call deltas are function calls (ChoiceDeltaToolCall); this call is not written"
            self.stream_loss(("content", position[k]), LossKind.DROPPED, why)
        if isinstance(message.get("content"), list):
            self._report_chunks(response)
        for field, ks in self._numbered.items():
            items = message.get(details if field == "details" else field) or []
            if len(items) != len(ks):
                continue  # one reasoning part in the text field: nothing to order
            rank = {k: r for r, k in enumerate(sorted(ks))}
            for got, want in zip(ks, sorted(ks), strict=True):
                if items[rank[got]] != items[rank[want]]:  # the place of ``want`` holds another item
                    why = f"the {field} items were numbered in the order their parts opened, not the reply's"
                    self.ctx.lossy(("content", position[want]), LossKind.CHANGED, why)
        usage = [(None, {**self._head, "choices": [], "usage": body["usage"]})] if "usage" in body else []
        kept = _message_extras(message, self.flavor)
        if kept:  # the message's own fields (annotations, ...): in one delta, before the finish
            out.append(self._chunk(kept))
        # the choice's own fields (logprobs, native_finish_reason) on the finishing chunk's choice,
        # where they read back whole (the token lists of logprobs are joined)
        extras = _choice_extras(choice)
        if error is None:  # the usage comes last, in a chunk without choices (stream_options.include_usage)
            return [*out, self._finish_chunk(choice["finish_reason"], extras), *usage]
        if choice["finish_reason"] == "error":  # OpenRouter: beside a choice that finishes with "error"
            name, chunk = self._finish_chunk("error", extras)
            return [*out, *usage, (name, {**chunk, "error": choice["error"]})]  # as the body says it
        if extras:
            why = "a stream that ends with an error has no finishing choice to carry these fields"
            self.stream_loss(("provider_options", self.codec.NAME, "choice"), LossKind.DROPPED, why)
        wire = {"message": error.message, "type": error.type, "param": None, "code": error.code}
        return [*out, *usage, (None, {"error": wire})]

    def _finish_chunk(self, finish: str, extras: Mapping[str, Any]) -> WireEvent:
        """The chunk whose choice finishes the reply, with the choice's own fields ``extras``."""
        name, chunk = self._chunk({}, finish)
        if extras:
            chunk["choices"][0].update(extras)
        return name, chunk

    def _check_call(self, k: int, call: _Call, text: str, part: ToolUse, at: int) -> None:
        """Report a call whose streamed arguments text is not the one the whole reply writes (its
        kept text arrived after the pieces, or a piece after the call was written whole), at
        ``content[at]``, the place its item reads back at."""
        if call.written == text:
            return
        late = "; a piece arrived after the call was written whole" if k in self._late_calls else ""
        if _decoded_input(call.written) != part.input:
            why = f"the arguments streamed do not read as the call's input{late}"
            self.ctx.lossy(("content", at), LossKind.CHANGED, why)
        else:
            why = f"the arguments text was streamed as its pieces came, not as the reply writes it ({text!r}){late}"
            self.ctx.lossy(("content", at, "provider_options", self.codec.NAME), LossKind.CHANGED, why)
