"""Converse replies: ``ConverseResponse`` bodies, ``TokenUsage``, stop reasons and the
``ConverseStream`` event stream (botocore ``ConverseStreamOutput``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import msgspec
from msgspec import UNSET

from ir_codec.codec import EncodeContext, expect_object, foreign_reasoning, load_json, wire_convert
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
from ir_codec.lowering import split_unknown
from ir_codec.paths import IRPath
from ir_codec.replies import (
    Piece,
    StreamEncoder,
    WireEvent,
    drop_counters,
    drop_part,
    error_as_number,
    merge_raw,
    own_provider_part,
    part_options,
    reply_error,
    wire_stop_reason,
    write_or_zero,
)
from ir_codec.stream import (
    MessageStart,
    ReplyOptions,
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

if TYPE_CHECKING:
    from ir_codec.codec import Codec

__all__ = [
    "STOP_REASONS",
    "ConverseStreamDecoder",
    "ConverseStreamEncoder",
    "decode_response",
    "encode_reply",
    "stop_reason",
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
        if name in _STREAM_ERRORS or name == ":exception":
            return self._exception(name, data)
        handler = _HANDLERS.get(name)
        if handler is None:
            raise DecodeError("$", f"a ConverseStream event ({', '.join(_HANDLERS)})", name)
        return handler(self, data, f"$.{name}")

    def _exception(self, name: str, data: dict[str, Any]) -> list[StreamEvent]:
        """An exception event ends the stream (botocore ``ConverseStreamOutput``'s exception
        members, ``{"message"}``; ``modelStreamErrorException`` adds ``originalStatusCode`` (the
        code) and ``originalMessage``, kept raw; the transport's ``(":exception", {"type",
        "message"})`` for an exception frame)."""
        path = f"$.{name}" if name != ":exception" else "$"
        error = reply_error(
            data, path, type_key="type" if name == ":exception" else None, code_key="originalStatusCode"
        )
        error = error or ReplyError()
        if name != ":exception":
            error = msgspec.structs.replace(error, type=name)
            rest = {k: v for k, v in data.items() if k not in ("message", "originalStatusCode")}
            if rest:
                self._option()["exception"] = rest
        return [Stop(stop_reason="error", raw_stop_reason=error.type or "error", error=error)]

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
# Encoding replies (IR Response -> ConverseResponse)

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


# --------------------------------------------------------------------------------------------
# Streaming a reply as it arrives (IR stream events -> ConverseStream events)

_RAW = "unassembledEvents"
_RAW_PATH: IRPath = ("provider_options", NAME, _RAW)
"""Where the stream decoder keeps the events of blocks the IR events cannot carry."""


def _raw_event(item: Any) -> tuple[str, dict[str, Any], int] | None:
    """(event type, member, source block index) of a kept raw event; None when ``item`` is not
    a ``contentBlockStart`` / ``contentBlockDelta`` event object."""
    if not isinstance(item, dict) or len(item) != 1:
        return None
    ((name, data),) = item.items()
    if name not in ("contentBlockStart", "contentBlockDelta") or not isinstance(data, dict):
        return None
    index = data.get("contentBlockIndex")
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        return None
    return name, data, index


def _block_pieces(block: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]] | None:
    """A reply content block as ConverseStream pieces: the ``start`` member of its
    ``contentBlockStart`` (botocore ``ContentBlockStart``: tool use only) or None, and the
    ``delta`` members of its ``contentBlockDelta`` events (``ContentBlockDelta``: text; tool
    input as JSON text; ``ReasoningContentBlockDelta`` text, then signature, or redacted
    content). None: a block the stream decoder does not assemble (server-tool blocks,
    citations, a block with other fields)."""
    if set(block) == {"text"}:
        return None, [{"text": block["text"]}]
    if set(block) == {"toolUse"} and set(block["toolUse"]) == {"toolUseId", "name", "input"}:
        tu = block["toolUse"]
        start = {"toolUse": {"toolUseId": tu["toolUseId"], "name": tu["name"]}}
        return start, [{"toolUse": {"input": msgspec.json.encode(tu["input"]).decode()}}]
    rc = block.get("reasoningContent")
    if set(block) != {"reasoningContent"} or not isinstance(rc, dict) or len(rc) != 1:
        return None
    if "redactedContent" in rc:
        return None, [{"reasoningContent": {"redactedContent": rc["redactedContent"]}}]
    text = rc.get("reasoningText")
    if not isinstance(text, dict) or "text" not in text or not set(text) <= {"text", "signature"}:
        return None
    deltas: list[dict[str, Any]] = [{"reasoningContent": {"text": text["text"]}}]
    if "signature" in text:
        deltas.append({"reasoningContent": {"signature": text["signature"]}})
    return None, deltas


class ConverseStreamEncoder(StreamEncoder):
    """IR stream events to ConverseStream events as they arrive, as ``(event type, member)``
    pairs (botocore ``ConverseStreamOutput``; ``EncodedStream.objects()`` gives the
    ``{type: member}`` objects boto3 yields):

    - ``messageStart`` ``{"role": "assistant"}`` at the first content event;
    - a text, thinking or tool-call part opens a block, numbered from 0 in the order written:
      a tool call with ``contentBlockStart`` ``{"start": {"toolUse": {toolUseId, name}}}``,
      text and reasoning with their first ``contentBlockDelta``; each later piece is one
      ``contentBlockDelta`` (``{"text"}``, ``{"toolUse": {"input"}}``,
      ``{"reasoningContent": {"text"}}``, and ``{"reasoningContent": {"signature"}}`` for a
      signature the whole reply sends); ``contentBlockStop`` when the next block opens or at
      the end;
    - a part that arrives whole is written as the whole reply's block in the same pieces
      (redacted reasoning as ``{"reasoningContent": {"redactedContent"}}``, a refusal as text);
    - the blocks the stream decoder kept raw (``provider_options["bedrock-converse"]
      ["unassembledEvents"]``: citations, server-tool results, images) are written where their
      :class:`~ir_codec.stream.ReplyOptions` arrives (or, before any content, right after
      ``messageStart``), at this stream's number for their block;
    - at the end ``messageStop`` (``stopReason``, ``additionalModelResponseFields``) and
      ``metadata`` (``usage``, ``metrics`` and the other fields), from the whole reply body.

    What only the stream loses is reported: a block with no stream form (a Bedrock provider
    part: ``dropped``), a part's own raw fields (deltas carry none: ``dropped``), raw events
    written at other block numbers, pieces for a block a raw block closed (``changed``).
    """

    ERROR_EVENTS = True

    def __init__(self, codec: Codec) -> None:
        super().__init__(codec)
        self._block: dict[int, int] = {}
        """Source index (the IR events' ``index``, a Bedrock source's ``contentBlockIndex``)
        -> this stream's ``contentBlockIndex``."""
        self._next = 0
        self._current: int | None = None
        self._stopped: set[int] = set()
        self._parts_written: set[int] = set()  # the parts written (their first events are out)
        self._thinking: set[int] = set()  # the thinking parts streamed piece by piece
        self._origin: dict[int, str] = {}
        self._signature: dict[int, str] = {}  # the signature pieces written
        self._lost: dict[int, tuple[LossKind, str]] = {}
        self._raw_taken: list[Any] = []
        self._raw_pending: list[Any] = []
        self._raw_written: list[dict[str, Any]] = []
        self._raw_ok = True

    def feed(self, event: StreamEvent) -> list[WireEvent]:
        out = super().feed(event)
        if isinstance(event, ReplyOptions):
            self._take_raw(event)
            if self._started:
                out += self._write_raw()
        return out

    # -- blocks -------------------------------------------------------------------------------

    def _stop(self, t: int) -> WireEvent:
        self._stopped.add(t)
        if self._current == t:
            self._current = None
        return ("contentBlockStop", {"contentBlockIndex": t})

    def _new_block(self, k: int, out: list[WireEvent]) -> int:
        if self._current is not None:
            out.append(self._stop(self._current))
        t, self._next = self._next, self._next + 1
        self._block[k] = self._current = t
        return t

    def _block_of(self, k: int, out: list[WireEvent]) -> int:
        """The block of part ``k``: the one a raw event of the same source block opened (a
        citation kept before its text), else a new one."""
        self._parts_written.add(k)
        t = self._block.get(k)
        if t is not None and t not in self._stopped:
            return t
        return self._new_block(k, out)

    @staticmethod
    def _delta(t: int, delta: dict[str, Any]) -> WireEvent:
        return ("contentBlockDelta", {"delta": delta, "contentBlockIndex": t})

    def _deltas(self, k: int, t: int, ev: Piece, first: bool) -> list[WireEvent]:
        """The deltas of one piece (an empty piece writes nothing, except the first, which
        opens a text or reasoning block)."""
        if isinstance(ev, TextDelta):
            return [self._delta(t, {"text": ev.text})] if ev.text or first else []
        if isinstance(ev, ToolCallDelta):
            return [self._delta(t, {"toolUse": {"input": ev.arguments}})] if ev.arguments else []
        if isinstance(ev, ToolCallStart):  # a second start of an open call: a block starts once
            self._lost.setdefault(k, (LossKind.CHANGED, "the tool call started again after its block opened"))
            return []
        if ev.origin is not None:
            self._origin[k] = ev.origin
        # the whole reply sends a signature of Claude's (or of unknown origin) only
        sig = ev.signature if self._origin.get(k) in (None, SIGNATURES) else None
        out: list[WireEvent] = []
        if ev.text or (first and sig is None):
            out.append(self._delta(t, {"reasoningContent": {"text": ev.text}}))
        if sig is not None:
            self._signature[k] = self._signature.get(k, "") + sig
            out.append(self._delta(t, {"reasoningContent": {"signature": sig}}))
        return out

    # -- the hooks ----------------------------------------------------------------------------

    def _start(self) -> list[WireEvent]:
        # botocore MessageStartEvent {role} (required)
        return [("messageStart", {"role": "assistant"}), *self._write_raw()]

    def _begin(self, k: int, ev: Piece) -> list[WireEvent]:
        out: list[WireEvent] = []
        t = self._block_of(k, out)
        if isinstance(ev, ToolCallStart | ToolCallDelta):
            # botocore ContentBlockStartEvent {start: ContentBlockStart {toolUse: ToolUseBlockStart
            # {toolUseId, name}}, contentBlockIndex}; a call whose arguments come first has no id yet
            call = ev if isinstance(ev, ToolCallStart) else ToolCallStart(index=k, id="", name="")
            start = {"toolUse": {"toolUseId": call.id, "name": call.name}}
            out.append(("contentBlockStart", {"start": start, "contentBlockIndex": t}))
            return out + (self._deltas(k, t, ev, False) if isinstance(ev, ToolCallDelta) else [])
        if isinstance(ev, ThinkingDelta):
            self._thinking.add(k)
        return out + self._deltas(k, t, ev, True)

    def _piece(self, k: int, ev: Piece) -> list[WireEvent]:
        t = self._block[k]
        if t in self._stopped:  # a raw block of the source came between: this block is closed
            self._lost.setdefault(k, (LossKind.CHANGED, "a piece arrived after a raw block closed the block"))
            return []
        return self._deltas(k, t, ev, False)

    def _close(self, k: int) -> list[WireEvent]:
        # botocore ContentBlockStopEvent {contentBlockIndex}
        t = self._block.get(k)
        return [] if t is None or t in self._stopped else [self._stop(t)]

    def _whole(self, k: int, part: Part) -> list[WireEvent]:
        # the whole reply's block (its own fields left out: deltas carry none; reported at the end)
        if isinstance(part, Text | Thinking | RedactedThinking | ToolUse | Refusal):
            part = msgspec.structs.replace(part, provider_options={})
        block = _encode_block(part, ("content", k), EncodeContext(NAME))
        if block is None:  # the whole reply drops it too (reported by finish)
            return []
        pieces = _block_pieces(block)
        if pieces is None:
            self._lost[k] = (LossKind.DROPPED, "this block has no ConverseStream form the decoder assembles")
            return []
        start, deltas = pieces
        out: list[WireEvent] = []
        t = self._block_of(k, out)
        if start is not None:
            out.append(("contentBlockStart", {"start": start, "contentBlockIndex": t}))
        return out + [self._delta(t, d) for d in deltas]

    def _error_end(self, response: Response, body: dict[str, Any], error: ReplyError) -> list[WireEvent]:
        """The exception event the stream ends with: the member named by the error's type where
        it is one of ConverseStream's (else ``internalServerException``), its ``message``, and
        for ``modelStreamErrorException`` the code as ``originalStatusCode`` (a number) and the
        other fields kept raw. ``messageStop`` and ``metadata`` are not written: what only they
        carry is reported."""
        self._report(response)
        name = error.type if error.type in _STREAM_ERRORS else "internalServerException"
        if name != error.type:
            why = f"ConverseStream's exceptions are {', '.join(_STREAM_ERRORS)}: written as {name}"
            self.ctx.lossy(("error", "type"), LossKind.CHANGED, why)
        member: dict[str, Any] = {"message": error.message}
        code = error_as_number(error.code)
        if name == "modelStreamErrorException" and isinstance(code, int):
            member["originalStatusCode"] = code
        elif code is not None:
            self.ctx.lossy(("error", "code"), LossKind.DROPPED, f"{name} carries no such code; dropped")
        own = response.provider_options.get(NAME, {})
        if isinstance(own.get("exception"), dict):
            self.withdraw_under(("provider_options", NAME, "exception"))  # no reply member; the event's
            merge_raw(member, own["exception"], ("provider_options", NAME, "exception"), self.ctx, NAME)
        why = "the stream ends at the exception, before messageStop and metadata"
        for key in sorted(body.keys() - {"output", "stopReason", "exception"}):
            where = ("usage",) if key == "usage" else ("provider_options", NAME, key)
            self.withdraw_under(where)  # what the whole reply wrote there, this stream does not
            if (key == "usage" and response.usage is not None) or (key != "usage" and key in own):
                self.ctx.lossy(where, LossKind.DROPPED, why)
        return [(name, member)]

    def _end(self, response: Response, body: dict[str, Any]) -> list[WireEvent]:
        out = [self._stop(self._current)] if self._current is not None else []
        # botocore MessageStopEvent {stopReason, additionalModelResponseFields?}
        stop: dict[str, Any] = {"stopReason": body["stopReason"]}
        if "additionalModelResponseFields" in body:
            stop["additionalModelResponseFields"] = body["additionalModelResponseFields"]
        out.append(("messageStop", stop))
        # botocore ConverseStreamMetadataEvent {usage, metrics, trace?, performanceConfig?, serviceTier?}
        meta = {k: v for k, v in body.items() if k not in ("output", "stopReason", "additionalModelResponseFields")}
        out.append(("metadata", meta))
        self._report(response)
        return out

    # -- raw events and the stream's own losses -----------------------------------------------

    def _take_raw(self, ev: ReplyOptions) -> None:
        """The kept raw events a :class:`ReplyOptions` adds (a decoder appends to the list; a
        list that is not the one taken so far, plus more, stops the writing)."""
        raw = ev.provider_options.get(NAME, {}).get(_RAW, [])
        taken = len(self._raw_taken)
        if (
            not self._raw_ok
            or not isinstance(raw, list)
            or raw[:taken] != self._raw_taken
            or any(_raw_event(item) is None for item in raw)
        ):
            self._raw_ok, self._raw_pending = False, []
            return
        self._raw_taken += raw[taken:]
        self._raw_pending += raw[taken:]

    def _write_raw(self) -> list[WireEvent]:
        out: list[WireEvent] = []
        for item in self._raw_pending:
            got = _raw_event(item)
            assert got is not None  # checked in _take_raw
            name, data, s = got
            t = self._block.get(s)
            if t is None:  # a block of the source the IR holds no part of
                t = self._new_block(s, out)
            member = {**data, "contentBlockIndex": t}
            out.append((name, member))
            self._raw_written.append({name: member})
        self._raw_pending = []
        return out

    def _report(self, response: Response) -> None:
        position = self.positions()
        indices = list(position)
        final = dict(zip(indices, response.content, strict=True))
        for k, (kind, why) in sorted(self._lost.items()):
            self.ctx.lossy(("content", position[k]), kind, why)
        for k in sorted(self._parts_written):
            own = getattr(final[k], "provider_options", {}).get(NAME)
            if own:
                why = "ConverseStream deltas carry no other fields of a block"
                self.ctx.lossy(("content", position[k], "provider_options", NAME), LossKind.DROPPED, why)
        for k in sorted(self._thinking - self._late - set(self._lost)):  # (those are reported whole)
            part = final[k]
            if isinstance(part, Thinking):
                sent = part.signature if part.origin in (None, SIGNATURES) else None
                if self._signature.get(k) != sent:
                    why = "the signature pieces were written before the part's origin was known"
                    self.ctx.lossy(("content", position[k], "signature"), LossKind.CHANGED, why)
        raw = response.provider_options.get(NAME, {}).get(_RAW)
        if self._raw_ok and self._raw_written and raw == self._raw_taken:
            # the whole reply has no place for these events (reported dropped); the stream
            # carries them, so that loss is not this stream's
            self.withdraw(_RAW_PATH, LossKind.DROPPED)
            if self._raw_written != self._raw_taken:
                why = "written at this stream's block numbers"
                self.ctx.lossy(_RAW_PATH, LossKind.CHANGED, why)
        elif self._raw_written and raw is None:
            why = "raw block events were written before the reply's options left them out"
            self.ctx.lossy(_RAW_PATH if NAME in response.provider_options else _RAW_PATH[:2], LossKind.CHANGED, why)
