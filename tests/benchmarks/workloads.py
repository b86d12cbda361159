"""The benchmark workloads, built deterministically in code (issue: speed).

Each is an OpenAI Chat Completions request body (``openai/types/chat/completion_create_params.py``)
with a cache breakpoint on the system block and on the last user part (``prompt_cache_breakpoint``,
read with the codec option ``explicit_breakpoints``):

- ``S``: a 2 KB system prompt, 2 turns;
- ``M``: a 20 KB system prompt, 5 tools with JSON schemas, 40 turns of text, tool calls and
  results, one 100 KB base64 image;
- ``L``: a 50 KB system prompt, 400 turns, about 2 MB of text;
- ``XL``: the ``L`` shape with 4,000 turns (the linearity check).

A turn is a user message and the assistant's answer; every fourth turn of ``M``, ``L`` and ``XL``
is a tool call and its result instead of a text answer.
"""

from __future__ import annotations

import base64
import json
from typing import Any

_WORDS = (
    "cache request codec provider message token stream model system tool result image answer "
    "question budget latency gateway payload schema field value order turn"
).split()


def _text(n: int, seed: int) -> str:
    """About ``n`` characters of words, the same for the same seed."""
    out: list[str] = []
    size = 0
    i = seed
    while size < n:
        w = _WORDS[(i * 7 + 3) % len(_WORDS)]
        out.append(w)
        size += len(w) + 1
        i += 1
    return " ".join(out)[:n]


def _tool(i: int) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": f"tool_{i}",
            "description": _text(200, i),
            "parameters": {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "what to look up"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 50},
                    "filters": {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}},
                },
                "required": ["query"],
                "additionalProperties": False,
            },
        },
    }


def _mark() -> dict[str, str]:
    return {"mode": "explicit", "ttl": "30m"}


def chat_body(*, system_kb: int, turns: int, text_chars: int, tools: int = 0, image_kb: int = 0) -> dict[str, Any]:
    """An OpenAI Chat body of ``turns`` turns (see the module doc)."""
    messages: list[dict[str, Any]] = [
        {
            "role": "system",
            "content": [{"type": "text", "text": _text(system_kb * 1024, 0), "prompt_cache_breakpoint": _mark()}],
        }
    ]
    for t in range(turns):
        user: list[dict[str, Any]] = [{"type": "text", "text": _text(text_chars, t)}]
        if image_kb and t == turns // 2:
            data = base64.b64encode(bytes((i * 31) % 256 for i in range(image_kb * 768))).decode()
            user.append({"type": "image_url", "image_url": {"url": "data:image/png;base64," + data}})
        messages.append({"role": "user", "content": user})
        if tools and t % 4 == 3:
            call = f"call_{t:06d}"
            args = '{"query":"' + _text(40, t) + '","limit":5}'
            messages.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": call, "type": "function", "function": {"name": f"tool_{t % tools}", "arguments": args}}
                    ],
                }
            )
            messages.append({"role": "tool", "tool_call_id": call, "content": _text(text_chars, t + 1)})
            messages.append({"role": "assistant", "content": _text(text_chars // 2, t + 2)})
        else:
            messages.append({"role": "assistant", "content": _text(text_chars, t + 3)})
    messages.append(
        {"role": "user", "content": [{"type": "text", "text": "Go on.", "prompt_cache_breakpoint": _mark()}]}
    )
    body: dict[str, Any] = {"model": "gpt-5", "messages": messages, "max_completion_tokens": 1024}
    if tools:
        body["tools"] = [_tool(i) for i in range(tools)]
    return body


WORKLOADS: dict[str, dict[str, Any]] = {
    "S": {"system_kb": 2, "turns": 2, "text_chars": 200},
    "M": {"system_kb": 20, "turns": 40, "text_chars": 400, "tools": 5, "image_kb": 100},
    "L": {"system_kb": 50, "turns": 400, "text_chars": 2500, "tools": 5},
    "XL": {"system_kb": 50, "turns": 4000, "text_chars": 2500, "tools": 5},
}


def workload(name: str) -> dict[str, Any]:
    """The OpenAI Chat body of one workload."""
    return chat_body(**WORKLOADS[name])


def anthropic_reply(blocks: int = 20) -> dict[str, Any]:
    """A Messages reply (SDK ``types/message.py``): text blocks and a tool call, with usage."""
    content: list[dict[str, Any]] = [{"type": "text", "text": _text(400, i)} for i in range(blocks)]
    content.append({"type": "tool_use", "id": "toolu_01", "name": "tool_0", "input": {"query": _text(40, 1)}})
    return {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-5",
        "content": content,
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 25,
            "cache_creation_input_tokens": 1500,
            "cache_read_input_tokens": 4000,
            "output_tokens": 900,
        },
    }


def anthropic_stream(events: int = 1000) -> list[bytes]:
    """The SSE lines of a Messages stream of ``events`` events (streaming docs' event flow):
    message_start, one text block of ``events - 4`` deltas, its stop, message_delta, message_stop."""
    start: dict[str, Any] = {
        "type": "message",
        "id": "msg_s",
        "role": "assistant",
        "model": "claude-opus-5",
        "content": [],
    }
    start |= {"stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 25, "output_tokens": 1}}
    evs: list[tuple[str, dict[str, Any]]] = [("message_start", {"type": "message_start", "message": start})]
    block = {"type": "text", "text": ""}
    evs.append(("content_block_start", {"type": "content_block_start", "index": 0, "content_block": block}))
    for i in range(events - 5):
        delta = {"type": "text_delta", "text": _text(12, i) + " "}
        evs.append(("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}))
    evs.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    usage = {"output_tokens": events}
    delta_ev = {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": usage}
    evs.append(("message_delta", delta_ev))
    evs.append(("message_stop", {"type": "message_stop"}))
    lines: list[bytes] = []
    for name, data in evs:
        lines += [f"event: {name}".encode(), b"data: " + json.dumps(data, separators=(",", ":")).encode(), b""]
    return lines
