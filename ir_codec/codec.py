"""The codec contract and the registry.

A codec is one class in one module of ``ir_codec.codecs``, registered by name with
:func:`register`. It lowers IR to wire JSON (:meth:`Codec.encode`), lifts wire JSON to IR
(:meth:`Codec.decode`, :meth:`Codec.decode_response`) and states the canonicalizations under
which ``encode(decode(p)) == p`` holds for every wire payload ``p`` (:meth:`Codec.canonicalize`).

Third-party codecs register through the ``ir_codec.codecs`` entry-point group
(``name = "package.module:CodecClass"``).
"""

from __future__ import annotations

import functools
import importlib
import operator
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import msgspec

from ._json import expect_object, expect_str, load_json, wire_convert
from .check import ToolIdRule, validate_ir
from .errors import IRCodecError, LossKind, LossyEncode, UnknownCodecError
from .ir import CacheTtl, Part, RedactedThinking, Request, Response, Thinking
from .paths import IRPath, render
from .profile import EVERY_FAMILY, CodecProfile

if TYPE_CHECKING:
    from .replies import EncodedStream, StreamEncoder
    from .stream import StreamDecoder

__all__ = [
    "Codec",
    "EncodeContext",
    "Encoded",
    "Endpoint",
    "Origins",
    "available_codecs",
    "expect_object",
    "expect_str",
    "fit_signatures",
    "foreign_reasoning",
    "get_codec",
    "load_json",
    "register",
    "wire_convert",
]


class Origins:
    """Where the items of a reduced request came from in the caller's request.

    A codec that drops or merges list items before lowering (a message with nothing the wire
    can hold, an empty text block) records, for each list it rebuilt, the caller's index of
    every item it kept: ``origins.keep(("messages",), [0, 2, 3])``. :meth:`original` then maps
    a path into the reduced request back to the caller's path, and an :class:`EncodeContext`
    made with :meth:`EncodeContext.through` reports every loss at the caller's path. This is
    the core's one realignment rule for warnings (``spec/losses.md``).
    """

    __slots__ = ("_lists",)

    def __init__(self) -> None:
        self._lists: dict[IRPath, list[int]] = {}

    def keep(self, list_path: IRPath, indices: list[int]) -> None:
        """The reduced list at ``list_path`` (a path in the reduced request) holds the caller's
        items ``indices``, in increasing order (a list that kept every item in place, whose last
        index is its length less one, is not recorded)."""
        if indices and indices[-1] != len(indices) - 1:  # increasing: else they are 0 .. n-1
            self._lists[list_path] = indices

    def original(self, path: IRPath) -> IRPath:
        """The caller's path of a path into the reduced request."""
        if not self._lists:
            return path
        out: list[str | int] = []
        for n, key in enumerate(path):
            if isinstance(key, int):
                kept = self._lists.get(tuple(path[:n]))
                if kept is not None and 0 <= key < len(kept):
                    key = kept[key]
            out.append(key)
        return tuple(out)


class EncodeContext:
    """Collects the losses of one encode. Every loss goes through :meth:`lossy`."""

    __slots__ = ("codec", "origins", "warnings")

    def __init__(self, codec: str, warnings: list[LossyEncode] | None = None, origins: Origins | None = None) -> None:
        self.codec = codec
        self.warnings: list[LossyEncode] = warnings if warnings is not None else []
        self.origins = origins

    def lossy(self, path: IRPath | str, kind: LossKind | str, reason: str | None = None) -> None:
        """Report a loss at ``path`` (an :data:`~ir_codec.paths.IRPath`): ``kind`` is what
        happened (:class:`LossKind`), ``reason`` says what and why.

        (The two-argument form ``lossy(path, reason)`` is the older call, kind ``changed``.)
        """
        if reason is None:
            kind, reason = LossKind.CHANGED, str(kind)
        if isinstance(path, tuple) and self.origins is not None:
            path = self.origins.original(path)
        kind = kind if type(kind) is LossKind else LossKind(kind)
        self.warnings.append(LossyEncode(codec=self.codec, path=render(path), kind=kind, reason=reason))

    def where(self, path: IRPath) -> str:
        """The string form of ``path`` as the caller knows it (mapped through the context's
        :class:`Origins`), for a reason that names another place ("mark moved to ...")."""
        return render(self.origins.original(path) if self.origins is not None else path)

    def through(self, origins: Origins) -> EncodeContext:
        """A context on the same warning list that reports paths of a reduced request at the
        caller's paths (see :class:`Origins`)."""
        return EncodeContext(self.codec, self.warnings, origins)


class Endpoint(msgspec.Struct, frozen=True, kw_only=True):
    """Where an encoded body goes: the HTTP ``method`` and the ``path`` below the provider's base
    URL, with the model and the stream variant filled in (``/model/{id}/converse-stream``).

    ``model`` and ``stream`` are the request's own values. Where a provider carries them in the
    URL rather than the body (Gemini, Bedrock, Anthropic on Bedrock and Vertex), they travel
    here, so they are not lost: :meth:`Codec.decode` with ``endpoint=`` puts them back.
    """

    method: str = "POST"
    path: str
    model: str | None = None
    stream: bool | None = None
    headers: dict[str, str] = {}
    """Headers the body depends on (the direct Anthropic API's ``anthropic-version``)."""


class Encoded:
    """The result of an encode: the wire ``body`` (JSON builtins), every loss in ``warnings`` and
    the ``endpoint`` the body is sent to."""

    __slots__ = ("body", "codec", "endpoint", "warnings")

    def __init__(
        self, body: dict[str, Any], warnings: list[LossyEncode], codec: Codec, endpoint: Endpoint | None = None
    ) -> None:
        self.body = body
        self.warnings = warnings
        self.codec = codec
        self.endpoint = endpoint if endpoint is not None else codec.endpoint(None, None)

    def to_json(self) -> bytes:
        """The body as compact JSON bytes, keys in the codec's canonical order."""
        return msgspec.json.encode(self.body)

    def sdk_kwargs(self, **options: Any) -> dict[str, Any]:
        """The keyword arguments of the official SDK's create call for this body, with the same
        meaning for every codec: the model included (the request's, also where the provider
        carries it in the URL; ``model=`` chooses another), typed parameters by name, the rest
        where that SDK takes it (``extra_body``, Gemini's ``config.httpOptions.extraBody``), and
        ``options`` (more keyword arguments of that call: ``timeout``, ``extra_headers``, ...)
        added as given. The calls: ``anthropic`` ``client.messages.create`` (also
        ``AnthropicBedrock`` / ``AnthropicVertex``), ``openai-chat`` and its flavors
        ``client.chat.completions.create``, ``openai-responses`` ``client.responses.create``,
        ``gemini`` ``client.models.generate_content``, ``bedrock-converse`` boto3
        ``bedrock_runtime.converse``."""
        if self.endpoint.model is not None and "model" not in options and "model_id" not in options:
            options["model"] = self.endpoint.model
        return self.codec.sdk_kwargs(self.body, **options)

    def __repr__(self) -> str:
        return f"Encoded(codec={self.codec.NAME!r}, endpoint={self.endpoint.path!r}, warnings={len(self.warnings)})"


class Codec:
    """Base class of every codec. Subclasses set the capability flags and implement
    ``_encode``, ``decode`` and (for responses) ``decode_response``."""

    NAME: ClassVar[str]
    """The registered name (``anthropic``, ``openai-chat``, ...)."""
    WIRE_REQUEST: ClassVar[type[Any]]
    """The strict msgspec Struct of the request body; used by :meth:`validate_wire`."""
    MAX_CACHE_BREAKPOINTS: ClassVar[int | None] = None
    """How many cache marks one request may carry; ``None`` when the codec has no cap, 0 when
    it cannot express inline marks at all."""
    CACHE_TTLS: ClassVar[tuple[CacheTtl, ...]] = ()
    """The cache TTL tiers the wire can express."""
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = ()
    """Human-readable list of the wire forms that decode to the same IR; see :meth:`canonicalize`."""
    PASSES: ClassVar[tuple[str, ...]] = ()
    """Names of the IR passes the codec runs before lowering, in order."""
    DEFAULT_BASE_URL: ClassVar[str] = ""
    """The provider's base URL, as its official SDK has it (``{region}``-style fields are left
    for the caller to fill)."""
    ENDPOINT: ClassVar[str] = ""
    """Path template of the request below the base URL; ``{model}`` is the model id."""
    STREAM_ENDPOINT: ClassVar[str | None] = None
    """Path template when streaming has an endpoint of its own (``None``: the same path)."""
    URL_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """IR request fields (``model``, ``stream``) that this provider carries in the URL."""
    REQUIRED_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """IR request fields the provider refuses a body without (``max_tokens`` for Anthropic);
    :meth:`encode` raises :class:`~ir_codec.errors.InvalidRequestError` when one is ``None``."""
    DECODES_NORMAL_FORM: ClassVar[bool] = False
    """:meth:`decode` builds IR in :func:`~ir_codec.check.validate_ir`'s normal form (every node
    of its declared type), so that ``transpile`` from this codec skips the type check's copy.
    True for the built-in codecs (``tests/test_decode_normal_form.py``)."""
    TOOL_IDS: ClassVar[ToolIdRule] = "paired"
    """How the provider relates tool-call ids (:data:`ir_codec.check.ToolIdRule`): ``"paired"``
    (unique, every result answers an earlier call), ``"unique"`` or ``"free"``."""
    PROFILE: ClassVar[CodecProfile | None] = None
    """The codec's capabilities as data (see :mod:`ir_codec.profile`); :meth:`profile` returns
    it, or a variant for the codec's options."""

    def profile(self) -> CodecProfile:
        """This codec instance's :class:`~ir_codec.profile.CodecProfile`."""
        return self.PROFILE if self.PROFILE is not None else CodecProfile()

    def profile_for(self, request: Request) -> CodecProfile:
        """The profile that governs ``request``: :meth:`profile`, unless a field of the request
        changes what the wire accepts (Anthropic on Bedrock and Vertex: an ``anthropic_version``
        in ``provider_options`` decides whether the sampling parameters may be sent)."""
        return self.profile()

    def encode(self, request: Request) -> Encoded:
        """Lower ``request`` to the wire. Raises only for IR that is invalid in itself or lacks
        what the provider requires (:class:`~ir_codec.errors.InvalidRequestError`, naming the IR
        path; the request is checked and normalized by :func:`ir_codec.check.validate_ir`).

        The core reports and clears the request fields the profile says the wire cannot hold
        (``CodecProfile.unsupported``), then the codec lowers the rest (:meth:`_encode`).
        """
        return self._encode_request(request, types=True)

    def _encode_request(self, request: Request, *, types: bool) -> Encoded:
        """:meth:`encode`; ``types=False`` for a request that comes straight from a codec's
        :meth:`decode` (``transpile``), whose nodes are built of the right types: the copy that
        checks them is skipped, the target's own rules are checked as always."""
        request = validate_ir(
            request, required=self.REQUIRED_FIELDS, tool_ids=self.TOOL_IDS, codec=self.NAME, types=types
        )
        ctx = EncodeContext(self.NAME)
        endpoint = self.endpoint(request.model, request.stream)
        profile = self.profile_for(request)
        request = drop_unsupported(request, profile, ctx)
        request = fit_signatures(request, profile.signatures, ctx, profile.redacted_thinking)
        body = self._encode(request, ctx)
        return Encoded(body, ctx.warnings, self, endpoint)

    def run_passes(self, request: Request, ctx: EncodeContext) -> Request:
        """Run the passes the profile names (``CodecProfile.passes``), in order."""
        profile = self.profile()
        for name in profile.passes:
            request = _passes()[name](request, profile, ctx)
        return request

    def endpoint(self, model: str | None, stream: bool | None) -> Endpoint:
        """The :class:`Endpoint` of a request for ``model``; a missing model stays ``{model}``."""
        template = self.STREAM_ENDPOINT if stream and self.STREAM_ENDPOINT is not None else self.ENDPOINT
        path = template.replace("{model}", self._url_model(model)) if model is not None else template
        return Endpoint(path=path, model=model, stream=stream)

    def _url_model(self, model: str) -> str:
        """The model id as it stands in the URL path (percent-encoded where the provider needs it)."""
        return model

    def with_endpoint(self, request: Request, endpoint: Endpoint | None) -> Request:
        """``request`` with the fields this codec carries in the URL taken from ``endpoint``."""
        if endpoint is None or not self.URL_FIELDS:
            return request
        changes = {f: getattr(endpoint, f) for f in self.URL_FIELDS}
        return msgspec.structs.replace(request, **changes)

    def _encode(self, request: Request, ctx: EncodeContext) -> dict[str, Any]:
        raise NotImplementedError

    def decode(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        """Lift a wire request body to IR; raises :class:`DecodeError` naming the JSON path."""
        raise NotImplementedError

    def decode_response(self, payload: Mapping[str, Any] | bytes | str) -> Response:
        """Lift a wire response body to an IR :class:`Response`."""
        raise IRCodecError(f"codec {self.NAME!r} does not decode responses")

    def stream_decoder(self) -> StreamDecoder:
        """A fresh decoder for this provider's event stream (see :mod:`ir_codec.stream`)."""
        raise IRCodecError(f"codec {self.NAME!r} does not decode streams")

    REPLY_ERRORS: ClassVar[bool] = False
    """The reply body holds ``Response.error``: Gemini's (the merge of its chunks: the error
    chunk's ``error``), OpenRouter's (a choice's ``error``), a failed Responses object's;
    elsewhere :meth:`encode_response` reports it dropped."""

    STREAM_SSE: ClassVar[bool] = True
    """The provider streams Server-Sent Events (Bedrock's ConverseStream is binary event-stream)."""
    STREAM_DONE: ClassVar[bool] = False
    """The SSE stream ends with ``data: [DONE]`` (OpenAI Chat and its flavors)."""

    def encode_response(self, response: Response) -> Encoded:
        """Lower an IR :class:`Response` to this provider's reply body; every loss is in
        ``Encoded.warnings`` with its path in the Response (see :mod:`ir_codec.replies`)."""
        if not isinstance(response, Response):
            raise TypeError(f"encode_response() takes an ir_codec.Response, not {type(response).__name__}")
        ctx = EncodeContext(self.NAME)
        body = self._encode_response(response, ctx)
        if response.error is not None and not self.REPLY_ERRORS:
            why = (
                "a reply body has no place for the error that ended the stream (its stream has: encode_stream); dropped"
            )
            ctx.lossy(("error",), LossKind.DROPPED, why)
        return Encoded(body, ctx.warnings, self)

    def encode_stream(self, response: Response) -> EncodedStream:
        """Split an IR :class:`Response` into this provider's stream events
        (:class:`ir_codec.replies.EncodedStream`); decoding them with :meth:`stream_decoder`
        gives what decoding :meth:`encode_response`'s body gives, with the same warnings.

        It is the :meth:`stream_encoder` fed the IR events of ``response``
        (:func:`ir_codec.stream.events_of`)."""
        from .stream import events_of

        if not isinstance(response, Response):
            raise TypeError(f"encode_stream() takes an ir_codec.Response, not {type(response).__name__}")
        return self.stream_encoder().stream(events_of(response))

    def stream_encoder(self) -> StreamEncoder:
        """A fresh encoder from IR stream events to this provider's events, event by event
        (:class:`ir_codec.replies.StreamEncoder`)."""
        raise IRCodecError(f"codec {self.NAME!r} does not encode streams")

    def _encode_response(self, response: Response, ctx: EncodeContext) -> dict[str, Any]:
        raise IRCodecError(f"codec {self.NAME!r} does not encode responses")

    def canonicalize(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Rewrite a wire payload into the canonical form that :meth:`encode` produces.

        ``encode(decode(p)).body == canonicalize(p)`` holds for every valid payload ``p``.
        """
        return dict(payload)

    def validate_wire(self, body: Mapping[str, Any]) -> None:
        """Check ``body`` against the codec's strict wire types; raise :class:`DecodeError`."""
        wire_convert(body, self.WIRE_REQUEST)

    def sdk_kwargs(self, body: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        raise IRCodecError(f"codec {self.NAME!r} has no SDK keyword-argument form")

    def __repr__(self) -> str:
        return f"<codec {self.NAME}>"


@functools.cache
def _passes() -> dict[str, Callable[[Request, CodecProfile, EncodeContext], Request]]:
    from .passes import PASSES  # on first use: import ir_codec does not load the passes

    return PASSES


def _default_of(f: msgspec.structs.FieldInfo) -> Callable[[], Any]:
    if f.default is msgspec.NODEFAULT:
        return f.default_factory  # type: ignore[no-any-return]
    value = f.default
    return lambda: value


_REQUEST_DEFAULTS: dict[str, Callable[[], Any]] = {f.name: _default_of(f) for f in msgspec.structs.fields(Request)}


def drop_unsupported(request: Request, profile: CodecProfile, ctx: EncodeContext) -> Request:
    """Report (kind ``dropped``) and clear every request field set in ``request`` that the
    profile lists as unsupported; the codec then never sees them."""
    if not profile.unsupported:
        return request
    changes: dict[str, Any] = {}
    for name, why in profile.unsupported.items():
        value = getattr(request, name)
        if value is None:  # the default of every field that has no factory
            continue
        default = _REQUEST_DEFAULTS[name]()
        if value != default:
            ctx.lossy((name,), LossKind.DROPPED, f"{why}; not sent")
            changes[name] = default
    return msgspec.structs.replace(request, **changes) if changes else request


def foreign_reasoning(part: Part, family: str | None) -> str | None:
    """Why a codec of signature ``family`` cannot send ``part``'s encrypted reasoning (a
    :class:`RedactedThinking` another family returned), or None. Codecs that carry redacted
    thinking drop such a part with this reason."""
    if isinstance(part, RedactedThinking) and part.origin is not None and part.origin != family:
        return f"encrypted reasoning from {part.origin} does not decrypt here; dropped"
    return None


_REASONING = frozenset({Thinking, RedactedThinking})
_content = operator.attrgetter("content")


def fit_signatures(request: Request, family: str | None, ctx: EncodeContext, redacted: bool = False) -> Request:
    """The request with every reasoning signature fit for a wire of signature ``family``
    (``CodecProfile.signatures``), each change reported:

    - a :class:`Thinking` signature from another family is not sent (``dropped``): it would not
      verify (PROVIDERS.md §13: a Gemini ``thoughtSignature`` is no Anthropic ``signature``);
    - a signature or encrypted reasoning of unknown origin is sent as this family's (``changed``:
      decode reads it back with that origin);
    - an origin with nothing signed, or on a wire that carries no signatures, is not sent.

    ``redacted``: the wire carries redacted thinking as such (``CodecProfile.redacted_thinking``);
    redacted thinking of another family is dropped by those codecs (:func:`foreign_reasoning`).

    ``family`` ``"*"`` (:data:`~ir_codec.profile.EVERY_FAMILY`): the wire names each part's family
    itself (OpenRouter's reasoning ``format``), so every signature is sent with its origin, and
    one of unknown origin stays so."""
    if _REASONING.isdisjoint(map(type, chain.from_iterable(map(_content, request.messages)))):
        return request  # no reasoning part (the common request): one scan in C, no loop per part
    messages = request.messages  # copied, with the message, at the first part that changes
    for i, m in enumerate(request.messages):
        content = m.content
        for j, p in enumerate(m.content):
            if type(p) is not Thinking and type(p) is not RedactedThinking:
                continue
            path = ("messages", i, "content", j)
            signed = p.signature is not None if isinstance(p, Thinking) else True
            if p.origin is not None and (family is None or not signed):
                why = f"{ctx.codec} carries no reasoning signatures" if family is None else "nothing is signed"
                ctx.lossy((*path, "origin"), LossKind.DROPPED, f"{why}; the origin is not sent")
                fitted: Part = msgspec.structs.replace(p, origin=None)
            elif family == EVERY_FAMILY:
                continue
            elif isinstance(p, Thinking) and signed and p.origin is not None and p.origin != family:
                why = f"a {p.origin} signature does not verify on {ctx.codec}; not sent"
                ctx.lossy((*path, "signature"), LossKind.DROPPED, why)
                ctx.lossy((*path, "origin"), LossKind.DROPPED, "no signature is sent; the origin goes with it")
                fitted = msgspec.structs.replace(p, signature=None, origin=None)
            elif isinstance(p, RedactedThinking) and not redacted:
                continue  # the codec drops or converts the part (and reports it)
            elif family is not None and signed and p.origin is None:
                why = f"a signature of unknown origin is sent as {family}'s; it reads back with that origin"
                ctx.lossy((*path, "origin"), LossKind.CHANGED, why)
                fitted = msgspec.structs.replace(p, origin=family)
            else:
                continue
            if content is m.content:
                content = list(content)
            content[j] = fitted
        if content is not m.content:
            if messages is request.messages:
                messages = list(messages)
            messages[i] = msgspec.structs.replace(m, content=content)
    return request if messages is request.messages else msgspec.structs.replace(request, messages=messages)


# --------------------------------------------------------------------------------------------
# Registry

_BUILTIN: dict[str, str] = {
    "anthropic": "ir_codec.codecs.anthropic",
    "anthropic-bedrock": "ir_codec.codecs.anthropic",
    "anthropic-vertex": "ir_codec.codecs.anthropic",
    "bedrock-converse": "ir_codec.codecs.bedrock_converse",
    "openai-chat": "ir_codec.codecs.openai_chat",
    "openai-responses": "ir_codec.codecs.openai_responses",
    "gemini": "ir_codec.codecs.gemini",
    "openrouter": "ir_codec.codecs.openrouter",
    "mistral": "ir_codec.codecs.mistral",
    "deepseek": "ir_codec.codecs.deepseek",
}
_REGISTRY: dict[str, type[Codec]] = {}
_ENTRY_POINT_GROUP = "ir_codec.codecs"

C = TypeVar("C", bound=type[Codec])


def register(cls: C) -> C:
    """Class decorator: register a codec class under its ``NAME``."""
    _REGISTRY[cls.NAME] = cls
    return cls


def _entry_points() -> dict[str, Callable[[], Any]]:
    from importlib.metadata import entry_points

    return {ep.name: ep.load for ep in entry_points(group=_ENTRY_POINT_GROUP)}


def _lookup(name: str) -> type[Codec]:
    if name in _REGISTRY:
        return _REGISTRY[name]
    module = _BUILTIN.get(name)
    if module is not None:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    if name not in _REGISTRY:
        eps = _entry_points()
        if name in eps:
            cls = eps[name]()
            if not (isinstance(cls, type) and issubclass(cls, Codec)):
                raise IRCodecError(f"entry point {name!r} is not a Codec subclass")
            _REGISTRY.setdefault(name, cls)
    if name not in _REGISTRY:
        raise UnknownCodecError(name, available_codecs())
    return _REGISTRY[name]


def get_codec(name: str, **options: Any) -> Codec:
    """The codec registered as ``name``, configured with ``options``.

    >>> get_codec("anthropic", api_version="2023-06-01")  # doctest: +SKIP
    <codec anthropic>
    """
    cls = _lookup(name)
    try:
        return cls(**options)
    except TypeError as exc:
        raise IRCodecError(f"codec {name!r}: bad options: {exc}") from None


def available_codecs() -> list[str]:
    """Names of every codec that can be loaded: built-in, registered and from entry points."""
    names = set(_REGISTRY)
    for name, module in _BUILTIN.items():
        if name in names:
            continue
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        if name in _REGISTRY:
            names.add(name)
    names.update(_entry_points())
    return sorted(names)


def iter_codecs(names: Iterable[str] | None = None) -> list[Codec]:
    return [get_codec(n) for n in (names if names is not None else available_codecs())]
