"""Replies: the Messages response body, its usage and stop reasons, and the event stream.

The reply is the same body on the direct API, Bedrock and Vertex (src: SDK types/message.py,
usage.py, cache_creation.py, output_tokens_details.py, message_delta_usage.py,
raw_*_event.py; A-PC "Tracking cache performance").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from ir_codec.codec import EncodeContext, expect_object, foreign_reasoning, load_json, wire_convert
from ir_codec.errors import DecodeError, LossKind
from ir_codec.ir import (
    Part,
    ProviderPart,
    RedactedThinking,
    Refusal,
    Response,
    StopReason,
    Text,
    Thinking,
    ToolUse,
    Usage,
)
from ir_codec.paths import IRPath
from ir_codec.replies import (
    drop_counters,
    drop_part,
    own_provider_part,
    part_options,
    response_options,
    wire_stop_reason,
    write_or_zero,
)
from ir_codec.stream import (
    MessageStart,
    Stop,
    StreamDecoder,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    UsageUpdate,
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

__all__ = [
    "AnthropicStreamDecoder",
    "anthropic_usage",
    "decode_response",
    "encode_reply",
    "stop_reason",
    "stream_events",
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


def _response_extras(message: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Fields of the reply the IR has no word for (stop_sequence, container, diagnostics, ...)."""
    return family_options_of({k: v for k, v in message.items() if k not in _RESPONSE_FIELDS and v is not None})


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


def _tool_use(b: dict[str, Any], path: str) -> Part:
    u = wire_convert(b, WToolUseBlock, path)
    return ToolUse(id=u.id, name=u.name, input=u.input)


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
        kind = ev.get("type", name)
        handler = self._HANDLERS.get(kind) if isinstance(kind, str) else None
        return handler(self, ev) if handler is not None else []  # ping and future events

    def _index(self, ev: dict[str, Any]) -> int:
        i = ev.get("index")
        if type(i) is not int:
            raise DecodeError("$.index", "an integer", type(i).__name__)
        return i

    def _update_message(self, fields: Mapping[str, Any]) -> None:
        self.message.update(fields)
        self.assembler.response_options = _response_extras(self.message)

    def _cite(self, i: int, citations: list[Any]) -> None:
        self.citations.setdefault(i, []).extend(citations)
        if self.kinds.get(i) == "text" and self.citations[i]:
            self.assembler.set_part_options(i, family_options_of({"citations": self.citations[i]}))

    def _message_start(self, ev: dict[str, Any]) -> list[StreamEvent]:
        msg = expect_object(ev.get("message"), "$.message")
        self.message = {}
        self._update_message({k: v for k, v in msg.items() if k not in ("content", "usage")})
        self.usage = dict(expect_object(msg.get("usage") or {}, "$.message.usage"))
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
            out: list[StreamEvent] = [ToolCallStart(index=i, id=u.id, name=u.name)]
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
        if kind == "text_delta" and isinstance(d.get("text"), str):
            return [TextDelta(index=i, text=d["text"])]
        if kind == "thinking_delta" and isinstance(d.get("thinking"), str):
            return [ThinkingDelta(index=i, text=d["thinking"])]
        if kind == "signature_delta" and isinstance(d.get("signature"), str):
            return [ThinkingDelta(index=i, signature=d["signature"], origin=FAMILY)]
        if kind == "citations_delta":
            self._cite(i, [d.get("citation")])
            return []
        if kind == "input_json_delta" and isinstance(d.get("partial_json"), str):
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
            out.append(UsageUpdate(usage=anthropic_usage(self.usage)))
        return out

    def _error(self, ev: dict[str, Any]) -> list[StreamEvent]:
        err = ev.get("error")
        raw = err.get("type") if isinstance(err, dict) else None
        return [Stop(stop_reason="error", raw_stop_reason=raw if isinstance(raw, str) else "error")]

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
    for k, v in raw.items():  # decode reads back a text block's citations, nothing else
        if isinstance(p, Text) and k == "citations" and v:
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
    for k, v in extra.items():
        if k in _RESPONSE_FIELDS or v is None:
            why = f"{k!r} is written from the IR" if v is not None else "a null reply field reads back as absent"
            ctx.lossy(("provider_options", FAMILY, k), LossKind.DROPPED, why)
        else:
            body[k] = v
    return body


def stream_events(body: Mapping[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """The Messages event stream of a reply body (SDK ``raw_message_*_event.py``,
    ``raw_content_block_*_event.py``): ``message_start`` with the reply's fields and whole usage,
    each block opened empty and filled by deltas (text, thinking then signature, tool input as
    JSON text), ``message_delta`` with the stop reason and the output count, ``message_stop``."""
    start = {k: v for k, v in body.items() if k not in ("content", "stop_reason", "stop_sequence")}
    start.update(content=[], stop_reason=None, stop_sequence=None)
    events: list[tuple[str | None, dict[str, Any]]] = [("message_start", {"type": "message_start", "message": start})]
    for i, block in enumerate(body["content"]):
        kind = block.get("type")
        deltas: list[dict[str, Any]] = []
        if kind == "text":
            opened = {**block, "text": ""}
            if block["text"]:
                deltas.append({"type": "text_delta", "text": block["text"]})
        elif kind == "thinking":
            opened = {**block, "thinking": "", "signature": ""}
            if block["thinking"]:
                deltas.append({"type": "thinking_delta", "thinking": block["thinking"]})
            if block["signature"]:
                deltas.append({"type": "signature_delta", "signature": block["signature"]})
        elif kind == "tool_use":
            opened = {**block, "input": {}}
            if block["input"]:
                deltas.append({"type": "input_json_delta", "partial_json": json_text(block["input"])})
        else:  # redacted thinking and server-tool blocks arrive whole
            opened = dict(block)
        events.append(("content_block_start", {"type": "content_block_start", "index": i, "content_block": opened}))
        for d in deltas:
            events.append(("content_block_delta", {"type": "content_block_delta", "index": i, "delta": d}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": i}))
    usage = {"output_tokens": body["usage"]["output_tokens"]}
    delta = {"stop_reason": body["stop_reason"], "stop_sequence": body.get("stop_sequence")}
    events.append(("message_delta", {"type": "message_delta", "delta": delta, "usage": usage}))
    events.append(("message_stop", {"type": "message_stop"}))
    return events
