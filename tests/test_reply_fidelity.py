"""Real replies and streams decode faithfully (issue 10, "Refused real replies and streams").

Each case is a reply or stream payload written here by hand from the documented or observed
shape (the comment names the PROVIDERS.md fact or the SDK type it follows), with the exact IR it
must decode to. A stream case also checks that it assembles to what the equivalent whole reply
decodes to. The usage rules (unreported is ``None``; the overlap rule) are spec/ir.md "Usage".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from ir_codec import get_codec
from ir_codec.ir import Part, Response, Text, Thinking, ToolUse, Usage


@dataclass(frozen=True)
class Case:
    id: str
    codec: str
    payload: Any
    """A whole reply, or for a stream a list of ``[event name or None, data]``."""
    want: Response
    whole: dict[str, Any] | None = None
    """For a stream: the equivalent whole reply (it must decode to ``want`` too)."""
    stream: bool = False
    options: dict[str, Any] = field(default_factory=dict)


def _chat(message: dict[str, Any], finish: str = "stop", **top: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,  # the value encode writes (another is kept raw: tests/test_reply_extras.py)
        "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        **top,
    }


def _chunk(delta: dict[str, Any], finish: str | None = None, **top: Any) -> list[Any]:
    return [
        None,
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **top,
        },
    ]


def _gem(parts: list[dict[str, Any]], finish: str | None = "STOP", **top: Any) -> dict[str, Any]:
    cand: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish is not None:
        cand["finishReason"] = finish
    return {"candidates": [cand], **top}


HI: list[Part] = [Text(text="hi")]

CASES: list[Case] = [
    # -- 1. replies without usage (PROVIDERS.md §13: "OpenAI-compatible servers often omit usage")
    Case(
        "chat-no-usage",
        "openai-chat",
        _chat({"role": "assistant", "content": "hi"}),
        Response(id="chatcmpl-1", model="m", content=HI, stop_reason="end_turn", raw_stop_reason="stop"),
    ),
    Case(
        "chat-usage-null",
        "openai-chat",
        _chat({"role": "assistant", "content": "hi"}, usage=None),
        Response(id="chatcmpl-1", model="m", content=HI, stop_reason="end_turn", raw_stop_reason="stop"),
    ),
    Case(
        "openrouter-no-usage",
        "openrouter",
        _chat({"role": "assistant", "content": "hi"}),
        Response(id="chatcmpl-1", model="m", content=HI, stop_reason="end_turn", raw_stop_reason="stop"),
    ),
    Case(
        "mistral-no-usage",
        "mistral",
        _chat({"role": "assistant", "content": "hi"}),
        Response(id="chatcmpl-1", model="m", content=HI, stop_reason="end_turn", raw_stop_reason="stop"),
    ),
    Case(
        "deepseek-no-usage",
        "deepseek",
        _chat({"role": "assistant", "content": "hi"}),
        Response(id="chatcmpl-1", model="m", content=HI, stop_reason="end_turn", raw_stop_reason="stop"),
    ),
    Case(
        # A Chat stream without stream_options.include_usage has no usage chunk (openai
        # chat_completion_stream_options_param.py); same as the whole reply without usage.
        "chat-stream-no-usage",
        "openai-chat",
        [_chunk({"role": "assistant", "content": "h"}), _chunk({"content": "i"}), _chunk({}, "stop")],
        Response(id="c", model="m", content=HI, stop_reason="end_turn", raw_stop_reason="stop"),
        whole={"id": "c", "model": "m", "choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}]},
        stream=True,
    ),
    Case(
        # Responses object without usage (an OpenAI-compatible server; §13).
        "responses-no-usage",
        "openai-responses",
        {
            "id": "resp_1",
            "object": "response",
            "status": "completed",
            "model": "m",
            "output": [
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "hi", "annotations": []}],
                }
            ],
        },
        Response(id="resp_1", model="m", content=HI, stop_reason="end_turn", raw_stop_reason="completed"),
    ),
    # -- 2. counters not reported are None, never 0
    Case(
        # CompletionUsage without prompt_tokens_details (the O-PC example has only cached_tokens;
        # compatible servers often send the three totals only): no reads or writes reported.
        "chat-usage-totals-only",
        "openai-chat",
        _chat(
            {"role": "assistant", "content": "hi"},
            usage={"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
        ),
        Response(
            id="chatcmpl-1",
            model="m",
            content=HI,
            stop_reason="end_turn",
            raw_stop_reason="stop",
            usage=Usage(uncached_input_tokens=12, output_tokens=3),
        ),
    ),
    Case(
        # A compatible server reporting only completion_tokens: the input is unknown.
        "chat-usage-output-only",
        "openai-chat",
        _chat({"role": "assistant", "content": "hi"}, usage={"completion_tokens": 3}),
        Response(
            id="chatcmpl-1",
            model="m",
            content=HI,
            stop_reason="end_turn",
            raw_stop_reason="stop",
            usage=Usage(output_tokens=3),
        ),
    ),
    Case(
        # ResponseUsage without input_tokens_details (response_usage.py; older servers).
        "responses-usage-no-details",
        "openai-responses",
        {"id": "resp_2", "status": "completed", "output": [], "usage": {"input_tokens": 40, "output_tokens": 7}},
        Response(
            id="resp_2",
            stop_reason="end_turn",
            raw_stop_reason="completed",
            usage=Usage(uncached_input_tokens=40, output_tokens=7),
        ),
    ),
    Case(
        # Bedrock TokenUsage without totalTokens and without cache counters (§13: "a Bedrock
        # usage without totalTokens"; §4c: inputTokens is the uncached input).
        "bedrock-no-total",
        "bedrock-converse",
        {
            "output": {"message": {"role": "assistant", "content": [{"text": "hi"}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 12, "outputTokens": 9},
        },
        Response(
            content=HI,
            stop_reason="end_turn",
            raw_stop_reason="end_turn",
            usage=Usage(uncached_input_tokens=12, output_tokens=9),
        ),
    ),
    Case(
        # Anthropic usage without cache counters (A-SDK usage.py: both Optional[int]).
        "anthropic-no-cache-counters",
        "anthropic",
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude",
            "stop_reason": "end_turn",
            "content": [{"type": "text", "text": "hi"}],
            "usage": {"input_tokens": 5, "output_tokens": 2},
        },
        Response(
            id="msg_1",
            model="claude",
            content=HI,
            stop_reason="end_turn",
            raw_stop_reason="end_turn",
            usage=Usage(uncached_input_tokens=5, output_tokens=2),
        ),
    ),
    # -- 3. overlapping counters (§13: OpenRouter over Gemini, cached and written counts that
    #       overlap and exceed prompt_tokens): reads, then writes, capped; never negative.
    Case(
        "openrouter-gemini-overlap",
        "openrouter",
        _chat(
            {"role": "assistant", "content": "hi"},
            usage={
                "prompt_tokens": 1000,
                "completion_tokens": 20,
                "total_tokens": 1020,
                "prompt_tokens_details": {"cached_tokens": 900, "cache_write_tokens": 600},
            },
        ),
        Response(
            id="chatcmpl-1",
            model="m",
            content=HI,
            stop_reason="end_turn",
            raw_stop_reason="stop",
            usage=Usage(uncached_input_tokens=0, cache_read_tokens=900, cache_write_tokens=100, output_tokens=20),
        ),
    ),
    Case(
        "openrouter-reads-beyond-prompt",
        "openrouter",
        _chat(
            {"role": "assistant", "content": "hi"},
            usage={
                "prompt_tokens": 500,
                "completion_tokens": 1,
                "prompt_tokens_details": {"cached_tokens": 700, "cache_write_tokens": 50},
            },
        ),
        Response(
            id="chatcmpl-1",
            model="m",
            content=HI,
            stop_reason="end_turn",
            raw_stop_reason="stop",
            usage=Usage(uncached_input_tokens=0, cache_read_tokens=500, cache_write_tokens=0, output_tokens=1),
        ),
    ),
    Case(
        # The same rule on Responses (input_tokens includes reads and writes, PROVIDERS.md §6).
        "responses-overlap",
        "openai-responses",
        {
            "id": "r",
            "status": "completed",
            "output": [],
            "usage": {
                "input_tokens": 100,
                "output_tokens": 5,
                "input_tokens_details": {"cached_tokens": 80, "cache_write_tokens": 50},
            },
        },
        Response(
            id="r",
            stop_reason="end_turn",
            raw_stop_reason="completed",
            usage=Usage(uncached_input_tokens=0, cache_read_tokens=80, cache_write_tokens=20, output_tokens=5),
        ),
    ),
    # -- 4. tool call without arguments; "name": null; Responses item without id/status
    Case(
        # §13: "some omit function.arguments of a tool call" -> input {} (re-encodes as "{}").
        "chat-tool-call-no-arguments",
        "openai-chat",
        _chat(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "now"}}],
            },
            "tool_calls",
        ),
        Response(
            id="chatcmpl-1",
            model="m",
            content=[ToolUse(id="call_1", name="now", input={})],
            stop_reason="tool_use",
            raw_stop_reason="tool_calls",
        ),
    ),
    Case(
        "chat-tool-call-arguments-null",
        "mistral",
        _chat(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "abcDEF123", "type": "function", "function": {"name": "now", "arguments": None}}],
            },
            "tool_calls",
        ),
        Response(
            id="chatcmpl-1",
            model="m",
            content=[ToolUse(id="abcDEF123", name="now", input={})],
            stop_reason="tool_use",
            raw_stop_reason="tool_calls",
        ),
    ),
    Case(
        # The streamed form: no delta ever carries "arguments".
        "chat-stream-tool-call-no-arguments",
        "openai-chat",
        [
            _chunk(
                {
                    "role": "assistant",
                    "tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "now"}}],
                }
            ),
            _chunk({}, "tool_calls"),
        ],
        Response(
            id="c",
            model="m",
            content=[ToolUse(id="call_1", name="now", input={})],
            stop_reason="tool_use",
            raw_stop_reason="tool_calls",
        ),
        whole={
            "id": "c",
            "model": "m",
            "choices": [
                {
                    "finish_reason": "tool_calls",
                    "message": {"tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "now"}}]},
                }
            ],
        },
        stream=True,
    ),
    Case(
        # A reply message with "name": null (compatible servers echo the optional field as null).
        "chat-message-name-null",
        "openrouter",
        _chat({"role": "assistant", "content": "hi", "name": None, "refusal": None, "tool_calls": None}),
        Response(id="chatcmpl-1", model="m", content=HI, stop_reason="end_turn", raw_stop_reason="stop"),
    ),
    Case(
        # §13: assistant items without id/status are seen; an output item written that way.
        "responses-message-without-id",
        "openai-responses",
        {
            "id": "r",
            "status": "completed",
            "model": "m",
            "output": [
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "hi", "annotations": []}],
                }
            ],
            "usage": {
                "input_tokens": 3,
                "output_tokens": 1,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens_details": {"reasoning_tokens": 0},
            },
        },
        Response(
            id="r",
            model="m",
            content=HI,
            stop_reason="end_turn",
            raw_stop_reason="completed",
            usage=Usage(uncached_input_tokens=3, cache_read_tokens=0, output_tokens=1, reasoning_tokens=0),
        ),
    ),
    # -- 5. Gemini snake_case (google-genai 3.4.0 model_dump(mode="json"): usage_metadata,
    #       finish_reason, prompt_token_count, function_call, and null for unset fields)
    Case(
        "gemini-snake-case",
        "gemini",
        {
            "sdk_http_response": None,
            "create_time": None,
            "model_version": "gemini-3-flash",
            "response_id": "r9",
            "prompt_feedback": None,
            "automatic_function_calling_history": None,
            "parsed": None,
            "candidates": [
                {
                    "index": 0,
                    "finish_reason": "STOP",
                    "finish_message": None,
                    "safety_ratings": None,
                    "content": {
                        "role": "model",
                        "parts": [
                            {"text": "hi", "thought": None, "function_call": None, "inline_data": None},
                            {
                                "text": None,
                                "function_call": {
                                    "id": None,
                                    "name": "f",
                                    "args": {"a_b": 1},
                                    "partial_args": None,
                                    "will_continue": None,
                                },
                            },
                        ],
                    },
                }
            ],
            "usage_metadata": {
                "prompt_token_count": 10,
                "cached_content_token_count": 4,
                "candidates_token_count": 5,
                "thoughts_token_count": 2,
                "tool_use_prompt_token_count": None,
                "total_token_count": 17,
                "prompt_tokens_details": [{"modality": "TEXT", "token_count": 10}],
            },
        },
        Response(
            id="r9",
            model="gemini-3-flash",
            content=[Text(text="hi"), ToolUse(id="f_0", name="f", input={"a_b": 1})],
            stop_reason="tool_use",
            raw_stop_reason="STOP",
            usage=Usage(uncached_input_tokens=6, cache_read_tokens=4, output_tokens=7, reasoning_tokens=2),
            provider_options={
                "gemini": {
                    "candidate": {"index": 0},
                    "usageMetadata": {
                        "promptTokenCount": 10,
                        "cachedContentTokenCount": 4,
                        "candidatesTokenCount": 5,
                        "thoughtsTokenCount": 2,
                        "totalTokenCount": 17,
                        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}],
                    },
                }
            },
        ),
        whole={
            "modelVersion": "gemini-3-flash",
            "responseId": "r9",
            "candidates": [
                {
                    "index": 0,
                    "finishReason": "STOP",
                    "content": {
                        "role": "model",
                        "parts": [{"text": "hi"}, {"functionCall": {"name": "f", "args": {"a_b": 1}}}],
                    },
                }
            ],
            "usageMetadata": {
                "promptTokenCount": 10,
                "cachedContentTokenCount": 4,
                "candidatesTokenCount": 5,
                "thoughtsTokenCount": 2,
                "totalTokenCount": 17,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}],
            },
        },
    ),
    Case(
        # A prompt blocked, in snake_case (types.GenerateContentResponsePromptFeedback.block_reason).
        "gemini-snake-case-blocked",
        "gemini",
        {
            "candidates": None,
            "prompt_feedback": {"block_reason": "SAFETY", "safety_ratings": None},
            "usage_metadata": {"prompt_token_count": 7, "total_token_count": 7},
        },
        Response(
            stop_reason="content_filter",
            raw_stop_reason="SAFETY",
            usage=Usage(uncached_input_tokens=7, cache_read_tokens=0, output_tokens=0),
            provider_options={
                "gemini": {
                    "promptFeedback": {"blockReason": "SAFETY"},
                    # usageMetadata is not kept raw: the IR usage writes it back as it is
                }
            },
        ),
    ),
    Case(
        # The stream in snake_case: each chunk a model_dump() of a partial response.
        "gemini-snake-case-stream",
        "gemini",
        [
            [
                None,
                {
                    "response_id": "r3",
                    "model_version": "g",
                    "candidates": [
                        {"index": 0, "content": {"role": "model", "parts": [{"text": "h", "thought": None}]}}
                    ],
                },
            ],
            [
                None,
                {
                    "candidates": [
                        {
                            "index": 0,
                            "finish_reason": "MAX_TOKENS",
                            "content": {"role": "model", "parts": [{"text": "i"}]},
                        }
                    ],
                    "usage_metadata": {"prompt_token_count": 3, "candidates_token_count": 2, "total_token_count": 5},
                },
            ],
        ],
        Response(
            id="r3",
            model="g",
            content=HI,
            stop_reason="max_tokens",
            raw_stop_reason="MAX_TOKENS",
            usage=Usage(uncached_input_tokens=3, cache_read_tokens=0, output_tokens=2),
            provider_options={
                "gemini": {
                    "candidate": {"index": 0},
                    # usageMetadata is not kept raw: the IR usage writes it back as it is
                }
            },
        ),
        whole={
            "responseId": "r3",
            "modelVersion": "g",
            "candidates": [
                {"index": 0, "finishReason": "MAX_TOKENS", "content": {"role": "model", "parts": [{"text": "hi"}]}}
            ],
            "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5},
        },
        stream=True,
    ),
    # -- 6. Vertex streams one function call in pieces (types.py FunctionCall.partial_args /
    #       will_continue, PartialArg.json_path / string_value / number_value / will_continue;
    #       §13: "an empty functionCall closing it")
    Case(
        "gemini-partial-args-stream",
        "gemini",
        [
            [
                None,
                {
                    "responseId": "v1",
                    "modelVersion": "gemini-3-pro",
                    **_gem([{"functionCall": {"name": "get_weather", "willContinue": True}}], None),
                },
            ],
            [
                None,
                _gem(
                    [
                        {
                            "functionCall": {
                                "willContinue": True,
                                "partialArgs": [
                                    {"jsonPath": "$.location", "stringValue": "San Fr", "willContinue": True}
                                ],
                            }
                        }
                    ],
                    None,
                ),
            ],
            [
                None,
                _gem(
                    [
                        {
                            "functionCall": {
                                "willContinue": True,
                                "partialArgs": [
                                    {"jsonPath": "$.location", "stringValue": "ancisco"},
                                    {"jsonPath": "$.days", "numberValue": 3},
                                    {"jsonPath": "$.units['metric']", "boolValue": True},
                                    {"jsonPath": "$.hours[1]", "numberValue": 12},
                                ],
                            }
                        }
                    ],
                    None,
                ),
            ],
            [None, _gem([{"functionCall": {}}], None)],
            [
                None,
                {
                    **_gem([], "STOP"),
                    "usageMetadata": {"promptTokenCount": 30, "candidatesTokenCount": 12, "totalTokenCount": 42},
                },
            ],
        ],
        Response(
            id="v1",
            model="gemini-3-pro",
            content=[
                ToolUse(
                    id="get_weather_0",
                    name="get_weather",
                    input={"location": "San Francisco", "days": 3, "units": {"metric": True}, "hours": [None, 12]},
                )
            ],
            stop_reason="tool_use",
            raw_stop_reason="STOP",
            usage=Usage(uncached_input_tokens=30, cache_read_tokens=0, output_tokens=12),
            provider_options={
                "gemini": {
                    "candidate": {"index": 0},
                    # usageMetadata is not kept raw: the IR usage writes it back as it is
                }
            },
        ),
        whole={
            "responseId": "v1",
            "modelVersion": "gemini-3-pro",
            **_gem(
                [
                    {
                        "functionCall": {
                            "name": "get_weather",
                            "args": {
                                "location": "San Francisco",
                                "days": 3,
                                "units": {"metric": True},
                                "hours": [None, 12],
                            },
                        }
                    }
                ]
            ),
            "usageMetadata": {"promptTokenCount": 30, "candidatesTokenCount": 12, "totalTokenCount": 42},
        },
        stream=True,
    ),
    Case(
        # A call still open when the candidate finishes is closed there; text before it stays.
        "gemini-partial-args-closed-by-finish",
        "gemini",
        [
            [
                None,
                _gem(
                    [
                        {"text": "ok"},
                        {
                            "functionCall": {
                                "name": "f",
                                "id": "c1",
                                "willContinue": True,
                                "partialArgs": [{"jsonPath": "$.q", "stringValue": "a"}],
                            }
                        },
                    ],
                    None,
                ),
            ],
            [None, _gem([], "STOP")],
        ],
        Response(
            content=[Text(text="ok"), ToolUse(id="c1", name="f", input={"q": "a"})],
            stop_reason="tool_use",
            raw_stop_reason="STOP",
            provider_options={"gemini": {"candidate": {"index": 0}}},
        ),
        whole=_gem([{"text": "ok"}, {"functionCall": {"name": "f", "id": "c1", "args": {"q": "a"}}}]),
        stream=True,
    ),
    # -- 7. Gemini usage: total = prompt + toolUsePrompt + candidates + thoughts (§7a, §13);
    #       tool-use prompt tokens are input, thoughts output.
    Case(
        "gemini-usage-tool-use-and-thoughts",
        "gemini",
        _gem(
            [{"text": "hi"}],
            usageMetadata={
                "promptTokenCount": 100,
                "cachedContentTokenCount": 60,
                "toolUsePromptTokenCount": 40,
                "candidatesTokenCount": 20,
                "thoughtsTokenCount": 30,
                "totalTokenCount": 190,
            },
        ),
        Response(
            content=HI,
            stop_reason="end_turn",
            raw_stop_reason="STOP",
            usage=Usage(uncached_input_tokens=80, cache_read_tokens=60, output_tokens=50, reasoning_tokens=30),
            provider_options={
                "gemini": {
                    "candidate": {"index": 0},
                    "usageMetadata": {
                        "promptTokenCount": 100,
                        "cachedContentTokenCount": 60,
                        "toolUsePromptTokenCount": 40,
                        "candidatesTokenCount": 20,
                        "thoughtsTokenCount": 30,
                        "totalTokenCount": 190,
                    },
                }
            },
        ),
    ),
    Case(
        # Thinking from Anthropic's stream without usage in message_start (none reported).
        "anthropic-stream-thinking",
        "anthropic",
        [
            [
                "message_start",
                {
                    "type": "message_start",
                    "message": {
                        "id": "msg_2",
                        "type": "message",
                        "role": "assistant",
                        "model": "claude",
                        "content": [],
                        "usage": {"input_tokens": 4, "output_tokens": 1},
                    },
                },
            ],
            [
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "thinking", "thinking": "", "signature": ""},
                },
            ],
            [
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "hm"}},
            ],
            [
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "c2ln"}},
            ],
            ["content_block_stop", {"type": "content_block_stop", "index": 0}],
            [
                "message_delta",
                {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 6}},
            ],
        ],
        Response(
            id="msg_2",
            model="claude",
            content=[Thinking(text="hm", signature="c2ln", origin="anthropic")],
            stop_reason="end_turn",
            raw_stop_reason="end_turn",
            usage=Usage(uncached_input_tokens=4, output_tokens=6),
        ),
        whole={
            "id": "msg_2",
            "type": "message",
            "role": "assistant",
            "model": "claude",
            "stop_reason": "end_turn",
            "content": [{"type": "thinking", "thinking": "hm", "signature": "c2ln"}],
            "usage": {"input_tokens": 4, "output_tokens": 6},
        },
        stream=True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_reply_decodes_exactly(case: Case) -> None:
    codec = get_codec(case.codec, **case.options)
    if case.stream:
        dec = codec.stream_decoder()
        for name, data in case.payload:
            dec.feed(data, name)
        got = dec.finish()
    else:
        got = codec.decode_response(case.payload)
    assert got == case.want
    if case.whole is not None:
        assert codec.decode_response(case.whole) == case.want


def test_at_least_twenty_payloads_across_codecs() -> None:
    assert len(CASES) >= 20
    assert {c.codec for c in CASES} >= {
        "anthropic",
        "bedrock-converse",
        "gemini",
        "openai-chat",
        "openai-responses",
        "openrouter",
        "mistral",
        "deepseek",
    }


def test_usage_totals_follow_the_known_parts() -> None:
    """spec/ir.md "Usage": input_tokens sums the known input buckets; total needs both sides."""
    assert Usage().input_tokens is None and Usage().total_tokens is None
    assert Usage(output_tokens=3).total_tokens is None
    u = Usage(uncached_input_tokens=6, cache_read_tokens=4, output_tokens=7)
    assert (u.input_tokens, u.total_tokens) == (10, 17)


def test_overlap_rule_never_gives_a_negative_bucket() -> None:
    for read in (0, 50, 100, 150):
        for write in (0, 50, 100, 150):
            u = Usage.from_inclusive(100, cache_read_tokens=read, cache_write_tokens=write)
            assert min(u.uncached_input_tokens or 0, u.cache_read_tokens or 0, u.cache_write_tokens or 0) >= 0
            assert u.input_tokens == 100
    assert Usage.from_inclusive(None, cache_read_tokens=5) == Usage(cache_read_tokens=5)
