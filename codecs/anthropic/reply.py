"""Replies: the Messages response body, its usage and stop reasons, and the event stream (decoded
event by event, :class:`AnthropicStreamDecoder`; encoded event by event from IR stream events,
:class:`AnthropicStreamEncoder`).

The reply is the same body on the direct API, Bedrock and Vertex (src: SDK types/message.py,
usage.py, cache_creation.py, output_tokens_details.py, message_delta_usage.py,
raw_*_event.py; A-PC "Tracking cache performance").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ir_codec.codec import EncodeContext, expect_object, expect_str, foreign_reasoning, load_json, wire_convert
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
    error_named,
    error_stop,
    kept_fields,
    merge_unwritten,
    own_provider_part,
    part_options,
    reply_error,
    response_options,
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
    event_type,
)

from .wire import (
    FAMILY,
    WMessage,
    WRedactedThinkingBlock,
    WTextBlock,
    WThinkingBlock,
    WToolUseBlock,
    WUsage,
    family_options_of,
    json_text,
)

if TYPE_CHECKING:
    from ir_codec.codec import Codec

__all__ = [
    "AnthropicStreamDecoder",
    "AnthropicStreamEncoder",
    "anthropic_usage",
    "decode_response",
    "encode_reply",
    "stop_reason",
]

_STOP_REASONS: dict[str, StopReason] = {
    "end_turn": "end_turn",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "tool_use": "tool_use",
    "pause_turn": "pause_turn",
    "refusal": "refusal",
    "model_context_window_exceeded": "context_window_exceeded",
}
"""src: SDK types/stop_reason.py; anything newer maps to ``other`` (the raw value is kept)."""

_RESPONSE_FIELDS = frozenset({"id", "type", "role", "model", "content", "stop_reason", "usage"})


def stop_reason(raw: str | None) -> StopReason | None:
    """The IR stop reason of a wire ``stop_reason``."""
    return None if raw is None else _STOP_REASONS.get(raw, "other")


def anthropic_usage(raw: Any, path: str = "$.usage") -> Usage:
    """Normalize an Anthropic ``usage`` object.

    ``input_tokens`` counts only the tokens after the last cache breakpoint, so the three input
    buckets are already disjoint: uncached = ``input_tokens``, read = ``cache_read_input_tokens``,
    write = ``cache_creation_input_tokens`` (split by ``cache_creation.ephemeral_5m/1h``), and
    ``output_tokens_details.thinking_tokens`` is part of ``output_tokens`` (A-PC, SDK usage.py).
    A counter the object leaves out (or sets to null) is ``None``: not reported.

    >>> anthropic_usage({"input_tokens": 10, "cache_read_input_tokens": 90, "output_tokens": 5}).input_tokens
    100
    """
    u = wire_convert(expect_object(raw, path), WUsage, path)
    w5 = w1 = None
    if u.cache_creation is not None:
        w5, w1 = u.cache_creation.ephemeral_5m_input_tokens, u.cache_creation.ephemeral_1h_input_tokens
    write = u.cache_creation_input_tokens
    if write is None and (w5 is not None or w1 is not None):
        write = (w5 or 0) + (w1 or 0)
    return Usage(
        uncached_input_tokens=u.input_tokens,
        cache_read_tokens=u.cache_read_input_tokens,
        cache_write_tokens=write,
        cache_write_5m_tokens=w5,
        cache_write_1h_tokens=w1,
        output_tokens=u.output_tokens,
        reasoning_tokens=None if u.output_tokens_details is None else u.output_tokens_details.thinking_tokens,
    )


_USAGE_READ = frozenset(
    {
        "input_tokens",
        "cache_read_input_tokens",
        "cache_creation_input_tokens",
        "cache_creation",
        "output_tokens",
        "output_tokens_details",
    }
)
"""The usage fields :func:`anthropic_usage` reads; the others (``server_tool_use``,
``service_tier``, ...) are kept raw under ``provider_options["anthropic"]["usage"]``."""


def _response_extras(message: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Fields of the reply the IR has no word for (stop_sequence, container, diagnostics, ...),
    and under ``usage`` those of its usage (``server_tool_use``: the web searches billed, ...)."""
    extras = kept_fields(message, _RESPONSE_FIELDS)
    usage = message.get("usage")
    if isinstance(usage, dict) and (own := kept_fields(usage, _USAGE_READ)):
        extras["usage"] = own
    return family_options_of(extras)


# --------------------------------------------------------------------------------------------
# The whole reply: one lifting function per block tag; other tags stay whole as provider parts


def _text(b: dict[str, Any], path: str) -> Part:
    w = wire_convert(b, WTextBlock, path)
    cites = b.get("citations")
    return Text(text=w.text, provider_options=family_options_of({"citations": cites}) if cites else {})


def _thinking(b: dict[str, Any], path: str) -> Part:
    # An empty signature is no signature (as in the stream, whose block starts with "").
    t = wire_convert(b, WThinkingBlock, path)
    sig = t.signature or None
    return Thinking(text=t.thinking, signature=sig, origin=None if sig is None else FAMILY)


def _redacted(b: dict[str, Any], path: str) -> Part:
    return RedactedThinking(data=wire_convert(b, WRedactedThinkingBlock, path).data, origin=FAMILY)


_TOOL_USE_FIELDS = frozenset({"type", "id", "name", "input"})
"""The fields of a ``tool_use`` block the IR holds; the others (``caller`` of programmatic tool
calling, ``toolset_name``: ``types/tool_use_block.py``) are kept in the part's options."""


def _tool_use_fields(own: Mapping[str, Any]) -> dict[str, Any]:
    """A ``tool_use`` block's own fields among the raw ``own`` (a block, or a ToolUse's options):
    all but the IR's and nulls."""
    return kept_fields(own, _TOOL_USE_FIELDS)


def _tool_use(b: dict[str, Any], path: str) -> Part:
    u = wire_convert(b, WToolUseBlock, path)
    return ToolUse(id=u.id, name=u.name, input=u.input, provider_options=family_options_of(_tool_use_fields(b)))


_REPLY_BLOCKS: dict[str, Callable[[dict[str, Any], str], Part]] = {
    "text": _text,
    "thinking": _thinking,
    "redacted_thinking": _redacted,
    "tool_use": _tool_use,
}


def _response_block(b: Any, path: str) -> Part:
    b = expect_object(b, path)
    kind = b.get("type")
    if not isinstance(kind, str):
        raise DecodeError(f"{path}.type", "a block type string", type(kind).__name__)
    lift = _REPLY_BLOCKS.get(kind)
    return lift(b, path) if lift is not None else ProviderPart(codec=FAMILY, data=dict(b))


def decode_response(payload: Mapping[str, Any] | bytes | str) -> Response:
    """The IR :class:`Response` of a Messages reply body."""
    msg = expect_object(load_json(payload), "$")
    w = wire_convert(msg, WMessage)
    return Response(
        id=w.id,
        model=w.model,
        content=[_response_block(b, f"$.content[{i}]") for i, b in enumerate(w.content)],
        stop_reason=stop_reason(w.stop_reason),
        raw_stop_reason=w.stop_reason,
        usage=anthropic_usage(w.usage),
        provider_options=_response_extras(msg),
    )


# --------------------------------------------------------------------------------------------
# The event stream


_DELTA_TEXT = {
    "text_delta": "text",
    "thinking_delta": "thinking",
    "signature_delta": "signature",
    "input_json_delta": "partial_json",
}
"""The string each content block delta carries (anthropic/types: text_delta.py, ...)."""


class AnthropicStreamDecoder(StreamDecoder):
    """Messages streaming events (``message_start``, ``content_block_*``, ``message_delta``, ...).

    Usage comes whole in ``message_start`` and cumulatively in ``message_delta.usage`` (whose
    non-null fields replace the earlier ones; it has no ``cache_creation`` split, so the split
    from ``message_start`` stays). Blocks other than text, thinking and tool_use arrive whole in
    ``content_block_start`` (server-tool calls also stream their input as JSON deltas).
    Citations of a text block and the reply's own extra fields reach the assembled response
    through the assembler's hooks.
    """

    def __init__(self) -> None:
        super().__init__()
        self.message: dict[str, Any] = {}
        self.usage: dict[str, Any] = {}
        self.kinds: dict[int, str] = {}
        self.citations: dict[int, list[Any]] = {}
        self.others: dict[int, dict[str, Any]] = {}
        self.other_json: dict[int, str] = {}

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        ev = expect_object(data, "$")
        kind = event_type(ev, name)
        handler = self._HANDLERS.get(kind) if kind is not None else None
        return handler(self, ev) if handler is not None else []  # ping and future events

    def _index(self, ev: dict[str, Any]) -> int:
        i = ev.get("index")
        if type(i) is not int:
            raise DecodeError("$.index", "an integer", type(i).__name__)
        return i

    def _update_message(self, fields: Mapping[str, Any]) -> None:
        self.message.update(fields)
        self.assembler.response_options = _response_extras({**self.message, "usage": self.usage})

    def _cite(self, i: int, citations: list[Any]) -> None:
        self.citations.setdefault(i, []).extend(citations)
        if self.kinds.get(i) == "text" and self.citations[i]:
            self.assembler.set_part_options(i, family_options_of({"citations": self.citations[i]}))

    def _message_start(self, ev: dict[str, Any]) -> list[StreamEvent]:
        msg = expect_object(ev.get("message"), "$.message")
        self.message = {}
        self.usage = dict(expect_object(msg.get("usage") or {}, "$.message.usage"))
        self._update_message({k: v for k, v in msg.items() if k not in ("content", "usage")})
        out: list[StreamEvent] = [MessageStart(id=msg.get("id"), model=msg.get("model"))]
        if msg.get("usage") is not None:  # none reported: the usage stays unknown (None)
            out.append(UsageUpdate(usage=anthropic_usage(self.usage, "$.message.usage")))
        return out

    def _block_start(self, ev: dict[str, Any]) -> list[StreamEvent]:
        i = self._index(ev)
        block = expect_object(ev.get("content_block"), "$.content_block")
        kind = block.get("type")
        if not isinstance(kind, str):
            raise DecodeError("$.content_block.type", "a block type string", type(kind).__name__)
        self.kinds[i] = kind
        if kind == "text":
            text = wire_convert(block, WTextBlock, "$.content_block").text
            if block.get("citations"):
                self._cite(i, list(block["citations"]))
            return [TextDelta(index=i, text=text)]
        if kind == "thinking":
            thinking = block.get("thinking", "")
            sig = block.get("signature") or None
            text = thinking if isinstance(thinking, str) else ""
            return [ThinkingDelta(index=i, text=text, signature=sig, origin=None if sig is None else FAMILY)]
        if kind == "tool_use":
            u = wire_convert(block, WToolUseBlock, "$.content_block")
            opts = family_options_of(_tool_use_fields(block))
            out: list[StreamEvent] = [PartOptions(index=i, provider_options=opts)] if opts else []
            out.append(ToolCallStart(index=i, id=u.id, name=u.name))
            if u.input:
                out.append(ToolCallDelta(index=i, arguments=json_text(u.input)))
            return out
        if kind == "redacted_thinking":
            data = wire_convert(block, WRedactedThinkingBlock, "$.content_block").data
            self.assembler.add_part(i, RedactedThinking(data=data, origin=FAMILY))
            return []
        self.others[i] = dict(block)
        return []

    def _block_delta(self, ev: dict[str, Any]) -> list[StreamEvent]:
        i = self._index(ev)
        d = expect_object(ev.get("delta"), "$.delta")
        kind = d.get("type")
        field = _DELTA_TEXT.get(kind) if isinstance(kind, str) else None
        if field is not None:
            expect_str(d.get(field), f"$.delta.{field}")
        if kind == "input_json_delta" and self.kinds.get(i) in ("text", "thinking"):
            raise DecodeError("$.delta.type", f"a delta of a {self.kinds[i]} block", repr(kind))
        # each string checked above
        if kind == "text_delta":
            return [TextDelta(index=i, text=d["text"])]
        if kind == "thinking_delta":
            return [ThinkingDelta(index=i, text=d["thinking"])]
        if kind == "signature_delta":
            return [ThinkingDelta(index=i, signature=d["signature"], origin=FAMILY)]
        if kind == "citations_delta":
            self._cite(i, [d.get("citation")])
            return []
        if kind == "input_json_delta":
            if self.kinds.get(i) == "tool_use":
                return [ToolCallDelta(index=i, arguments=d["partial_json"])]
            self.other_json[i] = self.other_json.get(i, "") + d["partial_json"]
            return []
        raise DecodeError("$.delta", "a known content block delta", repr(kind))

    def _block_stop(self, ev: dict[str, Any]) -> list[StreamEvent]:
        i = self._index(ev)
        if i in self.others:
            block = self.others.pop(i)
            text = self.other_json.pop(i, "").strip()
            if text:
                block["input"] = load_json(text)
            self.assembler.add_part(i, ProviderPart(codec=FAMILY, data=block))
        return []

    def _message_delta(self, ev: dict[str, Any]) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        delta = expect_object(ev.get("delta", {}), "$.delta")
        self._update_message(delta)
        if "stop_reason" in delta:
            raw = delta["stop_reason"]
            if raw is not None and not isinstance(raw, str):
                raise DecodeError("$.delta.stop_reason", "a string", type(raw).__name__)
            out.append(Stop(stop_reason=stop_reason(raw), raw_stop_reason=raw))
        if "usage" in ev:
            for k, v in expect_object(ev["usage"], "$.usage").items():
                if v is not None:
                    self.usage[k] = v
            self._update_message({})
            out.append(UsageUpdate(usage=anthropic_usage(self.usage)))
        return out

    def _error(self, ev: dict[str, Any]) -> list[StreamEvent]:
        """``{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}``
        (the Messages streaming documentation, "Error events"): the stream ends there."""
        error = reply_error(ev.get("error"), "$.error", code_key=None) or ReplyError()  # none told: still an error
        return [error_stop(error)]  # an Anthropic error has a type and no code

    _HANDLERS: ClassVar[dict[str, Callable[[AnthropicStreamDecoder, dict[str, Any]], list[StreamEvent]]]] = {
        "message_start": _message_start,
        "content_block_start": _block_start,
        "content_block_delta": _block_delta,
        "content_block_stop": _block_stop,
        "message_delta": _message_delta,
        "error": _error,
    }


# --------------------------------------------------------------------------------------------
# Encoding replies and streams (IR Response -> Messages reply / event stream)

_WRITE_STOP: dict[StopReason, str] = {ir: wire for wire, ir in _STOP_REASONS.items()}
"""IR stop reason -> the Messages ``stop_reason`` (the inverse of :data:`_STOP_REASONS`)."""


def _usage_body(usage: Usage | None, ctx: EncodeContext) -> dict[str, Any]:
    """The Messages ``usage``: disjoint buckets, as :func:`anthropic_usage` reads them back."""
    if usage is None:
        ctx.lossy(("usage",), LossKind.CHANGED, "a Messages reply always carries usage; written as 0 tokens")
        return {"input_tokens": 0, "output_tokens": 0}
    why = "the Messages reply requires it"
    out: dict[str, Any] = {"input_tokens": write_or_zero(usage, "uncached_input_tokens", ctx, why)}
    if usage.cache_write_tokens is not None:
        out["cache_creation_input_tokens"] = usage.cache_write_tokens
    if usage.cache_read_tokens is not None:
        out["cache_read_input_tokens"] = usage.cache_read_tokens
    w5, w1 = usage.cache_write_5m_tokens, usage.cache_write_1h_tokens
    if w5 is not None or w1 is not None:
        # CacheCreation has both counters (cache_creation.py); an unknown one is written as 0
        for f in ("cache_write_5m_tokens", "cache_write_1h_tokens"):
            if getattr(usage, f) is None:
                ctx.lossy(("usage", f), LossKind.CHANGED, "cache_creation holds both TTLs; written as 0")
        out["cache_creation"] = {"ephemeral_5m_input_tokens": w5 or 0, "ephemeral_1h_input_tokens": w1 or 0}
        if usage.cache_write_tokens is None:
            ctx.lossy(("usage", "cache_write_tokens"), LossKind.CHANGED, "reads back as the sum of the TTL split")
    drop_counters(usage, ("cache_write_30m_tokens", "cache_write_12h_tokens"), ctx, "Anthropic has no 30m / 12h tier")
    out["output_tokens"] = write_or_zero(usage, "output_tokens", ctx, why)
    if usage.reasoning_tokens is not None:
        out["output_tokens_details"] = {"thinking_tokens": usage.reasoning_tokens}
    return out


def _encode_block(p: Part, path: IRPath, ctx: EncodeContext) -> dict[str, Any] | None:
    if isinstance(p, ProviderPart):
        return dict(p.data) if own_provider_part(p, FAMILY, path, ctx, "an Anthropic reply") else None
    if not isinstance(p, Text | Thinking | RedactedThinking | ToolUse | Refusal):
        drop_part(p, path, ctx, "an Anthropic reply")
        return None
    raw = part_options(p.provider_options, p.cache, path, ctx, FAMILY)
    out: dict[str, Any]
    match p:
        case Text():
            out = {"type": "text", "text": p.text}
        case Refusal():
            ctx.lossy(path, LossKind.CHANGED, "Anthropic has no refusal part; sent as a text block")
            out = {"type": "text", "text": p.text}
        case Thinking():
            sig = p.signature
            if sig is not None and p.origin not in (None, FAMILY):
                ctx.lossy((*path, "signature"), LossKind.DROPPED, f"a {p.origin} signature does not verify here")
                ctx.lossy((*path, "origin"), LossKind.DROPPED, "no signature is sent; the origin goes with it")
                sig = None
            elif sig is not None and p.origin is None:
                ctx.lossy(
                    (*path, "origin"), LossKind.CHANGED, "a signature of unknown origin reads back as Anthropic's"
                )
            elif sig is None and p.origin is not None:
                ctx.lossy((*path, "origin"), LossKind.DROPPED, "nothing is signed; the origin is not sent")
            # ThinkingBlock.signature is a required string: unsigned thinking has an empty one
            sig = sig or ""
            out = {"type": "thinking", "thinking": p.text, "signature": sig}
        case RedactedThinking():
            if (why := foreign_reasoning(p, FAMILY)) is not None:
                ctx.lossy(path, LossKind.DROPPED, why)
                return None
            if p.origin is None:
                ctx.lossy((*path, "origin"), LossKind.CHANGED, "reads back as Anthropic's")
            out = {"type": "redacted_thinking", "data": p.data}
        case ToolUse():
            out = {"type": "tool_use", "id": p.id, "name": p.name, "input": p.input}
    own = _tool_use_fields(raw) if isinstance(p, ToolUse) else {}
    for k, v in raw.items():  # decode reads back a text block's citations and a tool_use block's own fields
        if (isinstance(p, Text) and k == "citations" and v) or k in own:
            out[k] = v
        else:
            ctx.lossy((*path, "provider_options", FAMILY, k), LossKind.DROPPED, "not read back from a reply block")
    return out


def encode_reply(response: Response, ctx: EncodeContext) -> dict[str, Any]:
    """The Messages reply body of ``response`` (SDK ``types/message.py``)."""
    extra = response_options(response, ctx, FAMILY)
    body: dict[str, Any] = {}
    for field in ("id", "model"):
        value = getattr(response, field)
        if value is None:
            ctx.lossy((field,), LossKind.CHANGED, f"a Messages reply requires {field}; written as ''")
        body[field] = value if value is not None else ""
    body["type"] = "message"
    body["role"] = "assistant"
    content = []
    for j, p in enumerate(response.content):
        block = _encode_block(p, ("content", j), ctx)
        if block is not None:
            content.append(block)
    body["content"] = content
    body["stop_reason"] = wire_stop_reason(response, ctx, stop_reason, _WRITE_STOP, "end_turn", nullable=True)
    body["stop_sequence"] = None
    body["usage"] = _usage_body(response.usage, ctx)
    if "usage" in extra:
        merge_unwritten(body["usage"], extra.pop("usage"), ("provider_options", FAMILY, "usage"), ctx)
    write_kept(body, extra, _RESPONSE_FIELDS, ("provider_options", FAMILY), ctx)
    return body


# --------------------------------------------------------------------------------------------
# Encoding streams, event by event (IR stream events -> Messages events)

_DELTA_FIELDS = frozenset({"container", "stop_details"})
"""Reply fields the stream carries in ``message_delta.delta`` (SDK ``raw_message_delta_event.py``
``Delta``; the SDK's accumulator takes them from there, ``lib/streaming/_messages.py``)."""

_NOT_AT_START = _RESPONSE_FIELDS | _DELTA_FIELDS | {"stop_sequence"}
"""Reply fields ``message_start`` never carries as extras (written from the IR, or at the end)."""

_CITATIONS = ("provider_options", FAMILY, "citations")
_UNSAID = object()


def _event(kind: str, **fields: Any) -> WireEvent:
    """One Messages stream event: the SSE ``event:`` name is the ``type`` of its data."""
    return kind, {"type": kind, **fields}


def _delta(b: int, **delta: Any) -> WireEvent:
    """``content_block_delta`` of block ``b`` (SDK ``raw_content_block_delta_event.py``; the
    deltas are ``text_delta.py``, ``thinking_delta.py``, ``signature_delta.py``,
    ``input_json_delta.py``, ``citations_delta.py``)."""
    return _event("content_block_delta", index=b, delta=delta)


def _text_delta(b: int, kind: str, text: str) -> list[WireEvent]:
    if not text:
        return []
    if kind == "thinking":
        return [_delta(b, type="thinking_delta", thinking=text)]
    return [_delta(b, type="text_delta", text=text)]


def _signature_delta(b: int, signature: str) -> list[WireEvent]:
    return [_delta(b, type="signature_delta", signature=signature)] if signature else []


def _json_delta(b: int, partial: str) -> list[WireEvent]:
    return [_delta(b, type="input_json_delta", partial_json=partial)] if partial else []


def _cite_deltas(b: int, citations: list[Any]) -> list[WireEvent]:
    return [_delta(b, type="citations_delta", citation=c) for c in citations]


class AnthropicStreamEncoder(StreamEncoder):
    """IR stream events to the Messages event stream, as they arrive (SDK
    ``raw_message_stream_event.py``).

    - ``message_start`` (SDK ``raw_message_start_event.py``) at the first content event: the
      message with empty ``content``, null ``stop_reason``, the id, model and reply fields known
      by then and the usage known by then (``{"input_tokens": 0, "output_tokens": 0}`` when
      none is: ``Message.usage`` is required);
    - each part the whole reply writes is a block with this stream's own contiguous index:
      ``content_block_start`` with the block opened empty (``raw_content_block_start_event.py``),
      one ``content_block_delta`` per IR piece (text, thinking, signature, tool input as JSON
      text; citations of a text block as ``citations_delta`` once known, before its next piece
      or its stop), ``content_block_stop`` when it closes (``raw_content_block_stop_event.py``);
      a part that arrives whole is started (redacted thinking and provider blocks whole, the
      others empty and filled by deltas) and stopped at once;
    - ``message_delta`` (``raw_message_delta_event.py``) with the stop reason, the reply fields
      of ``Delta`` and those not written at the start, and the final usage
      (``message_delta_usage.py``: every count of the whole reply's usage; the TTL split of
      cache writes, which the API sends only in ``message_start``, is added as
      ``cache_creation`` when ``message_start`` did not already say it), then ``message_stop``.

    What only the stream loses (a count, id, model, reply field or citation written before the
    stream learnt it differs) is reported at its Response path; the rest is the whole reply's.
    """

    ERROR_EVENTS = True

    def __init__(self, codec: Codec) -> None:
        super().__init__(codec)
        self._message: dict[str, Any] = {}
        """The message written in ``message_start``."""
        self._blocks: dict[int, int] = {}
        """Source index -> the block index written."""
        self._kinds: dict[int, str] = {}
        self._done: set[int] = set()
        """Parts whose block is stopped (or that arrived whole: later pieces are not theirs)."""
        self._origins: dict[int, str] = {}
        self._cited: dict[int, list[Any]] = {}
        """The citations written for a text block."""

    def _scratch(self) -> EncodeContext:
        """A context for the whole reply's block and usage encoders whose losses ``finish``
        reports once, at the Response paths."""
        return EncodeContext(self.codec.NAME)

    def _start(self) -> list[WireEvent]:
        a = self.assembler
        extras = part_options(a.response_options, None, (), self._scratch(), FAMILY)
        self._message = {
            "id": a.id if a.id is not None else "",
            "type": "message",
            "role": "assistant",
            "model": a.model if a.model is not None else "",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": _usage_body(a.usage, self._scratch()),
            **{k: v for k, v in extras.items() if k not in _NOT_AT_START and v is not None},
        }
        return [_event("message_start", message=self._message)]

    def _open_block(self, k: int, block: dict[str, Any]) -> list[WireEvent]:
        b = self._blocks[k] = len(self._blocks)
        self._kinds[k] = block["type"]
        return [_event("content_block_start", index=b, content_block=block)]

    def _begin(self, k: int, ev: Piece) -> list[WireEvent]:
        if isinstance(ev, TextDelta):
            opened: dict[str, Any] = {"type": "text", "text": ""}
        elif isinstance(ev, ThinkingDelta):
            opened = {"type": "thinking", "thinking": "", "signature": ""}
        else:  # a tool call (its arguments may come before its name: both are then "")
            name = ev.name if isinstance(ev, ToolCallStart) else ""
            opened = {"type": "tool_use", "id": getattr(ev, "id", ""), "name": name, "input": {}}
            opened.update(_tool_use_fields(self.assembler.part_options.get(k, {}).get(FAMILY, {})))  # caller, ...
        return self._open_block(k, opened) + self._piece(k, ev)

    def _piece(self, k: int, ev: Piece) -> list[WireEvent]:
        if k in self._done:  # the part arrived whole: the assembled part is that, not its pieces
            return []
        b, kind = self._blocks[k], self._kinds[k]
        out = self._citations(k)
        if isinstance(ev, TextDelta | ThinkingDelta) and kind in ("text", "thinking"):
            out += _text_delta(b, kind, ev.text)
        if isinstance(ev, ThinkingDelta) and kind == "thinking":
            if ev.origin is not None:
                self._origins[k] = ev.origin
            # the whole reply drops another family's signature (encode_reply): not streamed
            if ev.signature and self._origins.get(k, FAMILY) == FAMILY:
                out += _signature_delta(b, ev.signature)
        if isinstance(ev, ToolCallDelta) and kind == "tool_use":
            out += _json_delta(b, ev.arguments)
        return out

    def _citations(self, k: int) -> list[WireEvent]:
        """The citations of text block ``k`` known (PartOptions) and not yet written."""
        if self._kinds.get(k) != "text" or k in self._done:
            return []
        cites = self.assembler.part_options.get(k, {}).get(FAMILY, {}).get("citations")
        done = self._cited.setdefault(k, [])
        if not isinstance(cites, list) or cites[: len(done)] != done:
            return []  # not a list the decoder assembles, or replaced: finish reports it
        new = cites[len(done) :]
        done += new
        return _cite_deltas(self._blocks[k], new)

    def _close(self, k: int) -> list[WireEvent]:
        if k not in self._blocks or k in self._done:
            return []
        out = self._citations(k)
        self._done.add(k)
        return [*out, _event("content_block_stop", index=self._blocks[k])]

    def _whole(self, k: int, part: Part) -> list[WireEvent]:
        self._done.add(k)  # pieces at k after it are not part of the assembled part
        block = _encode_block(part, ("content", k), self._scratch())
        if block is None:  # the whole reply drops it (reported by finish)
            return []
        kind = block["type"]
        deltas: list[WireEvent] = []
        b = len(self._blocks)
        if kind == "text":
            opened: dict[str, Any] = {"type": "text", "text": ""}
            self._cited[k] = list(block.get("citations") or [])
            deltas = _text_delta(b, kind, block["text"]) + _cite_deltas(b, self._cited[k])
        elif kind == "thinking":
            opened = {"type": "thinking", "thinking": "", "signature": ""}
            deltas = _text_delta(b, kind, block["thinking"]) + _signature_delta(b, block["signature"])
        elif kind == "tool_use":
            opened = {**block, "input": {}}
            deltas = _json_delta(b, json_text(block["input"]) if block["input"] else "")
        else:  # redacted thinking and provider (server-tool) blocks start whole
            opened = block
        return [*self._open_block(k, opened), *deltas, _event("content_block_stop", index=b)]

    def _error_end(self, response: Response, body: dict[str, Any], error: ReplyError) -> list[WireEvent]:
        """The ``error`` event, as the API sends it: the stream ends there, a block open stays
        open, and the usage is what ``message_start`` said (a final usage that differs is
        reported)."""
        self._check_head(body)
        if anthropic_usage(self._message["usage"]) != anthropic_usage(body["usage"]):
            self.stream_loss(("usage",), LossKind.CHANGED, "the stream ends at the error event, before the final usage")
        kind = error_named(error, "type", self.ctx)
        if kind is None:
            self.ctx.lossy(("error", "type"), LossKind.CHANGED, "an error event names its type; written as 'api_error'")
        return [_event("error", error={"type": kind or "api_error", "message": error.message})]

    def _check_head(self, body: dict[str, Any]) -> None:
        for field in ("id", "model"):
            if self._message[field] != body[field]:
                self.stream_loss((field,), LossKind.CHANGED, f"{field} was not known when message_start was written")

    def _end(self, response: Response, body: dict[str, Any]) -> list[WireEvent]:
        self._check_citations(response)
        self._check_head(body)
        delta: dict[str, Any] = {"stop_reason": body["stop_reason"], "stop_sequence": body["stop_sequence"]}
        for key, value in body.items():
            if key not in _RESPONSE_FIELDS and key != "stop_sequence" and self._message.get(key, _UNSAID) != value:
                delta[key] = value  # the Delta fields, and the others message_start did not say
        for key in self._message.keys() - body.keys():
            why = "message_start wrote it before the stream withdrew it; a stream cannot take it back"
            self.stream_loss(("provider_options", FAMILY, key), LossKind.CHANGED, why)
        usage = self._final_usage(body["usage"])
        return [_event("message_delta", delta=delta, usage=usage), _event("message_stop")]

    def _final_usage(self, final: dict[str, Any]) -> dict[str, Any]:
        """``message_delta.usage``: the whole reply's counts, which replace message_start's
        (the TTL split only where message_start did not say it); a count message_start said and
        the final usage does not is reported."""
        start = self._message["usage"]
        usage = {k: v for k, v in final.items() if k != "cache_creation" or start.get(k) != v}
        read_back = anthropic_usage({**start, **usage})
        want = anthropic_usage(final)
        for f in Usage.__struct_fields__:
            if getattr(read_back, f) != getattr(want, f):
                self.stream_loss(("usage", f), LossKind.CHANGED, "message_start said a count the final usage does not")
        return usage

    def _check_citations(self, response: Response) -> None:
        """A text block's citations written that are not the whole reply's (PartOptions replaced
        or arriving after the block stopped) are reported."""
        for k, j in self.positions().items():
            part = response.content[j] if j < len(response.content) else None
            if self._kinds.get(k) != "text" or not isinstance(part, Text):
                continue
            block = _encode_block(part, ("content", j), self._scratch())
            want = block.get("citations") if block is not None else None
            if self._cited.get(k, []) != (want or []):
                why = "the citations changed after the stream wrote them"
                self.stream_loss(("content", j, *_CITATIONS), LossKind.CHANGED, why)
