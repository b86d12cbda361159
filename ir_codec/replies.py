"""Encoding replies and streams: an IR :class:`~ir_codec.ir.Response` to a provider's reply JSON
(:meth:`Codec.encode_response <ir_codec.codec.Codec.encode_response>`) or to its event stream
(:meth:`Codec.encode_stream <ir_codec.codec.Codec.encode_stream>`), with every loss reported as
a :class:`~ir_codec.errors.LossyEncode` at its path in the Response (``content[2]``,
``usage.cache_write_tokens``), through the same :class:`~ir_codec.codec.EncodeContext` as
requests.

The rules every reply encoder follows (``spec/replies.md``):

- usage buckets go back to the provider's own counting: disjoint counters (Anthropic,
  Bedrock) take the buckets as they are; inclusive ones (OpenAI, OpenRouter, Gemini) are the
  sum of the buckets, the inverse of :meth:`Usage.from_inclusive <ir_codec.ir.Usage.from_inclusive>`;
  a counter the target must write but the Response does not know is written as 0 and reported;
- a part the reply format cannot hold is dropped (reported ``dropped``); a cache mark on a
  reply part is dropped; options of another codec are dropped;
- the stop reason is written as the raw wire value when the Response's ``raw_stop_reason`` is a
  value of the target that means the same IR stop reason, else as the target's value for the IR
  stop reason. ``raw_stop_reason`` is the source wire's own spelling: another provider writes
  its own, which is not a loss (a ``stop_reason`` it cannot say is, ``changed``).

This module holds the pieces more than one codec needs; the per-provider mapping is in each
codec's ``reply.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import msgspec

from .codec import EncodeContext
from .errors import LossKind
from .ir import CacheControl, Part, ProviderOptions, ProviderPart, Response, StopReason, Usage
from .paths import IRPath

__all__ = [
    "EncodedStream",
    "drop_counters",
    "drop_part",
    "merge_raw",
    "own_provider_part",
    "part_options",
    "response_options",
    "sse_bytes",
    "wire_of",
    "wire_stop_reason",
    "write_or_zero",
]


class EncodedStream:
    """The result of a stream encode: the provider's ``events`` in order, every loss in
    ``warnings``.

    Each event is ``(name, data)``: the SSE ``event:`` name (``None`` where the provider writes
    none: OpenAI Chat, Gemini) and the JSON ``data`` object. For Bedrock ConverseStream the name
    is the event type and :meth:`objects` gives the event objects boto3 yields
    (``{"contentBlockDelta": {...}}``); the binary event-stream framing is the transport's job.
    """

    __slots__ = ("codec", "done", "events", "sse", "warnings")

    def __init__(
        self,
        events: list[tuple[str | None, dict[str, Any]]],
        warnings: list[Any],
        codec: Any,
        *,
        sse: bool = True,
        done: bool = False,
    ) -> None:
        self.events = events
        self.warnings = warnings
        self.codec = codec
        self.sse = sse
        """Whether the provider streams Server-Sent Events (all but Bedrock)."""
        self.done = done
        """Whether the stream ends with ``data: [DONE]`` (OpenAI Chat and its flavors)."""

    def to_sse(self) -> bytes:
        """The SSE bytes: ``event: <name>`` (where named) and ``data: <json>`` per event, a blank
        line after each, and ``data: [DONE]`` at the end where the provider sends it."""
        if not self.sse:
            raise ValueError(f"{self.codec.NAME} streams are not SSE; use .objects()")
        return sse_bytes(self.events, done=self.done)

    def objects(self) -> list[dict[str, Any]]:
        """Each event as one object keyed by its name (Bedrock's form); unnamed events as they are."""
        return [{name: data} if name is not None else data for name, data in self.events]

    def __repr__(self) -> str:
        return f"EncodedStream(codec={self.codec.NAME!r}, events={len(self.events)}, warnings={len(self.warnings)})"


def sse_bytes(events: Iterable[tuple[str | None, Any]], *, done: bool = False) -> bytes:
    """Server-Sent Events bytes for ``(name, data)`` pairs (compact JSON data on one line)."""
    out: list[bytes] = []
    for name, data in events:
        if name is not None:
            out.append(b"event: " + name.encode() + b"\n")
        out.append(b"data: " + msgspec.json.encode(data) + b"\n\n")
    if done:
        out.append(b"data: [DONE]\n\n")
    return b"".join(out)


def part_options(
    provider_options: ProviderOptions,
    cache: CacheControl | None,
    path: IRPath,
    ctx: EncodeContext,
    own: str | frozenset[str],
) -> dict[str, Any]:
    """The options of this codec (``own``: its name or the family names) on a reply part; other
    codecs' options and a cache mark (replies carry none) are reported dropped."""
    names = frozenset({own}) if isinstance(own, str) else own
    if cache is not None:
        ctx.lossy((*path, "cache"), LossKind.DROPPED, "a reply carries no cache marks")
    mine: dict[str, Any] = {}
    for name, fields in provider_options.items():
        if name in names:
            mine = dict(fields)
        else:
            ctx.lossy((*path, "provider_options", name), LossKind.DROPPED, f"options for {name!r} are not carried")
    return mine


def response_options(response: Response, ctx: EncodeContext, own: str | frozenset[str]) -> dict[str, Any]:
    """The Response's own ``provider_options`` for this codec (others reported dropped)."""
    return part_options(response.provider_options, None, (), ctx, own)


def merge_raw(target: dict[str, Any], raw: Mapping[str, Any], path: IRPath, ctx: EncodeContext, own: str) -> None:
    """Raw options fill the wire fields the encoder did not write; one that would overwrite a
    written field is reported dropped."""
    for k, v in raw.items():
        if k in target:
            ctx.lossy((*path, "provider_options", own, k), LossKind.DROPPED, f"{k!r} is written from the IR")
        else:
            target[k] = v


def drop_part(part: Part, path: IRPath, ctx: EncodeContext, where: str) -> None:
    """Report a part the reply format cannot hold."""
    kind = getattr(part, "type", type(part).__name__)
    ctx.lossy(path, LossKind.DROPPED, f"a {kind} part cannot stand in {where}; dropped")


def own_provider_part(p: ProviderPart, codec: str, path: IRPath, ctx: EncodeContext, where: str) -> bool:
    """Whether a provider part goes into ``codec``'s reply as its raw data: another codec's part
    is dropped (reported, ``where`` names the reply); a cache mark on it is reported dropped
    (a reply carries none)."""
    if p.codec != codec:
        drop_part(p, path, ctx, f"{where} (a {p.codec!r} provider part)")
        return False
    if p.cache is not None:
        ctx.lossy((*path, "cache"), LossKind.DROPPED, "a reply carries no cache marks")
    return True


def wire_stop_reason(
    response: Response,
    ctx: EncodeContext,
    read: Callable[[str], StopReason | None],
    write: Mapping[StopReason, str],
    fallback: str | None,
    decoded: StopReason | None | bool = False,
    *,
    nullable: bool = False,
) -> str | None:
    """The wire stop value of ``response``.

    ``read`` is the codec's decode mapping (wire value -> IR); ``write`` the value to write for
    an IR stop reason; ``fallback`` the value for a stop reason the wire cannot say (``None``:
    the wire field may be null). The raw value is kept when it reads as the same stop reason.
    ``decoded``: the IR stop reason decode will give for the written value where the content
    decides it (Gemini's ``STOP`` with a call is ``tool_use``), else ``False``: ``read``'s.
    """
    stop, raw = response.stop_reason, response.raw_stop_reason
    # the raw value is kept when it reads as the same stop reason; an unknown value reads as
    # "other" and is kept only where the target has it (``write``)
    if raw is not None and stop is not None and read(raw) == stop and (stop != "other" or raw in write.values()):
        wire: str | None = raw
    elif stop is None:
        wire = None if nullable else fallback
    else:
        wire = write.get(stop, fallback)
    got = read(wire) if wire is not None else None
    if decoded is not False:
        got = decoded  # type: ignore[assignment]
    if got != stop:
        why = f"the reply format has no stop reason {stop!r}; written as {wire!r}"
        ctx.lossy(("stop_reason",), LossKind.CHANGED, why)
    return wire


def write_or_zero(usage: Usage, field: str, ctx: EncodeContext, why: str) -> int:
    """A usage counter the wire requires: its value, or 0 (reported) when it is not known."""
    value = getattr(usage, field)
    if value is None:
        ctx.lossy(("usage", field), LossKind.CHANGED, f"{why}; the unknown count is written as 0")
        return 0
    return int(value)


def drop_counters(usage: Usage, fields: Iterable[str], ctx: EncodeContext, why: str) -> None:
    """Report the known counters among ``fields`` that the wire has no place for."""
    for f in fields:
        if getattr(usage, f) is not None:
            ctx.lossy(("usage", f), LossKind.DROPPED, why)


def wire_of(obj: Any) -> Any:
    """The wire JSON of an official SDK's reply or event object, without importing any SDK:
    pydantic v2 models (anthropic, openai, google-genai, mistralai, openrouter) are dumped with
    ``model_dump(mode="json", by_alias=True, exclude_unset=True)`` (the fields the server sent,
    under their wire names; google-genai's snake_case names are read by the Gemini codec as they
    are); anything else is returned unchanged."""
    dump = getattr(obj, "model_dump", None)
    if callable(dump) and not isinstance(obj, type):
        try:
            return dump(mode="json", by_alias=True, exclude_unset=True)
        except TypeError:  # a model_dump without those keywords (not pydantic v2)
            return dump()
    return obj
