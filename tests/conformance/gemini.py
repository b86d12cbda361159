"""Conformance case of the gemini codec (generateContent): generated wire payloads in every
accepted spelling, usageMetadata, streamed chunks and the google-genai SDK."""

from __future__ import annotations

import base64
import copy
import functools
import json
import re
import string
from pathlib import Path
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from ir_codec import strategies as irs
from ir_codec.codec import Codec, Encoded
from ir_codec.conformance import ConformanceCase, ReportedUsage, SdkCheck, StreamedReply
from ir_codec.invariant import same_json
from ir_codec.ir import Request, Usage

TESTS = Path(__file__).resolve().parents[1]
NAME = "gemini"

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
        content: dict[str, Any] = {"parts": draw(st.lists(wire_parts(role, names), min_size=1, max_size=4))}
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
# Replies, usage and streams


def _raw_usage(u: Usage, tool_prompt: int) -> dict[str, Any]:
    """Gemini's shape for the IR buckets: prompt includes cached; thoughts beside candidates;
    tool-use prompt tokens are input; total is the sum of the four counters."""
    assert u.reasoning_tokens is not None and u.output_tokens is not None
    assert u.uncached_input_tokens is not None and u.cache_read_tokens is not None
    prompt = u.uncached_input_tokens + u.cache_read_tokens - tool_prompt
    candidates = u.output_tokens - u.reasoning_tokens
    raw = {
        "promptTokenCount": prompt,
        "cachedContentTokenCount": u.cache_read_tokens,
        "candidatesTokenCount": candidates,
        "thoughtsTokenCount": u.reasoning_tokens,
        "toolUsePromptTokenCount": tool_prompt,
        "totalTokenCount": prompt + candidates + tool_prompt + u.reasoning_tokens,
    }
    return {k: v for k, v in raw.items() if v or k in ("promptTokenCount", "thoughtsTokenCount", "totalTokenCount")}


def reply_facts(reply: Any) -> dict[str, Any]:
    """The buckets add up to totalTokenCount; Gemini reports no cache writes (None)."""
    facts: dict[str, Any] = {"id": reply.get("responseId"), "model": reply.get("modelVersion")}
    raw = reply.get("usageMetadata")
    if isinstance(raw, dict):
        facts["usage.total_tokens"] = raw["totalTokenCount"]
        facts["usage.cache_write_tokens"] = None
    return facts


@st.composite
def _usages(draw: st.DrawFn) -> tuple[Usage, int]:
    n = st.integers(0, 2_000_000)
    out = draw(n)
    uncached = draw(n)
    usage = Usage(
        uncached_input_tokens=uncached,
        cache_read_tokens=draw(n),
        output_tokens=out,
        reasoning_tokens=draw(st.integers(0, out)),
    )
    return usage, draw(st.integers(0, uncached))


reported_usages = _usages().map(lambda d: ReportedUsage(usage=d[0], reply={"usageMetadata": _raw_usage(*d)}))


_TEXT = st.text(alphabet=string.ascii_letters + " .", max_size=30)
_SIG = st.none() | st.sampled_from(["c2ln", "dGhpbms="])


@st.composite
def streamed_replies(draw: st.DrawFn) -> StreamedReply:
    """A whole reply and a chunking of it as Gemini streams it."""
    parts: list[dict[str, Any]] = []
    chunk_parts: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "thought", "call"]))
        if kind == "call":
            call: dict[str, Any] = {
                "name": draw(st.sampled_from(["f", "g"])),
                "args": {"a": draw(st.integers(-(2**63), 2**63 - 1))},
            }
            part: dict[str, Any] = {"functionCall": call}
            if draw(st.booleans()):
                call["id"] = "id_" + draw(st.text(string.ascii_lowercase, min_size=1, max_size=4))
            parts.append(part)
            if draw(st.booleans()):
                # Vertex streams one call in pieces (types.py FunctionCall.partial_args /
                # will_continue; PROVIDERS.md §13), closed by an empty functionCall.
                head = {k: v for k, v in call.items() if k != "args"}
                arg = {"jsonPath": "$.a", "numberValue": call["args"]["a"]}
                chunk_parts += [
                    {"functionCall": {**head, "willContinue": True}},
                    {"functionCall": {"partialArgs": [arg], "willContinue": True}},
                    {"functionCall": {}},
                ]
            else:
                chunk_parts.append(part)
            continue
        thought = kind == "thought"
        if (
            parts
            and "text" in parts[-1]
            and bool(parts[-1].get("thought")) == thought
            and "thoughtSignature" not in parts[-1]
        ):
            continue  # two adjacent unsigned text parts of one kind would stream as one
        pieces = draw(st.lists(_TEXT, min_size=1, max_size=3))
        sig = draw(_SIG)
        whole: dict[str, Any] = {"text": "".join(pieces)}
        flag = {"thought": True} if thought else {}
        whole.update(flag)
        if sig is not None:
            whole["thoughtSignature"] = sig
        parts.append(whole)
        for k, piece in enumerate(pieces):
            c: dict[str, Any] = {"text": piece, **flag}
            if k == len(pieces) - 1 and sig is not None:
                c["thoughtSignature"] = sig
            chunk_parts.append(c)
    usage = {"promptTokenCount": draw(st.integers(0, 99)), "candidatesTokenCount": draw(st.integers(0, 99))}
    usage["totalTokenCount"] = usage["promptTokenCount"] + usage["candidatesTokenCount"]
    finish = draw(st.sampled_from(["STOP", "MAX_TOKENS", "SAFETY"]))
    whole_resp = {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}],
        "usageMetadata": usage,
        "modelVersion": "gemini-x",
        "responseId": "r1",
    }
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(chunk_parts))), max_size=3)) | {len(chunk_parts)})
    chunks: list[dict[str, Any]] = []
    start = 0
    for end in cuts:
        chunks.append(
            {
                "candidates": [{"content": {"role": "model", "parts": chunk_parts[start:end]}, "index": 0}],
                "modelVersion": "gemini-x",
                "responseId": "r1",
            }
        )
        start = end
    chunks[-1]["candidates"][0]["finishReason"] = finish
    chunks[-1]["usageMetadata"] = usage
    return StreamedReply(whole=whole_resp, events=[(None, c) for c in chunks])


# ---------------------------------------------------------------------------------------------
# The official google-genai SDK

_GEN_TOP = ("systemInstruction", "tools", "toolConfig", "safetySettings", "cachedContent", "labels")


class _Capture:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.urls: list[str] = []

    def __call__(self, request: Any) -> Any:
        import httpx

        self.bodies.append(json.loads(request.content))
        self.urls.append(str(request.url))
        reply = {"candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}]}
        return httpx.Response(200, json=reply)


@functools.cache
def sdk_client() -> tuple[Any, _Capture]:
    """A ``genai.Client`` over an offline ``httpx.MockTransport``, and what it captures."""
    import httpx
    from google import genai
    from google.genai import types

    capture = _Capture()
    http = httpx.Client(transport=httpx.MockTransport(capture))
    return genai.Client(api_key="test-key", http_options=types.HttpOptions(httpx_client=http)), capture


def _sdk_args(body: dict[str, Any]) -> tuple[list[Any], Any]:
    """Our body split into the SDK's `contents` and `config`, validated by the SDK's own types."""
    from google.genai import types

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


def sdk_sent(codec: Codec, e: Encoded) -> Any:
    """The body ``generate_content`` sends for our contents and config, parsed into the SDK's own
    pydantic types (which forbid unknown fields and check every type); the codec's own SDK form
    (``sdk_kwargs``) sends the same. Compared up to the canonicalizations (the SDK sends
    ``thinkingConfig`` contents in snake_case) and the base64 alphabet (the SDK re-encodes bytes
    URL-safe; the API accepts both)."""
    # the SDK (like the API) refuses a request without contents: nothing to compare
    assume(e.body["contents"])
    client, capture = sdk_client()
    before = len(capture.bodies)
    contents, config = _sdk_args(e.body)
    client.models.generate_content(model="gemini-test", contents=contents, config=config)
    assert capture.urls[-1].endswith("/models/gemini-test:generateContent")
    kwargs = codec.sdk_kwargs(copy.deepcopy(e.body))
    kwargs["config"]["automaticFunctionCalling"] = {"disable": True}
    client.models.generate_content(model="gemini-test", **kwargs)
    assert len(capture.bodies) == before + 2
    assert same_json(capture.bodies[-1], capture.bodies[-2])
    return _bytes_fields(codec.canonicalize(capture.bodies[-2]))


SDK = SdkCheck(
    requires=("google.genai",),
    sent=sdk_sent,
    expected=lambda codec, e: _bytes_fields(_sdk_tool_order(e.body)),
    # no gemini provider_options: the SDK types forbid unknown fields (x_... test keys)
    requests=irs.requests(provider_data={NAME: PROVIDER_PARTS}, provider_tools={NAME: PROVIDER_TOOLS}),
)

CASE = ConformanceCase(
    name=NAME,
    requests=ir_requests(),
    payloads={"camel-case": wire_payloads(), "snake-case-and-single-objects": respelled_payloads()},
    documented=TESTS / "payloads" / NAME,
    replies=TESTS / "responses" / NAME,
    reply_facts=reply_facts,
    fixture_coverage={"cache_read_tokens": 2},
    usages=reported_usages,
    streams=streamed_replies(),
    sdk=SDK,
)
