"""The official ``anthropic`` SDK (2.x) as an independent checker of our wire bodies.

For generated IR, the body we encode is handed to ``messages.create`` (typed keyword arguments
plus ``extra_body``, see :meth:`Codec.sdk_kwargs`) of ``Anthropic``, ``AnthropicBedrock`` and
``AnthropicVertex`` with an offline ``httpx2.MockTransport``; the JSON the SDK sends must equal
our body, and Bedrock/Vertex requests must go to the URL the SDK builds from the model.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings

from ir_codec import get_codec
from ir_codec.ir import Request

anthropic = pytest.importorskip("anthropic")
httpx2 = pytest.importorskip("httpx2")

from tests.test_codec_anthropic import ir_requests  # noqa: E402

MODEL = "claude-opus-5"
REPLY = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": MODEL,
    "content": [{"type": "text", "text": "ok"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 1, "output_tokens": 1},
}


class Capture:
    def __init__(self) -> None:
        self.requests: list[Any] = []

    def __call__(self, request: Any) -> Any:
        self.requests.append(request)
        return httpx2.Response(200, json=REPLY)

    def client(self) -> Any:
        return httpx2.Client(transport=httpx2.MockTransport(self))


def _send(codec_name: str, body: dict[str, Any]) -> Any:
    cap = Capture()
    kwargs = get_codec(codec_name).sdk_kwargs(body)
    # Typed stream=True makes the SDK expect an event stream; the body field is the same in extra_body.
    if "stream" in kwargs:
        kwargs.setdefault("extra_body", {})["stream"] = kwargs.pop("stream")
    if codec_name == "anthropic":
        client = anthropic.Anthropic(api_key="x", http_client=cap.client(), max_retries=0)
    elif codec_name == "anthropic-bedrock":
        client = anthropic.AnthropicBedrock(
            api_key="x", aws_region="us-east-1", http_client=cap.client(), max_retries=0
        )
        kwargs["model"] = MODEL
    else:
        client = anthropic.AnthropicVertex(
            region="us-east5", project_id="proj", access_token="t", http_client=cap.client(), max_retries=0
        )
        kwargs["model"] = MODEL
    # an explicit timeout skips the SDK's "use streaming for large max_tokens" guard
    client.messages.create(**kwargs, timeout=30)
    assert len(cap.requests) == 1
    return cap.requests[0]


def _with_required(ir: Request) -> Request:
    # the SDK requires model and max_tokens; the IR may leave them to the caller
    return msgspec.structs.replace(ir, model=ir.model or MODEL, max_tokens=ir.max_tokens or 1024)


@settings(max_examples=150)
@given(ir_requests())
def test_sdk_sends_our_body(ir: Request) -> None:
    ir = _with_required(ir)
    for name in ("anthropic", "anthropic-bedrock", "anthropic-vertex"):
        body = get_codec(name).encode(ir).body
        sent = _send(name, body)
        assert json.loads(sent.content) == body
        if name == "anthropic":
            assert sent.url.path == "/v1/messages"
            assert sent.headers["anthropic-version"] == "2026-10-21"
        elif name == "anthropic-bedrock":
            assert sent.url.path == f"/model/{MODEL}/invoke"
        else:
            specifier = "streamRawPredict" if body.get("stream") else "rawPredict"
            assert sent.url.path.endswith(f"/publishers/anthropic/models/{MODEL}:{specifier}")


def test_sdk_default_body_version_matches_ours() -> None:
    """The SDK fills in anthropic_version itself (setdefault); ours must be what it would send."""
    for name in ("anthropic-bedrock", "anthropic-vertex"):
        body = get_codec(name).decode({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5})
        ours = get_codec(name).encode(body).body
        without = {k: v for k, v in ours.items() if k != "anthropic_version"}
        sent = _send(name, without)
        assert json.loads(sent.content)["anthropic_version"] == ours["anthropic_version"]
