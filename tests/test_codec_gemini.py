"""The gemini codec: the four invariant properties, table tests, canonicalizations, DecodeErrors."""

from __future__ import annotations

import re
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ir_codec import get_codec
from ir_codec import strategies as irs
from ir_codec.errors import DecodeError
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
_WORD = st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=1, max_size=10)

# Opaque Gemini parts and tools (types.Part.executable_code / code_execution_result; types.Tool).
PROVIDER_PARTS = st.one_of(
    st.builds(lambda c: {"executableCode": {"language": "PYTHON", "code": c}}, st.text(max_size=20)),
    st.builds(lambda o: {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": o}}, st.text(max_size=20)),
)
PROVIDER_TOOLS: st.SearchStrategy[dict[str, Any]] = st.sampled_from(
    [{"googleSearch": {}}, {"codeExecution": {}}, {"urlContext": {}}, {"googleSearchRetrieval": {}}]
)


def ir_requests() -> st.SearchStrategy[Request]:
    return irs.requests(
        codecs=["gemini"], provider_data={"gemini": PROVIDER_PARTS}, provider_tools={"gemini": PROVIDER_TOOLS}
    )


# ---------------------------------------------------------------------------------------------
# Generated wire payloads (property 4): canonical camelCase, then snake_case / single-object
# variants and the other accepted spellings.

_JSON = irs.json_values(4)
_B64 = st.sampled_from(["aGVsbG8=", "AAEC", "iVBORw0KGgo="])
_MIME = st.sampled_from(["image/png", "image/jpeg", "application/pdf", "audio/wav", "text/plain", "video/mp4"])
_URI = st.sampled_from(
    [
        "https://generativelanguage.googleapis.com/v1beta/files/abc",
        "files/xyz",
        "gs://bucket/a.pdf",
        "https://example.com/cat.png",
    ]
)


def _maybe(d: dict[str, Any], key: str, strat: st.SearchStrategy[Any], draw: st.DrawFn) -> None:
    if draw(st.booleans()):
        d[key] = draw(strat)


@st.composite
def wire_parts(draw: st.DrawFn, role: str, names: list[str]) -> dict[str, Any]:
    kind = draw(st.sampled_from(["text", "text", "thought", "inline", "file", "call", "response", "provider"]))
    part: dict[str, Any]
    if kind == "text":
        part = {"text": draw(st.text(max_size=20))}
        _maybe(part, "thoughtSignature", _B64, draw)
    elif kind == "thought":
        part = {"text": draw(st.text(max_size=20)), "thought": True}
        _maybe(part, "thoughtSignature", _B64, draw)
    elif kind == "inline":
        part = {"inlineData": {"mimeType": draw(_MIME), "data": draw(_B64)}}
        _maybe(part["inlineData"], "displayName", _WORD, draw)
    elif kind == "file":
        fd = {"fileUri": draw(_URI)}
        _maybe(fd, "mimeType", _MIME, draw)
        part = {"fileData": fd}
    elif kind == "call":
        call: dict[str, Any] = {"name": draw(st.sampled_from(names))}
        _maybe(call, "id", _WORD.map(lambda w: "call_" + w), draw)
        _maybe(call, "args", irs.json_objects(4), draw)
        part = {"functionCall": call}
        _maybe(part, "thoughtSignature", _B64, draw)
    elif kind == "response":
        resp: dict[str, Any] = {"name": draw(st.sampled_from(names))}
        _maybe(resp, "id", _WORD.map(lambda w: "call_" + w), draw)
        _maybe(
            resp,
            "response",
            st.one_of(
                st.just({}),
                st.builds(lambda t: {"output": t}, st.text(max_size=10)),
                st.builds(lambda t: {"error": t}, _JSON),
                irs.json_objects(4),
            ),
            draw,
        )
        if draw(st.booleans()):
            resp["parts"] = [{"inlineData": {"mimeType": draw(_MIME), "data": draw(_B64)}}]
            if draw(st.booleans()):
                resp["parts"].append({"fileData": {"mimeType": draw(_MIME), "fileUri": draw(_URI)}})
        if draw(st.booleans()):
            resp["willContinue"] = False
        part = {"functionResponse": resp}
    else:
        part = draw(PROVIDER_PARTS)
    if draw(st.integers(0, 5)) == 0:
        part["x_extra"] = draw(_JSON)
    return part


@st.composite
def wire_payloads(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(_WORD, min_size=1, max_size=3, unique=True))
    contents = []
    for _ in range(draw(st.integers(0, 4))):
        role = draw(st.sampled_from(["user", "model"]))
        content: dict[str, Any] = {"parts": draw(st.lists(wire_parts(role, names), max_size=4))}
        if draw(st.integers(0, 4)) > 0:
            content["role"] = role
        if draw(st.integers(0, 6)) == 0:
            content["x_content"] = draw(_JSON)
        contents.append(content)
    body: dict[str, Any] = {"contents": contents}
    cached = draw(st.integers(0, 5)) == 0
    if cached:
        body["cachedContent"] = "cachedContents/" + draw(_WORD)
    else:
        if draw(st.booleans()):
            body["systemInstruction"] = {
                "parts": [{"text": t} for t in draw(st.lists(st.text(max_size=10), max_size=2))]
            }
        if draw(st.booleans()):
            tools: list[dict[str, Any]] = []
            for _ in range(draw(st.integers(1, 3))):
                if draw(st.booleans()):
                    decls = []
                    for n in draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)):
                        d: dict[str, Any] = {"name": n}
                        _maybe(d, "behavior", st.just("NON_BLOCKING"), draw)
                        _maybe(d, "description", st.text(max_size=10), draw)
                        which = draw(st.sampled_from(["none", "json", "openapi"]))
                        if which == "json":
                            d["parametersJsonSchema"] = {"type": "object", "properties": {"a": {"type": "string"}}}
                        elif which == "openapi":
                            d["parameters"] = {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}}
                        decls.append(d)
                    tools.append({"functionDeclarations": decls})
                else:
                    tools.append(dict(draw(PROVIDER_TOOLS)))
            body["tools"] = tools
        if draw(st.booleans()):
            fcc: dict[str, Any] = {"mode": draw(st.sampled_from(["AUTO", "ANY", "NONE", "VALIDATED"]))}
            if fcc["mode"] == "ANY" and draw(st.booleans()):
                fcc["allowedFunctionNames"] = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2))
            body["toolConfig"] = {"functionCallingConfig": fcc}
            if draw(st.integers(0, 3)) == 0:
                body["toolConfig"]["retrievalConfig"] = {"languageCode": "en"}
    if draw(st.booleans()):
        gc: dict[str, Any] = {}
        _maybe(gc, "maxOutputTokens", st.integers(1, 9000), draw)
        _maybe(gc, "temperature", st.sampled_from([0.0, 0.5, 1, 2]), draw)
        _maybe(gc, "topP", st.sampled_from([0.9, 1.0]), draw)
        _maybe(gc, "topK", st.sampled_from([1, 40, 40.0]), draw)
        _maybe(gc, "stopSequences", st.lists(_WORD, max_size=2), draw)
        _maybe(gc, "seed", st.integers(0, 99), draw)
        _maybe(gc, "candidateCount", st.integers(1, 3), draw)
        _maybe(gc, "responseMimeType", st.sampled_from(["text/plain", "application/json", "text/x.enum"]), draw)
        _maybe(gc, "responseJsonSchema", st.just({"type": "object"}), draw)
        _maybe(gc, "presencePenalty", st.just(0.5), draw)
        _maybe(gc, "responseSchema", st.just({"type": "OBJECT", "properties": {"a": {"type": "STRING"}}}), draw)
        if draw(st.booleans()):
            tc: dict[str, Any] = {}
            _maybe(tc, "thinkingBudget", st.sampled_from([0, -1, 1024, -7]), draw)
            _maybe(tc, "thinkingLevel", st.sampled_from(["LOW", "HIGH", "MINIMAL", "THINKING_LEVEL_UNSPECIFIED"]), draw)
            _maybe(tc, "includeThoughts", st.booleans(), draw)
            gc["thinkingConfig"] = tc
        body["generationConfig"] = gc
    _maybe(
        body, "safetySettings", st.just([{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}]), draw
    )
    _maybe(body, "labels", st.just({"team": "a"}), draw)
    return body


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", lambda m: "_" + m.group(1).lower(), key)


_OPAQUE = {
    "args",
    "response",
    "parametersJsonSchema",
    "parameters",
    "responseJsonSchema",
    "safetySettings",
    "labels",
    "executableCode",
    "codeExecutionResult",
    "x_extra",
}


def _respell(value: Any, draw: st.DrawFn) -> Any:
    """Rename keys to snake_case and unwrap one-element lists, at random, outside opaque values."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            nk = _snake(k) if draw(st.booleans()) else k
            out[nk] = v if k in _OPAQUE else _respell(v, draw)
            if k in ("contents", "parts") and isinstance(v, list) and len(v) == 1 and draw(st.booleans()):
                out[nk] = _respell(v[0], draw)
        return out
    if isinstance(value, list):
        return [_respell(v, draw) for v in value]
    return value


@st.composite
def respelled_payloads(draw: st.DrawFn) -> dict[str, Any]:
    return _respell(draw(wire_payloads()), draw)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------
# The four invariant properties


@given(ir_requests())
def test_encode_is_valid_and_loss_is_reported(req: Request) -> None:
    """Properties 1-3: valid wire, every diff covered by a warning and vice versa, fixpoint."""
    check_request(CODEC, req)


@given(wire_payloads())
def test_wire_round_trips(payload: dict[str, Any]) -> None:
    """Property 4 on canonical-spelling payloads."""
    check_wire(CODEC, payload)


@given(respelled_payloads())
def test_snake_case_and_single_object_payloads_round_trip(payload: dict[str, Any]) -> None:
    """Property 4 on snake_case / single-object spellings (canonicalizations 1 and 2)."""
    check_wire(CODEC, payload)


@settings(max_examples=200)
@given(wire_payloads())
def test_canonical_payloads_are_fixed_points(payload: dict[str, Any]) -> None:
    """The canonical form is itself canonical, decodes to the same IR and is valid wire."""
    canon = CODEC.canonicalize(payload)
    assert same_json(CODEC.canonicalize(canon), canon)
    assert CODEC.decode(canon) == CODEC.decode(payload)
    CODEC.validate_wire(canon)


# ---------------------------------------------------------------------------------------------
# Table tests: IR -> wire with exact warnings


def _enc(req: Request) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    e = check_request(CODEC, req)
    return e.body, [(w.path, w.reason) for w in e.warnings]


def _user(*parts: Any) -> Message:
    return Message(role="user", content=list(parts))


def _paths(req: Request) -> list[str]:
    return [p for p, _ in _enc(req)[1]]


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
    ("req", "paths"),
    [
        (Request(model="gemini-3-pro", messages=[]), []),  # model and stream are in the URL
        (Request(stream=True), []),
        (
            Request(user="u1", metadata={"a": "b"}, cache_key="k", parallel_tool_calls=True),
            ["parallel_tool_calls", "user", "metadata", "cache_key"],
        ),
        (Request(messages=[Message(role="system", content=[Text(text="mid")])]), ["messages[0].role"]),
        (
            Request(messages=[Message(role="assistant", content=[RedactedThinking(data="x")])]),
            ["messages[0].content[0]"],
        ),
        (Request(messages=[Message(role="assistant", content=[Refusal(text="no")])]), ["messages[0].content[0]"]),
        (Request(messages=[_user(Json(value={"a": 1}))]), ["messages[0].content[0]"]),
        (Request(messages=[_user(ProviderPart(codec="x-foreign", data={"a": 1}))]), ["messages[0].content[0]"]),
        (Request(messages=[_user(Image(source=UrlSource(url="https://e.com/a")))]), ["messages[0].content[0]"]),
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
            ["messages[0].content[0].name", "messages[0].content[0].context", "messages[0].content[0].citations"],
        ),
        (Request(tools=[Tool(name="f", strict=True)]), ["tools[0].strict"]),
        (Request(tools=[ProviderTool(codec="x-foreign", data={"type": "x"})]), ["tools[0]"]),
        (Request(reasoning=ReasoningConfig(type="enabled")), ["reasoning"]),
        (Request(reasoning=ReasoningConfig(type="enabled", budget_tokens=99), reasoning_effort="low"), ["reasoning"]),
        (Request(reasoning_effort="none"), ["reasoning_effort"]),
        (
            Request(
                response_format=ResponseFormat(type="json_schema", schema={"type": "object"}, name="n", strict=True)
            ),
            ["response_format.name", "response_format.strict"],
        ),
        (Request(response_format=ResponseFormat(type="json_schema")), ["response_format"]),
        (Request(tool_choice=ToolChoice(mode="tool")), ["tool_choice"]),
        (
            Request(messages=[_user(Text(text="a", provider_options={"openai-chat": {"x": 1}}))]),
            ["messages[0].content[0].provider_options.openai-chat"],
        ),
    ],
)
def test_losses(req: Request, paths: list[str]) -> None:
    assert _paths(req) == paths


def test_cache_marks_are_reported_lost() -> None:
    req = Request(
        system=[SystemBlock(text="s", cache=CacheControl(ttl=CacheTtl.ONE_HOUR))],
        tools=[Tool(name="f", cache=CacheControl())],
        messages=[_user(Text(text="a", cache=CacheControl()))],
        cache=CacheControl(),
    )
    body, warnings = _enc(req)
    assert [p for p, _ in warnings] == ["tools[0].cache", "system[0].cache", "messages[0].content[0].cache", "cache"]
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
    assert [p for p, _ in warnings] == ["system", "tools", "tool_choice"]
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
                    Thinking(text="think", signature="c2ln"),
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
    assert [p for p, _ in warnings] == (["messages[1].content[0].content"] if warned else [])


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
    assert body["contents"][1]["parts"][3]["functionResponse"] == {"id": "h_result_0", "name": "h", "response": {}}


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
    assert parts[0] == Thinking(text="t", signature="sig")
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


@settings(max_examples=30)
@given(ir_requests())
def test_to_json_is_the_body(req: Request) -> None:
    import json

    e = CODEC.encode(req)
    assert same_json(json.loads(e.to_json()), e.body)


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
    body = transpile(payload, read="gemini", write="anthropic", on_lossy="ignore").body
    uses = [b["id"] for m in body["messages"] for b in m["content"] if b.get("type") == "tool_use"]
    results = [b["tool_use_id"] for m in body["messages"] for b in m["content"] if b.get("type") == "tool_result"]
    assert uses == results == ["w_0", "w_1"]
    back = transpile(body, read="anthropic", write="gemini", on_lossy="ignore").body
    assert same_json(back, CODEC.canonicalize(payload))


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
