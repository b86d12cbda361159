"""A stream that ends with the provider's error event: decoded to ``Response.error`` (stop
reason ``"error"``), written back as each target's own error event, reported where a target
has none (a reply body, Gemini, Converse).

The error events are written from each provider's documents: Anthropic's streaming
documentation ("Error events": ``{"type": "error", "error": {"type": "overloaded_error",
"message": "Overloaded"}}``); an OpenAI chunk of the error alone, which the SDK raises as
``APIError`` (``openai/_streaming.py``); OpenRouter's "Error handling during streaming" (the
error beside a choice that finishes with ``"error"``); the Responses ``error`` event
(``openai/types/responses/response_error_event.py``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings

from ir_codec import ReplyError, decode_stream, get_codec, transpile_stream
from ir_codec.errors import DecodeError, LossKind
from ir_codec.invariant import check_response
from ir_codec.ir import Response, Text
from ir_codec.replies import error_as_number, reply_error, sse_bytes
from ir_codec.strategies import responses

from .replies_sdk import sdk_stream_error
from .reply_order import chat_order

_START = {
    "type": "message_start",
    "message": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 1},
    },
}
ANTHROPIC = [
    ("message_start", _START),
    ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    (
        "content_block_delta",
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hel"}},
    ),
    ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
]


def _chunk(**fields: Any) -> dict[str, Any]:
    return {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m", **fields}


CHAT = [
    (None, _chunk(choices=[{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])),
    (None, _chunk(choices=[{"index": 0, "delta": {"content": "Hel"}, "finish_reason": None}])),
    (None, {"error": {"message": "The server had an error", "type": "server_error", "param": None, "code": None}}),
]
OPENROUTER = [
    *CHAT[:2],
    (
        None,
        _chunk(
            choices=[{"index": 0, "delta": {}, "finish_reason": "error"}],
            error={
                "code": 502,
                "message": "Provider disconnected unexpectedly",
                "metadata": {"error_type": "provider_unavailable"},
            },
        ),
    ),
]
RESPONSES = [
    (
        "response.created",
        {
            "type": "response.created",
            "sequence_number": 0,
            "response": {
                "id": "resp_1",
                "object": "response",
                "created_at": 0,
                "status": "in_progress",
                "model": "m",
                "output": [],
                "parallel_tool_calls": True,
                "tool_choice": "auto",
                "tools": [],
                "usage": None,
            },
        },
    ),
    (
        "error",
        {
            "type": "error",
            "sequence_number": 1,
            "code": "server_error",
            "message": "Something went wrong",
            "param": None,
        },
    ),
]

GEMINI = [
    (None, {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hel"}]}}], "modelVersion": "gemini-x"}),
    (None, {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}),
]

CASES = [
    ("anthropic", ANTHROPIC, ReplyError(type="overloaded_error", message="Overloaded"), [Text(text="Hel")]),
    ("openai-chat", CHAT, ReplyError(type="server_error", message="The server had an error"), [Text(text="Hel")]),
    (
        "openrouter",
        OPENROUTER,
        ReplyError(type="provider_unavailable", code="502", message="Provider disconnected unexpectedly"),
        [Text(text="Hel")],
    ),
    ("openai-responses", RESPONSES, ReplyError(code="server_error", message="Something went wrong"), []),
    (
        "gemini",
        GEMINI,
        ReplyError(type="UNAVAILABLE", code="503", message="The model is overloaded."),
        [Text(text="Hel")],
    ),
]


@pytest.mark.parametrize(("name", "events", "error", "content"), CASES, ids=[c[0] for c in CASES])
def test_the_error_event_is_decoded(name: str, events: list[Any], error: ReplyError, content: list[Any]) -> None:
    r = decode_stream(sse_bytes(events), name)
    assert (r.stop_reason, r.error, r.content) == ("error", error, content)


@pytest.mark.parametrize(("name", "events", "error", "content"), CASES, ids=[c[0] for c in CASES])
def test_the_same_provider_gets_its_error_event_back(
    name: str, events: list[Any], error: ReplyError, content: list[Any]
) -> None:
    out = transpile_stream(sse_bytes(events), name, name, on_lossy="raise")
    assert out.warnings == []
    assert out.events[-1] == events[-1] or (
        name == "openrouter" and out.events[-1][1]["error"] == events[-1][1]["error"]
    )


def test_openrouter_writes_a_documented_string_code_as_a_number() -> None:
    """OpenRouter's "Error handling during streaming" example has ``"code": "server_error"``; its
    SDK (``ChatStreamChunkError.code: int``) takes a number, and the SDK is the ground truth:
    read as it comes, written as 500 (reported)."""
    error = {"code": "server_error", "message": "Provider disconnected unexpectedly"}
    last = _chunk(choices=[{"index": 0, "delta": {}, "finish_reason": "error"}], error=error)
    out = transpile_stream(sse_bytes([*CHAT[:2], (None, last)]), "openrouter", "openrouter", on_lossy="ignore")
    assert out.events[-1][1]["error"] == {"code": 500, "message": "Provider disconnected unexpectedly"}
    assert [(w.path, w.kind) for w in out.warnings] == [("error.code", LossKind.CHANGED)]


@pytest.mark.parametrize(("source", "events"), [("openai-chat", CHAT), ("openai-responses", RESPONSES)])
def test_anthropic_sdk_raises_the_translated_error(source: str, events: list[Any]) -> None:
    out = transpile_stream(sse_bytes(events), source, "anthropic", on_lossy="ignore")
    body = sdk_stream_error("anthropic", out.to_sse())
    assert body == {
        "type": "error",
        "error": {"type": "server_error", "message": events[-1][1].get("message") or events[-1][1]["error"]["message"]},
    }


@pytest.mark.parametrize("target", ["openai-chat", "openrouter", "mistral"])
def test_openai_sdk_raises_the_translated_error(target: str) -> None:
    out = transpile_stream(sse_bytes(ANTHROPIC), "anthropic", target, on_lossy="ignore")
    body = sdk_stream_error(target, out.to_sse())
    assert body is not None and body["message"] == "Overloaded"
    kind = body["metadata"]["error_type"] if target == "openrouter" else body.get("type", body.get("code"))
    assert kind == "overloaded_error"


def test_a_reply_body_reports_the_error_dropped() -> None:
    r = Response(
        content=[Text(text="Hel")], stop_reason="error", error=ReplyError(type="overloaded_error", message="x")
    )
    for name in ("anthropic", "openai-chat", "bedrock-converse"):  # Gemini's and Responses' hold it
        e = get_codec(name).encode_response(r)
        assert [(w.path, w.kind) for w in e.warnings if w.path == "error"] == [("error", LossKind.DROPPED)]


def test_a_gemini_reply_keeps_the_error_and_its_details() -> None:
    """Gemini's reply is the merge of its chunks: its body keeps the error (first, as the error
    chunk has it), with the fields ReplyError has no place for (``details``) kept raw."""
    error = {"code": 429, "message": "Resource exhausted.", "status": "RESOURCE_EXHAUSTED", "details": [{"@type": "x"}]}
    body = {"error": error, "candidates": [{"content": {"role": "model", "parts": [{"text": "Hel"}]}}]}
    codec = get_codec("gemini")
    r = codec.decode_response(body)
    assert (r.stop_reason, r.raw_stop_reason) == ("error", "RESOURCE_EXHAUSTED")
    assert r.error == ReplyError(type="RESOURCE_EXHAUSTED", code="429", message="Resource exhausted.")
    e = codec.encode_response(r)
    assert (e.body, e.warnings) == (body, [])
    assert list(e.body) == ["error", "candidates"]


def test_the_gemini_sdk_raises_the_translated_error() -> None:
    """The google-genai client raises for a chunk whose JSON starts with ``{"error":``
    (``_api_client.py``), by the code: ``errors.APIError.raise_error`` is what it calls."""
    genai_errors = pytest.importorskip("google.genai.errors")
    out = transpile_stream(sse_bytes(ANTHROPIC), "anthropic", "gemini", on_lossy="ignore")
    name, chunk = out.events[-1]
    assert json.dumps(chunk).startswith('{"error":')
    with pytest.raises(genai_errors.APIError) as info:
        genai_errors.APIError.raise_error(chunk.get("error", {}).get("code"), chunk, None)
    assert (info.value.code, info.value.message, info.value.status) == (500, "Overloaded", "overloaded_error")
    assert "the SDK raises by it): written as 500" in " ".join(w.reason for w in out.warnings if w.path == "error.code")


@pytest.mark.parametrize(
    ("status", "code"), [("UNAVAILABLE", 503), ("RESOURCE_EXHAUSTED", 429), ("overloaded_error", 500)]
)
def test_a_gemini_error_without_a_number_gets_its_status_code(status: str, code: int) -> None:
    r = Response(stop_reason="error", error=ReplyError(type=status, code="server_error", message="m"))
    e = get_codec("gemini").encode_response(r)
    assert e.body["error"] == {"code": code, "message": "m", "status": status}
    assert [w.path for w in e.warnings] == ["error.code"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (
            {"type": "overloaded_error", "message": "Overloaded"},
            ReplyError(type="overloaded_error", message="Overloaded"),
        ),
        (
            {"message": "m", "type": None, "code": "rate_limit_exceeded"},
            ReplyError(code="rate_limit_exceeded", message="m"),
        ),
        ({"code": 502, "message": "m"}, ReplyError(code="502", message="m")),
        (
            {"message": "m", "type": "invalid_request_error", "param": None, "code": "context_length_exceeded"},
            ReplyError(type="invalid_request_error", code="context_length_exceeded", message="m"),
        ),
        ({}, ReplyError()),
    ],
)
def test_reply_error_reads_each_shape(value: Any, expected: ReplyError | None) -> None:
    assert reply_error(value, "$.error") == expected


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ("boom", "$.error"),
        ({"message": 5}, "$.error.message"),
        ({"type": ["x"], "message": ""}, "$.error.type"),
        ({"type": 5, "message": ""}, "$.error.type"),
        ({"code": 1.5, "message": ""}, "$.error.code"),
    ],
)
def test_reply_error_refuses_what_is_no_error_object(value: Any, path: str) -> None:
    with pytest.raises(DecodeError) as info:
        reply_error(value, "$.error")
    assert info.value.path == path


@pytest.mark.parametrize(
    "name", ["anthropic", "openai-chat", "openrouter", "openai-responses", "gemini", "bedrock-converse"]
)
def test_reply_invariant_with_errors(name: str) -> None:
    codec = get_codec(name)
    strategy = responses([name.split("-")[0] if name.startswith("anthropic") else name], errors=True)
    if name in ("openai-chat", "openrouter"):
        strategy = strategy.map(chat_order)

    @settings(max_examples=60)
    @given(strategy)
    def prop(r: Response) -> None:
        check_response(codec, r)

    prop()


@pytest.mark.parametrize(
    "name", ["anthropic", "anthropic-bedrock", "openai-chat", "openrouter", "openai-responses", "bedrock-converse"]
)
def test_every_event_of_an_errored_stream_is_the_sdks(name: str) -> None:
    """Each event written for a Response that ended with an error is read by the official SDK:
    the error event by its stream reader (it raises with our error), the others by its types."""
    from .test_replies import _events_sdk_equal

    codec = get_codec(name)

    @settings(max_examples=30)
    @given(responses(errors=True).filter(lambda r: r.error is not None))
    def prop(r: Response) -> None:
        _events_sdk_equal(name, codec.encode_stream(r).events)

    prop()


@pytest.mark.parametrize(
    ("code", "written"),
    [(None, None), ("502", 502), ("0", 0), ("server_error", "server_error"), ("007", "007"), ("²", "²")],
)
def test_a_code_read_from_a_number_is_written_as_one(code: str | None, written: int | str | None) -> None:
    assert error_as_number(code) == written


def test_openai_keeps_type_and_code() -> None:
    error = {"message": "too long", "type": "invalid_request_error", "param": None, "code": "context_length_exceeded"}
    events = [*CHAT[:2], (None, {"error": error})]
    out = transpile_stream(sse_bytes(events), "openai-chat", "openai-chat", on_lossy="raise")
    assert out.events[-1] == (None, {"error": error})


@pytest.mark.parametrize(
    ("target", "keeps", "lost"),
    [("anthropic", "type", "code"), ("openai-responses", "code", "type")],  # OpenRouter holds both
)
def test_a_target_with_one_name_reports_the_other(target: str, keeps: str, lost: str) -> None:
    error = {"message": "m", "type": "invalid_request_error", "param": None, "code": "context_length_exceeded"}
    out = transpile_stream(sse_bytes([*CHAT[:2], (None, {"error": error})]), "openai-chat", target, on_lossy="ignore")
    assert [w.reason for w in out.warnings if w.path == "error"] == [
        f"the target's error has a {keeps} and no {lost}: the {lost} {error[lost]!r} is dropped"
    ]
    assert decode_stream(out.to_sse(), target).error == ReplyError(**{keeps: error[keeps]}, message="m")


CONVERSE = [
    {"messageStart": {"role": "assistant"}},
    {"contentBlockDelta": {"delta": {"text": "Hel"}, "contentBlockIndex": 0}},
    {"modelStreamErrorException": {"message": "boom", "originalStatusCode": 500, "originalMessage": "upstream failed"}},
]


def test_a_converse_exception_is_decoded_and_written_back() -> None:
    """botocore's ConverseStreamOutput exception members (``modelStreamErrorException``:
    ``message``, ``originalStatusCode``, ``originalMessage``) end the stream: read as the
    error, written back as the same member."""
    r = decode_stream(CONVERSE, "bedrock-converse")
    assert (r.stop_reason, r.content) == ("error", [Text(text="Hel")])
    assert r.error == ReplyError(type="modelStreamErrorException", code="500", message="boom")
    out = transpile_stream(CONVERSE, "bedrock-converse", "bedrock-converse", on_lossy="raise")
    assert out.objects()[-1] == CONVERSE[-1]
    assert out.warnings == []


def test_the_transports_exception_frame_is_decoded() -> None:
    """The transport reads an event-stream exception frame as ``(":exception", {"type", "message"})``."""
    dec = get_codec("bedrock-converse").stream_decoder()
    dec.feed({"role": "assistant"}, "messageStart")
    dec.feed({"type": "throttlingException", "message": "slow down"}, ":exception")
    assert dec.finish().error == ReplyError(type="throttlingException", message="slow down")


@pytest.mark.parametrize(
    ("error", "member", "paths"),
    [
        (ReplyError(type="throttlingException", message="m"), ("throttlingException", {"message": "m"}), []),
        (
            ReplyError(type="overloaded_error", message="m"),
            ("internalServerException", {"message": "m"}),
            ["error.type"],
        ),
        (
            ReplyError(type="modelStreamErrorException", code="503", message="m"),
            ("modelStreamErrorException", {"message": "m", "originalStatusCode": 503}),
            [],
        ),
        (
            ReplyError(type="validationException", code="bad", message="m"),
            ("validationException", {"message": "m"}),
            ["error.code"],
        ),
    ],
)
def test_converse_writes_its_own_exceptions(error: ReplyError, member: Any, paths: list[str]) -> None:
    r = Response(content=[Text(text="a")], stop_reason="error", usage=None, error=error)
    s = get_codec("bedrock-converse").encode_stream(r)
    assert s.events[-1] == member
    assert [w.path for w in s.warnings if w.path.startswith("error")] == paths


_FAILED = {
    "id": "resp_1",
    "object": "response",
    "created_at": 0,
    "status": "failed",
    "model": "m",
    "output": [],
    "error": {"code": "server_error", "message": "The model failed to generate a response."},
    "parallel_tool_calls": True,
    "tool_choice": "auto",
    "tools": [],
}


def test_a_failed_responses_reply_keeps_its_error() -> None:
    """``Response.error`` (``openai/types/responses/response_error.py``: ``code``, ``message``)
    of a ``status: "failed"`` reply: read, written back as it was, and the SDK reads it."""
    from .replies_sdk import REPLY

    codec = get_codec("openai-responses")
    r = codec.decode_response(_FAILED)
    assert (r.stop_reason, r.raw_stop_reason) == ("error", "failed")
    assert r.error == ReplyError(code="server_error", message="The model failed to generate a response.")
    e = codec.encode_response(r)
    assert (e.body, e.warnings) == (_FAILED, [])
    assert REPLY["openai-responses"](e.body)["error"] == _FAILED["error"]


def test_a_stream_that_failed_ends_with_response_failed_again() -> None:
    events = [RESPONSES[0], ("response.failed", {"type": "response.failed", "sequence_number": 1, "response": _FAILED})]
    out = transpile_stream(sse_bytes(events), "openai-responses", "openai-responses", on_lossy="raise")
    assert out.events[-1][0] == "response.failed"
    assert out.events[-1][1]["response"]["error"] == _FAILED["error"]
    assert decode_stream(out.to_sse(), "openai-responses").error == ReplyError(
        code="server_error", message="The model failed to generate a response."
    )


def test_an_error_beside_another_status_is_refused() -> None:
    with pytest.raises(DecodeError) as info:
        get_codec("openai-responses").decode_response({**_FAILED, "status": "completed"})
    assert (info.value.path, info.value.expected) == ("$.status", "'failed' beside an error")


_OPENROUTER_FAILED = {
    "id": "gen-1",
    "model": "m",
    "object": "chat.completion",
    "created": 0,
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hel"},
            "finish_reason": "error",
            "error": {"code": 502, "message": "Provider returned error"},
        }
    ],
}


def test_an_openrouter_choice_says_its_error() -> None:
    """OpenRouter's choices carry an ``error`` (``ErrorResponse``: ``code``, ``message``) when
    the model failed while producing the output: read (the body, a streamed choice) and written
    back in the body."""
    codec = get_codec("openrouter")
    r = codec.decode_response(_OPENROUTER_FAILED)
    assert (r.stop_reason, r.content) == ("error", [Text(text="Hel")])
    assert r.error == ReplyError(code="502", message="Provider returned error")
    e = codec.encode_response(r)
    assert e.warnings == []
    assert e.body["choices"][0]["error"] == {"code": 502, "message": "Provider returned error"}
    chunk = _chunk(
        choices=[{"index": 0, "delta": {}, "finish_reason": "error", "error": {"code": 502, "message": "m"}}]
    )
    assert decode_stream(sse_bytes([CHAT[1], (None, chunk)]), "openrouter").error == ReplyError(code="502", message="m")


def test_openai_chat_has_no_error_in_a_reply_body() -> None:
    r = get_codec("openrouter").decode_response(_OPENROUTER_FAILED)
    e = get_codec("openai-chat").encode_response(r)
    assert "error" not in e.body["choices"][0]
    assert [(w.path, w.kind) for w in e.warnings if w.path == "error"] == [("error", LossKind.DROPPED)]


def test_an_anthropic_error_event_without_its_object_still_ends_with_an_error() -> None:
    events = [*ANTHROPIC[:-1], ("error", {"type": "error", "error": None})]
    r = decode_stream(sse_bytes(events), "anthropic")
    assert (r.stop_reason, r.error) == ("error", ReplyError())


def test_a_failed_responses_reply_writes_the_sdks_error() -> None:
    """``ResponseError`` (openai ``types/responses/response_error.py``): ``code`` is one of the
    SDK's values, ``type`` the original error type. Another provider's error keeps its type; its
    code, none of those values, is written as ``server_error`` (reported). The SDK reads it."""
    from .replies_sdk import REPLY

    r = Response(stop_reason="error", error=ReplyError(type="overloaded_error", message="Overloaded"))
    e = get_codec("openai-responses").encode_response(r)
    assert e.body["error"] == {"code": "server_error", "message": "Overloaded", "type": "overloaded_error"}
    assert [(w.path, w.kind) for w in e.warnings if w.path.startswith("error")] == [("error.code", LossKind.CHANGED)]
    assert REPLY["openai-responses"](e.body)["error"] == e.body["error"]
    assert get_codec("openai-responses").decode_response(e.body).error == ReplyError(
        type="overloaded_error", code="server_error", message="Overloaded"
    )


def test_a_responses_stream_that_ends_at_the_error_event_reports_the_responses_own_fields() -> None:
    """Only the terminal response event (``response.completed`` / ``failed``) carries the
    Response object's own fields (``created_at``, ``instructions``): a stream that ends at the
    ``error`` event does not say them, and reports each (found by the reply invariant)."""
    codec = get_codec("openai-responses")
    r = Response(
        id="resp_1",
        model="gpt-5",
        stop_reason="error",
        error=ReplyError(code="server_error", message="boom"),
        provider_options={"openai-responses": {"created_at": 1767000000, "instructions": "Be brief."}},
    )
    s = codec.encode_stream(r)
    assert [name for name, _ in s.events][-1] == "error"
    assert [(w.path, w.kind) for w in s.warnings if w.path.startswith("provider_options")] == [
        ("provider_options.openai-responses.created_at", LossKind.DROPPED),
        ("provider_options.openai-responses.instructions", LossKind.DROPPED),
    ]
    check_response(codec, r)


def test_a_responses_stream_that_ends_at_the_error_event_still_names_its_items_by_their_ids() -> None:
    """The output item ids kept on the reply (``output_ids``) are said by the items' own events,
    which come before the error: not reported lost."""
    import msgspec

    message = {
        "id": "msg_abc",
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": "hi", "annotations": []}],
    }
    body = {
        "id": "resp_1",
        "object": "response",
        "created_at": 0,
        "status": "completed",
        "model": "gpt-5",
        "output": [message],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
    }
    codec = get_codec("openai-responses")
    r = codec.decode_response(body)
    failed = msgspec.structs.replace(r, stop_reason="error", error=ReplyError(code="server_error", message="x"))
    s = codec.encode_stream(failed)
    assert not [w for w in s.warnings if w.path.startswith("provider_options")]
    assert decode_stream(s.to_sse(), "openai-responses").provider_options == r.provider_options
    check_response(codec, failed)
