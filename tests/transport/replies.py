"""Provider-shaped replies for the transport tests: one whole reply and one event stream per
codec family, all saying "Hello!" with the same usage, and the error bodies each provider sends.

Shapes: Anthropic SDK ``types/message.py`` and the streaming docs' event flow; openai
``types/chat/chat_completion*.py`` and ``types/responses/response*.py``; google-genai
``types.GenerateContentResponse`` (REST camelCase); botocore bedrock-runtime ``ConverseResponse``
and ``ConverseStreamOutput``; error bodies from each SDK's ``_exceptions.py`` / the Google error
model / botocore rest-json errors.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ir_codec.transport._eventstream import encode_frame

Event = tuple[str | None, dict[str, Any]]

# -------------------------------------------------------------------------------- Anthropic

ANTHROPIC_USAGE = {
    "input_tokens": 12,
    "cache_creation_input_tokens": 1500,
    "cache_read_input_tokens": 4000,
    "output_tokens": 3,
    "cache_creation": {"ephemeral_5m_input_tokens": 500, "ephemeral_1h_input_tokens": 1000},
}
ANTHROPIC_MESSAGE: dict[str, Any] = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": "claude-opus-5",
    "content": [{"type": "text", "text": "Hello!"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": ANTHROPIC_USAGE,
}
ANTHROPIC_EVENTS: list[Event] = [
    (
        "message_start",
        {
            "type": "message_start",
            "message": {
                **ANTHROPIC_MESSAGE,
                "content": [],
                "stop_reason": None,
                "usage": {**ANTHROPIC_USAGE, "output_tokens": 1},
            },
        },
    ),
    ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    ("ping", {"type": "ping"}),
    (
        "content_block_delta",
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hel"}},
    ),
    (
        "content_block_delta",
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "lo!"}},
    ),
    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": 3},
        },
    ),
    ("message_stop", {"type": "message_stop"}),
]
ANTHROPIC_WARM: dict[str, Any] = {
    **ANTHROPIC_MESSAGE,
    "content": [],
    "stop_reason": "max_tokens",
    "usage": {
        "input_tokens": 0,
        "cache_creation_input_tokens": 2048,
        "cache_read_input_tokens": 0,
        "output_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 2048},
    },
}

# ---------------------------------------------------------------------------------- OpenAI

CHAT_USAGE = {
    "prompt_tokens": 5512,
    "completion_tokens": 3,
    "total_tokens": 5515,
    "prompt_tokens_details": {"cached_tokens": 4000, "cache_write_tokens": 1500},
}
CHAT_COMPLETION: dict[str, Any] = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1790000000,
    "model": "gpt-5.6",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello!", "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": CHAT_USAGE,
}


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1790000000,
        "model": "gpt-5.6",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }


CHAT_EVENTS: list[Event] = [
    (None, _chunk({"role": "assistant", "content": "", "refusal": None})),
    (None, _chunk({"content": "Hel"})),
    (None, _chunk({"content": "lo!"})),
    (None, _chunk({}, "stop")),
    (
        None,
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1790000000,
            "model": "gpt-5.6",
            "choices": [],
            "usage": CHAT_USAGE,
        },
    ),
]

RESPONSES_USAGE = {
    "input_tokens": 5512,
    "input_tokens_details": {"cached_tokens": 4000, "cache_write_tokens": 1500},
    "output_tokens": 3,
    "output_tokens_details": {"reasoning_tokens": 0},
    "total_tokens": 5515,
}
_MESSAGE_ITEM = {
    "type": "message",
    "id": "msg_1",
    "status": "completed",
    "role": "assistant",
    "content": [{"type": "output_text", "text": "Hello!", "annotations": []}],
}
RESPONSE: dict[str, Any] = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1790000000,
    "status": "completed",
    "error": None,
    "incomplete_details": None,
    "model": "gpt-5.6",
    "output": [_MESSAGE_ITEM],
    "usage": RESPONSES_USAGE,
}
RESPONSES_EVENTS: list[Event] = [
    (
        "response.created",
        {
            "type": "response.created",
            "sequence_number": 0,
            "response": {**RESPONSE, "status": "in_progress", "output": [], "usage": None},
        },
    ),
    (
        "response.output_item.added",
        {
            "type": "response.output_item.added",
            "sequence_number": 1,
            "output_index": 0,
            "item": {**_MESSAGE_ITEM, "status": "in_progress", "content": []},
        },
    ),
    (
        "response.content_part.added",
        {
            "type": "response.content_part.added",
            "sequence_number": 2,
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "part": {"type": "output_text", "text": "", "annotations": []},
        },
    ),
    *[
        (
            "response.output_text.delta",
            {
                "type": "response.output_text.delta",
                "sequence_number": 3 + i,
                "item_id": "msg_1",
                "output_index": 0,
                "content_index": 0,
                "delta": d,
                "logprobs": [],
            },
        )
        for i, d in enumerate(["Hel", "lo!"])
    ],
    (
        "response.output_text.done",
        {
            "type": "response.output_text.done",
            "sequence_number": 5,
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "text": "Hello!",
            "logprobs": [],
        },
    ),
    (
        "response.output_item.done",
        {"type": "response.output_item.done", "sequence_number": 6, "output_index": 0, "item": _MESSAGE_ITEM},
    ),
    ("response.completed", {"type": "response.completed", "sequence_number": 7, "response": RESPONSE}),
]

# ---------------------------------------------------------------------------------- Gemini

GEMINI_USAGE = {
    "promptTokenCount": 5512,
    "cachedContentTokenCount": 4000,
    "candidatesTokenCount": 3,
    "totalTokenCount": 5515,
}
GEMINI_REPLY: dict[str, Any] = {
    "candidates": [{"content": {"role": "model", "parts": [{"text": "Hello!"}]}, "finishReason": "STOP", "index": 0}],
    "usageMetadata": GEMINI_USAGE,
    "modelVersion": "gemini-3-pro",
    "responseId": "resp-g1",
}
GEMINI_EVENTS: list[Event] = [
    (
        None,
        {
            "candidates": [{"content": {"role": "model", "parts": [{"text": "Hel"}]}, "index": 0}],
            "usageMetadata": {"promptTokenCount": 5512, "cachedContentTokenCount": 4000, "totalTokenCount": 5512},
            "modelVersion": "gemini-3-pro",
            "responseId": "resp-g1",
        },
    ),
    (
        None,
        {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": "lo!"}]}, "finishReason": "STOP", "index": 0}
            ],
            "usageMetadata": GEMINI_USAGE,
            "modelVersion": "gemini-3-pro",
            "responseId": "resp-g1",
        },
    ),
]

# --------------------------------------------------------------------------------- Bedrock

CONVERSE_USAGE = {
    "inputTokens": 12,
    "outputTokens": 3,
    "totalTokens": 5515,
    "cacheReadInputTokens": 4000,
    "cacheWriteInputTokens": 1500,
    "cacheDetails": [{"ttl": "1h", "inputTokens": 1000}, {"ttl": "5m", "inputTokens": 500}],
}
CONVERSE_REPLY: dict[str, Any] = {
    "output": {"message": {"role": "assistant", "content": [{"text": "Hello!"}]}},
    "stopReason": "end_turn",
    "usage": CONVERSE_USAGE,
    "metrics": {"latencyMs": 120},
}
CONVERSE_EVENTS: list[Event] = [
    ("messageStart", {"role": "assistant"}),
    ("contentBlockDelta", {"delta": {"text": "Hel"}, "contentBlockIndex": 0}),
    ("contentBlockDelta", {"delta": {"text": "lo!"}, "contentBlockIndex": 0}),
    ("contentBlockStop", {"contentBlockIndex": 0}),
    ("messageStop", {"stopReason": "end_turn"}),
    ("metadata", {"usage": CONVERSE_USAGE, "metrics": {"latencyMs": 120}}),
]

# ----------------------------------------------------------------------------- wire forms


def sse(events: list[Event], done: bool = False) -> list[bytes]:
    """Each event as one SSE message (``event:`` line when named), split mid-line on purpose."""
    out: list[bytes] = []
    for name, data in events:
        text = (f"event: {name}\n" if name else "") + f"data: {json.dumps(data)}\n\n"
        raw = text.encode()
        half = len(raw) // 2
        out += [raw[:half], raw[half:]]
    if done:
        out.append(b"data: [DONE]\n\n")
    return out


def aws_event(name: str, data: dict[str, Any], padding: bool = True) -> bytes:
    payload = {**data, "p": "abcdefghij"} if padding else data
    headers = {":event-type": name, ":content-type": "application/json", ":message-type": "event"}
    return encode_frame(headers, json.dumps(payload).encode())


def aws_exception(kind: str, message: str) -> bytes:
    headers = {":exception-type": kind, ":content-type": "application/json", ":message-type": "exception"}
    return encode_frame(headers, json.dumps({"message": message}).encode())


def converse_frames(events: list[Event]) -> list[bytes]:
    return [aws_event(name or "", data) for name, data in events]


def invoke_frames(events: list[Event]) -> list[bytes]:
    """InvokeModelWithResponseStream: each Anthropic event base64 in a ``chunk`` frame's ``bytes``."""
    out = []
    for _, data in events:
        inner = base64.b64encode(json.dumps(data).encode()).decode()
        out.append(aws_event("chunk", {"bytes": inner}))
    return out


# ---------------------------------------------------------------------------------- errors

ANTHROPIC_ERROR: dict[str, Any] = {
    "type": "error",
    "error": {"type": "rate_limit_error", "message": "Number of request tokens has exceeded your rate limit."},
    "request_id": "req_011",
}
OPENAI_ERROR: dict[str, Any] = {
    "error": {
        "message": "Invalid value for 'model'.",
        "type": "invalid_request_error",
        "param": "model",
        "code": "invalid_value",
    }
}
GEMINI_ERROR: dict[str, Any] = {
    "error": {
        "code": 429,
        "message": "Resource has been exhausted (e.g. check quota).",
        "status": "RESOURCE_EXHAUSTED",
        "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2s"}],
    }
}
BEDROCK_ERROR: dict[str, Any] = {"message": "Too many requests, please wait before trying again."}
