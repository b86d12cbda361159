"""The pydantic-ai adapter (ir_codec.integrations.pydantic_ai) against the loopback server of
tests/transport/server.py: a real agent runs a tool loop; the server receives exactly the wire
bodies below; the agent gets the replies' text, tool calls and usage back.

Reply shapes: Anthropic SDK ``types/message.py``; openai ``types/chat/chat_completion.py``;
google-genai ``types.GenerateContentResponse`` (REST camelCase), as in tests/responses/.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic_ai import Agent, ModelRetry
from pydantic_ai.messages import (
    BinaryContent,
    FinalResultEvent,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    PartDeltaEvent,
    PartEndEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ThinkingPart,
    ToolCallPart,
    ToolCallPartDelta,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.usage import RequestUsage, RunUsage

from ir_codec import CacheControl, CacheTtl, get_codec
from ir_codec.errors import ConfigurationError, LossyEncodeError, LossyEncodeWarning, StreamError
from ir_codec.integrations.pydantic_ai import IRCodecModel
from ir_codec.replies import sse_bytes
from ir_codec.transport import AsyncClient
from tests.transport.replies import converse_frames
from tests.transport.server import ProviderServer, Reply

ROOT = Path(__file__).resolve().parents[1]

WEATHER_SCHEMA = {
    "additionalProperties": False,
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
    "type": "object",
}


@pytest.fixture
def server() -> Iterator[ProviderServer]:
    with ProviderServer(lifetime=20.0) as s:
        yield s


def _agent(model: IRCodecModel) -> Agent[None, str]:
    agent = Agent(model, instructions="Be terse.")

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """Weather of a city."""
        return f"sunny in {city}"

    return agent


# ------------------------------------------------------------------ the tool loop, per codec


@dataclass
class Loop:
    codec: str
    model: str
    path: str
    replies: list[dict[str, Any]]
    bodies: list[dict[str, Any]]
    """The exact bodies the server receives: the first call, then the call with the tool result."""
    call_id: str
    usage: RunUsage
    losses: list[str] = field(default_factory=list)
    """The LossyEncodeWarning messages of the run (each call reports those of its encode)."""
    stream_path: str = ""
    """The path of a streamed call (``path`` when the body asks for the stream)."""
    stream_fields: dict[str, Any] = field(default_factory=dict)
    """What a streamed call adds to the body."""


def _anthropic_usage(inp: int, out: int, read: int, write: int) -> dict[str, int]:
    return {
        "input_tokens": inp,
        "output_tokens": out,
        "cache_read_input_tokens": read,
        "cache_creation_input_tokens": write,
    }


ANTHROPIC_TOOLS = [{"name": "get_weather", "input_schema": WEATHER_SCHEMA, "description": "Weather of a city."}]
ANTHROPIC_FIRST = {
    "model": "claude-opus-5",
    "max_tokens": 4096,
    "system": [{"type": "text", "text": "Be terse."}],
    "messages": [{"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]}],
    "tools": ANTHROPIC_TOOLS,
    # the planner's automatic caching: one top-level mark (spec/caching.md)
    "cache_control": {"type": "ephemeral"},
}
ANTHROPIC = Loop(
    "anthropic",
    "claude-opus-5",
    "/v1/messages",
    [
        {
            "id": "msg_01",
            "type": "message",
            "role": "assistant",
            "model": "claude-opus-5",
            "content": [{"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}}],
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": _anthropic_usage(20, 15, 0, 100),
        },
        {
            "id": "msg_02",
            "type": "message",
            "role": "assistant",
            "model": "claude-opus-5",
            "content": [{"type": "text", "text": "Sunny in Paris."}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": _anthropic_usage(30, 5, 100, 0),
        },
    ],
    [
        ANTHROPIC_FIRST,
        {
            **ANTHROPIC_FIRST,
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]},
                {
                    "role": "assistant",
                    "content": [
                        {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}}
                    ],
                },
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": "toolu_01",
                            "content": [{"type": "text", "text": "sunny in Paris"}],
                        }
                    ],
                },
            ],
        },
    ],
    "toolu_01",
    RunUsage(
        requests=2, tool_calls=1, input_tokens=250, output_tokens=20, cache_read_tokens=100, cache_write_tokens=100
    ),
    stream_path="/v1/messages",
    stream_fields={"stream": True},
)

CHAT_TOOLS = [
    {
        "type": "function",
        "function": {"name": "get_weather", "description": "Weather of a city.", "parameters": WEATHER_SCHEMA},
    }
]
CHAT_START = [{"role": "developer", "content": "Be terse."}, {"role": "user", "content": "Weather in Paris?"}]
CHAT_FIRST = {
    "model": "gpt-5.6",
    "messages": CHAT_START,
    "tools": CHAT_TOOLS,
    "max_completion_tokens": 4096,
    "prompt_cache_options": {"mode": "implicit", "ttl": "30m"},
}
CHAT_CALL = {
    "id": "call_abc",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
}


def _completion(n: int, message: dict[str, Any], finish: str, usage: tuple[int, int, int, int]) -> dict[str, Any]:
    prompt, completion, read, write = usage
    return {
        "id": f"chatcmpl-{n}",
        "object": "chat.completion",
        "created": 1790000000,
        "model": "gpt-5.6",
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": read, "cache_write_tokens": write},
        },
    }


OPENAI_CHAT = Loop(
    "openai-chat",
    "gpt-5.6",
    "/chat/completions",
    [
        _completion(
            1,
            {"role": "assistant", "content": None, "refusal": None, "tool_calls": [CHAT_CALL]},
            "tool_calls",
            (120, 20, 0, 100),
        ),
        _completion(2, {"role": "assistant", "content": "Sunny in Paris.", "refusal": None}, "stop", (150, 5, 100, 0)),
    ],
    [
        CHAT_FIRST,
        {
            **CHAT_FIRST,
            "messages": [
                *CHAT_START,
                {"role": "assistant", "tool_calls": [CHAT_CALL]},
                {"role": "tool", "tool_call_id": "call_abc", "content": "sunny in Paris"},
            ],
        },
    ],
    "call_abc",
    RunUsage(
        requests=2, tool_calls=1, input_tokens=270, output_tokens=25, cache_read_tokens=100, cache_write_tokens=100
    ),
    ["openai-chat: cache: prompt_cache_options.ttl accepts only 30m on openai-chat; TTL 5m sent as 30m"] * 2,
    "/chat/completions",
    # Chat Completions streams carry usage only when asked (the transport asks)
    {"stream": True, "stream_options": {"include_usage": True}},
)

GEMINI_TOOLS = [
    {
        "functionDeclarations": [
            {"name": "get_weather", "description": "Weather of a city.", "parametersJsonSchema": WEATHER_SCHEMA}
        ]
    }
]
GEMINI_CALL_PARTS: list[dict[str, Any]] = [
    {"text": "Need the tool.", "thought": True},
    {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "c2lnMQ=="},
]
GEMINI_FIRST = {
    "contents": [{"role": "user", "parts": [{"text": "Weather in Paris?"}]}],
    "systemInstruction": {"parts": [{"text": "Be terse."}]},
    "tools": GEMINI_TOOLS,
    "generationConfig": {"maxOutputTokens": 4096},
}


def _candidate(n: int, parts: list[dict[str, Any]], usage: dict[str, int]) -> dict[str, Any]:
    return {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": usage,
        "modelVersion": "gemini-3-pro",
        "responseId": f"resp-g{n}",
    }


GEMINI = Loop(
    "gemini",
    "gemini-3-pro",
    "/v1beta/models/gemini-3-pro:generateContent",
    [
        _candidate(1, GEMINI_CALL_PARTS, {"promptTokenCount": 120, "candidatesTokenCount": 20, "totalTokenCount": 140}),
        _candidate(
            2,
            [{"text": "Sunny in Paris."}],
            {
                "promptTokenCount": 150,
                "cachedContentTokenCount": 100,
                "candidatesTokenCount": 5,
                "totalTokenCount": 155,
            },
        ),
    ],
    [
        GEMINI_FIRST,
        {
            **GEMINI_FIRST,
            "contents": [
                {"role": "user", "parts": [{"text": "Weather in Paris?"}]},
                # the thought and the call's thoughtSignature go back as they came
                {"role": "model", "parts": GEMINI_CALL_PARTS},
                {
                    "role": "user",
                    "parts": [{"functionResponse": {"name": "get_weather", "response": {"output": "sunny in Paris"}}}],
                },
            ],
        },
    ],
    "get_weather_0",  # Gemini's call has no id: the IR decode names it
    RunUsage(requests=2, tool_calls=1, input_tokens=270, output_tokens=25, cache_read_tokens=100),
    ["gemini: cache: gemini has no automatic prompt caching knob; dropped"] * 2,
    "/v1beta/models/gemini-3-pro:streamGenerateContent?alt=sse",  # the body is the same
)


RESPONSES_TOOLS = [
    {"type": "function", "name": "get_weather", "parameters": WEATHER_SCHEMA, "description": "Weather of a city."}
]
RESPONSES_START = [
    {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Weather in Paris?"}]}
]
RESPONSES_FIRST = {
    "model": "gpt-5.6",
    "instructions": "Be terse.",
    "input": RESPONSES_START,
    "tools": RESPONSES_TOOLS,
    "max_output_tokens": 4096,
    "prompt_cache_options": {"mode": "implicit", "ttl": "30m"},
}


def _response(n: int, output: list[dict[str, Any]], usage: tuple[int, int, int]) -> dict[str, Any]:
    inp, out, read = usage
    return {
        "id": f"resp_{n}",
        "object": "response",
        "created_at": 1790000000,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "model": "gpt-5.6",
        "output": output,
        "usage": {
            "input_tokens": inp,
            "input_tokens_details": {"cached_tokens": read},
            "output_tokens": out,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": inp + out,
        },
    }


OPENAI_RESPONSES = Loop(
    "openai-responses",
    "gpt-5.6",
    "/responses",
    [
        _response(
            1,
            [
                {
                    "type": "function_call",
                    "id": "fc_1",
                    "call_id": "call_abc",
                    "name": "get_weather",
                    "arguments": '{"city": "Paris"}',
                    "status": "completed",
                }
            ],
            (120, 20, 0),
        ),
        _response(
            2,
            [
                {
                    "type": "message",
                    "id": "msg_2",
                    "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "Sunny in Paris.", "annotations": []}],
                }
            ],
            (150, 5, 100),
        ),
    ],
    [
        RESPONSES_FIRST,
        {
            **RESPONSES_FIRST,
            "input": [
                *RESPONSES_START,
                {
                    "type": "function_call",
                    "call_id": "call_abc",
                    "name": "get_weather",
                    "arguments": '{"city":"Paris"}',
                },
                {"type": "function_call_output", "call_id": "call_abc", "output": "sunny in Paris"},
            ],
        },
    ],
    "call_abc",
    RunUsage(requests=2, tool_calls=1, input_tokens=270, output_tokens=25, cache_read_tokens=100),
    ["openai-responses: cache: TTL 5m is not offered by openai-responses; sent as 30m"] * 2,
    "/responses",
    {"stream": True},
)

CONVERSE_BASE = {
    "system": [{"text": "Be terse."}],
    "inferenceConfig": {"maxTokens": 4096},
    "toolConfig": {
        "tools": [
            {
                "toolSpec": {
                    "name": "get_weather",
                    "description": "Weather of a city.",
                    "inputSchema": {"json": WEATHER_SCHEMA},
                }
            }
        ]
    },
}
CONVERSE_CALL = {"toolUse": {"toolUseId": "tooluse_01", "name": "get_weather", "input": {"city": "Paris"}}}
CACHE_POINT = {"cachePoint": {"type": "default"}}


def _converse(content: dict[str, Any], stop: str, usage: dict[str, int]) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [content]}},
        "stopReason": stop,
        "usage": usage,
        "metrics": {"latencyMs": 100},
    }


BEDROCK_CONVERSE = Loop(
    "bedrock-converse",
    "anthropic.claude-opus-5-v1:0",
    "/model/anthropic.claude-opus-5-v1%3A0/converse",
    [
        _converse(CONVERSE_CALL, "tool_use", {"inputTokens": 120, "outputTokens": 20, "totalTokens": 140}),
        _converse(
            {"text": "Sunny in Paris."},
            "end_turn",
            {"inputTokens": 50, "cacheReadInputTokens": 100, "outputTokens": 5, "totalTokens": 155},
        ),
    ],
    [
        # the planner's automatic caching: an explicit mark on the last message (spec/caching.md)
        {"messages": [{"role": "user", "content": [{"text": "Weather in Paris?"}, CACHE_POINT]}], **CONVERSE_BASE},
        {
            "messages": [
                {"role": "user", "content": [{"text": "Weather in Paris?"}]},
                {"role": "assistant", "content": [CONVERSE_CALL]},
                {
                    "role": "user",
                    "content": [
                        {"toolResult": {"toolUseId": "tooluse_01", "content": [{"text": "sunny in Paris"}]}},
                        CACHE_POINT,
                    ],
                },
            ],
            **CONVERSE_BASE,
        },
    ],
    "tooluse_01",
    RunUsage(requests=2, tool_calls=1, input_tokens=270, output_tokens=25, cache_read_tokens=100),
    [
        f"bedrock-converse: messages[{i}].content[0].cache: mark added here from the request-level automatic cache"
        if j == 0
        else "bedrock-converse: cache: bedrock-converse has no automatic caching; sent as an explicit mark at "
        f"messages[{i}].content[0].cache"
        for i in (0, 2)
        for j in (0, 1)
    ],
    "/model/anthropic.claude-opus-5-v1%3A0/converse-stream",  # the body is the same
)
LOOPS = [ANTHROPIC, OPENAI_CHAT, GEMINI, OPENAI_RESPONSES, BEDROCK_CONVERSE]


@pytest.mark.parametrize("case", LOOPS, ids=lambda c: c.codec)
def test_tool_loop(server: ProviderServer, case: Loop) -> None:
    server.expect(*(Reply(body=r) for r in case.replies))
    model = IRCodecModel(case.codec, case.model, base_url=server.url, api_key="test", cache=CacheControl())
    agent = _agent(model)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        result = agent.run_sync("Weather in Paris?")
    assert _losses(record) == case.losses
    assert [(s.method, s.path) for s in server.seen] == [("POST", case.path)] * 2
    assert [s.json() for s in server.seen] == case.bodies
    assert result.output == "Sunny in Paris."
    assert result.usage == RunUsage(**{**vars(case.usage), "cost": result.usage.cost})
    _check_messages(case, model, result.all_messages(), server.url)


def _losses(record: list[warnings.WarningMessage]) -> list[str]:
    """The losses of each step's encode; a ResourceWarning for an event loop another test left to
    the garbage collector may be recorded meanwhile."""
    assert all(issubclass(w.category, LossyEncodeWarning | ResourceWarning) for w in record)
    return [str(w.message) for w in record if not issubclass(w.category, ResourceWarning)]


def _check_messages(case: Loop, model: IRCodecModel, messages: list[ModelMessage], url: str) -> None:
    """The run's history: the call (its id), the tool's return, the answer."""
    call, tool_return, answer = messages[1:]
    assert isinstance(call, ModelResponse) and isinstance(answer, ModelResponse)
    [tool_call] = [p for p in call.parts if isinstance(p, ToolCallPart)]
    assert (tool_call.tool_name, tool_call.args, tool_call.tool_call_id) == (
        "get_weather",
        {"city": "Paris"},
        case.call_id,
    )
    assert (call.finish_reason, answer.finish_reason) == ("tool_call", "stop")
    if case.codec == "bedrock-converse":  # a Converse reply has no id
        assert (call.provider_response_id, answer.provider_response_id) == (None, None)
    else:
        assert call.provider_response_id is not None and call.provider_response_id.endswith("1")
    assert answer.parts == [TextPart(content="Sunny in Paris.", provider_name=model.system)]
    assert (answer.model_name, answer.provider_name, answer.provider_url) == (case.model, model.system, url)
    assert isinstance(tool_return, ModelRequest)
    assert [p.tool_call_id for p in tool_return.parts if isinstance(p, ToolReturnPart)] == [case.call_id]


def test_cache_ttl_and_usage_buckets(server: ProviderServer) -> None:
    """A 1-hour cache on Anthropic: the planner's mark carries the TTL; each request's usage
    lands in pydantic-ai's buckets (input_tokens includes the cache reads and writes)."""
    server.expect(*(Reply(body=r) for r in ANTHROPIC.replies))
    agent = _agent(
        IRCodecModel(
            "anthropic", "claude-opus-5", base_url=server.url, api_key="test", cache=CacheControl(ttl=CacheTtl.ONE_HOUR)
        )
    )
    result = agent.run_sync("Weather in Paris?")
    assert [s.json()["cache_control"] for s in server.seen] == [{"type": "ephemeral", "ttl": "1h"}] * 2
    responses = [m for m in result.all_messages() if isinstance(m, ModelResponse)]
    assert [m.usage for m in responses] == [
        RequestUsage(input_tokens=120, output_tokens=15, cache_write_tokens=100, cost=responses[0].usage.cost),
        RequestUsage(input_tokens=130, output_tokens=5, cache_read_tokens=100, cost=responses[1].usage.cost),
    ]


def test_retried_tool_call_is_an_error_result(server: ProviderServer) -> None:
    """A tool raising ModelRetry answers its call with an error tool result (is_error)."""
    server.expect(*(Reply(body=r) for r in ANTHROPIC.replies))
    agent: Agent[None, str] = Agent(IRCodecModel("anthropic", "claude-opus-5", base_url=server.url, api_key="test"))

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """Weather of a city."""
        raise ModelRetry("unknown city, try another")

    assert agent.run_sync("Weather in Paris?").output == "Sunny in Paris."
    [result] = server.seen[1].json()["messages"][2]["content"]
    assert result["tool_use_id"] == "toolu_01" and result["is_error"] is True
    [text] = result["content"]
    assert "unknown city, try another" in text["text"]


# ------------------------------------------------------------------ history: thinking, signatures


THINKING_REPLY = {
    "id": "msg_04",
    "type": "message",
    "role": "assistant",
    "model": "claude-opus-5",
    "content": [
        {"type": "thinking", "thinking": "I should call the weather tool.", "signature": "EqQBCgIYAhIM"},
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"},
        {"type": "tool_use", "id": "toolu_04", "name": "get_weather", "input": {"city": "Paris"}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 300,
        "cache_creation_input_tokens": 1200,
        "cache_read_input_tokens": 0,
        "output_tokens": 250,
        "output_tokens_details": {"thinking_tokens": 180},
    },
}


def test_thinking_round_trip(server: ProviderServer) -> None:
    """Thinking with its signature, redacted thinking and the call's id come back as pydantic-ai
    parts and go out again unchanged in the next request."""
    server.expect(Reply(body=THINKING_REPLY), Reply(body=ANTHROPIC.replies[1]))
    model = IRCodecModel("anthropic", "claude-opus-5", base_url=server.url, api_key="test", max_tokens=2048)
    params = ModelRequestParameters()
    first = ModelRequest(parts=[UserPromptPart(content="Weather in Paris?")])

    async def run() -> tuple[ModelResponse, ModelResponse]:
        reply = await model.request([first], None, params)
        answer = ModelRequest(parts=[ToolReturnPart(tool_name="get_weather", content="sunny", tool_call_id="toolu_04")])
        return reply, await model.request([first, reply, answer], {"stop_sequences": ["END"]}, params)

    reply, _ = asyncio.run(run())
    assert reply.parts == [
        ThinkingPart(
            content="I should call the weather tool.",
            signature="EqQBCgIYAhIM",
            provider_name="anthropic",
            provider_details={"ir_codec": {"origin": "anthropic"}},
        ),
        ThinkingPart(
            content="",
            id="redacted_thinking",
            signature="EmwKAhgBEgy3va3pzix",
            provider_name="anthropic",
            provider_details={"ir_codec": {"redacted": True, "origin": "anthropic"}},
        ),
        ToolCallPart(
            tool_name="get_weather", args={"city": "Paris"}, tool_call_id="toolu_04", provider_name="anthropic"
        ),
    ]
    assert reply.usage == RequestUsage(
        input_tokens=1500,
        output_tokens=250,
        cache_write_tokens=1200,
        output_reasoning_tokens=180,
        cost=reply.usage.cost,
    )
    assert server.seen[1].json() == {
        "model": "claude-opus-5",
        "max_tokens": 2048,
        "stop_sequences": ["END"],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]},
            {"role": "assistant", "content": THINKING_REPLY["content"]},
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_04", "content": [{"type": "text", "text": "sunny"}]}
                ],
            },
        ],
    }


# ------------------------------------------------------------------ losses and on_lossy

PNG = bytes.fromhex("89504e470d0a1a0a")
DEEPSEEK_REPLY = {
    "id": "c-1",
    "object": "chat.completion",
    "created": 1790000000,
    "model": "deepseek-chat",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "A picture."},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12},
}
DEEPSEEK_LOSSES = [
    "deepseek: model_settings.presence_penalty: the IR has no field for presence_penalty; not sent",
    "deepseek: messages[0].content[1]: deepseek user messages cannot carry Image parts; dropped",
]


def _lossy_run(server: ProviderServer, on_lossy: Any) -> str:
    agent: Agent[None, str] = Agent(
        IRCodecModel("deepseek", "deepseek-chat", base_url=server.url, api_key="test", on_lossy=on_lossy)
    )
    prompt: list[UserContent] = ["What is this?", BinaryContent(data=PNG, media_type="image/png")]
    return agent.run_sync(prompt, model_settings={"presence_penalty": 0.5}).output


def test_on_lossy_warn(server: ProviderServer) -> None:
    server.expect(Reply(body=DEEPSEEK_REPLY))
    with pytest.warns(LossyEncodeWarning) as record:
        assert _lossy_run(server, "warn") == "A picture."
    # only the losses: the record also holds whatever else was warned meanwhile (a ResourceWarning
    # for an event loop another test left to the garbage collector)
    assert [str(w.message) for w in record if issubclass(w.category, LossyEncodeWarning)] == DEEPSEEK_LOSSES
    assert server.seen[0].json()["messages"] == [{"role": "user", "content": "What is this?"}]


def test_on_lossy_raise(server: ProviderServer) -> None:
    with pytest.raises(LossyEncodeError) as info:
        _lossy_run(server, "raise")
    assert [str(w) for w in info.value.warnings] == DEEPSEEK_LOSSES
    assert server.seen == []


def test_on_lossy_ignore(server: ProviderServer) -> None:
    server.expect(Reply(body=DEEPSEEK_REPLY))
    assert _lossy_run(server, "ignore") == "A picture."  # no warning: pytest's filter makes one an error
    assert len(server.seen) == 1


# ------------------------------------------------------------------ construction


def test_client_argument(server: ProviderServer) -> None:
    """A client the caller gives is used as it is (and stays open: the caller closes it)."""
    server.expect(Reply(body=ANTHROPIC.replies[1]), Reply(body=ANTHROPIC.replies[1]))

    async def run() -> list[str]:
        async with AsyncClient("anthropic", base_url=server.url, api_key="test", headers={"x-app": "1"}) as client:
            model = IRCodecModel("anthropic", "claude-opus-5", client=client)
            assert (model.model_name, model.system, model.base_url) == ("claude-opus-5", "anthropic", server.url)
            with pytest.raises(ConfigurationError, match="not both"):
                IRCodecModel("anthropic", "claude-opus-5", client=client, api_key="other")
            with pytest.raises(ConfigurationError, match="the client sends 'anthropic', not 'gemini'"):
                IRCodecModel("gemini", "gemini-3-pro", client=client)
            agent = Agent(model)
            return [(await agent.run("Hi")).output, (await agent.run("Again")).output]

    assert asyncio.run(run()) == ["Sunny in Paris."] * 2
    assert [s.headers["x-app"] for s in server.seen] == ["1", "1"]
    with pytest.raises(ConfigurationError, match="on_lossy must be"):
        IRCodecModel("anthropic", "claude-opus-5", on_lossy="loud")  # type: ignore[arg-type]


def test_own_client_is_closed_after_each_run(server: ProviderServer) -> None:
    """The model's own client lives for one agent run; runs on other event loops get their own."""
    server.expect(*(Reply(body=ANTHROPIC.replies[1]) for _ in range(3)))
    model = IRCodecModel("anthropic", "claude-opus-5", base_url=server.url, api_key="test")
    agent: Agent[None, str] = Agent(model)
    assert [agent.run_sync("Hi").output, agent.run_sync("Again").output] == ["Sunny in Paris."] * 2
    assert model._run_clients == {}

    async def direct() -> ModelResponse:  # outside a run: a client for the one request
        return await model.request([ModelRequest(parts=[UserPromptPart(content="Hi")])], None, ModelRequestParameters())

    assert asyncio.run(direct()).parts == [TextPart(content="Sunny in Paris.", provider_name="anthropic")]
    assert len(server.seen) == 3


def test_import_ir_codec_does_not_import_pydantic_ai() -> None:
    code = "import sys, ir_codec, ir_codec.transport, ir_codec.integrations; print('pydantic_ai' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "False\n"


# ------------------------------------------------------------------ streaming

# Where each provider's stream carries a piece of text or of a call's JSON arguments (the shapes
# of tests/transport/replies.py): the event name (None: any) and the path to the string.
PIECES: dict[str, list[tuple[str | None, tuple[str | int, ...]]]] = {
    "anthropic": [("content_block_delta", ("delta", "text")), ("content_block_delta", ("delta", "partial_json"))],
    "openai-chat": [
        (None, ("choices", 0, "delta", "content")),
        (None, ("choices", 0, "delta", "tool_calls", 0, "function", "arguments")),
    ],
    "openai-responses": [
        ("response.output_text.delta", ("delta",)),
        ("response.function_call_arguments.delta", ("delta",)),
    ],
    "gemini": [(None, ("candidates", 0, "content", "parts", 0, "text"))],
    "bedrock-converse": [
        ("contentBlockDelta", ("delta", "text")),
        ("contentBlockDelta", ("delta", "toolUse", "input")),
    ],
}
PARTIALS = ["Sunny", "Sunny in", "Sunny in Paris."]
"""What the answer's text is while it streams: one word more with each piece."""


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        if isinstance(key, int) and isinstance(data, list) and key < len(data):
            data = data[key]
        elif isinstance(key, str) and isinstance(data, dict) and key in data:
            data = data[key]
        else:
            return None
    return data


def _cut(text: str) -> list[str]:
    """Text word by word (each word with the space before it); JSON arguments in two halves."""
    if text.startswith("{"):
        return [text[: len(text) // 2], text[len(text) // 2 :]]
    return [w for w in re.split(r"(?= )", text) if w]


def _pieces(codec: str, events: list[tuple[str | None, dict[str, Any]]]) -> list[tuple[str | None, dict[str, Any]]]:
    """The events of a stream, each piece of text or arguments cut into several events."""
    out: list[tuple[str | None, dict[str, Any]]] = []
    for name, data in events:
        paths = [path for want, path in PIECES[codec] if want in (None, name) and isinstance(_at(data, path), str)]
        pieces = _cut(_at(data, paths[0])) if paths else []
        if len(pieces) < 2:
            out.append((name, data))
            continue
        *where, key = paths[0]
        for k, piece in enumerate(pieces):
            event = copy.deepcopy(data)
            _at(event, tuple(where))[key] = piece
            if codec == "gemini" and k < len(pieces) - 1:  # the reply ends with the last piece
                event.pop("usageMetadata", None)
                event["candidates"][0].pop("finishReason", None)
            out.append((name, event))
    return out


def _stream(codec: str, reply: dict[str, Any]) -> Reply:
    """The streamed form of a whole reply: the codec's stream encoding of the decoded reply, its
    text and arguments in pieces, sent in small chunks that cut events anywhere."""
    c = get_codec(codec)
    encoded = c.encode_stream(c.decode_response(reply))
    encoded.events = _pieces(codec, encoded.events)
    if not encoded.sse:  # Bedrock ConverseStream: binary event-stream frames
        return Reply(chunks=converse_frames(encoded.events), content_type="application/vnd.amazon.eventstream")
    sse = encoded.to_sse()
    return Reply(chunks=[sse[i : i + 37] for i in range(0, len(sse), 37)], content_type="text/event-stream")


@pytest.mark.parametrize("case", LOOPS, ids=lambda c: c.codec)
def test_streamed_tool_loop(server: ProviderServer, case: Loop) -> None:
    """``agent.run_stream``: each call asks for the stream, the tool call streams and runs, the
    answer's text arrives piece by piece, and the run ends with the usage and history of the
    same run without streaming."""
    server.expect(*(_stream(case.codec, r) for r in case.replies))
    model = IRCodecModel(case.codec, case.model, base_url=server.url, api_key="test", cache=CacheControl())
    agent = _agent(model)

    async def run() -> tuple[list[str], str, RunUsage, list[ModelMessage]]:
        async with agent.run_stream("Weather in Paris?") as result:
            partials = [text async for text in result.stream_text(debounce_by=None)]
        return partials, await result.get_output(), result.usage, result.all_messages()

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        partials, output, usage, messages = asyncio.run(run())
    assert _losses(record) == case.losses
    assert [(s.method, s.path) for s in server.seen] == [("POST", case.stream_path)] * 2
    assert [s.json() for s in server.seen] == [{**body, **case.stream_fields} for body in case.bodies]
    assert partials == PARTIALS
    assert output == "Sunny in Paris."
    assert usage == RunUsage(**{**vars(case.usage), "cost": usage.cost})
    _check_messages(case, model, messages, server.url)
    assert model._run_clients == {}


@pytest.mark.parametrize("case", LOOPS, ids=lambda c: c.codec)
def test_streamed_events(server: ProviderServer, case: Loop) -> None:
    """``agent.iter``: the model request nodes stream pydantic-ai part events: the call starts
    with its name and id and its arguments follow as deltas; the answer's text as deltas."""
    server.expect(*(_stream(case.codec, r) for r in case.replies))
    agent = _agent(IRCodecModel(case.codec, case.model, base_url=server.url, api_key="test", on_lossy="ignore"))

    async def run() -> list[list[Any]]:
        steps: list[list[Any]] = []
        async with agent.iter("Weather in Paris?") as run:
            async for node in run:
                if Agent.is_model_request_node(node):
                    async with node.stream(run.ctx) as stream:
                        steps.append([e async for e in stream])
        return steps

    call, answer = asyncio.run(run())
    [start] = [e for e in call if isinstance(e, PartStartEvent) and isinstance(e.part, ToolCallPart)]
    assert isinstance(start.part, ToolCallPart)
    assert (start.part.tool_name, start.part.tool_call_id) == ("get_weather", case.call_id)
    pieces = [
        e.delta.args_delta for e in call if isinstance(e, PartDeltaEvent) and isinstance(e.delta, ToolCallPartDelta)
    ]
    assert all(isinstance(p, str) for p in pieces)
    # Gemini sends a call whole (one piece); the others stream the arguments (cut in two here)
    assert len(pieces) == (1 if case.codec == "gemini" else 2)
    assert json.loads(f"{start.part.args or ''}{''.join(str(p) for p in pieces)}") == {"city": "Paris"}
    [end] = [e.part for e in call if isinstance(e, PartEndEvent) and isinstance(e.part, ToolCallPart)]
    assert isinstance(end, ToolCallPart) and end.args == {"city": "Paris"}  # its final form: what request gives

    [text] = [e.part for e in answer if isinstance(e, PartStartEvent)]
    deltas = [e.delta for e in answer if isinstance(e, PartDeltaEvent)]
    assert isinstance(text, TextPart) and all(isinstance(d, TextPartDelta) for d in deltas)
    words = [text.content, *(d.content_delta for d in deltas if isinstance(d, TextPartDelta))]
    assert words == ["Sunny", " in", " Paris."]
    assert sum(isinstance(e, FinalResultEvent) for e in answer) == 1
    assert [e.part for e in answer if isinstance(e, PartEndEvent)] == [
        TextPart(content="Sunny in Paris.", provider_name=text.provider_name)
    ]


REFUSAL = _completion(
    3, {"role": "assistant", "content": None, "refusal": "I can't help with that."}, "stop", (9, 5, 0, 0)
)
del REFUSAL["usage"]  # a reply without usage: an unmeasured request
REPLIES = {
    "anthropic": [*ANTHROPIC.replies, THINKING_REPLY],  # thinking, its signature, redacted thinking
    "openai-chat": [*OPENAI_CHAT.replies, REFUSAL],  # Chat's call is kept whole; the refusal comes whole
    "gemini": GEMINI.replies,  # a thought, the call's thoughtSignature
    "openai-responses": OPENAI_RESPONSES.replies,
    "bedrock-converse": BEDROCK_CONVERSE.replies,
}


@pytest.mark.parametrize("case", LOOPS, ids=lambda c: c.codec)
def test_streamed_response_is_the_requested_one(server: ProviderServer, case: Loop) -> None:
    """The response a stream ends with is the one ``request`` gives for the same reply (parts
    and their provider details, usage, finish reason, ids), and so is its usage as it streamed."""
    replies = REPLIES[case.codec]
    for reply in replies:
        server.expect(Reply(body=reply), _stream(case.codec, reply))
    model = IRCodecModel(case.codec, case.model, base_url=server.url, api_key="test")
    messages: list[ModelMessage] = [ModelRequest(parts=[UserPromptPart(content="Weather in Paris?")])]
    params = ModelRequestParameters()

    async def run() -> list[tuple[ModelResponse, ModelResponse, RequestUsage, str | None]]:
        out = []
        for _ in replies:
            whole = await model.request(messages, None, params)
            async with model.request_stream(messages, None, params) as stream:
                async for _event in stream:
                    pass
            out.append((whole, stream.get(), stream.usage, stream.provider_response_id))
        return out

    for whole, streamed, usage, response_id in asyncio.run(run()):
        assert streamed == dataclasses.replace(whole, timestamp=streamed.timestamp)
        assert (usage, response_id) == (whole.usage, whole.provider_response_id)
    assert [s.path for s in server.seen] == [case.path, case.stream_path] * len(replies)
    if case.codec == "openai-chat":
        assert streamed.usage == RequestUsage(unmeasured_requests=1)
        assert streamed.parts == [TextPart(content="I can't help with that.", provider_name="openai")]


def test_stream_error_and_cancel(server: ProviderServer) -> None:
    """An error event in the stream raises the client's StreamError; a stream cancelled after its
    first event stops quietly, closed, as an interrupted response."""
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    start = {"type": "message_start", "message": {**ANTHROPIC.replies[1], "content": [], "stop_reason": None}}
    server.expect(
        Reply(chunks=[sse_bytes([("message_start", start), ("error", error)])], content_type="text/event-stream"),
        _stream("anthropic", ANTHROPIC.replies[1]),
    )
    model = IRCodecModel("anthropic", "claude-opus-5", base_url=server.url, api_key="test")
    messages: list[ModelMessage] = [ModelRequest(parts=[UserPromptPart(content="Hi")])]

    async def failing() -> None:
        async with model.request_stream(messages, None, ModelRequestParameters()) as stream:
            async for _event in stream:
                pass

    with pytest.raises(StreamError, match="overloaded_error: Overloaded"):
        asyncio.run(failing())

    async def cancelled() -> tuple[list[Any], ModelResponse]:
        async with model.request_stream(messages, None, ModelRequestParameters()) as stream:
            seen = []
            async for event in stream:
                seen.append(event)
                await stream.cancel()
            return seen, stream.get()

    seen, response = asyncio.run(cancelled())
    sunny = TextPart(content="Sunny", provider_name="anthropic")
    assert seen[:2] == [PartStartEvent(index=0, part=sunny), FinalResultEvent(tool_name=None, tool_call_id=None)]
    assert seen[2:] in ([], [PartEndEvent(index=0, part=sunny)])  # an event already buffered may still come
    assert (response.state, response.parts) == ("interrupted", [sunny])


# ------------------------------------------------------------------ the documented example


def test_spec_example_runs(
    server: ProviderServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The spec's examples, in order in one namespace: the tool loop, then the same run streamed."""
    text = (ROOT / "spec" / "integrations.md").read_text()
    run, stream = re.findall(r"```python\n(.*?)```", text, re.S)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "doc-key-0123")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    server.expect(*(Reply(body=r) for r in ANTHROPIC.replies))
    server.expect(*(_stream("anthropic", r) for r in ANTHROPIC.replies))
    namespace: dict[str, Any] = {}
    for block in (run, stream):
        exec(compile(block, "spec/integrations.md", "exec"), namespace)
    assert capsys.readouterr().out == "Sunny in Paris.\n" * 2
    bodies = [{**body, "cache_control": {"type": "ephemeral", "ttl": "1h"}} for body in ANTHROPIC.bodies]
    assert [s.json() for s in server.seen] == [*bodies, *({**body, "stream": True} for body in bodies)]
    assert server.seen[0].headers["authorization"] == "Bearer doc-key-0123"
