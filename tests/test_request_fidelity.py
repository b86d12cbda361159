"""Real request forms in, exact payloads out (issue: real-world fidelity).

Every payload below is written here from the shape the provider documents or is seen to accept
(PROVIDERS.md §13 names each fact); none is copied from elsewhere. Two tables:

- IDENTITY: a payload a provider accepts decodes and re-encodes to exactly itself, with no
  warning (``transpile(p, c, c)``), or to its documented canonical form;
- REFUSED_FORMS: IR that would make the provider refuse the body is repaired or dropped, and the
  warning names the IR path and kind; the body is asserted exactly.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ir_codec import (
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    FileSource,
    Image,
    Message,
    RedactedThinking,
    Refusal,
    Request,
    Text,
    Thinking,
    ToolResult,
    ToolUse,
    UrlSource,
    get_codec,
    transpile,
)
from ir_codec.errors import DecodeError, LossKind
from ir_codec.invariant import check_request

D, C, A, M = LossKind.DROPPED, LossKind.CHANGED, LossKind.APPROXIMATED, LossKind.MOVED

_CC_SCOPE = {"type": "ephemeral", "ttl": "1h", "scope": "global"}
_HI = [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]}]
_DOC = {"format": "pdf", "name": "report", "source": {"bytes": "JVBERi0xLjQ="}}

# (codec, payload): each re-encodes to itself, with no warning
IDENTITY: list[tuple[str, dict[str, Any]]] = [
    # Anthropic: a cache_control with a field newer than our wire types (§13: `scope` seen accepted)
    (
        "anthropic",
        {
            "model": "claude-opus-5",
            "max_tokens": 64,
            "system": [{"type": "text", "text": "You are terse.", "cache_control": _CC_SCOPE}],
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi", "cache_control": _CC_SCOPE}]}],
        },
    ),
    (
        "anthropic",
        {
            "model": "claude-opus-5",
            "max_tokens": 64,
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
            "tools": [{"name": "f", "input_schema": {"type": "object"}, "cache_control": _CC_SCOPE}],
            "cache_control": {"type": "ephemeral", "scope": "global"},
        },
    ),
    (
        "anthropic-bedrock",
        {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 64,
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi", "cache_control": _CC_SCOPE}]}],
        },
    ),
    # Anthropic: bodies written for 2023-06-01 keep their sampling fields (§13)
    (
        "anthropic",
        {
            "model": "claude-opus-5",
            "max_tokens": 64,
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
            "temperature": 0.2,
            "top_k": 5,
        },
    ),
    (
        "anthropic",
        {
            "model": "claude-opus-5",
            "max_tokens": 64,
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
            "top_p": 0.9,
        },
    ),
    # Bedrock Converse: a whitespace-only text places a cachePoint after a document (§13)
    (
        "bedrock-converse",
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"document": _DOC},
                        {"text": "\n"},
                        {"cachePoint": {"type": "default"}},
                        {"text": "Sum?"},
                    ],
                }
            ]
        },
    ),
    ("bedrock-converse", {"messages": [{"role": "user", "content": [{"text": " "}]}]}),
    # OpenAI Chat: max_tokens and max_completion_tokens are different fields (§13)
    ("openai-chat", {"model": "gpt-5", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 50}),
    ("openai-chat", {"model": "gpt-5", "messages": [{"role": "user", "content": "Hi"}], "max_completion_tokens": 50}),
    # both spellings at once (the OpenAI SDK's own create-with-all-params test sends both, equal)
    (
        "openai-chat",
        {
            "model": "gpt-5",
            "messages": [{"role": "user", "content": "Hi"}],
            "max_completion_tokens": 0,
            "max_tokens": 0,
        },
    ),
    (
        "openai-chat",
        {
            "model": "gpt-5",
            "messages": [{"role": "user", "content": "Hi"}],
            "max_completion_tokens": 9,
            "max_tokens": 7,
        },
    ),
    ("openrouter", {"model": "openai/gpt-5", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 50}),
    (
        "openrouter",
        {"model": "openai/gpt-5", "messages": [{"role": "user", "content": "Hi"}], "max_completion_tokens": 50},
    ),
    # OpenRouter: cache_control on an image_url part (§13), and refusal as a message string (§13)
    (
        "openrouter",
        {
            "model": "anthropic/claude-opus-5",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "image_url",
                            "image_url": {"url": "https://example.com/a.png"},
                            "cache_control": {"type": "ephemeral"},
                        },
                        {"type": "text", "text": "What is it?"},
                    ],
                }
            ],
        },
    ),
    (
        "openrouter",
        {
            "model": "openai/gpt-5",
            "messages": [
                {"role": "user", "content": "Help me pick a lock."},
                {"role": "assistant", "content": "I can't.", "refusal": "I can't help with that."},
                {"role": "user", "content": "Ok."},
            ],
        },
    ),
    # OpenRouter has no n: a payload with one keeps it raw (§13)
    ("openrouter", {"model": "openai/gpt-5", "messages": [{"role": "user", "content": "Hi"}], "n": 2}),
    # OpenAI Responses: max_output_tokens below 16 is refused; such a payload stays as it is
    ("openai-responses", {"model": "gpt-5", "input": _HI, "max_output_tokens": 5}),
    ("openai-responses", {"model": "gpt-5", "input": _HI, "max_output_tokens": 16}),
    # Gemini: calls and responses without ids come back without ids (§13)
    (
        "gemini",
        {
            "contents": [
                {"role": "user", "parts": [{"text": "Weather in Paris?"}]},
                {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]},
                {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"temp": 18}}}]},
            ]
        },
    ),
    # ... and explicit ids stay, in calls and in the responses that name them
    (
        "gemini",
        {
            "contents": [
                {"role": "user", "parts": [{"text": "Weather?"}]},
                {"role": "model", "parts": [{"functionCall": {"id": "a1b2", "name": "get_weather", "args": {}}}]},
                {
                    "role": "user",
                    "parts": [{"functionResponse": {"id": "a1b2", "name": "get_weather", "response": {}}}],
                },
            ]
        },
    ),
    # Gemini: a thought with its signature goes back to Gemini unchanged
    (
        "gemini",
        {
            "contents": [
                {"role": "user", "parts": [{"text": "q"}]},
                {
                    "role": "model",
                    "parts": [{"text": "thinking", "thought": True, "thoughtSignature": "c2ln"}, {"text": "a"}],
                },
                {"role": "user", "parts": [{"text": "more"}]},
            ]
        },
    ),
]


IDENTITY += [
    # OpenAI Chat history messages with "name": null (seen from OpenAI-compatible clients)
    (
        "openai-chat",
        {
            "model": "gpt-5",
            "messages": [
                {"role": "user", "content": "q", "name": None},
                {"role": "assistant", "content": "a", "name": None},
                {"role": "user", "content": "x"},
            ],
        },
    ),
]


@pytest.mark.parametrize(("codec", "payload"), IDENTITY, ids=[f"{c}-{i}" for i, (c, _) in enumerate(IDENTITY)])
def test_accepted_payload_re_encodes_to_itself(codec: str, payload: dict[str, Any]) -> None:
    e = transpile(payload, codec, codec, on_lossy="raise")
    assert e.body == payload
    assert json.loads(e.to_json()) == payload
    assert e.warnings == []


@pytest.mark.parametrize("field", ["max_completion_tokens", "max_tokens"])
@pytest.mark.parametrize("count", [0, 64])
def test_both_max_tokens_spellings_with_one_count_both_come_back(field: str, count: int) -> None:
    # An option equal to the IR value means "this spelling" on encode; with both spellings on
    # the wire, the one the IR holds must come back too (it was dropped, without a warning).
    codec = get_codec("openai-chat", max_tokens_field=field)
    payload = {"model": "gpt-5", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": count}
    payload["max_completion_tokens"] = count
    request = codec.decode(payload)
    assert request.max_tokens == count
    e = codec.encode(request)
    assert e.body == payload
    assert e.warnings == []
    assert codec.decode(e.body) == request


_CALL = {"id": "call_1", "type": "function", "function": {"name": "f"}}

# (codec, payload, canonical): accepted forms written in their documented canonical form
CANONICAL: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # Anthropic: a document's title and context are Optional[str] (document_block_param.py); a
    # body sent with them null was refused
    (
        "anthropic",
        {
            "model": "claude-opus-4-6",
            "max_tokens": 64,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "document",
                            "source": {"type": "url", "url": "https://example.com/a.pdf"},
                            "title": None,
                            "context": None,
                        },
                        {"type": "text", "text": "Sum?"},
                    ],
                }
            ],
        },
        {
            "model": "claude-opus-4-6",
            "max_tokens": 64,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}},
                        {"type": "text", "text": "Sum?"},
                    ],
                }
            ],
        },
    ),
    # Chat family: an assistant turn sent back with `tool_calls: null` (mistralai AssistantMessage:
    # tool_calls Nullable; the openai canonicalization "null or [] == absent"): it was refused
    *(
        (
            name,
            {
                "model": "m",
                "messages": [
                    {"role": "user", "content": "q"},
                    {"role": "assistant", "content": "a", "tool_calls": None},
                    {"role": "user", "content": "and?"},
                ],
            },
            {
                "model": "m",
                "messages": [
                    {"role": "user", "content": "q"},
                    {"role": "assistant", "content": "a"},
                    {"role": "user", "content": "and?"},
                ],
            },
        )
        for name in ("openai-chat", "mistral", "openrouter", "deepseek")
    ),
    # Gemini: google-genai's model_dump() writes unset fields as None; canonicalization 12
    (
        "gemini",
        {
            "contents": [
                {"parts": [{"text": "hi", "thought": None, "inline_data": None}], "role": "user"},
                {"parts": [{"function_call": {"name": "f", "args": {"a": None}, "id": None}}], "role": "model"},
            ],
            "system_instruction": None,
            "generation_config": {"temperature": 0.5, "max_output_tokens": None, "thinking_config": None},
            "tools": None,
            "cached_content": None,
        },
        {
            "contents": [
                {"role": "user", "parts": [{"text": "hi"}]},
                {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {"a": None}}}]},
            ],
            "generationConfig": {"temperature": 0.5},
        },
    ),
    # OpenAI-compatible servers omit function.arguments (§13): it reads as {} and is written "{}"
    (
        "openai-chat",
        {
            "model": "m",
            "messages": [
                {"role": "user", "content": "q"},
                {"role": "assistant", "tool_calls": [_CALL]},
                {"role": "tool", "tool_call_id": "call_1", "content": "r"},
            ],
        },
        {
            "model": "m",
            "messages": [
                {"role": "user", "content": "q"},
                {"role": "assistant", "tool_calls": [{**_CALL, "function": {"name": "f", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "r"},
            ],
        },
    ),
    # Gemini: the legacy role "function" (§13); spec/canonicalizations/gemini.md rule 10
    (
        "gemini",
        {
            "contents": [
                {"role": "user", "parts": [{"text": "Weather?"}]},
                {"role": "model", "parts": [{"functionCall": {"name": "w", "args": {}}}]},
                {"role": "function", "parts": [{"functionResponse": {"name": "w", "response": {"t": 1}}}]},
            ]
        },
        {
            "contents": [
                {"role": "user", "parts": [{"text": "Weather?"}]},
                {"role": "model", "parts": [{"functionCall": {"name": "w", "args": {}}}]},
                {"role": "user", "parts": [{"functionResponse": {"name": "w", "response": {"t": 1}}}]},
            ]
        },
    ),
    # Gemini: enum values in lower or mixed case (§13); rule 11
    (
        "gemini",
        {
            "contents": [{"role": "user", "parts": [{"text": "q"}]}],
            "tools": [{"functionDeclarations": [{"name": "w"}]}],
            "toolConfig": {"functionCallingConfig": {"mode": "any"}},
            "generationConfig": {"thinkingConfig": {"thinkingLevel": "High"}},
        },
        {
            "contents": [{"role": "user", "parts": [{"text": "q"}]}],
            "tools": [{"functionDeclarations": [{"name": "w"}]}],
            "toolConfig": {"functionCallingConfig": {"mode": "ANY"}},
            "generationConfig": {"thinkingConfig": {"thinkingLevel": "HIGH"}},
        },
    ),
    (
        "gemini",
        {
            "contents": {"role": "user", "parts": {"text": "q"}},
            "tool_config": {"function_calling_config": {"mode": "none"}},
        },
        {
            "contents": [{"role": "user", "parts": [{"text": "q"}]}],
            "toolConfig": {"functionCallingConfig": {"mode": "NONE"}},
        },
    ),
]


@pytest.mark.parametrize(
    ("codec", "payload", "canonical"), CANONICAL, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(CANONICAL)]
)
def test_accepted_payload_re_encodes_to_its_canonical_form(
    codec: str, payload: dict[str, Any], canonical: dict[str, Any]
) -> None:
    c = get_codec(codec)
    assert c.canonicalize(payload) == canonical
    e = transpile(payload, codec, codec, on_lossy="raise")
    assert e.body == canonical
    assert e.warnings == []


def _user(*parts: Any) -> Message:
    return Message(role="user", content=list(parts))


def _assistant(*parts: Any) -> Message:
    return Message(role="assistant", content=list(parts))


_PDF = Base64Source(media_type="application/pdf", data="JVBERi0xLjQ=")

# (codec, IR, exact body fields to check, warnings as (path, kind))
REFUSED_FORMS: list[tuple[str, Request, dict[str, Any], list[tuple[str, LossKind]]]] = [
    # Anthropic on Bedrock / Vertex: no Files API (§13)
    (
        "anthropic-bedrock",
        Request(model="m", max_tokens=8, messages=[_user(Image(source=FileSource(file_id="file_1")), Text(text="hi"))]),
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]},
        [("messages[0].content[0]", D)],
    ),
    (
        "anthropic-vertex",
        Request(
            model="m", max_tokens=8, messages=[_user(Document(source=FileSource(file_id="file_1")), Text(text="hi"))]
        ),
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]},
        [("messages[0].content[0]", D)],
    ),
    (
        "anthropic",  # the direct API has the Files API: sent
        Request(model="m", max_tokens=8, messages=[_user(Image(source=FileSource(file_id="file_1")))]),
        {
            "messages": [
                {"role": "user", "content": [{"type": "image", "source": {"type": "file", "file_id": "file_1"}}]}
            ]
        },
        [],
    ),
    # OpenAI Chat: no empty content list (§13)
    (
        "openai-chat",
        Request(
            model="m",
            messages=[
                _user(Text(text="q")),
                _assistant(ToolUse(id="c1", name="f", input={})),
                _user(ToolResult(tool_use_id="c1", content=[])),
            ],
        ),
        {
            "messages": [
                {"role": "user", "content": "q"},
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
                },
                {"role": "tool", "tool_call_id": "c1", "content": ""},
            ]
        },
        [("messages[2].content[0].content", C)],
    ),
    (
        "openai-chat",  # a turn whose parts are all dropped is dropped, not sent as {"role": "assistant"}
        Request(model="m", messages=[_user(Text(text="q")), _assistant(Thinking(text="t")), _user(Text(text="x"))]),
        {"messages": [{"role": "user", "content": "q"}, {"role": "user", "content": "x"}]},
        [("messages[1].content[0]", D), ("messages[1]", D)],
    ),
    (
        "openai-chat",
        Request(model="m", messages=[_user(), _user(Text(text="x"))]),
        {"messages": [{"role": "user", "content": "x"}]},
        [("messages[0]", D)],
    ),
    (
        "deepseek",
        Request(model="m", messages=[_user(Image(source=UrlSource(url="https://e.com/a.png"))), _user(Text(text="x"))]),
        {"messages": [{"role": "user", "content": "x"}]},
        [("messages[0].content[0]", D), ("messages[0]", D)],
    ),
    # Gemini: parts [] is refused; a fileUri must be a URI (§13)
    (
        "gemini",
        Request(messages=[_user(Text(text="q")), _assistant(RedactedThinking(data="eA==")), _user(Text(text="y"))]),
        {"contents": [{"role": "user", "parts": [{"text": "q"}]}, {"role": "user", "parts": [{"text": "y"}]}]},
        [("messages[1].content[0]", D), ("messages[1]", D)],
    ),
    (
        "gemini",
        Request(
            messages=[
                _user(Document(source=FileSource(file_id="file-abc", media_type="application/pdf")), Text(text="q"))
            ]
        ),
        {"contents": [{"role": "user", "parts": [{"text": "q"}]}]},
        [("messages[0].content[0]", D)],
    ),
    (
        "gemini",  # a Files API name is sent as it is
        Request(messages=[_user(Document(source=FileSource(file_id="files/abc", media_type="application/pdf")))]),
        {
            "contents": [
                {"role": "user", "parts": [{"fileData": {"fileUri": "files/abc", "mimeType": "application/pdf"}}]}
            ]
        },
        [],
    ),
    # OpenAI Responses: max_output_tokens >= 16 (§13)
    (
        "openai-responses",
        Request(model="m", max_tokens=5, messages=[_user(Text(text="q"))]),
        {"max_output_tokens": 16},
        [("max_tokens", A)],
    ),
    # OpenRouter: no n; a refusal is the message's string field (§13)
    (
        "openrouter",
        Request(model="m", n=2, messages=[_user(Text(text="q")), _assistant(Text(text="a"), Refusal(text="no"))]),
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "refusal": "no"}]},
        [("n", D)],
    ),
    (
        "openrouter",
        Request(model="m", messages=[_user(Text(text="q")), _assistant(Refusal(text="no"), Text(text="a"))]),
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "refusal": "no"}]},
        [("messages[1].content", M)],
    ),
    # Signatures go only where they verify (§13: a Gemini thoughtSignature is no Anthropic signature)
    (
        "anthropic",
        Request(
            model="m",
            max_tokens=8,
            messages=[
                _user(Text(text="q")),
                _assistant(Thinking(text="t", signature="Z2Vt", origin="gemini"), Text(text="a")),
                _user(Text(text="y")),
            ],
        ),
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "q"}]},
                {"role": "assistant", "content": [{"type": "text", "text": "a"}]},
                {"role": "user", "content": [{"type": "text", "text": "y"}]},
            ]
        },
        [("messages[1].content[0].signature", D), ("messages[1].content[0].origin", D), ("messages[1].content[0]", D)],
    ),
    (
        "anthropic",
        Request(
            model="m",
            max_tokens=8,
            messages=[_user(Text(text="q")), _assistant(Thinking(text="t", signature="c2ln", origin="anthropic"))],
        ),
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "q"}]},
                {"role": "assistant", "content": [{"type": "thinking", "thinking": "t", "signature": "c2ln"}]},
            ]
        },
        [],
    ),
    (
        "anthropic",
        Request(
            model="m",
            max_tokens=8,
            messages=[
                _user(Text(text="q")),
                _assistant(RedactedThinking(data="eA==", origin="openai"), Text(text="a")),
            ],
        ),
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "q"}]},
                {"role": "assistant", "content": [{"type": "text", "text": "a"}]},
            ]
        },
        [("messages[1].content[0]", D)],
    ),
    (
        "gemini",
        Request(
            messages=[
                _user(Text(text="q")),
                _assistant(Thinking(text="t", signature="c2ln", origin="anthropic"), Text(text="a")),
            ]
        ),
        {
            "contents": [
                {"role": "user", "parts": [{"text": "q"}]},
                {"role": "model", "parts": [{"text": "t", "thought": True}, {"text": "a"}]},
            ]
        },
        [("messages[1].content[0].signature", D), ("messages[1].content[0].origin", D)],
    ),
    (
        "bedrock-converse",
        Request(
            messages=[
                _user(Text(text="q")),
                _assistant(Thinking(text="t", signature="c2ln", origin="openai"), Text(text="a")),
            ]
        ),
        {
            "messages": [
                {"role": "user", "content": [{"text": "q"}]},
                {
                    "role": "assistant",
                    "content": [{"reasoningContent": {"reasoningText": {"text": "t"}}}, {"text": "a"}],
                },
            ]
        },
        [("messages[1].content[0].signature", D), ("messages[1].content[0].origin", D)],
    ),
]


@pytest.mark.parametrize(
    ("codec", "request_", "body", "warnings"),
    REFUSED_FORMS,
    ids=[f"{c}-{i}" for i, (c, *_) in enumerate(REFUSED_FORMS)],
)
def test_forms_a_provider_refuses_are_never_sent(
    codec: str, request_: Request, body: dict[str, Any], warnings: list[tuple[str, LossKind]]
) -> None:
    e = check_request(get_codec(codec), request_)  # the invariant holds too
    for key, value in body.items():
        assert e.body[key] == value, key
    assert [(w.path, w.kind) for w in e.warnings] == warnings


def test_gemini_refuses_an_empty_turn_on_decode() -> None:
    with pytest.raises(DecodeError) as info:
        get_codec("gemini").decode({"contents": [{"role": "user", "parts": []}]})
    assert info.value.path == "$.contents[0].parts"


def test_anthropic_2023_body_keeps_its_version_and_fields_across_platforms() -> None:
    body = {"model": "m", "max_tokens": 8, "temperature": 0.5, "messages": [{"role": "user", "content": "hi"}]}
    direct = transpile(body, "anthropic", "anthropic")
    assert direct.body["temperature"] == 0.5
    assert direct.endpoint.headers == {"anthropic-version": "2023-06-01"}
    bedrock = transpile(body, "anthropic", "anthropic-bedrock", on_lossy="ignore")
    assert bedrock.body["anthropic_version"] == "bedrock-2023-05-31"
    assert bedrock.body["temperature"] == 0.5
    assert [(w.path, w.kind) for w in bedrock.warnings] == [("provider_options.anthropic.anthropic_version", C)]
    # encoding for the newer version (a request without the hint) still reports the fields
    plain = get_codec("anthropic").encode(
        Request(model="m", max_tokens=8, temperature=0.5, messages=[_user(Text(text="hi"))])
    )
    assert "temperature" not in plain.body
    assert [(w.path, w.kind) for w in plain.warnings] == [("temperature", D)]
    assert plain.endpoint.headers == {"anthropic-version": "2026-10-21"}


def test_marks_with_newer_fields_travel_with_the_mark() -> None:
    # the extra fields belong to the mark: another provider reports them, and a dropped mark
    # takes them along (never a cache_control without its type)
    body = {
        "model": "m",
        "max_tokens": 8,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": _CC_SCOPE}]}],
    }
    request = get_codec("anthropic").decode(body)
    assert request.messages[0].content[0].cache == CacheControl(ttl=CacheTtl.ONE_HOUR)
    e = get_codec("openai-chat").encode(request)
    assert [(w.path, w.kind) for w in e.warnings][-1] == ("messages[0].content[0].provider_options.anthropic", D)
