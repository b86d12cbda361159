"""bedrock-converse replies and streams (botocore ``ConverseResponse``, ``TokenUsage``,
``ConverseStreamOutput``): what the fixtures ``tests/responses/bedrock-converse/`` decode to, stop
reasons, stream events and decode errors.

The fixture usage (``inputTokens`` is the uncached input; the buckets add up to ``totalTokens``),
stream-equals-whole (fixtures and random replies) and usage round-trip (whole reply and the
stream's ``metadata`` event) checks run in the shared suite (tests/test_conformance.py, case in
tests/conformance/bedrock_converse.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ir_codec import get_codec
from ir_codec.conformance import load_fixture
from ir_codec.errors import DecodeError
from ir_codec.ir import ReplyError, Text, Thinking, ToolUse
from ir_codec.stream import ReplyOptions, Stop, TextDelta, ToolCallDelta, ToolCallStart

C = get_codec("bedrock-converse")
ROOT = Path(__file__).resolve().parent / "responses" / "bedrock-converse"


def test_thinking_tool_use_response() -> None:
    resp = C.decode_response(load_fixture(ROOT / "thinking_tool_use.json")["response"])
    assert resp.content == [
        Thinking(
            text="The user wants the weather; call get_weather.", signature="EqQBCkYIBxgCKkBsig", origin="anthropic"
        ),
        Text(text="Let me check."),
        ToolUse(id="tooluse_Q1", name="get_weather", input={"city": "Paris"}),
    ]
    assert resp.stop_reason == "tool_use"
    assert resp.provider_options == {
        "bedrock-converse": {"metrics": {"latencyMs": 2210}, "additionalModelResponseFields": {"stop_sequence": None}}
    }


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("end_turn", "end_turn"),
        ("tool_use", "tool_use"),
        ("max_tokens", "max_tokens"),
        ("stop_sequence", "stop_sequence"),
        ("guardrail_intervened", "content_filter"),
        ("content_filtered", "content_filter"),
        ("malformed_model_output", "error"),
        ("malformed_tool_use", "error"),
        ("model_context_window_exceeded", "context_window_exceeded"),
        ("something_new", "other"),
    ],
)
def test_stop_reasons(raw: str, normalized: str) -> None:
    body = {
        "output": {"message": {"role": "assistant", "content": []}},
        "stopReason": raw,
        "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
    }
    resp = C.decode_response(body)
    assert (resp.stop_reason, resp.raw_stop_reason) == (normalized, raw)


def test_stream_events_and_text_form() -> None:
    dec = C.stream_decoder()
    assert dec.feed(b'{"contentBlockDelta": {"delta": {"text": "Hi"}, "contentBlockIndex": 0}}') == [
        TextDelta(index=0, text="Hi")
    ]
    start = {"start": {"toolUse": {"toolUseId": "t1", "name": "f"}}, "contentBlockIndex": 1}
    assert dec.feed(start, "contentBlockStart") == [ToolCallStart(index=1, id="t1", name="f")]
    delta = {"delta": {"toolUse": {"input": "{}"}}, "contentBlockIndex": 1}
    assert dec.feed(delta, "contentBlockDelta") == [ToolCallDelta(index=1, arguments="{}")]


def test_stream_errors() -> None:
    dec = C.stream_decoder()
    # an exception member ends the stream: the error of the Response (tests/test_stream_errors.py)
    error = ReplyError(type="throttlingException", message="slow down")
    stop = Stop(stop_reason="error", raw_stop_reason="throttlingException", error=error)
    assert dec.feed({"throttlingException": {"message": "slow down"}}) == [stop]
    with pytest.raises(DecodeError) as info:
        dec.feed({"contentBlockDelta": {"delta": {"text": "x"}}})
    assert info.value.path == "$.contentBlockDelta.contentBlockIndex"
    with pytest.raises(DecodeError):
        dec.feed({"bogus": {}})


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"output": {"message": {"role": "assistant", "content": []}}, "stopReason": "end_turn"}, "$"),
        (
            {
                "output": {"message": {"role": "assistant", "content": []}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": -1, "outputTokens": 1, "totalTokens": 0},
            },
            "$.usage.inputTokens",
        ),
        (
            {
                "output": {"message": {"role": "assistant", "content": [{"text": 1}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
            },
            "$.output.message.content[0].text",
        ),
        (
            {
                "output": {"message": {"role": "assistant", "content": []}},
                "stopReason": "end_turn",
                "usage": {
                    "inputTokens": 1,
                    "outputTokens": 1,
                    "totalTokens": 12,
                    "cacheWriteInputTokens": 10,
                    "cacheDetails": [{"ttl": "5m", "inputTokens": 3}],
                },
            },
            "$.usage.cacheDetails",
        ),
    ],
)
def test_response_decode_errors(body: dict[str, Any], path: str) -> None:
    with pytest.raises(DecodeError) as info:
        C.decode_response(body)
    assert info.value.path == path


def test_stream_blocks_without_ir_events_are_kept_raw() -> None:
    dec = C.stream_decoder()
    citation: dict[str, Any] = {
        "delta": {"citation": {"title": "doc", "location": {"documentChar": {"start": 0, "end": 4}}}},
        "contentBlockIndex": 0,
    }
    kept = {"bedrock-converse": {"unassembledEvents": [{"contentBlockDelta": citation}]}}
    assert dec.feed({"contentBlockDelta": citation}) == [ReplyOptions(provider_options=kept)]
    dec.feed({"contentBlockDelta": {"delta": {"text": "Paris"}, "contentBlockIndex": 0}})
    resp = dec.finish()
    assert resp.content == [Text(text="Paris")]
    assert resp.provider_options == {"bedrock-converse": {"unassembledEvents": [{"contentBlockDelta": citation}]}}
