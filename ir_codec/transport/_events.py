"""Bytes of a streamed reply to the provider's events, fed incrementally as they arrive.

- Server-Sent Events (Anthropic, Vertex ``streamRawPredict``, OpenAI, OpenRouter, Gemini
  ``?alt=sse``): the WHATWG rules :func:`ir_codec.stream.parse_sse` follows (``event:`` names,
  ``data:`` lines joined with newlines, comments and blank keep-alives skipped, ``[DONE]`` ends
  the stream), applied to lines as they complete.
- AWS event stream (Bedrock): frames decoded by :mod:`._eventstream`. ConverseStream frames are
  named by ``:event-type`` and carry the event member's JSON; InvokeModelWithResponseStream
  ``chunk`` frames carry ``{"bytes": base64 of one Anthropic event}`` (bedrock-runtime service
  model ``ResponseStream``/``PayloadPart``). A ``p`` member (padding that normalizes event sizes,
  not in the service model, so botocore's parser never returns it) is dropped. Frames with
  ``:message-type`` ``exception`` (or ``error``) become ``(":exception", {"type", "message"})``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ..codec import load_json
from ..errors import DecodeError
from ..stream import SSEReader
from ._eventstream import EventStreamDecoder
from ._requests import StreamFormat

__all__ = ["EventReader", "reader_for"]

Event = tuple[str | None, Any]


class EventReader:
    def feed(self, chunk: bytes) -> list[Event]:
        raise NotImplementedError

    def close(self) -> list[Event]:
        return []


class _SSEReader(SSEReader, EventReader):
    """:class:`ir_codec.stream.SSEReader` as a transport event reader."""


class _AwsReader(EventReader):
    def __init__(self, invoke: bool) -> None:
        self._frames = EventStreamDecoder()
        self._invoke = invoke

    def feed(self, chunk: bytes) -> list[Event]:
        out: list[Event] = []
        for frame in self._frames.feed(chunk):
            kind = frame.header(":message-type") or "event"
            payload: Any = load_json(frame.payload) if frame.payload else {}
            if kind in ("exception", "error"):
                etype = frame.header(":exception-type") or frame.header(":error-code")
                message = payload.get("message") if isinstance(payload, dict) else None
                out.append((":exception", {"type": etype, "message": message or frame.header(":error-message") or ""}))
                continue
            name = frame.header(":event-type")
            if isinstance(payload, dict):
                payload.pop("p", None)
            if self._invoke:
                if name != "chunk":
                    continue  # only `chunk` events carry model output (ResponseStream)
                try:
                    inner = base64.b64decode(payload["bytes"], validate=True)
                except (KeyError, TypeError, binascii.Error):
                    raise DecodeError("$.chunk.bytes", "base64 of one model event", repr(payload)[:80]) from None
                event = load_json(inner)
                if isinstance(event, dict):
                    event.pop("p", None)
                out.append((None, event))
            else:
                out.append((name, payload))
        return out

    def close(self) -> list[Event]:
        self._frames.close()
        return []


def reader_for(stream_format: StreamFormat) -> EventReader:
    if stream_format == "sse":
        return _SSEReader()
    return _AwsReader(invoke=stream_format == "aws-invoke")
