"""The official google-genai SDK as an independent checker of the gemini codec's wire.

The property (for generated IR, the encoded body parsed into the SDK's own pydantic types and
sent by ``Client.models.generate_content`` over an offline ``httpx.MockTransport`` is our body, up
to the canonicalizations and the base64 alphabet; the codec's own ``sdk_kwargs`` form sends the
same) is ``test_sdk`` of the shared suite (tests/test_conformance.py; the sender is in
tests/conformance/gemini.py). Here: bodies the SDK builds from its own types.
"""

from __future__ import annotations

from typing import Any

import pytest

from ir_codec import get_codec
from ir_codec.invariant import same_json

from .conformance.gemini import sdk_client

pytest.importorskip("google.genai")
types = pytest.importorskip("google.genai.types")

CODEC = get_codec("gemini")


@pytest.fixture(scope="module")
def client() -> Any:
    return sdk_client()[0]


def _last_sent() -> dict[str, Any]:
    return sdk_client()[1].bodies[-1]


def test_sdk_snake_case_thinking_config_is_a_canonicalization(client: Any) -> None:
    """The SDK sends thinkingConfig contents un-camelized (PROVIDERS.md 7a); we read them."""
    config = types.GenerateContentConfig(thinking_config=types.ThinkingConfig(thinking_budget=0, include_thoughts=True))
    client.models.generate_content(model="gemini-test", contents="hi", config=config)
    sent = _last_sent()
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
    sent = _last_sent()
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
    client.models.generate_content(**e.sdk_kwargs(model="gemini-test"))
    assert same_json(_last_sent(), payload)
