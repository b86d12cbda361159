"""The pydantic-ai adapter (ir_codec.integrations.pydantic_ai) against the loopback server of
tests/transport/server.py: a real agent runs a tool loop; the server receives exactly the wire
bodies below; the agent gets the replies' text, tool calls and usage back.

Reply shapes: Anthropic SDK ``types/message.py``; openai ``types/chat/chat_completion.py``;
google-genai ``types.GenerateContentResponse`` (REST camelCase), as in tests/responses/.
"""

from __future__ import annotations

import asyncio
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
    ModelRequest,
    ModelResponse,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.usage import RequestUsage, RunUsage

from ir_codec import CacheControl, CacheTtl
from ir_codec.errors import ConfigurationError, LossyEncodeError, LossyEncodeWarning
from ir_codec.integrations.pydantic_ai import IRCodecModel
from ir_codec.transport import AsyncClient
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
    """The LossyEncodeWarning messages of one encode (each call reports them again)."""


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
    ["openai-chat: cache: prompt_cache_options.ttl accepts only 30m on openai-chat; TTL 5m sent as 30m"],
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
    ["gemini: cache: gemini has no automatic prompt caching knob; dropped"],
)


@pytest.mark.parametrize("case", [ANTHROPIC, OPENAI_CHAT, GEMINI], ids=lambda c: c.codec)
def test_tool_loop(server: ProviderServer, case: Loop) -> None:
    server.expect(*(Reply(body=r) for r in case.replies))
    model = IRCodecModel(case.codec, case.model, base_url=server.url, api_key="test", cache=CacheControl())
    agent = _agent(model)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        result = agent.run_sync("Weather in Paris?")
    # the losses, twice (one encode per step); a ResourceWarning for an event loop another test
    # left to the garbage collector may be recorded meanwhile
    losses = [str(w.message) for w in record if not issubclass(w.category, ResourceWarning)]
    assert losses == case.losses * 2
    assert all(issubclass(w.category, LossyEncodeWarning | ResourceWarning) for w in record)

    assert [(s.method, s.path) for s in server.seen] == [("POST", case.path)] * 2
    assert [s.json() for s in server.seen] == case.bodies
    assert result.output == "Sunny in Paris."
    assert result.usage == RunUsage(**{**vars(case.usage), "cost": result.usage.cost})

    messages = result.all_messages()
    call, answer = messages[1], messages[3]
    assert isinstance(call, ModelResponse) and isinstance(answer, ModelResponse)
    [tool_call] = [p for p in call.parts if isinstance(p, ToolCallPart)]
    assert (tool_call.tool_name, tool_call.args, tool_call.tool_call_id) == (
        "get_weather",
        {"city": "Paris"},
        case.call_id,
    )
    assert (call.finish_reason, answer.finish_reason) == ("tool_call", "stop")
    assert call.provider_response_id is not None and call.provider_response_id.endswith("1")
    assert answer.parts == [TextPart(content="Sunny in Paris.", provider_name=model.system)]
    assert (answer.model_name, answer.provider_name, answer.provider_url) == (
        case.model,
        model.system,
        server.url,
    )
    tool_return = messages[2]
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


# ------------------------------------------------------------------ the documented example


def test_spec_example_runs(
    server: ProviderServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "spec" / "integrations.md").read_text()
    [block] = re.findall(r"```python\n(.*?)```", text, re.S)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "doc-key-0123")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    server.expect(*(Reply(body=r) for r in ANTHROPIC.replies))
    exec(compile(block, "spec/integrations.md", "exec"), {})
    assert capsys.readouterr().out == "Sunny in Paris.\n"
    assert [s.json() for s in server.seen] == [
        {**body, "cache_control": {"type": "ephemeral", "ttl": "1h"}} for body in ANTHROPIC.bodies
    ]
    assert server.seen[0].headers["authorization"] == "Bearer doc-key-0123"
