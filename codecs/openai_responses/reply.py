"""Replies: a Responses API response object and its SSE stream lifted to an IR
:class:`~ir_codec.ir.Response`, with usage buckets and stop reasons.

Ground truth: ``openai/types/responses/response.py``, ``response_usage.py`` and
``response_stream_event.py``; the usage cheat sheet of PROVIDERS.md section 6.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

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
from ir_codec.replies import drop_counters, drop_part, own_provider_part, part_options, write_or_zero
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
    JOIN,
    NAME,
    WEasyInputMessage,
    WInputTokensDetails,
    WResponse,
    WResponseFunctionToolCall,
    WResponseOutputRefusal,
    WResponseOutputText,
    WResponseReasoningItem,
    WResponseUsage,
)

__all__ = ["ResponsesStreamDecoder", "decode_response", "encode_reply", "lift_usage", "stream_events"]

_PART_STRIDE = 1000
"""Part index = output_index * stride + content_index, so parts keep the output order."""


def decode_response(payload: Mapping[str, Any] | bytes | str) -> Response:
    """Lift a Responses API response object (``openai/types/responses/response.py``).

    Output items become parts in order: ``output_text`` -> Text, ``refusal`` -> Refusal,
    ``function_call`` -> ToolUse, ``reasoning`` -> Thinking (summaries joined with a blank
    line, signature = ``encrypted_content``), anything else -> ProviderPart. Usage follows
    PROVIDERS.md's cheat sheet: ``input_tokens`` includes cached and written tokens.
    """
    body = expect_object(load_json(payload), "$")
    wire_convert(body, WResponse)
    content: list[Part] = []
    for i, item in enumerate(body.get("output") or []):
        item = expect_object(item, f"$.output[{i}]")
        t = item.get("type")
        lift = _OUTPUT_ITEMS.get(t, _opaque_item) if isinstance(t, str) else _opaque_item
        content += lift(item, f"$.output[{i}]")
    stop, raw = _stop_reason(body, content)
    usage = body.get("usage")
    return Response(
        id=body.get("id"),
        model=body.get("model"),
        content=content,
        stop_reason=stop,
        raw_stop_reason=raw,
        usage=lift_usage(usage, "$.usage") if usage is not None else None,
    )


def lift_usage(raw: Any, path: str) -> Usage:
    """``input_tokens`` includes ``cached_tokens`` and ``cache_write_tokens`` (PROVIDERS.md 6,
    response_usage.py); the IR buckets are disjoint, so both are taken out of it by
    :meth:`Usage.from_inclusive`'s overlap rule (reads, then writes, each capped at what is
    left: never a negative bucket). A counter not reported is ``None``."""
    u = wire_convert(raw, WResponseUsage, path)
    d = u.input_tokens_details or WInputTokensDetails()
    ttl = d.cache_write_tokens_details
    return Usage.from_inclusive(
        u.input_tokens,
        cache_read_tokens=d.cached_tokens,
        cache_write_tokens=d.cache_write_tokens,
        cache_write_30m_tokens=ttl.get("ttl_30m_tokens") if ttl is not None else None,
        cache_write_12h_tokens=ttl.get("ttl_12h_tokens") if ttl is not None else None,
        output_tokens=u.output_tokens,
        reasoning_tokens=u.output_tokens_details.reasoning_tokens if u.output_tokens_details else None,
    )


# --------------------------------------------------------------------------------------------
# Output items (wire tag -> lifting)


def _tool_input(arguments: str, path: str) -> dict[str, Any]:
    try:
        value = msgspec.json.decode(arguments.strip() or "{}")
    except msgspec.DecodeError:
        raise DecodeError(path, "JSON text", arguments[:80]) from None
    if not isinstance(value, dict):
        raise DecodeError(path, "a JSON object", type(value).__name__)
    return value


def _output_text(c: dict[str, Any], path: str) -> Part:
    wire_convert(c, WResponseOutputText, path)
    return Text(text=c["text"])


def _output_refusal(c: dict[str, Any], path: str) -> Part:
    wire_convert(c, WResponseOutputRefusal, path)
    return Refusal(text=c["refusal"])


_OUTPUT_PARTS: dict[str, Callable[[dict[str, Any], str], Part]] = {
    "output_text": _output_text,
    "refusal": _output_refusal,
}
"""Output message content tag -> lifting; any other part is opaque."""


def _output_message(item: dict[str, Any], path: str) -> list[Part]:
    wire_convert(item, WEasyInputMessage, path)
    out: list[Part] = []
    for k, c in enumerate(item["content"]):
        c = expect_object(c, f"{path}.content[{k}]")
        t = c.get("type")
        lift = _OUTPUT_PARTS.get(t) if isinstance(t, str) else None
        out.append(lift(c, f"{path}.content[{k}]") if lift is not None else ProviderPart(codec=NAME, data=c))
    return out


def _output_function_call(item: dict[str, Any], path: str) -> list[Part]:
    wire_convert(item, WResponseFunctionToolCall, path)
    return [ToolUse(id=item["call_id"], name=item["name"], input=_tool_input(item["arguments"], f"{path}.arguments"))]


def _output_reasoning(item: dict[str, Any], path: str) -> list[Part]:
    wire_convert(item, WResponseReasoningItem, path)
    sig = item.get("encrypted_content")
    text = JOIN.join(s["text"] for s in item["summary"])
    signed = isinstance(sig, str)
    return [
        Thinking(
            text=text,
            signature=sig if signed else None,
            origin="openai" if signed else None,
            provider_options=_reasoning_options(item),
        )
    ]


def _reasoning_options(item: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The reasoning item's own fields (its ``id`` above all: the next request's reasoning item
    must carry the id OpenAI assigned, response_reasoning_item_param.py); ``status`` and the
    like are output-only and not kept."""
    return {NAME: {"id": item["id"]}} if isinstance(item.get("id"), str) else {}


def _opaque_item(item: dict[str, Any], path: str) -> list[Part]:
    return [ProviderPart(codec=NAME, data=item)]


_OUTPUT_ITEMS: dict[str, Callable[[dict[str, Any], str], list[Part]]] = {
    "message": _output_message,
    "function_call": _output_function_call,
    "reasoning": _output_reasoning,
}
"""Output item tag -> its parts; any other item (hosted-tool calls, ...) is one opaque part."""


def _stop_reason(body: Mapping[str, Any], content: list[Part]) -> tuple[StopReason | None, str | None]:
    status = body.get("status")
    if status == "completed":
        if any(isinstance(p, ToolUse) for p in content):
            return "tool_use", "completed"
        if any(isinstance(p, Refusal) for p in content):
            return "refusal", "completed"
        return "end_turn", "completed"
    if status == "incomplete":
        reason = (body.get("incomplete_details") or {}).get("reason")
        mapped: StopReason = {"max_output_tokens": "max_tokens", "content_filter": "content_filter"}.get(
            reason or "", "other"
        )  # type: ignore[assignment]
        return mapped, reason or "incomplete"
    if status == "failed":
        return "error", "failed"
    if status == "cancelled":
        return "other", "cancelled"
    return None, status


# --------------------------------------------------------------------------------------------
# The stream


class ResponsesStreamDecoder(StreamDecoder):
    """Responses SSE events (``data.type`` names the event) to IR stream events.

    Text, refusal and tool-argument deltas are reassembled per (output_index, content_index);
    whole items that have no delta form (refusals, hosted-tool calls) are added when done;
    ``response.completed`` / ``incomplete`` / ``failed`` carry the usage and the status.
    """

    def __init__(self) -> None:
        super().__init__()
        self._args: dict[int, str] = {}
        self._parts: list[Part] = []

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        data = expect_object(data, "$")
        t = data.get("type", name)
        handler = _STREAM_HANDLERS.get(t) if isinstance(t, str) else None
        return handler(self, data) if handler is not None else []

    def _created(self, data: dict[str, Any]) -> list[StreamEvent]:
        r = expect_object(data.get("response"), "$.response")
        return [MessageStart(id=r.get("id"), model=r.get("model"))]

    def _item_added(self, data: dict[str, Any]) -> list[StreamEvent]:
        i = _index(data, "output_index")
        item = expect_object(data.get("item"), "$.item")
        if item.get("type") == "function_call":
            self._args[i] = ""
            return [ToolCallStart(index=i * _PART_STRIDE, id=str(item.get("call_id")), name=str(item.get("name")))]
        if item.get("type") == "reasoning":
            return [ThinkingDelta(index=i * _PART_STRIDE, text="")]
        return []

    def _part_added(self, data: dict[str, Any]) -> list[StreamEvent]:
        part = expect_object(data.get("part"), "$.part")
        if part.get("type") == "output_text":
            # Open the part, so an empty text still becomes a Text part.
            return [
                TextDelta(index=_index(data, "output_index") * _PART_STRIDE + _index(data, "content_index"), text="")
            ]
        return []

    def _text_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        idx = _index(data, "output_index") * _PART_STRIDE + _index(data, "content_index")
        return [TextDelta(index=idx, text=_text(data, "delta"))]

    def _args_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        i = _index(data, "output_index")
        delta = _text(data, "delta")
        self._args[i] = self._args.get(i, "") + delta
        return [ToolCallDelta(index=i * _PART_STRIDE, arguments=delta)]

    def _summary_part(self, data: dict[str, Any]) -> list[StreamEvent]:
        if _index(data, "summary_index") > 0:
            return [ThinkingDelta(index=_index(data, "output_index") * _PART_STRIDE, text=JOIN)]
        return []

    def _summary_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        return [ThinkingDelta(index=_index(data, "output_index") * _PART_STRIDE, text=_text(data, "delta"))]

    def _part_done(self, data: dict[str, Any]) -> list[StreamEvent]:
        part = expect_object(data.get("part"), "$.part")
        idx = _index(data, "output_index") * _PART_STRIDE + _index(data, "content_index")
        if part.get("type") == "refusal":
            wire_convert(part, WResponseOutputRefusal, "$.part")
            self.assembler.add_part(idx, Refusal(text=part["refusal"]))
            self._parts.append(Refusal(text=part["refusal"]))
        elif part.get("type") != "output_text":
            self.assembler.add_part(idx, ProviderPart(codec=NAME, data=part))
        return []

    def _item_done(self, data: dict[str, Any]) -> list[StreamEvent]:
        i = _index(data, "output_index")
        item = expect_object(data.get("item"), "$.item")
        t = item.get("type")
        if t == "function_call":
            self._parts.append(ToolUse(id="", name="", input={}))
            full = item.get("arguments")
            if isinstance(full, str) and not self._args.get(i) and full:
                return [ToolCallDelta(index=i * _PART_STRIDE, arguments=full)]
            return []
        if t == "reasoning":
            self.assembler.set_part_options(i * _PART_STRIDE, _reasoning_options(item))
            sig = item.get("encrypted_content")
            return (
                [ThinkingDelta(index=i * _PART_STRIDE, signature=sig, origin="openai")] if isinstance(sig, str) else []
            )
        if t != "message":
            self.assembler.add_part(i * _PART_STRIDE, ProviderPart(codec=NAME, data=item))
        return []

    def _finished(self, data: dict[str, Any]) -> list[StreamEvent]:
        r = expect_object(data.get("response"), "$.response")
        wire_convert(r, WResponse, "$.response")
        out: list[StreamEvent] = [MessageStart(id=r.get("id"), model=r.get("model"))]
        if r.get("usage") is not None:
            out.append(UsageUpdate(usage=lift_usage(r["usage"], "$.response.usage")))
        stop, raw = _stop_reason(r, self._parts)
        out.append(Stop(stop_reason=stop, raw_stop_reason=raw))
        return out


def _index(data: Mapping[str, Any], key: str) -> int:
    v = data.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise DecodeError(f"$.{key}", "a non-negative integer", type(v).__name__)
    return v


def _text(data: Mapping[str, Any], key: str) -> str:
    v = data.get(key)
    if not isinstance(v, str):
        raise DecodeError(f"$.{key}", "a string", type(v).__name__)
    return v


_STREAM_HANDLERS: dict[str, Callable[[ResponsesStreamDecoder, dict[str, Any]], list[StreamEvent]]] = {
    "response.created": ResponsesStreamDecoder._created,
    "response.output_item.added": ResponsesStreamDecoder._item_added,
    "response.content_part.added": ResponsesStreamDecoder._part_added,
    "response.output_text.delta": ResponsesStreamDecoder._text_delta,
    "response.function_call_arguments.delta": ResponsesStreamDecoder._args_delta,
    "response.reasoning_summary_part.added": ResponsesStreamDecoder._summary_part,
    "response.reasoning_summary_text.delta": ResponsesStreamDecoder._summary_delta,
    "response.content_part.done": ResponsesStreamDecoder._part_done,
    "response.output_item.done": ResponsesStreamDecoder._item_done,
    "response.completed": ResponsesStreamDecoder._finished,
    "response.incomplete": ResponsesStreamDecoder._finished,
    "response.failed": ResponsesStreamDecoder._finished,
}
"""Stream event type -> handler; other events (in_progress, *.done echoes, ...) carry nothing new."""


# --------------------------------------------------------------------------------------------
# Encoding replies and streams (IR Response -> Response object / its SSE events)

_CONTENT_TYPES = frozenset({"output_text", "refusal", "reasoning_text", "summary_text"})
"""Tags of message content parts; a provider part with another tag is a whole output item."""
_INCOMPLETE: dict[StopReason, str] = {"max_tokens": "max_output_tokens", "content_filter": "content_filter"}


def _usage_body(usage: Usage, ctx: EncodeContext) -> dict[str, Any]:
    """``ResponseUsage`` (response_usage.py): ``input_tokens`` is the sum of the input buckets
    (the inverse of :func:`lift_usage`); the details objects and their counters are required."""
    if usage.uncached_input_tokens is None:
        write_or_zero(usage, "uncached_input_tokens", ctx, "ResponseUsage requires input_tokens")
    why = "ResponseUsage requires it"
    details: dict[str, Any] = {
        "cached_tokens": write_or_zero(usage, "cache_read_tokens", ctx, why),
        "cache_write_tokens": write_or_zero(usage, "cache_write_tokens", ctx, why),
    }
    if usage.cache_write_30m_tokens is not None or usage.cache_write_12h_tokens is not None:
        details["cache_write_tokens_details"] = {
            "ttl_30m_tokens": write_or_zero(usage, "cache_write_30m_tokens", ctx, why),
            "ttl_12h_tokens": write_or_zero(usage, "cache_write_12h_tokens", ctx, why),
        }
    drop_counters(usage, ("cache_write_5m_tokens", "cache_write_1h_tokens"), ctx, "OpenAI has no 5m / 1h tier")
    inp = usage.input_tokens or 0
    out = write_or_zero(usage, "output_tokens", ctx, why)
    return {
        "input_tokens": inp,
        "input_tokens_details": details,
        "output_tokens": out,
        "output_tokens_details": {"reasoning_tokens": write_or_zero(usage, "reasoning_tokens", ctx, why)},
        "total_tokens": inp + out,
    }


def _reasoning_item(p: Thinking | RedactedThinking, j: int, raw: dict[str, Any], ctx: EncodeContext) -> dict[str, Any]:
    path: IRPath = ("content", j)
    item_id = raw.pop("id", None)
    if not isinstance(item_id, str):
        item_id = f"rs_{j}"
        ctx.lossy(
            (*path, "provider_options", NAME, "id"), LossKind.CHANGED, f"a reasoning item needs an id; {item_id!r}"
        )
    item: dict[str, Any] = {"id": item_id, "type": "reasoning"}
    if isinstance(p, RedactedThinking):
        ctx.lossy(
            path, LossKind.CHANGED, "encrypted reasoning is a reasoning item without summary; reads back as thinking"
        )
        item["summary"] = []
        item["encrypted_content"] = p.data
    else:
        item["summary"] = [{"type": "summary_text", "text": p.text}] if p.text else []
        if p.signature is not None and p.origin not in (None, "openai"):
            ctx.lossy((*path, "signature"), LossKind.DROPPED, f"a {p.origin} signature does not verify here")
            ctx.lossy((*path, "origin"), LossKind.DROPPED, "no signature is sent; the origin goes with it")
        elif p.signature is not None:
            item["encrypted_content"] = p.signature
            if p.origin is None:
                ctx.lossy((*path, "origin"), LossKind.CHANGED, "encrypted content reads back as OpenAI's")
        elif p.origin is not None:
            ctx.lossy((*path, "origin"), LossKind.DROPPED, "nothing is signed; the origin is not sent")
    for k in raw:  # decode keeps the item id only
        ctx.lossy((*path, "provider_options", NAME, k), LossKind.DROPPED, "not read back from a reply item")
    return item


def _status(response: Response, content: list[Part], ctx: EncodeContext) -> dict[str, Any]:
    """``status`` and ``incomplete_details`` (decode: :func:`_stop_reason`)."""
    stop, raw = response.stop_reason, response.raw_stop_reason
    out: dict[str, Any] = {}
    if stop is None:
        if raw in ("in_progress", "queued"):
            out["status"] = raw
    elif stop in _INCOMPLETE or (stop == "other" and raw in ("max_messages", "steered")):
        reason = raw if stop == "other" else _INCOMPLETE[stop]
        out = {"status": "incomplete", "incomplete_details": {"reason": reason}}
    elif stop == "error":
        out["status"] = "failed"
    elif stop == "other":
        out["status"] = "cancelled"
    else:
        out["status"] = "completed"
    got, _ = _stop_reason({**out}, content)
    if got != stop:
        ctx.lossy(("stop_reason",), LossKind.CHANGED, f"the Responses status reads back as {got!r}")
    return out


def encode_reply(response: Response, ctx: EncodeContext) -> dict[str, Any]:
    """The Responses ``Response`` object of ``response`` (``openai/types/responses/response.py``).
    Consecutive text and refusal parts share one output message (``msg_<n>``, the id decode does
    not keep); the fields the IR has no word for are written as an empty default turn."""
    own = part_options(response.provider_options, None, (), ctx, NAME)
    for k in own:
        ctx.lossy(("provider_options", NAME, k), LossKind.DROPPED, "reply fields beyond the IR are not written")
    output: list[dict[str, Any]] = []
    kept: list[Part] = []
    message: dict[str, Any] | None = None
    for j, p in enumerate(response.content):
        path: IRPath = ("content", j)
        if isinstance(p, ProviderPart):
            if not own_provider_part(p, NAME, path, ctx, "a Responses reply"):
                continue
            kept.append(p)
            if p.data.get("type") in _CONTENT_TYPES:
                if message is None:
                    message = {
                        "id": f"msg_{len(output)}",
                        "type": "message",
                        "role": "assistant",
                        "status": "completed",
                        "content": [],
                    }
                    output.append(message)
                message["content"].append(dict(p.data))
            else:
                output.append(dict(p.data))
                message = None
            continue
        if not isinstance(p, Text | Refusal | Thinking | RedactedThinking | ToolUse):
            drop_part(p, path, ctx, "a Responses reply")
            continue
        raw = part_options(p.provider_options, p.cache, path, ctx, NAME)
        if (why := foreign_reasoning(p, "openai")) is not None:
            ctx.lossy(path, LossKind.DROPPED, why)
            continue
        kept.append(p)
        if isinstance(p, Text | Refusal):
            for k in raw:
                ctx.lossy((*path, "provider_options", NAME, k), LossKind.DROPPED, "not read back from the reply")
            part = (
                {"type": "output_text", "text": p.text, "annotations": []}
                if isinstance(p, Text)
                else {"type": "refusal", "refusal": p.text}
            )
            if message is None:
                message = {
                    "id": f"msg_{len(output)}",
                    "type": "message",
                    "role": "assistant",
                    "status": "completed",
                    "content": [],
                }
                output.append(message)
            message["content"].append(part)
            continue
        message = None
        if isinstance(p, ToolUse):
            for k in raw:
                ctx.lossy((*path, "provider_options", NAME, k), LossKind.DROPPED, "not read back from the reply")
            args = msgspec.json.encode(p.input).decode()
            output.append(
                {"type": "function_call", "call_id": p.id, "name": p.name, "arguments": args, "status": "completed"}
            )
        else:
            output.append(_reasoning_item(p, j, raw, ctx))
    body: dict[str, Any] = {}
    for field in ("id", "model"):
        value = getattr(response, field)
        if value is None:
            ctx.lossy((field,), LossKind.CHANGED, f"a Responses reply requires {field}; written as ''")
        body[field] = value if value is not None else ""
    body["object"] = "response"
    body["created_at"] = 0
    body.update(_status(response, kept, ctx))
    body["output"] = output
    body["parallel_tool_calls"] = True
    body["tool_choice"] = "auto"
    body["tools"] = []
    if response.usage is not None:
        body["usage"] = _usage_body(response.usage, ctx)
    return body


def stream_events(body: Mapping[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """The Responses SSE events of a reply body (``response_stream_event.py``): ``response.created``
    (no output yet), per output item its ``output_item.added``, the content / summary parts with
    their deltas and ``.done`` events, ``output_item.done``, and the terminal event for the
    status (``response.completed`` / ``incomplete`` / ``failed``) with the whole response."""
    events: list[tuple[str | None, dict[str, Any]]] = []

    def emit(kind: str, **fields: Any) -> None:
        events.append((kind, {"type": kind, "sequence_number": len(events), **fields}))

    emit("response.created", response={**body, "status": "in_progress", "output": [], "usage": None})
    for i, item in enumerate(body["output"]):
        t = item.get("type")
        item_id = item.get("id", "")
        if t == "message":
            emit("response.output_item.added", output_index=i, item={**item, "status": "in_progress", "content": []})
            for k, part in enumerate(item["content"]):
                where = {"item_id": item_id, "output_index": i, "content_index": k}
                if part.get("type") == "output_text":
                    emit("response.content_part.added", **where, part={**part, "text": ""})
                    emit("response.output_text.delta", **where, delta=part["text"], logprobs=[])
                    emit("response.output_text.done", **where, text=part["text"], logprobs=[])
                elif part.get("type") == "refusal":
                    emit("response.content_part.added", **where, part={**part, "refusal": ""})
                    emit("response.refusal.delta", **where, delta=part["refusal"])
                    emit("response.refusal.done", **where, refusal=part["refusal"])
                else:
                    emit("response.content_part.added", **where, part=part)
                emit("response.content_part.done", **where, part=part)
        elif t == "reasoning":
            emit("response.output_item.added", output_index=i, item={**item, "summary": []})
            for k, s in enumerate(item["summary"]):
                where = {"item_id": item_id, "output_index": i, "summary_index": k}
                emit("response.reasoning_summary_part.added", **where, part={**s, "text": ""})
                emit("response.reasoning_summary_text.delta", **where, delta=s["text"])
                emit("response.reasoning_summary_text.done", **where, text=s["text"])
                emit("response.reasoning_summary_part.done", **where, part=s)
        elif t == "function_call":
            emit("response.output_item.added", output_index=i, item={**item, "arguments": "", "status": "in_progress"})
            where = {"item_id": item_id, "output_index": i}
            emit("response.function_call_arguments.delta", **where, delta=item["arguments"])
            emit("response.function_call_arguments.done", **where, arguments=item["arguments"], name=item["name"])
        else:
            emit("response.output_item.added", output_index=i, item=item)
        emit("response.output_item.done", output_index=i, item=item)
    final = {"incomplete": "response.incomplete", "failed": "response.failed"}.get(body.get("status", ""))
    emit(final or "response.completed", response=dict(body))
    return events
