"""Speed, side by side with the reference paths a user would otherwise take.

Run with ``make bench`` (skipped in ``make test``). References:
- ``json.dumps`` / ``json.loads`` of the same wire body (the floor for any pure-Python serializer);
- the official SDK building and sending the same request through an in-memory transport
  (``openai`` Chat Completions; ``anthropic`` Messages) — what a caller pays without ir-codec.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from ir_codec import (
    Message,
    Request,
    SystemBlock,
    Text,
    Tool,
    ToolResult,
    ToolUse,
    available_codecs,
    get_codec,
    ir_from_json,
)
from ir_codec.ir import CacheControl, CacheTtl

CODECS = [n for n in available_codecs() if n != "toy"]


def demo() -> Request:
    data = resources.files("ir_codec").joinpath("data/demo_conversation.json").read_bytes()
    r: Request = ir_from_json(data)
    return r


def long_conversation(turns: int = 100) -> Request:
    msgs: list[Message] = []
    for i in range(turns):
        msgs.append(Message(role="user", content=[Text(text=f"Question {i}: " + "lorem ipsum " * 40)]))
        msgs.append(
            Message(
                role="assistant",
                content=[
                    Text(text=f"Let me look that up ({i})."),
                    ToolUse(id=f"call_{i}", name="search", input={"q": f"query {i}", "limit": 5}),
                ],
            )
        )
        msgs.append(
            Message(
                role="user",
                content=[
                    ToolResult(tool_use_id=f"call_{i}", content=[Text(text="result " * 60)]),
                ],
            )
        )
        msgs.append(Message(role="assistant", content=[Text(text="Answer " * 30)]))
    msgs.append(Message(role="user", content=[Text(text="Summarize.", cache=CacheControl())]))
    return Request(
        model="m",
        max_tokens=1024,
        system=[SystemBlock(text="You are a research assistant. " * 50, cache=CacheControl(ttl=CacheTtl.ONE_HOUR))],
        tools=[
            Tool(
                name="search",
                description="Search.",
                input_schema={"type": "object", "properties": {"q": {"type": "string"}, "limit": {"type": "integer"}}},
            )
        ],
        messages=msgs,
    )


LONG = long_conversation()


@pytest.mark.parametrize("name", CODECS)
def test_encode_long(benchmark: Any, name: str) -> None:
    codec = get_codec(name)
    benchmark.group = "encode 400-message conversation"
    benchmark(codec.encode, LONG)


@pytest.mark.parametrize("name", CODECS)
def test_encode_demo(benchmark: Any, name: str) -> None:
    codec = get_codec(name)
    benchmark.group = "encode demo conversation"
    benchmark(codec.encode, demo())


@pytest.mark.parametrize("name", CODECS)
def test_to_json_long(benchmark: Any, name: str) -> None:
    e = get_codec(name).encode(LONG)
    benchmark.group = f"serialize long body: {name}"
    benchmark(e.to_json)


@pytest.mark.parametrize("name", CODECS)
def test_reference_json_dumps_long(benchmark: Any, name: str) -> None:
    e = get_codec(name).encode(LONG)
    benchmark.group = f"serialize long body: {name}"
    benchmark(json.dumps, e.body, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("name", CODECS)
def test_decode_long(benchmark: Any, name: str) -> None:
    codec = get_codec(name)
    data = codec.encode(LONG).to_json()
    benchmark.group = f"decode long body: {name}"
    benchmark(codec.decode, data)


@pytest.mark.parametrize("name", CODECS)
def test_reference_json_loads_long(benchmark: Any, name: str) -> None:
    data = get_codec(name).encode(LONG).to_json()
    benchmark.group = f"decode long body: {name}"
    benchmark(json.loads, data)


def test_reference_openai_sdk_chat_create(benchmark: Any) -> None:
    httpx = pytest.importorskip("httpx")
    openai = pytest.importorskip("openai")
    body = get_codec("openai-chat").encode(LONG).body
    reply = {
        "id": "c",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
    }
    client = openai.OpenAI(
        api_key="x",
        http_client=httpx.Client(transport=httpx.MockTransport(lambda req: httpx.Response(200, json=reply))),
    )
    benchmark.group = "openai-chat: whole call through the SDK vs ir-codec encode+serialize"
    benchmark(lambda: client.chat.completions.create(**body))


def test_ir_codec_encode_and_serialize_openai_chat(benchmark: Any) -> None:
    codec = get_codec("openai-chat")
    benchmark.group = "openai-chat: whole call through the SDK vs ir-codec encode+serialize"
    benchmark(lambda: codec.encode(LONG).to_json())
