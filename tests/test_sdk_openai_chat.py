"""The official SDKs as independent checkers of the openai-chat and openrouter wire.

For generated IR, the encoded body goes through ``openai.OpenAI().chat.completions.create``
(typed fields as keywords, the rest in ``extra_body``) over an ``httpx.MockTransport``; the
JSON the SDK sends must equal ours. OpenRouter bodies also validate against the ``openrouter``
SDK's ``ChatRequest`` component (dev-only checker; skipped when not installed).
"""

from __future__ import annotations

import json
import typing
from typing import Any

import httpx
import pytest
from hypothesis import given, settings

from ir_codec import get_codec
from ir_codec.ir import Request

from .test_codec_openai_chat import ir_requests

openai = pytest.importorskip("openai")

_COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 0,
    "model": "m",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
}


class _Capture:
    def __init__(self) -> None:
        self.bodies: list[Any] = []
        self.client = openai.OpenAI(
            api_key="x", base_url="https://api.test/v1", http_client=httpx.Client(transport=httpx.MockTransport(self))
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        if self.bodies[-1].get("stream"):
            return httpx.Response(200, text="data: [DONE]\n\n", headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=_COMPLETION)

    def send(self, kwargs: dict[str, Any]) -> Any:
        self.client.chat.completions.create(**kwargs)
        return self.bodies[-1]


CAPTURE = _Capture()


def _sent_by_sdk(name: str, body: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    body = {"model": "m", **body}  # the SDK requires a model; the IR may leave it to the URL
    return body, CAPTURE.send(get_codec(name).sdk_kwargs(body))


@settings(max_examples=150)
@given(ir_requests("openai-chat"))
def test_openai_sdk_sends_our_chat_body(req: Request) -> None:
    body, sent = _sent_by_sdk("openai-chat", get_codec("openai-chat").encode(req).body)
    assert sent == body


@settings(max_examples=150)
@given(ir_requests("openrouter"))
def test_openai_sdk_sends_our_openrouter_body(req: Request) -> None:
    body, sent = _sent_by_sdk("openrouter", get_codec("openrouter").encode(req).body)
    assert sent == body


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
