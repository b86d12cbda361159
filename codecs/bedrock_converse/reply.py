"""Converse replies: ``ConverseResponse`` bodies, ``TokenUsage``, stop reasons and the
``ConverseStream`` event stream (botocore ``ConverseStreamOutput``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from msgspec import UNSET

from ir_codec.codec import EncodeContext, expect_object, foreign_reasoning, load_json, wire_convert
from ir_codec.errors import DecodeError, IRCodecError, LossKind
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
from ir_codec.lowering import split_unknown
from ir_codec.paths import IRPath
from ir_codec.replies import (
    drop_counters,
    drop_part,
    merge_raw,
    own_provider_part,
    part_options,
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

from .lift import SIGNATURES, lift_block, opts
from .wire import (
    NAME,
    WContentBlockDelta,
    WConverseResponse,
    WMessageStopEvent,
    WTokenUsage,
    WToolUseBlockStart,
)

__all__ = [
    "STOP_REASONS",
    "ConverseStreamDecoder",
    "decode_response",
    "encode_reply",
    "stop_reason",
    "stream_events",
    "usage",
]

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


# --------------------------------------------------------------------------------------------
# Encoding replies and streams (IR Response -> ConverseResponse / ConverseStream events)

_WRITE_STOP: dict[StopReason, str] = {
    "end_turn": "end_turn",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "content_filter": "content_filtered",
    "error": "malformed_model_output",
    "context_window_exceeded": "model_context_window_exceeded",
}
"""IR stop reason -> botocore ``StopReason`` (the first wire value that reads back as it)."""


def _usage_body(usage: Usage | None, ctx: EncodeContext) -> dict[str, Any]:
    """botocore ``TokenUsage``: disjoint buckets, as :func:`usage` reads them back;
    ``totalTokens`` = all input buckets + output (decode does not read it)."""
    if usage is None:
        ctx.lossy(("usage",), LossKind.CHANGED, "a ConverseResponse always carries usage; written as 0 tokens")
        return {"inputTokens": 0, "outputTokens": 0, "totalTokens": 0}
    why = "TokenUsage requires it"
    out: dict[str, Any] = {"inputTokens": write_or_zero(usage, "uncached_input_tokens", ctx, why)}
    out["outputTokens"] = write_or_zero(usage, "output_tokens", ctx, why)
    out["totalTokens"] = (usage.input_tokens or 0) + (usage.output_tokens or 0)
    if usage.cache_read_tokens is not None:
        out["cacheReadInputTokens"] = usage.cache_read_tokens
    if usage.cache_write_tokens is not None:
        out["cacheWriteInputTokens"] = usage.cache_write_tokens
    w5, w1 = usage.cache_write_5m_tokens, usage.cache_write_1h_tokens
    if w5 is not None or w1 is not None:
        # "cacheDetails": writes by TTL, sorted 1h before 5m; decode reads both (0 when absent)
        for f, value in (("cache_write_5m_tokens", w5), ("cache_write_1h_tokens", w1)):
            if value is None:
                ctx.lossy(("usage", f), LossKind.CHANGED, "cacheDetails reads an absent TTL as 0")
        total = (w5 or 0) + (w1 or 0)
        if usage.cache_write_tokens != total:
            ctx.lossy(("usage", "cache_write_tokens"), LossKind.CHANGED, "written as the sum of the TTL split")
            out["cacheWriteInputTokens"] = total
        out["cacheDetails"] = [
            {"ttl": ttl, "inputTokens": n} for ttl, n in (("1h", w1), ("5m", w5)) if n is not None and n > 0
        ]
    drop_counters(usage, ("cache_write_30m_tokens", "cache_write_12h_tokens"), ctx, "Bedrock has no 30m / 12h tier")
    drop_counters(usage, ("reasoning_tokens",), ctx, "TokenUsage has no reasoning-token count")
    return out


def _encode_block(p: Part, path: IRPath, ctx: EncodeContext) -> dict[str, Any] | None:
    if isinstance(p, ProviderPart):
        return dict(p.data) if own_provider_part(p, NAME, path, ctx, "a Converse reply") else None
    if not isinstance(p, Text | Thinking | RedactedThinking | ToolUse | Refusal):
        drop_part(p, path, ctx, "a Converse reply")
        return None
    raw = part_options(p.provider_options, p.cache, path, ctx, NAME)
    inner: dict[str, Any]
    match p:
        case Text() | Refusal():
            if isinstance(p, Refusal):
                ctx.lossy(path, LossKind.CHANGED, "Converse has no refusal block; sent as text")
            out = {"text": p.text}
            merge_raw(out, raw, path, ctx, NAME)
            return out
        case Thinking():
            text: dict[str, Any] = {"text": p.text}
            if p.signature is not None and p.origin not in (None, SIGNATURES):
                ctx.lossy((*path, "signature"), LossKind.DROPPED, f"a {p.origin} signature does not verify here")
                ctx.lossy((*path, "origin"), LossKind.DROPPED, "no signature is sent; the origin goes with it")
            elif p.signature is not None:
                text["signature"] = p.signature
                if p.origin is None:
                    ctx.lossy(
                        (*path, "origin"), LossKind.CHANGED, "a signature of unknown origin reads back as Claude's"
                    )
            elif p.origin is not None:
                ctx.lossy((*path, "origin"), LossKind.DROPPED, "nothing is signed; the origin is not sent")
            inner = {"reasoningText": text}
            key = "reasoningContent"
        case RedactedThinking():
            if (why := foreign_reasoning(p, SIGNATURES)) is not None:
                ctx.lossy(path, LossKind.DROPPED, why)
                return None
            if p.origin is None:
                ctx.lossy((*path, "origin"), LossKind.CHANGED, "reads back as Claude's")
            inner, key = {"redactedContent": p.data}, "reasoningContent"
        case ToolUse():
            inner, key = {"toolUseId": p.id, "name": p.name, "input": p.input}, "toolUse"
    merge_raw(inner, raw, path, ctx, NAME)
    return {key: inner}


_REPLY_FIELDS = frozenset({"output", "stopReason", "usage"})
_OTHER_FIELDS = frozenset({"metrics", "additionalModelResponseFields", "trace", "performanceConfig", "serviceTier"})
"""The other members of botocore's ``ConverseResponse``: raw options that may be written."""


def encode_reply(response: Response, ctx: EncodeContext, origins: list[int] | None = None) -> dict[str, Any]:
    """The ``ConverseResponse`` body of ``response`` (botocore shape; ``metrics`` is required:
    taken from the options, else written as ``{"latencyMs": 0}`` and reported)."""
    extra = part_options(response.provider_options, None, (), ctx, NAME)
    for field in ("id", "model"):
        if getattr(response, field) is not None:
            ctx.lossy((field,), LossKind.DROPPED, f"a ConverseResponse has no {field}")
    content = []
    for j, p in enumerate(response.content):
        block = _encode_block(p, ("content", j), ctx)
        if block is not None:
            content.append(block)
            if origins is not None:
                origins.append(j)
    body: dict[str, Any] = {"output": {"message": {"role": "assistant", "content": content}}}
    body["stopReason"] = wire_stop_reason(response, ctx, stop_reason, _WRITE_STOP, "end_turn")
    body["usage"] = _usage_body(response.usage, ctx)
    for k, v in extra.items():
        if k in _REPLY_FIELDS or k not in _OTHER_FIELDS or v is None:
            why = f"{k!r} is written from the IR" if k in _REPLY_FIELDS else "not a ConverseResponse member"
            ctx.lossy(("provider_options", NAME, k), LossKind.DROPPED, why)
        else:
            body[k] = v
    if "metrics" not in body:
        ctx.lossy(("provider_options", NAME, "metrics"), LossKind.CHANGED, "metrics is required; written as 0 ms")
        body["metrics"] = {"latencyMs": 0}
    return body


def stream_events(response: Response, ctx: EncodeContext) -> list[tuple[str | None, dict[str, Any]]]:
    """The ConverseStream events of a reply body, as ``(event type, member)`` pairs
    (botocore ``ConverseStreamOutput``): ``messageStart``; per block a ``contentBlockStart``
    (tool use), ``contentBlockDelta`` events (text; tool input as JSON text; reasoning text,
    then signature; redacted content) and ``contentBlockStop``; ``messageStop``; ``metadata``
    with the usage and the other fields of the reply."""
    origins: list[int] = []
    body = encode_reply(response, ctx, origins)
    events: list[tuple[str | None, dict[str, Any]]] = [("messageStart", {"role": "assistant"})]
    i = 0  # the index of the next streamed block
    for j, block in zip(origins, body["output"]["message"]["content"], strict=True):
        start: dict[str, Any] | None = None
        deltas: list[dict[str, Any]] = []
        if "text" in block and len(block) == 1:
            deltas.append({"text": block["text"]})
        elif "toolUse" in block and len(block) == 1 and set(block["toolUse"]) == {"toolUseId", "name", "input"}:
            tu = block["toolUse"]
            start = {"toolUse": {"toolUseId": tu["toolUseId"], "name": tu["name"]}}
            deltas.append({"toolUse": {"input": msgspec.json.encode(tu["input"]).decode()}})
        elif "reasoningContent" in block and len(block) == 1 and len(block["reasoningContent"]) == 1:
            rc = block["reasoningContent"]
            if "redactedContent" in rc:
                deltas.append({"reasoningContent": {"redactedContent": rc["redactedContent"]}})
            else:
                deltas.append({"reasoningContent": {"text": rc["reasoningText"]["text"]}})
                if "signature" in rc["reasoningText"]:
                    deltas.append({"reasoningContent": {"signature": rc["reasoningText"]["signature"]}})
        else:  # server-tool blocks, citations, ...: the stream decoder does not assemble them
            ctx.lossy(("content", j), LossKind.DROPPED, "this block has no ConverseStream form the decoder assembles")
            continue
        if start is not None:
            events.append(("contentBlockStart", {"start": start, "contentBlockIndex": i}))
        for d in deltas:
            events.append(("contentBlockDelta", {"delta": d, "contentBlockIndex": i}))
        events.append(("contentBlockStop", {"contentBlockIndex": i}))
        i += 1
    stop: dict[str, Any] = {"stopReason": body["stopReason"]}
    if "additionalModelResponseFields" in body:
        stop["additionalModelResponseFields"] = body["additionalModelResponseFields"]
    events.append(("messageStop", stop))
    meta = {k: v for k, v in body.items() if k not in ("output", "stopReason", "additionalModelResponseFields")}
    events.append(("metadata", meta))
    return events
