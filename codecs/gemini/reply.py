"""Gemini replies: ``GenerateContentResponse`` -> IR :class:`Response`, usage, stop reasons and
the ``streamGenerateContent?alt=sse`` stream decoder.

Wire: ``types.GenerateContentResponse``; REST keys from ``models.py``
``_GenerateContentResponse_from_mldev``; PROVIDERS.md 7a.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from ir_codec.codec import expect_object, load_json, wire_convert
from ir_codec.ir import Part, Response, StopReason, Text, Thinking, ToolUse, Usage
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

from .lift import PART_KINDS, lift_part, opts
from .wire import WGenerateContentResponse, WUsageMetadata, assign_ids, norm_content

__all__ = ["GeminiStreamDecoder", "decode_response", "usage_from_wire"]

# types.FinishReason -> IR StopReason. Gemini answers STOP also after a function call and after
# a stop sequence (it has no separate reason for either): STOP with a functionCall part in the
# content is `tool_use`, otherwise `end_turn`.
_FINISH: dict[str, StopReason] = {
    "STOP": "end_turn",
    "MAX_TOKENS": "max_tokens",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
    "IMAGE_RECITATION": "content_filter",
    "MALFORMED_FUNCTION_CALL": "error",
    "UNEXPECTED_TOOL_CALL": "error",
    "TOO_MANY_TOOL_CALLS": "error",
    "MISSING_THOUGHT_SIGNATURE": "error",
    "MALFORMED_RESPONSE": "error",
    "LANGUAGE": "other",
    "OTHER": "other",
    "IMAGE_OTHER": "other",
    "NO_IMAGE": "other",
    "FINISH_REASON_UNSPECIFIED": "other",
}


def usage_from_wire(raw: Mapping[str, Any] | None) -> Usage:
    """Normalize ``usageMetadata`` into the IR's disjoint buckets.

    ``promptTokenCount`` includes the cached tokens (``cachedContentTokenCount``); tool-use
    prompt tokens (results of server-side tool runs fed back to the model) are input too;
    ``thoughtsTokenCount`` is reported beside ``candidatesTokenCount`` and is part of the IR
    output. Gemini reports no cache writes. So ``uncached = prompt + toolUsePrompt - cached``,
    ``cache_read = cached``, ``output = candidates + thoughts``, ``reasoning = thoughts``, and
    the buckets add up to ``totalTokenCount``.
    """
    if raw is None:
        return Usage()
    u = wire_convert(raw, WUsageMetadata, "$.usageMetadata")
    return Usage(
        uncached_input_tokens=u.prompt_token_count + u.tool_use_prompt_token_count - u.cached_content_token_count,
        cache_read_tokens=u.cached_content_token_count,
        cache_write_tokens=0,
        output_tokens=u.candidates_token_count + u.thoughts_token_count,
        reasoning_tokens=u.thoughts_token_count if "thoughtsTokenCount" in raw else None,
    )


def _stop_reason(raw: str | None, has_call: bool) -> StopReason | None:
    if raw is None:
        return None
    if raw == "STOP" and has_call:
        return "tool_use"
    return _FINISH.get(raw, "other")


def _blocked(data: Mapping[str, Any]) -> str | None:
    """``promptFeedback.blockReason``: the prompt itself was blocked (no candidates)."""
    feedback = data.get("promptFeedback")
    return feedback.get("blockReason") if isinstance(feedback, dict) else None


def _first(candidates: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The candidate the IR response holds (index 0); the others stay raw."""
    return next((c for c in candidates if c.get("index", 0) == 0), None)


def _reply_options(data: Mapping[str, Any], first: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """``provider_options`` of the IR response: every top-level field the IR does not map, the
    first candidate's own fields (``candidate``) and the other candidates, raw (``candidates``,
    for candidateCount > 1)."""
    options: dict[str, Any] = {k: v for k, v in data.items() if k not in ("candidates", "modelVersion", "responseId")}
    if first is not None:
        extra = {k: v for k, v in first.items() if k not in ("content", "finishReason")}
        if extra:
            options["candidate"] = extra
    others = [c for c in data.get("candidates", []) if c is not first]
    if others:
        options["candidates"] = others
    return opts(options)


def decode_response(payload: Any) -> Response:
    """Lift a ``GenerateContentResponse`` to an IR :class:`Response` (its first candidate)."""
    data = expect_object(load_json(payload), "$")
    wire_convert(data, WGenerateContentResponse)
    first = _first(data.get("candidates", []))
    content: list[Part] = []
    raw_stop: str | None = None
    if first is not None:
        parts = norm_content(first.get("content", {}), "$.candidates[0].content").get("parts", [])
        ids, names = assign_ids([{"parts": parts}])
        content = [lift_part(p, ids, names, (0, j), f"$.candidates[0].content.parts[{j}]") for j, p in enumerate(parts)]
        raw_stop = first.get("finishReason")
    stop = _stop_reason(raw_stop, any(isinstance(p, ToolUse) for p in content))
    if first is None and _blocked(data) is not None:
        raw_stop, stop = _blocked(data), "content_filter"
    return Response(
        id=data.get("responseId"),
        model=data.get("modelVersion"),
        content=content,
        stop_reason=stop,
        raw_stop_reason=raw_stop,
        usage=usage_from_wire(data.get("usageMetadata")),
        provider_options=_reply_options(data, first),
    )


_TEXT_KEYS = frozenset({"text", "thought", "thoughtSignature"})


class GeminiStreamDecoder(StreamDecoder):
    """``streamGenerateContent?alt=sse``: each SSE ``data`` is a partial GenerateContentResponse.

    Text arrives as consecutive text parts that belong together (the same ``thought`` flag, until
    a part carries a ``thoughtSignature``); ``functionCall`` parts arrive whole; ``usageMetadata``
    is cumulative (the last one counts) and ``finishReason`` comes with the last chunk. The
    decoder merges the chunks into the equivalent whole reply (:meth:`whole_response`) and feeds
    the assembler what decoding that reply gives beyond the IR events (each part's provider
    fields, parts that arrive whole, the reply's raw fields), so that :meth:`finish` is exactly
    ``decode_response`` of the whole reply.
    """

    def __init__(self) -> None:
        super().__init__()
        self._top: dict[str, Any] = {}
        self._cands: dict[int, dict[str, Any]] = {}

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        chunk = expect_object(data, "$")
        wire_convert(chunk, WGenerateContentResponse)
        out: list[StreamEvent] = []
        if "responseId" in chunk or "modelVersion" in chunk:
            out.append(MessageStart(id=chunk.get("responseId"), model=chunk.get("modelVersion")))
        for key, value in chunk.items():
            if key != "candidates":
                self._top[key] = value
        for cand in chunk.get("candidates", []):
            idx = cand.get("index", 0)
            state = self._cands.setdefault(idx, {"parts": [], "extra": {}})
            for key, value in cand.items():
                if key != "content":
                    state["extra"][key] = value
            content = norm_content(cand.get("content", {}), f"$.candidates[{idx}].content")
            for key, value in content.items():
                if key != "parts":
                    state.setdefault("content_extra", {})[key] = value
            for part in content.get("parts", []):
                j = _merge(state["parts"], part)
                if idx == 0:
                    out += self._part_events(state["parts"], j, part)
            if idx == 0 and "finishReason" in cand:
                has_call = any("functionCall" in p for p in state["parts"])
                out.append(
                    Stop(stop_reason=_stop_reason(cand["finishReason"], has_call), raw_stop_reason=cand["finishReason"])
                )
        blocked = _blocked(chunk)
        if blocked is not None and 0 not in self._cands:
            out.append(Stop(stop_reason="content_filter", raw_stop_reason=blocked))
        if "usageMetadata" in chunk:
            out.append(UsageUpdate(usage=usage_from_wire(chunk["usageMetadata"])))
        whole = self.whole_response()
        self.assembler.response_options = _reply_options(whole, _first(whole.get("candidates", [])))
        return out

    def _part_events(self, parts: list[dict[str, Any]], j: int, piece: dict[str, Any]) -> list[StreamEvent]:
        """The IR events of ``piece``, now merged into the first candidate's part ``j``."""
        ids, names = assign_ids([{"parts": parts}])
        part = lift_part(parts[j], ids, names, (0, j), f"$.candidates[0].content.parts[{j}]")
        match part:
            case Text():
                events: list[StreamEvent] = [TextDelta(index=j, text=piece["text"])]
            case Thinking():
                events = [ThinkingDelta(index=j, text=piece["text"], signature=piece.get("thoughtSignature"))]
            case ToolUse():
                args = msgspec.json.encode(part.input).decode()
                events = [ToolCallStart(index=j, id=part.id, name=part.name), ToolCallDelta(index=j, arguments=args)]
            case _:  # media, function responses, opaque parts: whole, without an IR event of their own
                self.assembler.add_part(j, part)
                return []
        self.assembler.set_part_options(j, part.provider_options)
        return events

    def whole_response(self) -> dict[str, Any]:
        """The equivalent non-streamed reply assembled from the chunks so far."""
        body = dict(self._top)
        cands = []
        for idx in sorted(self._cands):
            state = self._cands[idx]
            cand: dict[str, Any] = {"content": {**state.get("content_extra", {}), "parts": state["parts"]}}
            cand.update(state["extra"])
            cands.append(cand)
        if cands:
            body["candidates"] = cands
        return body


def _merge(parts: list[dict[str, Any]], part: dict[str, Any]) -> int:
    """Append ``part`` to the merged parts, or join a text piece to the text part before it;
    returns the index it went to. Only text pieces join (a piece holding another payload field
    starts a part of its own)."""
    if "text" in part and parts and not any(k in part for k in PART_KINDS if k != "text"):
        last = parts[-1]
        if (
            "text" in last
            and bool(last.get("thought")) == bool(part.get("thought"))
            and "thoughtSignature" not in last
            and not set(last) - _TEXT_KEYS
        ):
            last["text"] += part["text"]
            for k, v in part.items():
                if k != "text":
                    last[k] = v
            return len(parts) - 1
    parts.append(dict(part))
    return len(parts) - 1
