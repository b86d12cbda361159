"""The official google-genai SDK as an independent checker of the gemini codec's wire.

For generated IR, the encoded body is (1) parsed into the SDK's own pydantic types
(`types.Content`, `types.GenerateContentConfig`, which forbid unknown fields and check every
type), then (2) handed to `Client.models.generate_content`, whose converter
(`models._GenerateContentParameters_to_mldev`) builds the REST body that the SDK sends; that
request is captured offline through an httpx `MockTransport` and must equal our body up to the
codec's canonicalizations (the SDK sends `thinkingConfig` contents in snake_case) and up to the
base64 alphabet (the SDK re-encodes bytes URL-safe; the API accepts both).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from hypothesis import assume, given, settings

from ir_codec import get_codec
from ir_codec import strategies as irs
from ir_codec.invariant import same_json
from ir_codec.ir import Request

from .test_codec_gemini import PROVIDER_PARTS, PROVIDER_TOOLS

genai = pytest.importorskip("google.genai")
types = pytest.importorskip("google.genai.types")

CODEC = get_codec("gemini")
_GEN_TOP = ("systemInstruction", "tools", "toolConfig", "safetySettings", "cachedContent", "labels")


class _Capture:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.urls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        self.urls.append(str(request.url))
        reply = {"candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}]}
        return httpx.Response(200, json=reply)


CAPTURE = _Capture()


@pytest.fixture(scope="module")
def client() -> Any:
    http = httpx.Client(transport=httpx.MockTransport(CAPTURE))
    return genai.Client(api_key="test-key", http_options=types.HttpOptions(httpx_client=http))


def _sdk_args(body: dict[str, Any]) -> tuple[list[Any], Any]:
    """Our body split into the SDK's `contents` and `config`, validated by the SDK's own types."""
    contents = [types.Content.model_validate_json(json.dumps(c)) for c in body["contents"]]
    config = dict(body.get("generationConfig", {}))
    for key in _GEN_TOP:
        if key in body:
            config[key] = body[key]
    sdk_config = types.GenerateContentConfig.model_validate_json(json.dumps(config))
    # automatic function calling (a client-side loop) must not touch the request
    sdk_config.automatic_function_calling = types.AutomaticFunctionCallingConfig(disable=True)
    return contents, sdk_config


def _b64(value: str) -> bytes:
    return base64.b64decode(value.replace("-", "+").replace("_", "/"))


def _bytes_fields(value: Any, key: str = "") -> Any:
    """Compare base64 fields (types.Blob.data, Part.thought_signature) as bytes."""
    if isinstance(value, dict):
        return {k: _bytes_fields(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_bytes_fields(v, key) for v in value]
    if key in ("data", "thoughtSignature") and isinstance(value, str):
        return {"$bytes": _b64(value).hex()}
    if key == "topK" and isinstance(value, float) and value.is_integer():
        return int(value)  # types.GenerationConfig.top_k is a float; the REST proto field is int32
    return value


def _sdk_tool_order(body: dict[str, Any]) -> dict[str, Any]:
    """`_transformers.t_tools` merges every function declaration into one tools entry placed
    after the other tools; we keep IR order in runs (the API takes several entries). Compare
    in the SDK's grouping."""
    if "tools" not in body:
        return body
    decls = [d for t in body["tools"] for d in t.get("functionDeclarations", [])]
    rest = [t for t in body["tools"] if "functionDeclarations" not in t]
    return {**body, "tools": rest + ([{"functionDeclarations": decls}] if decls else [])}


def _requests() -> Any:
    # No gemini provider_options: the SDK types forbid unknown fields (x_... test keys).
    return irs.requests(provider_data={"gemini": PROVIDER_PARTS}, provider_tools={"gemini": PROVIDER_TOOLS})


@settings(max_examples=150)
@given(_requests())
def test_sdk_builds_the_same_body(client: Any, req: Request) -> None:
    body = CODEC.encode(req).body
    # the SDK (like the API) refuses a request without contents: nothing to compare
    assume(body["contents"])
    contents, config = _sdk_args(body)
    before = len(CAPTURE.bodies)
    client.models.generate_content(model="gemini-test", contents=contents, config=config)
    # the codec's own SDK form sends the same request
    kwargs = CODEC.encode(req).sdk_kwargs()
    kwargs["config"]["automaticFunctionCalling"] = {"disable": True}
    client.models.generate_content(model="gemini-test", **kwargs)
    assert same_json(CAPTURE.bodies[-1], CAPTURE.bodies[-2])
    CAPTURE.bodies.pop()
    assert len(CAPTURE.bodies) == before + 1
    assert CAPTURE.urls[-1].endswith("/models/gemini-test:generateContent")
    sent = CODEC.canonicalize(CAPTURE.bodies[-1])
    assert same_json(_bytes_fields(sent), _bytes_fields(_sdk_tool_order(body))), (sent, body)


def test_sdk_snake_case_thinking_config_is_a_canonicalization(client: Any) -> None:
    """The SDK sends thinkingConfig contents un-camelized (PROVIDERS.md 7a); we read them."""
    config = types.GenerateContentConfig(thinking_config=types.ThinkingConfig(thinking_budget=0, include_thoughts=True))
    client.models.generate_content(model="gemini-test", contents="hi", config=config)
    sent = CAPTURE.bodies[-1]
    assert sent["generationConfig"]["thinkingConfig"] == {"thinking_budget": 0, "include_thoughts": True}
    req = CODEC.decode(sent)
    assert req.reasoning is not None and req.reasoning.type == "disabled"
    assert CODEC.encode(req).body["generationConfig"]["thinkingConfig"] == {
        "thinkingBudget": 0,
        "includeThoughts": True,
    }


def test_sdk_function_call_round_trip(client: Any) -> None:
    """A body the SDK builds from its own types decodes and re-encodes to the same wire."""
    contents = [
        types.Content(role="user", parts=[types.Part(text="weather?")]),
        types.Content(role="model", parts=[types.Part(function_call=types.FunctionCall(name="w", args={"c": "P"}))]),
        types.Content(
            role="user",
            parts=[types.Part(function_response=types.FunctionResponse(name="w", response={"output": "sun"}))],
        ),
    ]
    config = types.GenerateContentConfig(
        system_instruction="be brief",
        tools=[
            types.Tool(
                function_declarations=[types.FunctionDeclaration(name="w", parameters_json_schema={"type": "object"})]
            )
        ],
        tool_config=types.ToolConfig(function_calling_config=types.FunctionCallingConfig(mode="ANY")),
        max_output_tokens=50,
    )
    client.models.generate_content(model="gemini-test", contents=contents, config=config)
    sent = CAPTURE.bodies[-1]
    req = CODEC.decode(sent)
    assert [type(p).__name__ for m in req.messages for p in m.content] == ["Text", "ToolUse", "ToolResult"]
    assert same_json(CODEC.encode(req).body, CODEC.canonicalize(sent))


def test_sdk_kwargs_carry_fields_the_sdk_has_no_type_for(client: Any) -> None:
    payload = {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "generationConfig": {"maxOutputTokens": 9, "x_new_knob": 1},
        "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}],
        "x_top": {"a": True},
    }
    e = CODEC.encode(CODEC.decode(payload))
    client.models.generate_content(model="gemini-test", **e.sdk_kwargs())
    assert same_json(CAPTURE.bodies[-1], payload)
