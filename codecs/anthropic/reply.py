"""Replies: the Messages response body, its usage and stop reasons, and the event stream.

The reply is the same body on the direct API, Bedrock and Vertex (src: SDK types/message.py,
usage.py, cache_creation.py, output_tokens_details.py, message_delta_usage.py,
raw_*_event.py; A-PC "Tracking cache performance").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from ir_codec.codec import expect_object, load_json, wire_convert
from ir_codec.errors import DecodeError
from ir_codec.ir import Part, ProviderPart, RedactedThinking, Response, StopReason, Text, Thinking, ToolUse, Usage
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

__all__ = ["AnthropicStreamDecoder", "anthropic_usage", "decode_response", "stop_reason"]

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
    t = wire_convert(b, WThinkingBlock, path)
    return Thinking(text=t.thinking, signature=t.signature, origin=None if t.signature is None else FAMILY)


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
