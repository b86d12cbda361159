"""The official SDKs as independent checkers of the openai-chat and openrouter wire.

The property (for generated IR, the JSON ``openai.OpenAI().chat.completions.create`` sends over
an ``httpx.MockTransport`` equals our body) is ``test_sdk`` of the shared suite
(tests/test_conformance.py; the sender is in tests/conformance/openai_chat.py). Here: the keyword
split, and OpenRouter bodies against the ``openrouter`` SDK's ``ChatRequest`` component
(dev-only checker; skipped when not installed), which validates rather than sends.
"""

from __future__ import annotations

import typing
from typing import Any

import pytest
from hypothesis import given, settings

from ir_codec import get_codec
from ir_codec.ir import Request

from .conformance.openai_chat import ir_requests

pytest.importorskip("openai")


def test_typed_fields_are_keywords_and_the_rest_extra_body() -> None:
    kw = get_codec("openrouter").sdk_kwargs({"model": "m", "messages": [], "top_k": 3, "provider": {"sort": "price"}})
    assert kw == {"model": "m", "messages": [], "extra_body": {"top_k": 3, "provider": {"sort": "price"}}}


def _openrouter_chat_request() -> Any:
    components = pytest.importorskip("openrouter.components")
    return components.ChatRequest


@settings(max_examples=150)
@given(ir_requests("openrouter"))
def test_openrouter_sdk_accepts_our_body(req: Request) -> None:
    chat_request = _openrouter_chat_request()
    body = get_codec("openrouter").encode(req).body
    # Raw provider_options of the generated IR (x_* names) and opaque parts are ours to pass
    # through; the SDK model is checked on the body without them.
    clean = _without_generated_extras(body)
    parsed = chat_request.model_validate({"model": "m", **clean})
    assert parsed.messages is not None
    # The request model keeps unknown union members open; check each part and tool by its own type.
    from openrouter import components as c

    part_types: dict[str, Any] = {
        "text": c.ChatContentText,
        "image_url": c.ChatContentImage,
        "input_audio": c.ChatContentAudio,
        "file": c.ChatContentFile,
    }
    ttls = set(typing.get_args(typing.get_args(c.AnthropicCacheControlTTL)[0]))
    for m in clean["messages"]:
        for part in m["content"] if isinstance(m.get("content"), list) else []:
            if part["type"] in part_types:
                part_types[part["type"]].model_validate(part)
            if "cache_control" in part:
                assert part["cache_control"].get("ttl", "5m") in ttls
    detail_types: dict[str, Any] = {
        "reasoning.text": c.ReasoningDetailText,
        "reasoning.summary": c.ReasoningDetailSummary,
        "reasoning.encrypted": c.ReasoningDetailEncrypted,
    }
    for m in clean["messages"]:
        for detail in m.get("reasoning_details", []):  # an assistant turn's Thinking / RedactedThinking
            parsed_detail = detail_types[detail["type"]].model_validate(detail)
            assert not parsed_detail.format_ or parsed_detail.format_ in (
                "anthropic-claude-v1",
                "google-gemini-v1",
                "openai-responses-v1",
            )
    for tool in clean.get("tools", []):
        if tool["type"] == "function":
            c.ChatFunctionToolFunction.model_validate(tool)
            assert tool.get("cache_control", {}).get("ttl", "5m") in ttls


def _without_generated_extras(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {
            k: _without_generated_extras(v)
            for k, v in obj.items()
            if not k.startswith("x_") and not (isinstance(v, dict) and str(v.get("type", "")).startswith("x_"))
        }
    if isinstance(obj, list):
        return [
            _without_generated_extras(v)
            for v in obj
            if not (isinstance(v, dict) and (str(v.get("type", "")) in ("input_video", "x_custom", "custom")))
        ]
    return obj


def test_openrouter_refusal_is_the_sdk_assistant_message_field() -> None:
    # ChatFlavor.REFUSAL_FIELD: OR-SDK components/chatassistantmessage.py has `refusal:
    # Nullable[str]` on the assistant message, and no refusal content part
    from openrouter import components as c

    from ir_codec import Message, Refusal, Text

    req = Request(
        model="m",
        messages=[
            Message(role="user", content=[Text(text="q")]),
            Message(role="assistant", content=[Text(text="a"), Refusal(text="no")]),
        ],
    )
    msg = get_codec("openrouter").encode(req).body["messages"][1]
    parsed = c.ChatAssistantMessage.model_validate(msg)
    assert (parsed.content, parsed.refusal) == ("a", "no")
