"""The gemini codec: table tests, canonicalizations, DecodeErrors. The invariant properties (also
on generated payloads in every accepted spelling), documented payloads, replies and the SDK check
run in the shared suite (tests/test_conformance.py, case in tests/conformance/gemini.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ir_codec import get_codec
from ir_codec.errors import DecodeError, LossKind
from ir_codec.invariant import check_request, check_wire, same_json
from ir_codec.ir import (
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    FileSource,
    Image,
    Json,
    Message,
    ProviderPart,
    ProviderTool,
    ReasoningConfig,
    RedactedThinking,
    Refusal,
    Request,
    ResponseFormat,
    SystemBlock,
    Text,
    Thinking,
    Tool,
    ToolChoice,
    ToolResult,
    ToolUse,
    UrlSource,
)

CODEC = get_codec("gemini")


# ---------------------------------------------------------------------------------------------
# Table tests: IR -> wire with exact warnings


def _enc(req: Request) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    e = check_request(CODEC, req)
    return e.body, [(w.path, w.reason) for w in e.warnings]


def _user(*parts: Any) -> Message:
    return Message(role="user", content=list(parts))


def _paths(req: Request) -> list[str]:
    return [p for p, _ in _enc(req)[1]]


def _losses(req: Request) -> list[tuple[str, LossKind]]:
    """(path, kind) of every loss of an encode that passes properties 1-3."""
    return [(w.path, w.kind) for w in check_request(CODEC, req).warnings]


D, C = LossKind.DROPPED, LossKind.CHANGED


def test_basic_request_has_no_warnings() -> None:
    body, warnings = _enc(
        Request(
            system=[SystemBlock(text="Be terse.")],
            messages=[_user(Text(text="Hi"))],
            max_tokens=64,
            temperature=0.2,
            top_p=0.9,
            top_k=40,
            stop=["END"],
            seed=7,
            n=2,
        )
    )
    assert warnings == []
    assert body == {
        "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
        "systemInstruction": {"parts": [{"text": "Be terse."}]},
        "generationConfig": {
            "maxOutputTokens": 64,
            "temperature": 0.2,
            "topP": 0.9,
            "topK": 40,
            "stopSequences": ["END"],
            "seed": 7,
            "candidateCount": 2,
        },
    }


@pytest.mark.parametrize(
    ("req", "losses"),
    [
        (Request(model="gemini-3-pro", messages=[]), []),  # model and stream are in the URL
        (Request(stream=True), []),
        (
            Request(user="u1", metadata={"a": "b"}, cache_key="k", parallel_tool_calls=True),
            [("parallel_tool_calls", D), ("user", D), ("metadata", D), ("cache_key", D)],
        ),
        (
            Request(
                messages=[
                    Message(role="user", content=[Text(text="q")]),
                    Message(role="system", content=[Text(text="mid")]),
                ]
            ),
            [("messages[1].role", C)],  # instructions in the middle go in as a user turn
        ),
        (  # a leading one is the systemInstruction
            Request(messages=[Message(role="system", content=[Text(text="first")])]),
            [("system", C), ("messages[0]", LossKind.MOVED)],
        ),
        (  # beside cachedContent, which holds the system prompt, it stays a user turn
            Request(
                messages=[Message(role="system", content=[Text(text="first")])],
                provider_options={"gemini": {"cachedContent": "cachedContents/abc"}},
            ),
            [("messages[0].role", C)],
        ),
        (
            Request(messages=[Message(role="assistant", content=[RedactedThinking(data="x")])]),
            [("messages[0].content[0]", D), ("messages[0]", D)],  # then parts: [] (refused)
        ),
        (
            Request(messages=[Message(role="assistant", content=[Refusal(text="no")])]),
            [("messages[0].content[0]", C)],
        ),
        (Request(messages=[_user(Json(value={"a": 1}))]), [("messages[0].content[0]", C)]),
        (
            Request(messages=[_user(ProviderPart(codec="x-foreign", data={"a": 1}))]),
            [("messages[0].content[0]", D), ("messages[0]", D)],
        ),
        (
            Request(messages=[_user(Image(source=UrlSource(url="https://e.com/a")))]),
            [("messages[0].content[0]", C)],
        ),
        (
            Request(
                messages=[
                    _user(
                        Document(
                            source=FileSource(file_id="files/a", media_type="application/pdf"),
                            name="a",
                            context="c",
                            citations=True,
                        )
                    )
                ]
            ),
            [
                ("messages[0].content[0].name", D),
                ("messages[0].content[0].context", D),
                ("messages[0].content[0].citations", D),
            ],
        ),
        (Request(tools=[Tool(name="f", strict=True)]), [("tools[0].strict", D)]),
        (Request(tools=[ProviderTool(codec="x-foreign", data={"type": "x"})]), [("tools[0]", D)]),
        (Request(reasoning=ReasoningConfig(type="enabled")), [("reasoning", D)]),
        (
            Request(reasoning=ReasoningConfig(type="enabled", budget_tokens=99), reasoning_effort="low"),
            [("reasoning", D)],
        ),
        (Request(reasoning_effort="none"), [("reasoning_effort", D)]),
        (
            Request(
                response_format=ResponseFormat(type="json_schema", schema={"type": "object"}, name="n", strict=True)
            ),
            [("response_format.name", D), ("response_format.strict", D)],
        ),
        (Request(response_format=ResponseFormat(type="json_schema")), [("response_format", C)]),
        (Request(tool_choice=ToolChoice(mode="tool")), [("tool_choice", C)]),
        (
            Request(messages=[_user(Text(text="a", provider_options={"openai-chat": {"x": 1}}))]),
            [("messages[0].content[0].provider_options.openai-chat", D)],
        ),
    ],
)
def test_losses(req: Request, losses: list[tuple[str, LossKind]]) -> None:
    assert _losses(req) == losses


def test_losses_next_to_dropped_items_name_the_callers_paths() -> None:
    """Items dropped before lowering shift nothing (spec/losses.md): each loss after them names
    the caller's item, with its kind; a neighbour that only moved up is not reported."""
    req = Request(
        messages=[
            _user(Text(text="q")),
            Message(
                role="assistant",
                content=[
                    RedactedThinking(data="abc"),
                    Refusal(text="no"),
                    ProviderPart(codec="anthropic", data={"type": "server_tool_use"}),
                    Text(text="t", cache=CacheControl()),
                ],
            ),
        ],
        tools=[ProviderTool(codec="anthropic", data={"type": "web_search"}), Tool(name="f", strict=True)],
    )
    assert _losses(req) == [
        ("messages[1].content[0]", D),
        ("messages[1].content[2]", D),
        ("tools[0]", D),
        ("messages[1].content[3].cache", D),
        ("messages[1].content[1]", C),
        ("tools[1].strict", D),
    ]


def test_losses_inside_a_tool_result_after_a_dropped_part_name_the_callers_paths() -> None:
    req = Request(
        messages=[
            Message(role="assistant", content=[ToolUse(id="c", name="f", input={})]),
            _user(
                ProviderPart(codec="anthropic", data={"type": "x"}),
                ToolResult(
                    tool_use_id="c",
                    content=[
                        ProviderPart(codec="gemini", data={"executableCode": {"code": "1"}}),
                        Text(text="a", cache=CacheControl(), provider_options={"openai-chat": {"x": 1}}),
                    ],
                ),
            ),
        ]
    )
    body, _ = _enc(req)
    assert body["contents"][1]["parts"] == [{"functionResponse": {"id": "c", "name": "f", "response": {"output": "a"}}}]
    assert _losses(req) == [
        ("messages[1].content[0]", D),
        ("messages[1].content[1].content[0]", D),
        ("messages[1].content[1].content[1].cache", D),
        ("messages[1].content[1].content[1].provider_options.openai-chat", D),
    ]


def test_raw_options_fill_only_what_the_ir_does_not_write() -> None:
    """One options rule (lowering.merge_options, deep): a raw field fills what the IR did not
    write, member by member inside objects; one the IR wrote, one decode would lift (``tools``)
    or a payload field that would change the part's kind is not sent."""
    image = Image(
        source=Base64Source(media_type="image/png", data="AAEC"),
        provider_options={"gemini": {"inlineData": {"displayName": "cat", "data": "X"}, "functionCall": {"name": "f"}}},
    )
    options = {"generationConfig": {"temperature": 1, "presencePenalty": 0.5}, "tools": [{"googleSearch": {}}]}
    req = Request(temperature=0.5, messages=[_user(image)], provider_options={"gemini": options})
    body, _ = _enc(req)
    assert body["contents"][0]["parts"] == [
        {"inlineData": {"mimeType": "image/png", "data": "AAEC", "displayName": "cat"}}
    ]
    assert body["generationConfig"] == {"temperature": 0.5, "presencePenalty": 0.5}
    assert "tools" not in body
    assert _losses(req) == [
        ("messages[0].content[0].provider_options.gemini.inlineData.data", D),
        ("messages[0].content[0].provider_options.gemini.functionCall", D),
        ("provider_options.gemini.generationConfig.temperature", D),
        ("provider_options.gemini.tools", D),
    ]


def test_cache_marks_are_reported_lost() -> None:
    req = Request(
        system=[SystemBlock(text="s", cache=CacheControl(ttl=CacheTtl.ONE_HOUR))],
        tools=[Tool(name="f", cache=CacheControl())],
        messages=[_user(Text(text="a", cache=CacheControl()))],
        cache=CacheControl(),
    )
    body, warnings = _enc(req)
    marks = ["tools[0].cache", "system[0].cache", "messages[0].content[0].cache", "cache"]
    assert _losses(req) == [(path, D) for path in marks]
    assert all("cannot express inline cache marks" in r or "no automatic" in r for _, r in warnings)
    assert "cache" not in str(body)


def test_cached_content_reference_drops_what_gemini_rejects_beside_it() -> None:
    req = Request(
        system=[SystemBlock(text="s")],
        tools=[Tool(name="f")],
        tool_choice=ToolChoice(mode="auto"),
        messages=[_user(Text(text="q"))],
        provider_options={"gemini": {"cachedContent": "cachedContents/abc"}},
    )
    body, warnings = _enc(req)
    assert body == {"contents": [{"role": "user", "parts": [{"text": "q"}]}], "cachedContent": "cachedContents/abc"}
    assert _losses(req) == [("system", D), ("tools", D), ("tool_choice", D)]
    with pytest.raises(DecodeError) as exc:
        CODEC.decode({**body, "systemInstruction": {"parts": [{"text": "s"}]}})
    assert exc.value.path == "$.systemInstruction"


def test_tool_exchange_keeps_ids_names_and_signatures() -> None:
    req = Request(
        tools=[
            Tool(
                name="get_weather",
                description="w",
                input_schema={"type": "object", "properties": {"c": {"type": "string"}}},
            )
        ],
        tool_choice=ToolChoice(mode="tool", name="get_weather"),
        messages=[
            _user(Text(text="Weather?")),
            Message(
                role="assistant",
                content=[
                    Thinking(text="think", signature="c2ln", origin="gemini"),
                    ToolUse(
                        id="call_1",
                        name="get_weather",
                        input={"c": "Paris"},
                        provider_options={"gemini": {"thoughtSignature": "c2lnMg=="}},
                    ),
                ],
            ),
            _user(
                ToolResult(tool_use_id="call_1", content=[Text(text="sunny")]),
                ToolResult(tool_use_id="call_1", content=[Json(value={"t": 20})], is_error=False),
            ),
        ],
    )
    body, warnings = _enc(req)
    assert warnings == []
    assert body["contents"][1] == {
        "role": "model",
        "parts": [
            {"text": "think", "thought": True, "thoughtSignature": "c2ln"},
            {
                "functionCall": {"id": "call_1", "name": "get_weather", "args": {"c": "Paris"}},
                "thoughtSignature": "c2lnMg==",
            },
        ],
    }
    assert body["contents"][2]["parts"] == [
        {"functionResponse": {"id": "call_1", "name": "get_weather", "response": {"output": "sunny"}}},
        {"functionResponse": {"id": "call_1", "name": "get_weather", "response": {"t": 20}}},
    ]
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}}
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "w",
                    "parametersJsonSchema": {"type": "object", "properties": {"c": {"type": "string"}}},
                }
            ]
        }
    ]


@pytest.mark.parametrize(
    ("content", "is_error", "response", "warned"),
    [
        ([], False, {}, False),
        ([], True, {"error": None}, False),
        ([Text(text="boom")], True, {"error": "boom"}, False),
        ([Json(value={"code": 3})], True, {"error": {"code": 3}}, False),
        ([Json(value={"output": "x"})], False, {"output": {"output": "x"}}, True),
        ([Json(value=5)], False, {"output": 5}, True),
        ([Text(text="a"), Text(text="b")], False, {"output": ["a", "b"]}, True),
    ],
)
def test_tool_result_response_wrapping(
    content: list[Any], is_error: bool, response: dict[str, Any], warned: bool
) -> None:
    req = Request(
        messages=[
            Message(role="assistant", content=[ToolUse(id="c", name="f", input={})]),
            _user(ToolResult(tool_use_id="c", content=content, is_error=is_error)),
        ]
    )
    body, warnings = _enc(req)
    assert body["contents"][1]["parts"][0]["functionResponse"]["response"] == response
    assert _losses(req) == ([("messages[1].content[0].content", C)] if warned else [])


def test_tool_result_media_goes_in_function_response_parts() -> None:
    img = Image(source=Base64Source(media_type="image/png", data="AAEC"))
    req = Request(
        messages=[
            Message(role="assistant", content=[ToolUse(id="c", name="f", input={})]),
            _user(ToolResult(tool_use_id="c", content=[Text(text="see"), img])),
        ]
    )
    body, warnings = _enc(req)
    assert warnings == []
    assert body["contents"][1]["parts"][0]["functionResponse"] == {
        "id": "c",
        "name": "f",
        "response": {"output": "see"},
        "parts": [{"inlineData": {"mimeType": "image/png", "data": "AAEC"}}],
    }


@pytest.mark.parametrize(
    ("source", "wire"),
    [
        (
            FileSource(file_id="https://generativelanguage.googleapis.com/v1beta/files/a", media_type="image/png"),
            {
                "fileData": {
                    "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/a",
                    "mimeType": "image/png",
                }
            },
        ),
        (
            UrlSource(url="gs://b/cat.png", media_type="image/png"),
            {"fileData": {"fileUri": "gs://b/cat.png", "mimeType": "image/png"}},
        ),
        (Base64Source(media_type="image/png", data="AAEC"), {"inlineData": {"mimeType": "image/png", "data": "AAEC"}}),
    ],
)
def test_image_sources(source: Any, wire: dict[str, Any]) -> None:
    body, warnings = _enc(Request(messages=[_user(Image(source=source))]))
    assert warnings == []
    assert body["contents"][0]["parts"] == [wire]


@pytest.mark.parametrize(
    ("reasoning", "effort", "thinking"),
    [
        (ReasoningConfig(type="enabled", budget_tokens=2048), None, {"thinkingBudget": 2048}),
        (ReasoningConfig(type="disabled"), None, {"thinkingBudget": 0}),
        (ReasoningConfig(type="adaptive"), None, {"thinkingBudget": -1}),
        (None, "high", {"thinkingLevel": "HIGH"}),
        (None, "minimal", {"thinkingLevel": "MINIMAL"}),
    ],
)
def test_thinking_config(reasoning: Any, effort: Any, thinking: dict[str, Any]) -> None:
    body, warnings = _enc(Request(reasoning=reasoning, reasoning_effort=effort))
    assert warnings == []
    assert body["generationConfig"] == {"thinkingConfig": thinking}


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        (ToolChoice(mode="auto"), {"mode": "AUTO"}),
        (ToolChoice(mode="required"), {"mode": "ANY"}),
        (ToolChoice(mode="none"), {"mode": "NONE"}),
        (ToolChoice(mode="tool", name="f"), {"mode": "ANY", "allowedFunctionNames": ["f"]}),
    ],
)
def test_tool_choice(choice: ToolChoice, wire: dict[str, Any]) -> None:
    body, warnings = _enc(Request(tools=[Tool(name="f")], tool_choice=choice))
    assert warnings == []
    assert body["toolConfig"] == {"functionCallingConfig": wire}


@pytest.mark.parametrize(
    ("fmt", "gen"),
    [
        (ResponseFormat(type="text"), {"responseMimeType": "text/plain"}),
        (ResponseFormat(type="json_object"), {"responseMimeType": "application/json"}),
        (
            ResponseFormat(type="json_schema", schema={"type": "object"}),
            {"responseMimeType": "application/json", "responseJsonSchema": {"type": "object"}},
        ),
    ],
)
def test_response_format(fmt: ResponseFormat, gen: dict[str, Any]) -> None:
    body, warnings = _enc(Request(response_format=fmt))
    assert warnings == []
    assert body["generationConfig"] == gen


def test_tools_keep_their_order_around_hosted_tools() -> None:
    body, warnings = _enc(
        Request(
            tools=[
                Tool(name="a"),
                ProviderTool(codec="gemini", data={"googleSearch": {}}),
                Tool(name="b"),
                Tool(name="c"),
            ]
        )
    )
    assert warnings == []
    assert body["tools"] == [
        {"functionDeclarations": [{"name": "a"}]},
        {"googleSearch": {}},
        {"functionDeclarations": [{"name": "b"}, {"name": "c"}]},
    ]


# ---------------------------------------------------------------------------------------------
# Table tests: wire -> IR (decode rules and canonicalizations)


def test_ids_are_derived_and_results_paired_by_name_and_order() -> None:
    payload = {
        "contents": [
            {
                "role": "model",
                "parts": [
                    {"functionCall": {"name": "f", "args": {}}},
                    {"functionCall": {"name": "f"}},
                    {"functionCall": {"name": "g", "id": "x"}},
                ],
            },
            {
                "parts": [
                    {"functionResponse": {"name": "f", "response": {"output": "1"}}},
                    {"functionResponse": {"name": "g", "response": {}}},
                    {"functionResponse": {"name": "f", "response": {"output": "2"}}},
                    {"functionResponse": {"name": "h", "response": {}}},
                ]
            },
        ]
    }
    req = CODEC.decode(payload)
    uses = [p.id for p in req.messages[0].content if isinstance(p, ToolUse)]
    results = [p.tool_use_id for p in req.messages[1].content if isinstance(p, ToolResult)]
    assert uses == ["f_0", "f_1", "x"]
    assert results == ["f_0", "x", "f_1", "h_result_0"]
    assert req.messages[1].role == "user"
    check_wire(CODEC, payload)
    body = CODEC.encode(req).body
    # derived ids are not written (PROVIDERS.md §13); the result answering the explicit call "x"
    # names it (spec/canonicalizations/gemini.md, rule 6)
    assert [p["functionCall"].get("id") for p in body["contents"][0]["parts"]] == [None, None, "x"]
    assert [p["functionResponse"].get("id") for p in body["contents"][1]["parts"]] == [None, "x", None, None]
    assert CODEC.decode(body) == req


def test_snake_case_and_single_objects_decode_like_camel_case() -> None:
    snake = {
        "system_instruction": {"parts": {"text": "s"}},
        "contents": {"role": "user", "parts": {"inline_data": {"mime_type": "image/png", "data": "AAEC"}}},
        "generation_config": {
            "max_output_tokens": 5,
            "thinking_config": {"thinking_budget": 0, "include_thoughts": True},
        },
        "safety_settings": [],
    }
    camel = {
        "systemInstruction": {"parts": [{"text": "s"}]},
        "contents": [{"role": "user", "parts": [{"inlineData": {"mimeType": "image/png", "data": "AAEC"}}]}],
        "generationConfig": {"maxOutputTokens": 5, "thinkingConfig": {"thinkingBudget": 0, "includeThoughts": True}},
        "safetySettings": [],
    }
    assert CODEC.decode(snake) == CODEC.decode(camel)
    assert same_json(CODEC.canonicalize(snake), camel)
    req = CODEC.decode(snake)
    assert req.reasoning == ReasoningConfig(type="disabled")
    assert req.provider_options == {
        "gemini": {"safetySettings": [], "generationConfig": {"thinkingConfig": {"includeThoughts": True}}}
    }


def test_unknown_fields_are_kept_where_they_appear() -> None:
    payload = {
        "contents": [
            {
                "role": "user",
                "x_c": 1,
                "parts": [{"text": "a", "x_p": 2}, {"inlineData": {"mimeType": "image/png", "data": "AA==", "x_i": 3}}],
            }
        ],
        "generationConfig": {"x_g": 4, "temperature": 1},
        "labels": {"k": "v"},
    }
    req = CODEC.decode(payload)
    m = req.messages[0]
    assert m.provider_options == {"gemini": {"x_c": 1}}
    assert m.content[0].provider_options == {"gemini": {"x_p": 2}}  # type: ignore[union-attr]
    assert m.content[1].provider_options == {"gemini": {"inlineData": {"x_i": 3}}}  # type: ignore[union-attr]
    # an integer temperature stays raw so that the payload round-trips byte for byte
    assert req.temperature is None
    assert req.provider_options == {"gemini": {"labels": {"k": "v"}, "generationConfig": {"x_g": 4, "temperature": 1}}}
    check_wire(CODEC, payload)


def test_parts_lift_by_kind() -> None:
    payload = {
        "contents": [
            {
                "role": "model",
                "parts": [
                    {"text": "t", "thought": True, "thoughtSignature": "sig"},
                    {"fileData": {"fileUri": "files/abc", "mimeType": "application/pdf"}},
                    {"fileData": {"fileUri": "gs://b/a.wav", "mimeType": "audio/wav"}},
                    {"executableCode": {"language": "PYTHON", "code": "1"}},
                ],
            }
        ]
    }
    parts = CODEC.decode(payload).messages[0].content
    assert parts[0] == Thinking(text="t", signature="sig", origin="gemini")
    assert isinstance(parts[1], Document) and parts[1].source == FileSource(
        file_id="files/abc", media_type="application/pdf"
    )
    assert type(parts[2]).__name__ == "Audio"
    assert parts[3] == ProviderPart(codec="gemini", data={"executableCode": {"language": "PYTHON", "code": "1"}})


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ("{", "$"),
        ({"contents": 3}, "$.contents"),
        ({"contents": [{"role": "system", "parts": []}]}, "$.contents[0].role"),
        ({"contents": [{"parts": [{"inlineData": {"mimeType": "image/png"}}]}]}, "$.contents[0].parts[0].inlineData"),
        ({"contents": [{"parts": [{"functionCall": {"args": {}}}]}]}, "$.contents[0].parts[0].functionCall"),
        ({"contents": [{"parts": [{"text": 5}]}]}, "$.contents[0].parts[0].text"),
        ({"contents": [{"parts": "hi"}]}, "$.contents[0].parts"),
        ({"generationConfig": {"maxOutputTokens": "x"}}, "$.generationConfig.maxOutputTokens"),
        ({"generationConfig": {"max_output_tokens": 1, "maxOutputTokens": 1}}, "$.generationConfig.maxOutputTokens"),
        (
            {"systemInstruction": {"parts": [{"inlineData": {"mimeType": "a", "data": "b"}}]}},
            "$.systemInstruction.parts[0]",
        ),
        (
            {"tools": [{"functionDeclarations": [{"name": "f", "parametersJsonSchema": 3}]}]},
            "$.tools[0].functionDeclarations[0].parametersJsonSchema",
        ),
        ({"toolConfig": {"functionCallingConfig": {"mode": "SOMETIMES"}}}, "$.toolConfig.functionCallingConfig.mode"),
        ({"cachedContent": "cachedContents/a", "tools": []}, "$.tools"),
    ],
)
def test_decode_errors_name_the_json_path(payload: Any, path: str) -> None:
    with pytest.raises(DecodeError) as exc:
        CODEC.decode(payload)
    assert exc.value.path == path


def test_canonicalizations_are_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "spec" / "canonicalizations" / "gemini.md").read_text()
    section = doc.split("## Decode rules")[0]
    numbered = re.findall(r"^\d+\. \*\*", section, flags=re.M)
    assert len(numbered) == len(CODEC.CANONICALIZATIONS) >= 8


def test_transpiled_tool_ids_pair_calls_and_results() -> None:
    """Derived ids survive a transpile: every result names the call it answers."""
    from ir_codec import transpile

    payload = {
        "contents": [
            {"role": "user", "parts": [{"text": "Paris and Rome?"}]},
            {
                "role": "model",
                "parts": [
                    {"functionCall": {"name": "w", "args": {"c": "P"}}},
                    {"functionCall": {"name": "w", "args": {"c": "R"}}},
                ],
            },
            {
                "role": "user",
                "parts": [
                    {"functionResponse": {"name": "w", "response": {"output": "18C"}}},
                    {"functionResponse": {"name": "w", "response": {"output": "22C"}}},
                ],
            },
        ]
    }
    # Anthropic requires max_tokens, which this Gemini body does not set: the codec option supplies it
    body = transpile(
        payload, read="gemini", write="anthropic", on_lossy="ignore", write_options={"default_max_tokens": 1024}
    ).body
    uses = [b["id"] for m in body["messages"] for b in m["content"] if b.get("type") == "tool_use"]
    results = [b["tool_use_id"] for m in body["messages"] for b in m["content"] if b.get("type") == "tool_result"]
    assert uses == results == ["w_0", "w_1"]
    back = transpile(body, read="anthropic", write="gemini", on_lossy="ignore").body
    assert same_json(back, CODEC.canonicalize({**payload, "generationConfig": {"maxOutputTokens": 1024}}))


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        (
            {
                "tools": [
                    {"googleSearch": {}},
                    {"functionDeclarations": [{"name": "f", "parameters": {}, "parametersJsonSchema": {}}]},
                ]
            },
            "$.tools[1].functionDeclarations[0].parameters",
        ),
        (
            {"contents": [{"parts": [{"text": "a"}, {"functionResponse": {"name": "f", "parts": [{"text": "x"}]}}]}]},
            "$.contents[0].parts[1].functionResponse.parts[0]",
        ),
    ],
)
def test_nested_decode_errors_name_the_json_path(payload: Any, path: str) -> None:
    with pytest.raises(DecodeError) as exc:
        CODEC.decode(payload)
    assert exc.value.path == path


def test_a_leading_system_turn_with_fields_of_its_own_stays_a_turn() -> None:
    # systemInstruction takes parts (and role) only: the turn's own Content fields have no place
    # there (the invariant found `systemInstruction.x__` refused on decode)
    req = Request(messages=[Message(role="system", content=[Text(text="s")], provider_options={"gemini": {"x__": 1}})])
    e = get_codec("gemini").encode(req)
    assert e.body["contents"] == [{"role": "user", "parts": [{"text": "s"}], "x__": 1}]
    assert "systemInstruction" not in e.body
    check_request(get_codec("gemini"), req)
