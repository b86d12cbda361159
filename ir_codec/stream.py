"""Streaming: provider event streams to IR stream events and, at the end, a :class:`Response`.

A codec's :meth:`stream_decoder` returns a :class:`StreamDecoder`. Feed it the provider's
events one at a time (an SSE event's parsed JSON ``data``, or for Bedrock one ConverseStream
event object); it returns the IR :class:`StreamEvent` values that event carries and keeps
assembling. :meth:`StreamDecoder.finish` returns the same :class:`Response` that decoding the
non-streamed reply would give.

    dec = get_codec("anthropic").stream_decoder()
    for name, data in parse_sse(lines):
        for ev in dec.feed(data, name):
            ...
    response = dec.finish()
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

from ._json import load_json
from .errors import DecodeError
from .ir import Part, Response, StopReason, Text, Thinking, ToolUse, Usage

__all__ = [
    "MessageStart",
    "ResponseAssembler",
    "Stop",
    "StreamDecoder",
    "StreamEvent",
    "TextDelta",
    "ThinkingDelta",
    "ToolCallDelta",
    "ToolCallStart",
    "UsageUpdate",
    "parse_sse",
]


class StreamEvent(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", omit_defaults=True):
    pass


class MessageStart(StreamEvent, frozen=True, kw_only=True, tag="message_start"):
    id: str | None = None
    model: str | None = None


class TextDelta(StreamEvent, frozen=True, kw_only=True, tag="text_delta"):
    index: int
    text: str


class ThinkingDelta(StreamEvent, frozen=True, kw_only=True, tag="thinking_delta"):
    index: int
    text: str = ""
    signature: str | None = None
    origin: str | None = None
    """Who signed the thinking (``Thinking.origin``), where this piece tells; the last one given wins."""


class ToolCallStart(StreamEvent, frozen=True, kw_only=True, tag="tool_call_start"):
    index: int
    id: str
    name: str


class ToolCallDelta(StreamEvent, frozen=True, kw_only=True, tag="tool_call_delta"):
    """A piece of the JSON text of a tool call's arguments."""

    index: int
    arguments: str


class UsageUpdate(StreamEvent, frozen=True, kw_only=True, tag="usage"):
    """The usage known so far (replaces earlier updates: providers send cumulative counts)."""

    usage: Usage


class Stop(StreamEvent, frozen=True, kw_only=True, tag="stop"):
    stop_reason: StopReason | None
    raw_stop_reason: str | None = None


class ResponseAssembler:
    """Builds a :class:`Response` from IR stream events, in the order the parts were opened.

    Codec hooks (a decoder never patches the assembled response after the fact):
    :meth:`add_part` for a whole part that arrived in one event, :meth:`set_part_options` for
    provider fields of a streamed part (citations on a text block), and
    :attr:`response_options` for provider fields of the reply itself.
    """

    def __init__(self) -> None:
        self.id: str | None = None
        self.model: str | None = None
        self._parts: dict[int, dict[str, Any]] = {}
        self.usage: Usage | None = None
        """The last :class:`UsageUpdate`'s usage; ``None`` while the stream has reported none."""
        self.stop_reason: StopReason | None = None
        self.raw_stop_reason: str | None = None
        self.extra_parts: dict[int, Part] = {}
        self.part_options: dict[int, dict[str, dict[str, Any]]] = {}
        self.response_options: dict[str, dict[str, Any]] = {}
        """``provider_options`` of the assembled :class:`Response` (codec name -> raw fields)."""

    def apply(self, ev: StreamEvent) -> None:
        if isinstance(ev, MessageStart):
            self.id = ev.id if ev.id is not None else self.id
            self.model = ev.model if ev.model is not None else self.model
        elif isinstance(ev, TextDelta):
            self._parts.setdefault(ev.index, {"kind": "text", "text": ""})["text"] += ev.text
        elif isinstance(ev, ThinkingDelta):
            p = self._parts.setdefault(ev.index, {"kind": "thinking", "text": "", "signature": None, "origin": None})
            p["text"] += ev.text
            if ev.signature is not None:
                p["signature"] = (p["signature"] or "") + ev.signature
            if ev.origin is not None:
                p["origin"] = ev.origin
        elif isinstance(ev, ToolCallStart):
            self._parts[ev.index] = {"kind": "tool", "id": ev.id, "name": ev.name, "args": ""}
        elif isinstance(ev, ToolCallDelta):
            self._parts.setdefault(ev.index, {"kind": "tool", "id": "", "name": "", "args": ""})["args"] += ev.arguments
        elif isinstance(ev, UsageUpdate):
            self.usage = ev.usage
        elif isinstance(ev, Stop):
            self.stop_reason = ev.stop_reason
            self.raw_stop_reason = ev.raw_stop_reason

    def add_part(self, index: int, part: Part) -> None:
        """A whole part that arrived in one event (e.g. a redacted thinking block). At the index
        of a streamed part it replaces that part (a decoder that reads the streamed pieces
        itself, e.g. tool-call arguments kept byte for byte)."""
        self.extra_parts[index] = part

    def set_part_options(self, index: int, provider_options: dict[str, dict[str, Any]]) -> None:
        """``provider_options`` for the part streamed at ``index`` (replaces earlier ones)."""
        self.part_options[index] = provider_options

    def content(self) -> list[Part]:
        out: list[tuple[int, Part]] = list(self.extra_parts.items())
        for i, p in self._parts.items():
            if i in self.extra_parts:
                continue
            opts = self.part_options.get(i, {})
            if p["kind"] == "text":
                out.append((i, Text(text=p["text"], provider_options=opts)))
            elif p["kind"] == "thinking":
                sig, origin = p["signature"], p.get("origin")
                out.append((i, Thinking(text=p["text"], signature=sig, origin=origin, provider_options=opts)))
            else:
                args = p["args"].strip() or "{}"
                try:
                    value = msgspec.json.decode(args)
                except msgspec.DecodeError:
                    raise DecodeError(f"$.tool_call[{i}].arguments", "JSON text", args[:80]) from None
                if not isinstance(value, dict):
                    raise DecodeError(f"$.tool_call[{i}].arguments", "a JSON object", type(value).__name__)
                out.append((i, ToolUse(id=p["id"], name=p["name"], input=value, provider_options=opts)))
        return [p for _, p in sorted(out, key=lambda t: t[0])]

    def response(self) -> Response:
        return Response(
            id=self.id,
            model=self.model,
            content=self.content(),
            stop_reason=self.stop_reason,
            raw_stop_reason=self.raw_stop_reason,
            usage=self.usage,
            provider_options=self.response_options,
        )


class StreamDecoder:
    """Base of every codec's stream decoder. Subclasses implement :meth:`_events`."""

    def __init__(self) -> None:
        self.assembler = ResponseAssembler()

    def feed(self, event: Any, name: str | None = None) -> list[StreamEvent]:
        """Take one provider event (parsed JSON, JSON text, or the official SDK's event object,
        e.g. anthropic's ``RawMessageStartEvent``); return its IR events."""
        if isinstance(event, bytes | str):
            data = load_json(event)
        elif hasattr(event, "model_dump"):
            from .replies import wire_of

            data = wire_of(event)
        else:
            data = event
        out = self._events(data, name)
        for ev in out:
            self.assembler.apply(ev)
        return out

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        raise NotImplementedError

    def finish(self) -> Response:
        """The assembled :class:`Response`."""
        return self.assembler.response()


def parse_sse(lines: Iterable[str | bytes]) -> Iterator[tuple[str | None, Any]]:
    """Parse Server-Sent Events lines into ``(event name, parsed JSON data)`` pairs.

    ``data: [DONE]`` (OpenAI's terminator) ends the stream; comments and blank keep-alives are
    skipped; multi-line data is joined with newlines as the SSE spec says.
    """
    name: str | None = None
    data: list[str] = []
    for raw in lines:
        line = raw.decode() if isinstance(raw, bytes) else raw
        line = line.rstrip("\r\n")
        if line == "":
            if data:
                text = "\n".join(data)
                if text.strip() == "[DONE]":
                    return
                yield name, load_json(text)
            name, data = None, []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    if data:
        text = "\n".join(data)
        if text.strip() != "[DONE]":
            yield name, load_json(text)
