"""The codec contract and the registry.

A codec is one class in one module of ``ir_codec.codecs``, registered by name with
:func:`register`. It lowers IR to wire JSON (:meth:`Codec.encode`), lifts wire JSON to IR
(:meth:`Codec.decode`, :meth:`Codec.decode_response`) and states the canonicalizations under
which ``encode(decode(p)) == p`` holds for every wire payload ``p`` (:meth:`Codec.canonicalize`).

Third-party codecs register through the ``ir_codec.codecs`` entry-point group
(``name = "package.module:CodecClass"``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import msgspec

from .errors import DecodeError, IRCodecError, LossyEncode, UnknownCodecError
from .ir import CacheTtl, Request, Response

if TYPE_CHECKING:
    from .stream import StreamDecoder

__all__ = [
    "Codec",
    "EncodeContext",
    "Encoded",
    "Endpoint",
    "available_codecs",
    "get_codec",
    "load_json",
    "register",
    "wire_convert",
]

T = TypeVar("T")


class EncodeContext:
    """Collects the losses of one encode. Every loss goes through :meth:`lossy`."""

    __slots__ = ("codec", "warnings")

    def __init__(self, codec: str) -> None:
        self.codec = codec
        self.warnings: list[LossyEncode] = []

    def lossy(self, path: str, reason: str) -> None:
        self.warnings.append(LossyEncode(codec=self.codec, path=path, reason=reason))


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
        """Keyword arguments for the provider's official SDK call, where the codec has a form."""
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

    def encode(self, request: Request) -> Encoded:
        """Lower ``request`` to the wire. Raises only for IR that is invalid in itself."""
        ctx = EncodeContext(self.NAME)
        body = self._encode(request, ctx)
        return Encoded(body, ctx.warnings, self, self.endpoint(request.model, request.stream))

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


# --------------------------------------------------------------------------------------------
# JSON helpers shared by codecs

_ERR = re.compile(r"^(?P<msg>.*?)(?: - at `(?P<path>[^`]*)`)?$", re.S)
_EXPECTED = re.compile(r"^Expected `(?P<exp>[^`]*)`, got `(?P<got>[^`]*)`$")


def _decode_error(exc: msgspec.MsgspecError, prefix: str = "$") -> DecodeError:
    m = _ERR.match(str(exc))
    msg = m.group("msg") if m else str(exc)
    path = (m.group("path") if m else None) or "$"
    path = prefix + path[1:]
    e = _EXPECTED.match(msg)
    if e:
        return DecodeError(path, e.group("exp"), e.group("got"))
    if msg.startswith("Object missing required field"):
        field = msg.split("`")[1] if "`" in msg else "?"
        return DecodeError(path, f"required field {field!r}", "nothing")
    if msg.startswith("Object contains unknown field"):
        field = msg.split("`")[1] if "`" in msg else "?"
        return DecodeError(f"{path}.{field}", "no such field", "an unknown field")
    if msg.startswith(("Invalid value", "Invalid enum value")):
        return DecodeError(path, "one of the allowed values", msg.split("value ", 1)[1])
    return DecodeError(path, "valid input", msg)


def load_json(payload: Mapping[str, Any] | bytes | str) -> Any:
    """Parse bytes/str JSON (or pass a mapping through); invalid JSON is a :class:`DecodeError`."""
    if isinstance(payload, bytes | bytearray | memoryview | str):
        try:
            return msgspec.json.decode(payload)
        except msgspec.DecodeError as exc:
            raise DecodeError("$", "valid JSON", str(exc)) from None
    return payload


def wire_convert(obj: Any, type_: type[T], prefix: str = "$") -> T:
    """``msgspec.convert`` with errors turned into :class:`DecodeError` with a JSON path."""
    try:
        return msgspec.convert(obj, type_)
    except msgspec.ValidationError as exc:
        raise _decode_error(exc, prefix) from None


def expect_object(obj: Any, path: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise DecodeError(path, "an object", type(obj).__name__)
    return obj


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
