"""Replies: a Responses API response object and its SSE stream lifted to an IR
:class:`~ir_codec.ir.Response`, with usage buckets and stop reasons.

Ground truth: ``openai/types/responses/response.py``, ``response_usage.py`` and
``response_stream_event.py``; the usage cheat sheet of PROVIDERS.md section 6.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from ir_codec.codec import expect_object, load_json, wire_convert
from ir_codec.errors import DecodeError
from ir_codec.ir import Part, ProviderPart, Refusal, Response, StopReason, Text, Thinking, ToolUse, Usage
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

__all__ = ["ResponsesStreamDecoder", "decode_response", "lift_usage"]

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
    return [Thinking(text=text, signature=sig if signed else None, origin="openai" if signed else None)]


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
