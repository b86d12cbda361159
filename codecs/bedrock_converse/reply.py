"""Converse replies: ``ConverseResponse`` bodies, ``TokenUsage``, stop reasons and the
``ConverseStream`` event stream (botocore ``ConverseStreamOutput``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from msgspec import UNSET

from ir_codec.codec import expect_object, load_json, wire_convert
from ir_codec.errors import DecodeError, IRCodecError
from ir_codec.ir import RedactedThinking, Response, StopReason, Usage
from ir_codec.lowering import split_unknown
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

from .lift import SIGNATURES, lift_block, opts
from .wire import (
    NAME,
    WContentBlockDelta,
    WConverseResponse,
    WMessageStopEvent,
    WTokenUsage,
    WToolUseBlockStart,
)

__all__ = ["STOP_REASONS", "ConverseStreamDecoder", "decode_response", "stop_reason", "usage"]

STOP_REASONS: dict[str, StopReason] = {
    # botocore ``StopReason`` enum -> IR StopReason
    "end_turn": "end_turn",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
    "malformed_model_output": "error",
    "malformed_tool_use": "error",
    "model_context_window_exceeded": "context_window_exceeded",
}


def stop_reason(raw: str) -> StopReason:
    """The IR stop reason of a botocore ``StopReason`` (an unknown one is ``"other"``)."""
    return STOP_REASONS.get(raw, "other")


def usage(u: WTokenUsage) -> Usage:
    """botocore ``TokenUsage``: ``inputTokens`` is the uncached input only, so the three input
    buckets are ``inputTokens``, ``cacheReadInputTokens`` and ``cacheWriteInputTokens`` (AWS
    prompt-caching guide), the write split by TTL from ``cacheDetails``. Converse reports no
    reasoning-token count (``reasoning_tokens`` is ``None``). A cache counter the reply leaves
    out is ``None`` (not reported), and ``totalTokens`` may be absent."""
    read = None if u.cacheReadInputTokens is UNSET else u.cacheReadInputTokens
    write = None if u.cacheWriteInputTokens is UNSET else u.cacheWriteInputTokens
    w5: int | None = None
    w1: int | None = None
    if u.cacheDetails is not UNSET:
        # "Detailed breakdown of cache writes by TTL. Empty if no cache creation occurred."
        w5 = sum(d.inputTokens for d in u.cacheDetails if d.ttl == "5m")
        w1 = sum(d.inputTokens for d in u.cacheDetails if d.ttl == "1h")
        if w5 + w1 != (write or 0):
            raise DecodeError(
                "$.usage.cacheDetails", f"TTL buckets adding up to cacheWriteInputTokens={write}", str(w5 + w1)
            )
    return Usage(
        uncached_input_tokens=u.inputTokens,
        cache_read_tokens=read,
        cache_write_tokens=write,
        cache_write_5m_tokens=w5,
        cache_write_1h_tokens=w1,
        output_tokens=u.outputTokens,
    )


def decode_response(payload: Mapping[str, Any] | bytes | str) -> Response:
    """Lift a ``ConverseResponse`` body to an IR :class:`Response` (usage: :func:`usage`)."""
    raw = expect_object(load_json(payload), "$")
    w = wire_convert(raw, WConverseResponse)
    _, extra = split_unknown(raw, ("output", "stopReason", "usage"), "$")
    _, out_extra = split_unknown(raw["output"], ("message",), "$.output")
    if out_extra:
        raise DecodeError("$.output", "a message", ", ".join(out_extra))
    msg = raw["output"]["message"]
    content = [lift_block(b, f"$.output.message.content[{j}]") for j, b in enumerate(msg["content"])]
    return Response(
        content=content,
        stop_reason=stop_reason(w.stopReason),
        raw_stop_reason=w.stopReason,
        usage=usage(w.usage),
        provider_options=opts(extra),
    )


# --------------------------------------------------------------------------------------------
# Streams

_STREAM_ERRORS = (
    "internalServerException",
    "modelStreamErrorException",
    "validationException",
    "throttlingException",
    "serviceUnavailableException",
)


def _index(data: dict[str, Any], path: str) -> int:
    index = data.get("contentBlockIndex")
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise DecodeError(f"{path}.contentBlockIndex", "a non-negative integer", repr(index))
    return index


class ConverseStreamDecoder(StreamDecoder):
    """ConverseStream events to IR stream events; :meth:`finish` equals ``decode_response`` of
    the same reply (the ``metadata`` event's ``metrics`` and the ``messageStop`` event's
    ``additionalModelResponseFields`` become the response's provider options, through the
    assembler's ``response_options``)."""

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        data = expect_object(data, "$")
        if name is None:
            if len(data) != 1:
                raise DecodeError("$", "one ConverseStream event member", ", ".join(data) or "none")
            name, data = next(iter(data.items()))
            data = expect_object(data, f"$.{name}")
        if name in _STREAM_ERRORS:
            raise IRCodecError(f"ConverseStream {name}: {data.get('message', '')}")
        handler = _HANDLERS.get(name)
        if handler is None:
            raise DecodeError("$", f"a ConverseStream event ({', '.join(_HANDLERS)})", name)
        return handler(self, data, f"$.{name}")

    def _option(self) -> dict[str, Any]:
        return self.assembler.response_options.setdefault(NAME, {})

    def _unassembled(self, name: str, data: dict[str, Any]) -> list[StreamEvent]:
        # Blocks the IR stream events cannot carry (server tool results, citations, images) are
        # kept raw, in order, under provider_options["bedrock-converse"]["unassembledEvents"].
        self._option().setdefault("unassembledEvents", []).append({name: data})
        return []

    def _message_start(self, data: dict[str, Any], path: str) -> list[StreamEvent]:
        return [MessageStart()]

    def _block_start(self, data: dict[str, Any], path: str) -> list[StreamEvent]:
        index = _index(data, path)
        start = expect_object(data.get("start"), f"{path}.start")
        if "toolUse" in start:
            tu = wire_convert(start["toolUse"], WToolUseBlockStart, f"{path}.start.toolUse")
            return [ToolCallStart(index=index, id=tu.toolUseId, name=tu.name)]
        return self._unassembled("contentBlockStart", data)

    def _block_delta(self, data: dict[str, Any], path: str) -> list[StreamEvent]:
        index = _index(data, path)
        delta = expect_object(data.get("delta"), f"{path}.delta")
        d = wire_convert(delta, WContentBlockDelta, f"{path}.delta")
        if d.text is not UNSET:
            return [TextDelta(index=index, text=d.text)]
        if d.toolUse is not UNSET:
            return [ToolCallDelta(index=index, arguments=d.toolUse.input)]
        if d.reasoningContent is not UNSET:
            rc = d.reasoningContent
            if rc.redactedContent is not UNSET:
                self.assembler.add_part(index, RedactedThinking(data=rc.redactedContent, origin=SIGNATURES))
                return []
            sig = None if rc.signature is UNSET else rc.signature
            return [
                ThinkingDelta(
                    index=index,
                    text="" if rc.text is UNSET else rc.text,
                    signature=sig,
                    origin=None if sig is None else SIGNATURES,  # as lift.py's whole block
                )
            ]
        return self._unassembled("contentBlockDelta", data)

    def _block_stop(self, data: dict[str, Any], path: str) -> list[StreamEvent]:
        _index(data, path)
        return []

    def _message_stop(self, data: dict[str, Any], path: str) -> list[StreamEvent]:
        stop = wire_convert(data, WMessageStopEvent, path)
        if stop.additionalModelResponseFields is not UNSET:
            self._option()["additionalModelResponseFields"] = stop.additionalModelResponseFields
        return [Stop(stop_reason=stop_reason(stop.stopReason), raw_stop_reason=stop.stopReason)]

    def _metadata(self, data: dict[str, Any], path: str) -> list[StreamEvent]:
        u = wire_convert(data.get("usage"), WTokenUsage, f"{path}.usage")
        _, extra = split_unknown(data, ("usage",), path)
        if extra:
            self._option().update(extra)
        return [UsageUpdate(usage=usage(u))]


_HANDLERS: dict[str, Callable[[ConverseStreamDecoder, dict[str, Any], str], list[StreamEvent]]] = {
    "messageStart": ConverseStreamDecoder._message_start,
    "contentBlockStart": ConverseStreamDecoder._block_start,
    "contentBlockDelta": ConverseStreamDecoder._block_delta,
    "contentBlockStop": ConverseStreamDecoder._block_stop,
    "messageStop": ConverseStreamDecoder._message_stop,
    "metadata": ConverseStreamDecoder._metadata,
}
"""ConverseStream event name -> handler."""
