"""The official ``openai`` SDK as an independent checker of the openai-responses codec.

For generated IR, the encoded body is handed to ``client.responses.create(**kwargs)`` with a
mock transport; the JSON body the SDK sends must equal ours, byte for byte once parsed.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings

from ir_codec import get_codec
from ir_codec.ir import Request

from .test_codec_openai_responses import ir_requests

openai = pytest.importorskip("openai")

CODEC = get_codec("openai-responses")

_REPLY = {
    "id": "resp_1",
    "object": "response",
    "created_at": 0,
    "model": "gpt-6",
    "output": [],
    "status": "completed",
    "parallel_tool_calls": True,
    "tool_choice": "auto",
    "tools": [],
}


def _sent_body(kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    seen: dict[str, Any] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"] = str(request.url)
        seen["body"] = json.loads(request.content)
        if seen["body"].get("stream"):
            return httpx.Response(200, text="", headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=_REPLY)

    client = openai.OpenAI(api_key="x", http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    out = client.responses.create(**kwargs)
    if kwargs.get("stream"):
        list(out)
    return seen["url"], seen["body"]


@settings(max_examples=150)
@given(ir_requests())
def test_sdk_sends_exactly_our_body(req: Request) -> None:
    body = CODEC.encode(req).body
    url, sent = _sent_body(CODEC.sdk_kwargs(body))
    assert url == "https://api.openai.com/v1/responses"
    assert sent == body


def test_sdk_kwargs_split_typed_and_extra_fields() -> None:
    body = {"model": "gpt-6", "input": "hi", "x_new_field": 1}
    kw = CODEC.sdk_kwargs(body)
    assert kw == {"model": "gpt-6", "input": "hi", "extra_body": {"x_new_field": 1}}
    assert _sent_body(kw)[1] == body


def test_sdk_accepts_30m_and_12h_prompt_cache_ttl() -> None:
    # PROVIDERS.md 5a: the Responses PromptCacheOptions.ttl literal is "30m" | "12h".
    from typing import get_args, get_type_hints

    from openai.types.responses.response_create_params import PromptCacheOptions
    from openai.types.responses.response_input_text_param import PromptCacheBreakpoint

    assert set(get_args(get_type_hints(PromptCacheOptions)["ttl"])) == {"30m", "12h"}
    assert set(get_args(get_type_hints(PromptCacheBreakpoint)["ttl"])) == {"30m", "12h"}
    assert {t.value for t in CODEC.CACHE_TTLS} == {"30m", "12h"}
