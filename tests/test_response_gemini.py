"""gemini replies and streams: what the fixtures ``tests/responses/gemini/`` decode to, finish
reasons and decode errors.

The fixture usage (the buckets add up to totalTokenCount; no cache writes), stream-equals-whole
(fixtures and random chunkings, also through the IR events alone) and usage round-trip checks run
in the shared suite (tests/test_conformance.py, case in tests/conformance/gemini.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ir_codec import get_codec
from ir_codec.conformance import load_fixture
from ir_codec.errors import DecodeError
from ir_codec.ir import Text, Thinking, ToolUse

CODEC = get_codec("gemini")
ROOT = Path(__file__).resolve().parent / "responses" / "gemini"


def test_whole_response_content_and_stop_reason() -> None:
    resp = CODEC.decode_response(load_fixture(ROOT / "function_call_with_thoughts.json")["response"])
    assert resp.id == "resp-abc-003" and resp.model == "gemini-3-pro"
    assert resp.content == [
        Thinking(text="User wants the weather; call the tool."),
        ToolUse(
            id="get_weather_0",
            name="get_weather",
            input={"city": "Paris"},
            provider_options={"gemini": {"thoughtSignature": "Q2lRQjRJbXVk"}},
        ),
    ]
    assert (resp.stop_reason, resp.raw_stop_reason) == ("tool_use", "STOP")
    assert resp.provider_options["gemini"]["candidate"] == {"index": 0, "safetyRatings": []}


@pytest.mark.parametrize(
    ("finish", "stop"),
    [
        ("STOP", "end_turn"),
        ("MAX_TOKENS", "max_tokens"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("PROHIBITED_CONTENT", "content_filter"),
        ("MALFORMED_FUNCTION_CALL", "error"),
        ("OTHER", "other"),
        ("SOMETHING_NEW", "other"),
    ],
)
def test_finish_reasons(finish: str, stop: str) -> None:
    body = {"candidates": [{"content": {"parts": [{"text": "x"}]}, "finishReason": finish}]}
    resp = CODEC.decode_response(body)
    assert (resp.stop_reason, resp.raw_stop_reason) == (stop, finish)


def test_prompt_blocked() -> None:
    resp = CODEC.decode_response(load_fixture(ROOT / "prompt_blocked.json")["response"])
    assert (resp.stop_reason, resp.raw_stop_reason, resp.content) == ("content_filter", "PROHIBITED_CONTENT", [])


def test_other_candidates_stay_raw() -> None:
    second = {"content": {"parts": [{"text": "b"}]}, "finishReason": "STOP", "index": 1}
    body = {"candidates": [{"content": {"parts": [{"text": "a"}]}, "finishReason": "STOP", "index": 0}, second]}
    resp = CODEC.decode_response(body)
    assert resp.content == [Text(text="a")]
    assert resp.provider_options == {"gemini": {"candidates": [second], "candidate": {"index": 0}}}


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ("[", "$[0]"),
        ([], "$"),
        ({"candidates": {}}, "$.candidates"),
        ({"candidates": [{"content": {"parts": [{"text": 1}]}}]}, "$.candidates[0].content.parts[0].text"),
        ({"usageMetadata": {"promptTokenCount": "9"}}, "$.usageMetadata.promptTokenCount"),
        (
            {"candidates": [{"content": {"parts": [{"functionCall": {"args": {}}}]}}]},
            "$.candidates[0].content.parts[0].functionCall",
        ),
    ],
)
def test_response_decode_errors(payload: Any, path: str) -> None:
    with pytest.raises(DecodeError) as exc:
        CODEC.decode_response(payload)
    assert exc.value.path == path


def test_stream_accepts_sse_text() -> None:
    from ir_codec.stream import parse_sse

    spec = load_fixture(ROOT / "function_calls.stream.json")
    lines = []
    for _, data in spec["events"]:
        lines += [f"data: {json.dumps(data)}", ""]
    dec = CODEC.stream_decoder()
    for name, data in parse_sse(lines):
        dec.feed(data, name)
    resp = dec.finish()
    assert [p.id for p in resp.content if isinstance(p, ToolUse)] == ["get_weather_0", "get_weather_1"]
    assert resp.stop_reason == "tool_use"
