"""Replies and streams from every codec to every other (issue 13): ``transpile_response`` and
the event-by-event :class:`~ir_codec.StreamTranspiler`, on generated replies and on the
recorded-shape replies and streams in ``tests/responses/``.

The judge is the invariant's: the target's reply, decoded again, differs from the source's
decoded reply exactly where the warnings say (``loss_report``), so usage is kept bucket for
bucket wherever the target can say it and reported where it cannot. A stream is translated as
it arrives: target events come out before the source stream has ended.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ir_codec import StreamTranspiler, available_codecs, get_codec, transpile_response
from ir_codec.invariant import loss_report
from ir_codec.ir import Refusal, Response, Text, Usage
from ir_codec.strategies import responses, stream_events
from ir_codec.stream import TextDelta, parse_sse

from .replies_sdk import EVENT, REPLY
from .reply_order import CHATS, chat_order, family

ROOT = Path(__file__).parent / "responses"
CODECS = [c for c in available_codecs() if c in REPLY]
PAIRS = list(itertools.permutations(CODECS, 2))


def _judge(source: Response, target: Response, warnings: list[Any], what: str) -> None:
    got = msgspec.structs.replace(target, raw_stop_reason=source.raw_stop_reason)
    uncovered, unjustified = loss_report(source, got, warnings)
    assert not uncovered and not unjustified, (
        f"{what}: differences without a warning: {uncovered}; "
        f"warnings without a difference: {[str(w) for w in unjustified]}\n"
        f"source: {msgspec.json.encode(source).decode()[:3000]}\n"
        f"target: {msgspec.json.encode(got).decode()[:3000]}"
    )


def _decode_events(name: str, events: list[tuple[str | None, dict[str, Any]]]) -> Response:
    dec = get_codec(name).stream_decoder()
    for event_name, data in events:
        dec.feed(data, event_name)
    return dec.finish()


def _one_text(r: Response) -> Response:
    """At most one text or refusal part: several are joined by some targets (Chat's content,
    Gemini's stream), and the judge's alignment of a join next to a dropped or moved part is
    not reliable (spec/replies.md, "Known gaps"); each codec's own properties cover joins."""
    seen = False
    content = []
    for p in r.content:
        if isinstance(p, Text | Refusal):
            if seen:
                continue
            seen = True
        content.append(p)
    return msgspec.structs.replace(r, content=content)


def _strategy(src: str, dst: str) -> st.SearchStrategy[Response]:
    s = responses(codecs=(family(src), family(dst))).map(_one_text)
    return s.map(chat_order) if {src, dst} & CHATS else s


def _translate(src: str, dst: str, source_events: list[tuple[str | None, dict[str, Any]]]) -> tuple[Any, ...]:
    """Feed ``source_events`` one by one; returns (what each feed wrote, finish's events, the
    transpiler)."""
    t = StreamTranspiler(src, dst, on_lossy="ignore")
    per_feed = [t.feed(data, name) for name, data in source_events]
    return per_feed, t.finish(), t


@pytest.mark.parametrize(("src", "dst"), PAIRS)
def test_transpile_response_between_every_pair(src: str, dst: str) -> None:
    @settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_strategy(src, dst))
    def prop(r: Response) -> None:
        body = get_codec(src).encode_response(r).body
        source = get_codec(src).decode_response(body)
        e = transpile_response(body, src, dst, on_lossy="ignore")
        _judge(source, get_codec(dst).decode_response(e.body), e.warnings, f"{src} -> {dst} reply")

    prop()


@pytest.mark.parametrize(("src", "dst"), PAIRS)
def test_transpile_stream_between_every_pair_event_by_event(src: str, dst: str) -> None:
    @settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def prop(data: st.DataObject) -> None:
        r = data.draw(_strategy(src, dst))
        ir_events = data.draw(stream_events(r))
        source_events = get_codec(src).stream_encoder().stream(ir_events).events
        source = _decode_events(src, source_events)
        per_feed, closing, t = _translate(src, dst, source_events)
        written = [e for chunk in per_feed for e in chunk] + closing
        _judge(source, _decode_events(dst, written), t.warnings, f"{src} -> {dst} stream")
        if any(isinstance(ev, TextDelta) and ev.text for ev in ir_events):
            # text makes target events before the source stream ends (every target streams
            # text; a call may wait for its close: Gemini, Mistral write calls whole)
            assert any(per_feed), f"{src} -> {dst}: nothing written before finish"

    prop()


def _recorded_streams() -> list[tuple[str, Path]]:
    out = []
    for name in CODECS:
        for f in sorted((ROOT / family(name)).glob("*.json")):
            if "events" in json.loads(f.read_text()):
                out.append((name, f))
    return out


@pytest.mark.parametrize(("src", "path"), _recorded_streams(), ids=lambda v: getattr(v, "stem", v))
def test_recorded_streams_translate_to_every_codec_as_its_sdk_reads_them(src: str, path: Path) -> None:
    source_events = [(n, e) for n, e in json.loads(path.read_text())["events"]]
    source = _decode_events(src, source_events)
    for dst in CODECS:
        if dst == src:
            continue
        per_feed, closing, t = _translate(src, dst, source_events)
        written = [e for chunk in per_feed for e in chunk] + closing
        for event_name, data in written:  # each event is one the official SDK's type reads as it is
            event = {event_name: data} if dst == "bedrock-converse" and event_name is not None else data
            assert EVENT[dst](event) == event, (dst, event)
        target = _decode_events(dst, written)
        _judge(source, target, t.warnings, f"{src} -> {dst} recorded stream {path.stem}")
        if get_codec(dst).STREAM_SSE:  # and as bytes on the wire
            raw = b"".join(
                (b"event: " + n.encode() + b"\n" if n else b"") + b"data: " + msgspec.json.encode(d) + b"\n\n"
                for n, d in written
            )
            assert _decode_events(dst, list(parse_sse(raw.splitlines(keepends=True)))) == target


def test_feed_bytes_translates_sse_chunks_as_they_arrive() -> None:
    r = Response(
        id="msg_1",
        model="claude-x",
        content=[Text(text="Hello, world")],
        stop_reason="end_turn",
        usage=Usage(uncached_input_tokens=10, cache_read_tokens=70, cache_write_tokens=20, output_tokens=5),
    )
    sse = get_codec("anthropic").encode_stream(r).to_sse()
    t = StreamTranspiler("anthropic", "openai-chat")
    chunks = [t.feed_bytes(sse[i : i + 7]) for i in range(0, len(sse), 7)]
    end = t.finish_bytes()
    assert any(b"Hello, world" in c for c in chunks)  # the text went out before the stream ended
    assert end.endswith(b"data: [DONE]\n\n")
    out = b"".join(chunks) + end
    got = _decode_events("openai-chat", list(parse_sse(out.splitlines(keepends=True))))
    assert got.content == [Text(text="Hello, world")]
    assert got.usage == r.usage  # the three input buckets and the output, exactly
    assert t.warnings == []


def test_usage_buckets_survive_every_pair_or_are_reported() -> None:
    usage = Usage(uncached_input_tokens=100, cache_read_tokens=70, cache_write_tokens=20, output_tokens=5)
    r = Response(id="r1", model="m", content=[Text(text="hi")], stop_reason="end_turn", usage=usage)
    for src, dst in PAIRS:
        body = get_codec(src).encode_response(r).body
        source = get_codec(src).decode_response(body)
        e = transpile_response(body, src, dst, on_lossy="ignore")
        got = get_codec(dst).decode_response(e.body).usage
        assert got is not None and source.usage is not None
        reported = {w.path for w in e.warnings}
        for field in ("uncached_input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens"):
            if getattr(got, field) != getattr(source.usage, field):
                assert f"usage.{field}" in reported, (src, dst, field, got, source.usage)


def _recorded_replies() -> list[tuple[str, Path]]:
    out = []
    for name in CODECS:
        for f in sorted((ROOT / family(name)).glob("*.json")):
            if "response" in json.loads(f.read_text()):
                out.append((name, f))
    return out


@pytest.mark.parametrize(("src", "path"), _recorded_replies(), ids=lambda v: getattr(v, "stem", v))
def test_recorded_replies_translate_to_every_codec_as_its_sdk_reads_them(src: str, path: Path) -> None:
    body = json.loads(path.read_text())["response"]
    source = get_codec(src).decode_response(body)
    for dst in CODECS:
        if dst == src:
            continue
        e = transpile_response(body, src, dst, on_lossy="ignore")
        assert REPLY[dst](e.body) == e.body, (dst, e.body)
        _judge(source, get_codec(dst).decode_response(e.body), e.warnings, f"{src} -> {dst} recorded reply {path.stem}")
