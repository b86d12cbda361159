"""Anthropic Messages API: the direct API, Amazon Bedrock InvokeModel and Google Vertex rawPredict.

Three registered codecs share one lowering and one lifting (the body formats are the same
Messages body):

- ``anthropic``: the body of ``POST /v1/messages`` (``model`` and ``stream`` in the body; the
  API version travels in the ``anthropic-version`` header, chosen with the ``api_version``
  option: ``"2026-10-21"`` (default, what SDK 2.x sends) or ``"2023-06-01"``).
- ``anthropic-bedrock``: the InvokeModel body: ``anthropic_version`` in the body, no ``model``
  (it is in the URL ``/model/{id}/invoke``), no ``stream`` (the endpoint
  ``invoke-with-response-stream`` selects streaming). src: SDK ``lib/bedrock/_client.py``.
- ``anthropic-vertex``: the rawPredict body: ``anthropic_version`` in the body, no ``model``,
  ``stream`` stays. src: SDK ``lib/vertex/_client.py``.

**One family name.** All three use the codec name ``"anthropic"`` for ``provider_options`` keys
and for the ``codec`` of :class:`~ir_codec.ir.ProviderPart` / :class:`~ir_codec.ir.ProviderTool`:
the body format is the same, so a server-tool block decoded from a Bedrock body re-encodes
unchanged for the direct API, and options written for ``anthropic`` apply to all three. Options
under ``"anthropic-bedrock"`` or ``"anthropic-vertex"`` are foreign and reported lost.

**anthropic_version (Bedrock, Vertex).** The codec option ``api_version`` (``"2026-10-21"`` by
default; ``"bedrock-2023-05-31"`` / ``"vertex-2023-10-16"`` are the legacy values) is written to
the body. A decoded body whose ``anthropic_version`` differs from the configured one keeps it in
``provider_options["anthropic"]["anthropic_version"]``, which then overrides the option on
encode, so a body re-encodes to the same version. The effective version decides the rules: the
legacy versions (and ``2023-06-01``) send ``temperature``/``top_p``/``top_k``; ``2026-10-21``
rejects them, rejects a ``document`` block in an assistant message and a user text block with
non-empty ``citations`` (src: docs /api/versioning, /api/migration-2026-10-21). Hence the
profile depends on the request (:meth:`_AnthropicBase.profile_for`).

**Bedrock and automatic caching.** The legacy Bedrock integration rejects the top-level
``cache_control``; option ``automatic_caching`` (default: on, except with
``api_version="bedrock-2023-05-31"``) turns the request-level mark into an explicit mark on the
last cacheable block instead (the cache planner's rule for providers without automatic mode).

The package: ``wire.py`` (wire Structs), ``lower.py`` (IR -> wire), ``lift.py`` (wire -> IR),
``reply.py`` (replies, usage, stop reasons, streams), ``sdk.py`` (the SDK's keyword form),
``canonical.py`` (the documented canonicalizations).

Example::

    from ir_codec import get_codec
    from ir_codec.ir import Message, Request, Text

    enc = get_codec("anthropic").encode(
        Request(model="claude-opus-5", max_tokens=256, messages=[Message(role="user", content=[Text(text="Hi")])])
    )
    enc.body  # {"model": "claude-opus-5", "max_tokens": 256, "messages": [...]}
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

import msgspec

from ir_codec.codec import Codec, EncodeContext, Encoded, Endpoint, expect_object, load_json, register
from ir_codec.errors import IRCodecError
from ir_codec.ir import CacheTtl, Request, Response
from ir_codec.profile import CacheRules, CodecProfile

from .canonical import CANONICALIZATIONS, canonicalize
from .lift import check_request_rules, lift_request
from .lower import lower_request
from .reply import AnthropicStreamDecoder, AnthropicStreamEncoder, anthropic_usage, decode_response, encode_reply
from .sdk import SDK_TYPED, sdk_kwargs
from .wire import API_2026, DIRECT_VERSIONS, FAMILY, LEGACY_VERSIONS, BodyForm, WRequest

__all__ = [
    "AnthropicBedrockCodec",
    "AnthropicCodec",
    "AnthropicStreamDecoder",
    "AnthropicStreamEncoder",
    "AnthropicVertexCodec",
    "anthropic_usage",
]

_CARRIES = (
    "system blocks and `system` messages; text, image and document (base64, url, file, text), tool_use, "
    "tool_result, thinking, redacted_thinking; server tools and their blocks (opaque); tools, tool_choice, "
    "parallel calls; `cache_control` 5m / 1h on blocks and tools plus top-level automatic caching "
    "(4 breakpoints); thinking config, output_config (effort, format), metadata.user_id; API versions "
    "2026-10-21 (default) and 2023-06-01"
)
_LOSES = (
    "temperature / top_p / top_k on 2026-10-21, seed, n, the metadata map, cache_key, audio, refusal parts, "
    "unsigned thinking, empty texts and empty turns, 30m / 12h TTLs (sent as 1h), marks over the cap or out of "
    "TTL order, marks on thinking or inside tool results (moved)"
)
_PLATFORM_CARRIES = (
    "the same body with `anthropic_version` (legacy versions kept); Bedrock's automatic caching is an option "
    "(off on `bedrock-2023-05-31`)"
)
_PLATFORM_LOSES = "as `anthropic` (the model, and on Bedrock the stream choice, travel in `Encoded.endpoint`)"

_UNSUPPORTED: dict[str, str] = {
    "seed": "Anthropic has no seed",
    "n": "Anthropic returns one completion per request",
    "metadata": "Anthropic metadata holds only user_id (the IR's user), not a mapping",
    "cache_key": "Anthropic has no cache routing key",
}
"""IR request fields the Messages body has no place for (src: SDK message_create_params.py)."""


@functools.lru_cache(maxsize=64)
def _profile(version: str, automatic: bool, carries: str, loses: str) -> CodecProfile:
    """The profile of a body with API ``version`` and automatic caching on or off."""
    unsupported: dict[str, str] = {}
    if version not in LEGACY_VERSIONS:
        # 2026-10-21 rejects the sampling parameters (docs /api/migration-2026-10-21)
        unsupported = {name: f"API version {version} rejects {name}" for name in ("temperature", "top_p", "top_k")}
    return CodecProfile(
        signatures="anthropic",
        redacted_thinking=True,
        cache=CacheRules(
            # At most 4 cache_control marks per request, the top-level automatic one included
            # (A-PC); ttl is "5m" (default) or "1h" (SDK cache_control_ephemeral_param.py).
            max_breakpoints=4,
            ttls=(CacheTtl.FIVE_MINUTES, CacheTtl.ONE_HOUR),
            native_automatic=automatic,
            nested_markable=False,
            # Thinking blocks cannot carry cache_control (SDK thinking_block_param.py has none;
            # A-PC "cannot be cached"); the reduction removed the rest the wire cannot hold.
            parts=frozenset({"text", "image", "document", "tool_use", "tool_result", "provider"}),
        ),
        # Only the cache planner; consecutive same-role turns are combined by the API itself.
        passes=("plan_cache_breakpoints",),
        unsupported={**unsupported, **_UNSUPPORTED},
        required=frozenset({"max_tokens"}),
        carries=carries,
        loses=loses,
    )


class _AnthropicBase(Codec):
    """Shared lowering and lifting of the Anthropic Messages body."""

    DECODES_NORMAL_FORM = True

    WIRE_REQUEST: ClassVar[type[Any]] = WRequest
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = CANONICALIZATIONS
    HAS_MODEL: ClassVar[bool] = True
    """``model`` is a body field (the direct API); Bedrock and Vertex carry it in the URL."""
    HAS_STREAM: ClassVar[bool] = True
    """``stream`` is a body field (not on Bedrock, whose endpoint selects streaming)."""
    BODY_VERSION: ClassVar[bool] = False
    """``anthropic_version`` is a body field (Bedrock, Vertex)."""
    VERSIONS: ClassVar[frozenset[str]] = frozenset({API_2026, "2023-06-01"})
    """Values the ``api_version`` option accepts."""
    SDK_TYPED: ClassVar[frozenset[str]] = SDK_TYPED
    """Keyword arguments of ``Messages.create`` (the rest goes in ``extra_body``; see ``sdk.py``)."""
    # -- IR check (issue 9, item 4) ------------------------------------------------------------
    REQUIRED_FIELDS: ClassVar[frozenset[str]] = frozenset({"max_tokens"})
    """The Messages API refuses a body without ``max_tokens`` (PROVIDERS.md section 2a; SDK
    ``message_create_params.py``: ``max_tokens: Required[int]``), on Bedrock and Vertex too.
    The option ``default_max_tokens`` supplies one for requests that have none."""

    def __init__(
        self, api_version: str = API_2026, automatic_caching: bool | None = None, default_max_tokens: int | None = None
    ) -> None:
        if api_version not in self.VERSIONS:
            raise IRCodecError(f"{self.NAME}: api_version must be one of {sorted(self.VERSIONS)}, not {api_version!r}")
        if default_max_tokens is not None and (type(default_max_tokens) is not int or default_max_tokens < 0):
            raise IRCodecError(f"{self.NAME}: default_max_tokens must be an int >= 0, not {default_max_tokens!r}")
        self.api_version = api_version
        self.automatic_caching = automatic_caching if automatic_caching is not None else True
        self.default_max_tokens = default_max_tokens

    @functools.cached_property
    def form(self) -> BodyForm:
        """What this platform's body holds (see :class:`~.wire.BodyForm`)."""
        return BodyForm(
            codec=self.NAME,
            api_version=self.api_version,
            has_model=self.HAS_MODEL,
            has_stream=self.HAS_STREAM,
            body_version=self.BODY_VERSION,
            legacy_version=min(v for v in self.VERSIONS if v != API_2026),
        )

    def profile(self) -> CodecProfile:
        """The profile for the configured ``api_version`` and ``automatic_caching``."""
        assert self.PROFILE is not None
        return _profile(self.api_version, self.automatic_caching, self.PROFILE.carries, self.PROFILE.loses)

    def profile_for(self, request: Request) -> CodecProfile:
        """The profile for the API version that governs ``request``: on Bedrock and Vertex a
        ``provider_options["anthropic"]["anthropic_version"]`` overrides the option."""
        assert self.PROFILE is not None
        version = self.form.version(request.provider_options.get(FAMILY, {}).get("anthropic_version"))
        return _profile(version, self.automatic_caching, self.PROFILE.carries, self.PROFILE.loses)

    def _encode_request(self, request: Request, *, types: bool) -> Encoded:
        """As :meth:`Codec.encode`; a request without ``max_tokens`` gets ``default_max_tokens``
        when the codec has that option (transpiling OpenAI or Gemini traffic, which has none)."""
        # -- IR check (issue 9, item 4): the default is filled in before the core checks the IR.
        if self.default_max_tokens is not None and isinstance(request, Request) and request.max_tokens is None:
            request = msgspec.structs.replace(request, max_tokens=self.default_max_tokens)
        encoded = super()._encode_request(request, types=types)
        if not self.BODY_VERSION:  # the direct API: the version travels in the anthropic-version header
            version = self.form.version(request.provider_options.get(FAMILY, {}).get("anthropic_version"))
            encoded.endpoint = msgspec.structs.replace(encoded.endpoint, headers={"anthropic-version": version})
        return encoded

    def with_endpoint(self, request: Request, endpoint: Endpoint | None) -> Request:
        """As :meth:`Codec.with_endpoint`; on the direct API an ``anthropic-version`` header other
        than the ``api_version`` option goes back to ``provider_options["anthropic"]``."""
        request = super().with_endpoint(request, endpoint)
        version = None if endpoint is None or self.BODY_VERSION else endpoint.headers.get("anthropic-version")
        if version is None or version == self.api_version or version not in DIRECT_VERSIONS:
            return request
        own = {**request.provider_options.get(FAMILY, {}), "anthropic_version": version}
        return msgspec.structs.replace(request, provider_options={**request.provider_options, FAMILY: own})

    def _encode(self, request: Request, ctx: EncodeContext) -> dict[str, Any]:
        return lower_request(self, self.form, request, ctx)

    def decode(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        """Lift a Messages request body to IR; raises :class:`DecodeError` with the JSON path."""
        return lift_request(self.form, expect_object(load_json(payload), "$"))

    def validate_wire(self, body: Mapping[str, Any]) -> None:
        """Type-check ``body`` (every known object) and the API rules the encoder guarantees:
        no empty text blocks, no empty non-final messages, at most 4 cache marks, no sampling
        parameters on 2026-10-21, no ``model``/``stream`` where the platform forbids them."""
        req = expect_object(body, "$")
        lift_request(self.form, req)
        check_request_rules(self.form, req)

    def canonicalize(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The form :meth:`encode` writes for ``payload`` (see ``CANONICALIZATIONS``)."""
        return canonicalize(self.form, payload)

    def decode_response(self, payload: Mapping[str, Any] | bytes | str) -> Response:
        """Lift a Messages reply (the same body on all three platforms) to an IR Response."""
        return decode_response(payload)

    def _encode_response(self, response: Response, ctx: EncodeContext) -> dict[str, Any]:
        return encode_reply(response, ctx)

    def stream_encoder(self) -> AnthropicStreamEncoder:
        """An encoder from IR stream events to the Messages event stream, event by event (the
        same events on all three platforms: Bedrock's ``invoke-with-response-stream`` carries
        each as the JSON of an event-stream ``chunk``)."""
        return AnthropicStreamEncoder(self)

    def stream_decoder(self) -> AnthropicStreamDecoder:
        """A decoder for the Messages event stream (SSE ``data`` objects; on Bedrock the JSON
        inside each event-stream ``chunk``, which carries the same events)."""
        return AnthropicStreamDecoder()

    def sdk_kwargs(self, body: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        """Split ``body`` into typed ``messages.create`` arguments and ``extra_body``."""
        return sdk_kwargs(body, **options)


@register
class AnthropicCodec(_AnthropicBase):
    """The direct Anthropic Messages API body (``POST /v1/messages``)."""

    NAME: ClassVar[str] = "anthropic"
    """Registered name."""
    PROFILE: ClassVar[CodecProfile | None] = _profile(API_2026, True, _CARRIES, _LOSES)
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.anthropic.com"
    ENDPOINT: ClassVar[str] = "/v1/messages"


@register
class AnthropicBedrockCodec(_AnthropicBase):
    """The Amazon Bedrock InvokeModel body for Claude."""

    NAME: ClassVar[str] = "anthropic-bedrock"
    """Registered name."""
    PROFILE: ClassVar[CodecProfile | None] = _profile(API_2026, True, _PLATFORM_CARRIES, _PLATFORM_LOSES)
    DEFAULT_BASE_URL: ClassVar[str] = "https://bedrock-runtime.{region}.amazonaws.com"
    ENDPOINT: ClassVar[str] = "/model/{model}/invoke"
    STREAM_ENDPOINT: ClassVar[str | None] = "/model/{model}/invoke-with-response-stream"
    URL_FIELDS: ClassVar[frozenset[str]] = frozenset({"model", "stream"})
    HAS_MODEL: ClassVar[bool] = False
    HAS_STREAM: ClassVar[bool] = False
    BODY_VERSION: ClassVar[bool] = True
    VERSIONS: ClassVar[frozenset[str]] = frozenset({API_2026, "bedrock-2023-05-31"})

    def __init__(
        self, api_version: str = API_2026, automatic_caching: bool | None = None, default_max_tokens: int | None = None
    ) -> None:
        super().__init__(api_version, automatic_caching, default_max_tokens)
        if automatic_caching is None:
            # The legacy Bedrock integration rejects top-level cache_control (A-PC).
            self.automatic_caching = api_version != "bedrock-2023-05-31"

    def _url_model(self, model: str) -> str:
        return quote(model, safe="")  # ARNs and "...-v1:0" ids are percent-encoded, as botocore does


@register
class AnthropicVertexCodec(_AnthropicBase):
    """The Google Vertex AI rawPredict / streamRawPredict body for Claude."""

    NAME: ClassVar[str] = "anthropic-vertex"
    """Registered name."""
    PROFILE: ClassVar[CodecProfile | None] = _profile(API_2026, True, _PLATFORM_CARRIES, _PLATFORM_LOSES)
    DEFAULT_BASE_URL: ClassVar[str] = (
        "https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}"
    )
    ENDPOINT: ClassVar[str] = "/publishers/anthropic/models/{model}:rawPredict"
    STREAM_ENDPOINT: ClassVar[str | None] = "/publishers/anthropic/models/{model}:streamRawPredict"
    URL_FIELDS: ClassVar[frozenset[str]] = frozenset({"model"})
    HAS_MODEL: ClassVar[bool] = False
    BODY_VERSION: ClassVar[bool] = True
    VERSIONS: ClassVar[frozenset[str]] = frozenset({API_2026, "vertex-2023-10-16"})
