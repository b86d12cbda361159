"""Hypothesis strategies for every IR type (public: test your own code with them).

Importing this module imports hypothesis; ``import ir_codec`` never does. Through the
``hypothesis`` entry point, ``st.from_type(ir_codec.Request)`` (and every other IR type) uses
these strategies once hypothesis is loaded.

The main entry point is :func:`requests`::

    from hypothesis import given
    from ir_codec import strategies as irs

    @given(irs.requests())
    def test_my_serializer(req): ...

Requests are plausible conversations: tool uses sit in assistant turns and are answered by tool
results (same ids) in the next user turn, thinking sits in assistant turns, ``system`` messages
hold text. Cache marks can appear on every item that has a ``cache`` field; texts are unicode,
sometimes empty, sometimes large.
"""

from __future__ import annotations

import base64
import string
import typing
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, cached_property
from typing import Any

from hypothesis import strategies as st

from .ir import (
    Audio,
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    FileSource,
    Image,
    Json,
    Message,
    Part,
    ProviderPart,
    ProviderTool,
    ReasoningConfig,
    RedactedThinking,
    Refusal,
    ReplyError,
    Request,
    Response,
    ResponseFormat,
    StopReason,
    SystemBlock,
    Text,
    TextSource,
    Thinking,
    Tool,
    ToolChoice,
    ToolResult,
    ToolUse,
    UrlSource,
    Usage,
)

__all__ = [
    "FOREIGN_CODEC",
    "cache_controls",
    "json_objects",
    "json_values",
    "messages",
    "parts",
    "requests",
    "responses",
    "system_blocks",
    "texts",
    "tools",
    "usages",
]

FOREIGN_CODEC = "x-foreign"
"""A codec name no real codec has: its provider parts and options must be reported lost."""

_KEY = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=8)
_WORD = st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=16)
_B64 = st.binary(min_size=1, max_size=48).map(lambda b: base64.b64encode(b).decode())
_MAGIC = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff\xe0",
    "image/gif": b"GIF89a",
    "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8 ",
    "application/pdf": b"%PDF-1.7\n",
}
"""The first bytes of each format whose data the gate checks against its declared type (IRC402)."""


def _media_data(media_type: str) -> st.SearchStrategy[str]:
    """Base64 data of ``media_type``: its format's first bytes, then any bytes (a request whose
    data contradicts its declared type is the caller's error, which ``validate`` reports)."""
    head = _MAGIC.get(media_type)
    if head is None:
        return _B64
    return st.binary(max_size=48).map(lambda b: base64.b64encode(head + b).decode())


_ORIGIN = st.none() | st.sampled_from(["anthropic", "gemini", "openai"])
"""Signature families (``CodecProfile.signatures``)."""
_CALL_ID = _WORD.map(lambda w: "call_" + w)


def texts(*, allow_empty: bool = True) -> st.SearchStrategy[str]:
    """Unicode text: usually short, sometimes empty, sometimes large."""
    small = st.text(min_size=0 if allow_empty else 1, max_size=24)
    # Large texts are a short unicode seed repeated: cheap to draw, still kilobytes on the wire.
    big = st.text(min_size=1, max_size=8).map(lambda s: s * (4000 // len(s) + 1))
    out = st.one_of(st.just(""), *([small] * 6), big) if allow_empty else st.one_of(*([small] * 7), big)
    return out if allow_empty else out.filter(lambda s: s.strip() != "")


def cache_controls() -> st.SearchStrategy[CacheControl | None]:
    """Mostly no mark; otherwise a mark with any TTL tier."""
    mark = st.builds(CacheControl, ttl=st.sampled_from(list(CacheTtl)))
    return st.one_of(st.none(), st.none(), st.none(), mark)


def json_values(max_leaves: int = 6) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**53), max_value=2**53),
        st.floats(allow_nan=False, allow_infinity=False, width=64),
        st.text(max_size=20),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
        max_leaves=max_leaves,
    )


def json_objects(max_leaves: int = 6) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.text(max_size=8), json_values(max_leaves), max_size=4)


_CACHE: st.SearchStrategy[CacheControl | None] = cache_controls()
_MARK: st.SearchStrategy[CacheControl] = st.builds(CacheControl, ttl=st.sampled_from(list(CacheTtl)))
_JSON_OBJECTS = json_objects()


def _options(codecs: Sequence[str]) -> st.SearchStrategy[dict[str, dict[str, Any]]]:
    """provider_options: mostly empty; keys are ``x_`` names so they never collide with a
    field a codec writes itself."""
    names = [*codecs, FOREIGN_CODEC]
    inner = st.dictionaries(_KEY.map(lambda k: "x_" + k), json_values(4), min_size=1, max_size=2)
    return st.one_of(*([st.just({})] * 7), st.dictionaries(st.sampled_from(names), inner, min_size=1, max_size=2))


def _provider_data(
    provider_data: Mapping[str, st.SearchStrategy[dict[str, Any]]],
) -> list[st.SearchStrategy[tuple[str, dict[str, Any]]]]:
    foreign = st.fixed_dictionaries({"type": _WORD.map(lambda w: "x_" + w), "x_data": json_values(4)})
    out = [st.tuples(st.just(FOREIGN_CODEC), foreign)]
    out += [st.tuples(st.just(name), strat) for name, strat in provider_data.items()]
    return out


class _Config:
    def __init__(
        self,
        codecs: Sequence[str],
        provider_data: Mapping[str, st.SearchStrategy[dict[str, Any]]],
    ) -> None:
        self.codecs = list(codecs)
        self.options = _options(self.codecs)
        self.provider = st.one_of(*_provider_data(provider_data))

    @cached_property
    def assistant_lead(self) -> st.SearchStrategy[list[Part]]:
        return st.lists(self.assistant_part, max_size=2)

    @cached_property
    def result_parts(self) -> st.SearchStrategy[list[Any]]:
        return st.lists(self.result_part, max_size=2)

    @cached_property
    def trailing(self) -> st.SearchStrategy[list[Part]]:
        return st.lists(self.text, max_size=1)

    @cached_property
    def turns(self) -> list[st.SearchStrategy[list[Message]]]:
        def turn(role: str, parts: st.SearchStrategy[list[Any]]) -> st.SearchStrategy[list[Message]]:
            return st.builds(lambda c, o: [Message(role=role, content=c, provider_options=o)], parts, self.options)  # type: ignore[arg-type]

        user = turn("user", st.lists(self.user_part, max_size=3))
        assistant = turn("assistant", st.lists(self.assistant_part, max_size=3))
        system = turn("system", st.lists(self.text, min_size=1, max_size=2))
        return [user, user, assistant, system]

    def media(self, kinds: Sequence[str]) -> st.SearchStrategy[str]:
        return st.sampled_from(list(kinds))

    def source(self, media: Sequence[str], allow_text: bool = False) -> st.SearchStrategy[Any]:
        mt = self.media(media)
        opts = [
            mt.flatmap(lambda t: st.builds(Base64Source, media_type=st.just(t), data=_media_data(t))),
            st.builds(UrlSource, url=_WORD.map(lambda w: f"https://example.com/{w}"), media_type=st.none() | mt),
            st.builds(FileSource, file_id=_WORD.map(lambda w: f"file_{w}"), media_type=st.none() | mt),
        ]
        if allow_text:
            opts.append(st.builds(TextSource, text=texts(allow_empty=False)))
        return st.one_of(*opts)

    @cached_property
    def text(self) -> st.SearchStrategy[Text]:
        return st.builds(Text, text=texts(), cache=_CACHE, provider_options=self.options)

    @cached_property
    def image(self) -> st.SearchStrategy[Image]:
        src = self.source(["image/png", "image/jpeg", "image/gif", "image/webp"])
        return st.builds(Image, source=src, cache=_CACHE, provider_options=self.options)

    @cached_property
    def document(self) -> st.SearchStrategy[Document]:
        return st.builds(
            Document,
            source=self.source(["application/pdf"], allow_text=True),
            name=st.none() | _WORD,
            context=st.none() | texts(allow_empty=False),
            citations=st.none() | st.booleans(),
            cache=_CACHE,
            provider_options=self.options,
        )

    @cached_property
    def audio(self) -> st.SearchStrategy[Audio]:
        src = st.builds(Base64Source, media_type=self.media(["audio/wav", "audio/mp3"]), data=_B64)
        return st.builds(Audio, source=src, cache=_CACHE, provider_options=self.options)

    @cached_property
    def provider_part(self) -> st.SearchStrategy[ProviderPart]:
        return st.builds(lambda cd, c: ProviderPart(codec=cd[0], data=cd[1], cache=c), self.provider, _CACHE)

    @cached_property
    def result_part(self) -> st.SearchStrategy[Any]:
        return st.one_of(
            self.text,
            self.text,
            self.image,
            self.document,
            st.builds(Json, value=json_values(), cache=_CACHE),
        )

    @cached_property
    def user_part(self) -> st.SearchStrategy[Part]:
        return st.one_of(self.text, self.text, self.text, self.image, self.document, self.audio, self.provider_part)

    @cached_property
    def assistant_part(self) -> st.SearchStrategy[Part]:
        return st.one_of(
            self.text,
            self.text,
            st.builds(
                Thinking,
                text=texts(),
                signature=st.none() | _B64,
                origin=_ORIGIN,
                cache=_CACHE,
                provider_options=self.options,
            ),
            st.builds(RedactedThinking, data=_B64, origin=_ORIGIN, cache=_CACHE, provider_options=self.options),
            st.builds(Refusal, text=texts(allow_empty=False), cache=_CACHE, provider_options=self.options),
            self.provider_part,
        )


@st.composite
def _tool_exchange(
    draw: st.DrawFn, cfg: _Config, tool_names: tuple[str, ...], used: frozenset[str] = frozenset()
) -> list[Message]:
    """An assistant turn with tool calls and the user turn answering them, ids matched; the ids
    are new (not in ``used``): tool-call ids are unique in a request."""
    n = draw(st.integers(1, 3))
    fresh = _CALL_ID.filter(lambda i: i not in used) if used else _CALL_ID
    ids = draw(st.lists(fresh, min_size=n, max_size=n, unique=True))
    lead = draw(cfg.assistant_lead)
    name = _names(tool_names)
    uses: list[Part] = [
        ToolUse(
            id=i, name=draw(name), input=draw(_JSON_OBJECTS), cache=draw(_CACHE), provider_options=draw(cfg.options)
        )
        for i in ids
    ]
    results: list[Part] = [
        ToolResult(
            tool_use_id=i,
            content=draw(cfg.result_parts),
            is_error=draw(st.booleans()),
            cache=draw(_CACHE),
            provider_options=draw(cfg.options),
        )
        for i in draw(st.permutations(ids))
    ]
    trailing = draw(cfg.trailing)
    return [
        Message(role="assistant", content=lead + uses, provider_options=draw(cfg.options)),
        Message(role="user", content=results + trailing, provider_options=draw(cfg.options)),
    ]


@cache
def _names(tool_names: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(tool_names) if tool_names else _WORD


@st.composite
def _conversation(draw: st.DrawFn, cfg: _Config, tool_names: tuple[str, ...], max_turns: int) -> list[Message]:
    out: list[Message] = []
    used: set[str] = set()
    for _ in range(draw(st.integers(0, max_turns))):
        kind = draw(st.integers(0, 4))
        if kind == 4:
            exchange = draw(_tool_exchange(cfg, tool_names, frozenset(used)))
            used.update(p.id for p in exchange[0].content if isinstance(p, ToolUse))
            out += exchange
        else:
            out += draw(cfg.turns[kind])
    return out


def messages(
    *,
    codecs: Sequence[str] = (),
    provider_data: Mapping[str, st.SearchStrategy[dict[str, Any]]] | None = None,
    tool_names: Sequence[str] = (),
    max_turns: int = 5,
) -> st.SearchStrategy[list[Message]]:
    """A conversation: user, assistant and system turns and tool exchanges, in any order."""
    return _conversation(_Config(codecs, provider_data or {}), tuple(tool_names), max_turns)


def parts(codecs: Sequence[str] = ()) -> st.SearchStrategy[Part]:
    cfg = _Config(codecs, {})
    return st.one_of(cfg.user_part, cfg.assistant_part)


def system_blocks(codecs: Sequence[str] = ()) -> st.SearchStrategy[SystemBlock]:
    return st.builds(SystemBlock, text=texts(), cache=_CACHE, provider_options=_options(codecs))


def _schemas() -> st.SearchStrategy[dict[str, Any]]:
    prop = st.sampled_from(
        [
            {"type": "string"},
            {"type": "integer"},
            {"type": "number", "description": "n"},
            {"type": "boolean"},
            {"type": "array", "items": {"type": "string"}},
            {"type": "string", "enum": ["a", "b"]},
        ]
    )
    return st.builds(
        lambda props, req: {
            "type": "object",
            "properties": props,
            **({"required": sorted(req & props.keys())} if req & props.keys() else {}),
        },
        st.dictionaries(_KEY, prop, max_size=3),
        st.sets(_KEY, max_size=2),
    )


def tools(
    codecs: Sequence[str] = (), provider_tools: Mapping[str, st.SearchStrategy[dict[str, Any]]] | None = None
) -> st.SearchStrategy[list[Any]]:
    function = st.builds(
        Tool,
        name=_WORD,
        input_schema=_schemas(),
        description=st.none() | texts(allow_empty=False),
        strict=st.none() | st.booleans(),
        cache=_CACHE,
        provider_options=_options(codecs),
    )
    hosted = [
        st.builds(
            ProviderTool,
            codec=st.just(FOREIGN_CODEC),
            data=st.fixed_dictionaries({"type": _WORD.map(lambda w: "x_" + w)}),
            cache=_CACHE,
        )
    ]
    for name, strat in (provider_tools or {}).items():
        hosted.append(st.builds(ProviderTool, codec=st.just(name), data=strat, cache=_CACHE))
    one = st.one_of(function, function, function, *hosted)
    return st.lists(one, max_size=4, unique_by=lambda t: getattr(t, "name", id(t)))


# Optional request settings: each is absent (None) or drawn from its strategy, except the fields
# the target codecs require (Codec.REQUIRED_FIELDS), which are always drawn.
_SETTINGS = (
    "model",
    "tool_choice",
    "parallel_tool_calls",
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "stop",
    "seed",
    "n",
    "response_format",
    "reasoning",
    "reasoning_effort",
    "user",
    "metadata",
    "stream",
    "cache",
    "cache_key",
)

_OPTIONAL: dict[str, st.SearchStrategy[Any]] = {"cache": _CACHE}
"""Settings drawn absent more often than half the time."""


@st.composite
def _reasoning_and_max_tokens(draw: st.DrawFn, required: frozenset[str]) -> tuple[ReasoningConfig | None, int | None]:
    """A thinking budget is always below ``max_tokens`` (it is part of the output it caps)."""
    reasoning: ReasoningConfig | None = draw(
        st.one_of(
            st.none() if "reasoning" not in required else st.nothing(),
            st.builds(ReasoningConfig, type=st.just("enabled"), budget_tokens=st.integers(1024, 32000)),
            st.builds(ReasoningConfig, type=st.sampled_from(["adaptive", "disabled"])),
        )
    )
    budget = reasoning.budget_tokens if reasoning is not None else None
    lowest = 1 if budget is None else budget + 1
    present = st.integers(lowest, max(64000, lowest))
    max_tokens: int | None = draw(present if "max_tokens" in required else st.none() | present)
    return reasoning, max_tokens


@st.composite
def _request(
    draw: st.DrawFn, cfg: _Config, parts: dict[str, st.SearchStrategy[Any]], max_turns: int, required: frozenset[str]
) -> Request:
    tl = draw(parts["tools"])
    names = tuple(t.name for t in tl if isinstance(t, Tool))
    values: dict[str, Any] = {}
    for name in _SETTINGS:
        if name not in ("reasoning", "max_tokens"):
            strategy = parts[name]
            if name == "tool_choice" and names:
                strategy = strategy | st.builds(ToolChoice, mode=st.just("tool"), name=_names(names))
            values[name] = draw(strategy)
    values["reasoning"], values["max_tokens"] = draw(_reasoning_and_max_tokens(required))
    return Request(
        system=draw(parts["system"]),
        messages=draw(_conversation(cfg, names, max_turns)),
        tools=tl,
        provider_options=draw(cfg.options),
        **values,
    )


def _required_by(codecs: Sequence[str]) -> frozenset[str]:
    """The request fields the named codecs require (``Codec.REQUIRED_FIELDS``); names that are
    not registered codecs require nothing."""
    from .codec import get_codec
    from .errors import UnknownCodecError

    out: set[str] = set()
    for name in codecs:
        try:
            out |= get_codec(name).REQUIRED_FIELDS
        except UnknownCodecError:
            continue
    return frozenset(out)


def requests(
    *,
    codecs: Sequence[str] = (),
    provider_data: Mapping[str, st.SearchStrategy[dict[str, Any]]] | None = None,
    provider_tools: Mapping[str, st.SearchStrategy[dict[str, Any]]] | None = None,
    max_turns: int = 5,
    required: Iterable[str] = (),
) -> st.SearchStrategy[Request]:
    """IR requests with every field drawn (absent or present).

    ``codecs`` names the codecs whose ``provider_options`` may appear (besides a foreign one);
    the fields those codecs require (``Codec.REQUIRED_FIELDS``: ``max_tokens`` for Anthropic,
    ``model`` for OpenAI Chat) are always drawn, as are the fields named in ``required``, so
    that every request encodes with those codecs. ``provider_data`` / ``provider_tools`` give,
    per codec, strategies for the ``data`` of its opaque provider parts and tools.

    Every request is valid IR (:func:`ir_codec.check.validate_ir` returns it unchanged): tool
    results answer the tool calls of the assistant turn before them, tool-call ids are unique
    and a reasoning budget is below ``max_tokens``.
    """
    cfg = _Config(codecs, provider_data or {})
    need = _required_by(codecs) | frozenset(required)
    unknown = need - set(_SETTINGS)
    if unknown:
        raise ValueError(f"requests(): cannot require {sorted(unknown)}: not an optional Request setting")
    settings: dict[str, st.SearchStrategy[Any]] = {
        "model": _WORD,
        "tool_choice": st.builds(ToolChoice, mode=st.sampled_from(["auto", "required", "none"])),
        "parallel_tool_calls": st.booleans(),
        "temperature": st.sampled_from([0.0, 0.2, 0.5, 0.7, 1.0]),
        "top_p": st.sampled_from([0.1, 0.5, 0.9, 1.0]),
        "top_k": st.integers(1, 100),
        "stop": st.lists(_WORD, min_size=1, max_size=4),
        "seed": st.integers(0, 2**31 - 1),
        "n": st.integers(1, 4),
        "response_format": st.builds(ResponseFormat, type=st.sampled_from(["text", "json_object"]))
        | st.builds(
            ResponseFormat,
            type=st.just("json_schema"),
            schema=_schemas(),
            name=st.none() | _WORD,
            description=st.none() | texts(allow_empty=False),
            strict=st.none() | st.booleans(),
        ),
        "reasoning_effort": st.sampled_from(["low", "medium", "high"]),
        "user": _WORD,
        "metadata": st.dictionaries(_KEY, _WORD, min_size=1, max_size=3),
        "stream": st.booleans(),
        "cache": _MARK,
        "cache_key": _WORD,
    }
    parts = {
        name: value if name in need else _OPTIONAL.get(name, st.none() | value) for name, value in settings.items()
    }
    parts["tools"] = tools(codecs, provider_tools)
    parts["system"] = st.lists(system_blocks(codecs), max_size=3)
    return _request(cfg, parts, max_turns, need)


def usages(*, openai_tiers: bool = False) -> st.SearchStrategy[Usage]:
    """Self-consistent usage; any counter may be unreported (``None``); the writes are split
    by TTL (5m / 1h, and with ``openai_tiers`` also 30m / 12h) or not at all."""
    n = st.integers(0, 2_000_000)
    maybe = st.none() | n

    @st.composite
    def build(draw: st.DrawFn) -> Usage:
        split = draw(st.sampled_from(["none", "anthropic", "openai"] if openai_tiers else ["none", "anthropic"]))
        tiers: dict[str, int | None] = {}
        if split != "none":
            names = ("5m", "1h") if split == "anthropic" else ("30m", "12h")
            tiers = {f"cache_write_{t}_tokens": draw(n) for t in names}
        write = sum(v or 0 for v in tiers.values()) if tiers else draw(maybe)
        out = draw(maybe)
        return Usage(
            uncached_input_tokens=draw(maybe),
            cache_read_tokens=draw(maybe),
            cache_write_tokens=write,
            output_tokens=out,
            reasoning_tokens=draw(st.none() | st.integers(0, out if out is not None else 0)),
            **tiers,
        )

    return build()


_STOP_REASONS = list(typing.get_args(StopReason))


def responses(codecs: Sequence[str] = (), *, errors: bool = False) -> st.SearchStrategy[Response]:
    """IR replies: text, refusals, tool calls, thinking (signed by any family or unsigned, with
    or without origin), redacted thinking, a cache mark now and then (replies carry none), and
    with ``codecs`` their provider options and provider parts (plus a foreign codec's). With
    ``errors``, now and then a stream that ended with an error (``Response.error``)."""
    cfg = _Config(codecs, {})
    opts = _options(codecs) if codecs else st.just({})
    thinking = st.builds(
        Thinking, text=texts(), signature=st.none() | _B64, origin=_ORIGIN, provider_options=st.just({}) | opts
    )
    content = st.lists(
        st.one_of(
            cfg.text,
            st.builds(Refusal, text=texts(allow_empty=False)),
            st.builds(ToolUse, id=_CALL_ID, name=_WORD, input=json_objects()),
            thinking,
            st.builds(RedactedThinking, data=_B64, origin=_ORIGIN),
            *([cfg.provider_part] if codecs else []),
        ),
        max_size=5,
    )
    return st.builds(
        Response,
        id=st.none() | _WORD,
        model=st.none() | _WORD,
        content=content,
        stop_reason=st.none() | st.sampled_from(_STOP_REASONS),
        raw_stop_reason=st.none() | _WORD,
        usage=st.none() | usages(openai_tiers=True),
        provider_options=st.just({}) | opts,
        error=st.none()
        | st.builds(
            ReplyError, type=st.none() | _WORD, code=st.none() | _WORD | st.integers(0, 599).map(str), message=texts()
        )
        if errors
        else st.none(),
    )


@st.composite
def stream_events(draw: st.DrawFn, response: Response) -> list[Any]:
    """The IR stream events of ``response`` (:func:`ir_codec.stream.events_of`) with each
    piece of text, thinking and tool-call arguments cut at drawn places (a signature comes with
    the last piece), as a provider streams them; assembling them gives ``response`` back."""
    from .stream import TextDelta, ThinkingDelta, ToolCallDelta, events_of

    def cuts(text: str) -> list[str]:
        if len(text) < 2:
            return [text]
        at = sorted(draw(st.sets(st.integers(1, len(text) - 1), max_size=4)))
        return [text[i:j] for i, j in zip([0, *at], [*at, len(text)], strict=True)]

    out: list[Any] = []
    for ev in events_of(response):
        if isinstance(ev, TextDelta):
            out += [TextDelta(index=ev.index, text=t) for t in cuts(ev.text)]
        elif isinstance(ev, ToolCallDelta):
            out += [ToolCallDelta(index=ev.index, arguments=t) for t in cuts(ev.arguments)]
        elif isinstance(ev, ThinkingDelta):
            pieces = cuts(ev.text)
            out += [ThinkingDelta(index=ev.index, text=t) for t in pieces[:-1]]
            out.append(ThinkingDelta(index=ev.index, text=pieces[-1], signature=ev.signature, origin=ev.origin))
        else:
            out.append(ev)
    return out


def _register_type_strategies() -> None:
    """Make ``st.from_type`` use these (run when this module is imported; the ``hypothesis``
    entry point, :mod:`ir_codec._hypothesis`, imports it)."""
    st.register_type_strategy(Request, requests())
    st.register_type_strategy(Response, responses())
    st.register_type_strategy(Usage, usages())
    st.register_type_strategy(Message, messages().filter(bool).map(lambda ms: ms[0]))
    st.register_type_strategy(SystemBlock, system_blocks())
    st.register_type_strategy(CacheControl, st.builds(CacheControl, ttl=st.sampled_from(list(CacheTtl))))


_register_type_strategies()
