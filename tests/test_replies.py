"""Replies and streams out (issue 13): ``encode_response`` / ``encode_stream`` for every codec.

- The reply invariant (``ir_codec.invariant.check_response``) for generated IR Responses:
  decode(encode_response(r)) equals r up to the reported losses, a second round writes the same
  body, and the re-encoded stream assembles to r up to its reported losses.
- Every recorded reply and stream (``tests/responses/``) re-encodes stably
  (``check_reply_wire``) and exactly as the official SDK reads it: the SDK type validates our
  body and its dump equals our body (``tests/replies_sdk.py``), event by event for streams.
- Usage goes back to each provider's own counting, table by table, with exact warnings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from ir_codec import available_codecs, decode_response, get_codec
from ir_codec.invariant import check_reply_wire, check_response
from ir_codec.ir import ProviderPart, Response
from ir_codec.replies import sse_bytes
from ir_codec.strategies import responses
from ir_codec.stream import parse_sse

from .replies_sdk import EVENT, REPLY, sdk_stream_error
from .reply_order import CHATS, chat_order, family

ROOT = Path(__file__).parent / "responses"
CODECS = [c for c in available_codecs() if c in REPLY]
"""The built-in codecs (a test elsewhere may register a toy codec in the same process)."""


def _fixtures() -> list[tuple[str, Path]]:
    return [(name, f) for name in CODECS for f in sorted((ROOT / family(name)).glob("*.json"))]


def _decode_fixture(name: str, path: Path) -> Response:
    data = json.loads(path.read_text())
    codec = get_codec(name)
    if "response" in data:
        return codec.decode_response(data["response"])
    dec = codec.stream_decoder()
    for event_name, event in data["events"]:
        dec.feed(event, event_name)
    return dec.finish()


def _sdk_equal(name: str, body: dict[str, Any], kept: Any = ()) -> None:
    """The SDK reads every field we wrote, but the reply's own fields kept raw (``kept``, from a
    recorded reply) that its types do not model (OpenRouter's ``provider``)."""
    read = REPLY[name](body)
    unread = {k for k in kept if k in body and k not in read}
    assert read == {k: v for k, v in body.items() if k not in unread}


def _events_sdk_equal(name: str, events: list[tuple[str | None, dict[str, Any]]], kept: Any = ()) -> None:
    for event_name, data in events:
        if event_name == "error" and family(name) == "anthropic":  # read by the SDK's stream, not its event types
            assert sdk_stream_error(name, sse_bytes([(event_name, data)])) == data
            continue
        if "error" in data and name in CHATS and "choices" not in data:  # OpenAI's chunk of the error alone
            assert sdk_stream_error(name, sse_bytes([(event_name, data)])) == data["error"]
            continue
        event = {event_name: data} if name == "bedrock-converse" and event_name is not None else data
        read = EVENT[name](event)
        unread = {k for k in kept if k in event and k not in read and k not in ("usage", "message")}  # as _sdk_equal
        want: dict[str, Any] = {k: v for k, v in event.items() if k not in unread}
        message = kept.get("message", {}) if isinstance(kept, dict) else {}
        if message and want.get("choices") and read.get("choices"):  # a kept message field in a delta
            got_delta = read["choices"][0].get("delta", {})
            choices: list[Any] = want["choices"]
            delta = {k: v for k, v in choices[0]["delta"].items() if k in got_delta or k not in message}
            want = {**want, "choices": [{**choices[0], "delta": delta}, *choices[1:]]}
        assert read == want


@pytest.mark.parametrize(("name", "path"), _fixtures(), ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_recorded_reply_reencodes_stably_and_as_the_sdk_reads_it(name: str, path: Path) -> None:
    codec = get_codec(name)
    r = _decode_fixture(name, path)
    e = codec.encode_response(r)
    data = json.loads(path.read_text())
    if "response" in data:
        assert check_reply_wire(codec, data["response"]) == e.body
    check_response(codec, r)
    _sdk_equal(name, e.body, r.provider_options.get(name, {}))
    s = codec.encode_stream(r)
    _events_sdk_equal(name, s.events, r.provider_options.get(name, {}))
    # the stream as bytes on the wire decodes to what the whole reply decodes to
    dec = codec.stream_decoder()
    if s.sse:
        for event_name, event in parse_sse(s.to_sse().splitlines(keepends=True)):
            dec.feed(event, event_name)
    else:
        for obj in s.objects():
            dec.feed(obj)
    assert dec.finish() == codec.decode_response(e.body)


def _plain(r: Response) -> bool:
    return not r.provider_options and not any(
        isinstance(p, ProviderPart) or getattr(p, "provider_options", {}) for p in r.content
    )


@pytest.mark.parametrize("name", CODECS)
def test_reply_invariant(name: str) -> None:
    codec = get_codec(name)
    strategy = responses(codecs=(family(name),))
    if name in CHATS:
        strategy = strategy.map(chat_order)

    @settings(max_examples=40)
    @given(strategy)
    def prop(r: Response) -> None:
        e = check_response(codec, r)
        if _plain(r):  # raw provider fields are outside what the SDK types know
            _sdk_equal(name, e.body)

    prop()


@pytest.mark.parametrize("name", CODECS)
def test_stream_events_are_sdk_events(name: str) -> None:
    codec = get_codec(name)

    @settings(max_examples=15)
    @given(responses())
    def prop(r: Response) -> None:
        _events_sdk_equal(name, codec.encode_stream(r).events)

    prop()


def test_decode_response_reads_sdk_objects() -> None:
    anthropic = pytest.importorskip("anthropic")
    body = json.loads((ROOT / "anthropic" / "thinking_tool_use.json").read_text())["response"]
    message = anthropic.types.Message.model_validate(body)
    assert decode_response(message, "anthropic") == decode_response(body, "anthropic")


# -- the CLI ------------------------------------------------------------------------------------


def _cli(argv: list[str], data: bytes) -> tuple[int, bytes, str]:
    import io

    from ir_codec.cli import main

    out, err = io.BytesIO(), io.StringIO()
    code = main(argv, stdin=io.BytesIO(data), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


ANTHROPIC_REPLY = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-opus-5",
    "content": [{"type": "text", "text": "hi"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 10, "cache_creation_input_tokens": 20, "cache_read_input_tokens": 70, "output_tokens": 5},
}


def test_cli_transpile_response_whole_reply() -> None:
    code, out, err = _cli(
        ["transpile-response", "--read", "anthropic", "--write", "openai-chat"], json.dumps(ANTHROPIC_REPLY).encode()
    )
    assert code == 0 and err == ""
    assert json.loads(out) == {
        "id": "msg_1",
        "model": "claude-opus-5",
        "object": "chat.completion",
        "created": 0,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi", "refusal": None}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": 100,
            "completion_tokens": 5,
            "total_tokens": 105,
            "prompt_tokens_details": {"cached_tokens": 70, "cache_write_tokens": 20},
        },
    }


def test_cli_transpile_response_stream_reports_losses_and_strict_exits_3() -> None:
    sse = get_codec("anthropic").encode_stream(get_codec("anthropic").decode_response(ANTHROPIC_REPLY)).to_sse()
    code, out, err = _cli(["transpile-response", "--read", "anthropic", "--write", "gemini", "--stream"], sse)
    assert code == 0
    assert err == "warning: gemini: usage.cache_write_tokens: Gemini reports no cache writes; counted as input\n" + (
        "warning: gemini: usage.uncached_input_tokens: holds the written tokens too\n"
    )
    assert out == (
        b'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]}}],"modelVersion":"claude-opus-5",'
        b'"responseId":"msg_1"}\n\n'
        b'data: {"usageMetadata":{"promptTokenCount":100,"cachedContentTokenCount":70,"candidatesTokenCount":5,'
        b'"totalTokenCount":105},"modelVersion":"claude-opus-5","responseId":"msg_1","candidates":[{"finishReason":"STOP",'
        b'"content":{"role":"model","parts":[]}}]}\n\n'
    )
    code, out, _ = _cli(["transpile-response", "--read", "anthropic", "--write", "gemini", "--stream", "--strict"], sse)
    assert (code, out) == (3, b"")
    code, out, _ = _cli(["transpile-response", "--read", "anthropic", "--write", "bedrock-converse", "--stream"], sse)
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()][0] == {"messageStart": {"role": "assistant"}}


def test_stream_decoders_read_sdk_event_objects() -> None:
    anthropic = pytest.importorskip("anthropic")
    import pydantic

    codec = get_codec("anthropic")
    r = _decode_fixture("anthropic", ROOT / "anthropic" / "thinking_tool_use.json")
    adapter = pydantic.TypeAdapter(anthropic.types.RawMessageStreamEvent)
    objects = [adapter.validate_python(data) for _, data in codec.encode_stream(r).events]
    assert type(objects[0]).__name__ == "RawMessageStartEvent"
    from ir_codec import decode_stream

    assert decode_stream(objects, "anthropic") == codec.decode_response(codec.encode_response(r).body)


def test_decode_response_reads_google_genai_objects() -> None:
    types = pytest.importorskip("google.genai.types")
    body = json.loads((ROOT / "gemini" / "function_call_with_thoughts.json").read_text())["response"]
    sdk_object = types.GenerateContentResponse.model_validate_json(json.dumps(body))
    assert decode_response(sdk_object, "gemini") == decode_response(body, "gemini")


def test_bad_input_raises_library_errors() -> None:
    from ir_codec import DecodeError, IRCodecError, decode_stream, encode_response

    with pytest.raises(TypeError):
        encode_response({"content": []}, "anthropic")  # type: ignore[arg-type]
    with pytest.raises(IRCodecError):
        decode_stream(b"data: {}\n\n", "bedrock-converse")  # Bedrock streams are event objects
    with pytest.raises(DecodeError) as info:
        decode_stream([("message_start", {"type": "message_start", "message": 5})], "anthropic")
    assert info.value.path == "$.message"
