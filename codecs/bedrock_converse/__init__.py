"""Amazon Bedrock Converse / ConverseStream (``bedrock-converse``).

The wire is the JSON body of ``POST /model/{modelId}/converse`` (``/converse-stream``): the
``ConverseRequest`` shape of botocore's ``bedrock-runtime`` service model (2023-09-30) without
``modelId``, which is a URI member. Content blocks, system blocks, tools and tool choices are
one-key unions (``{"text": ...}``, ``{"image": {...}}``, ``{"cachePoint": {...}}``); blobs are
base64 strings on the JSON wire (rest-json protocol).

Rules this codec follows (each cites the botocore shape or AWS document it comes from; the
full list of equivalent wire forms is ``spec/canonicalizations/bedrock-converse.md``):

- Cache marks are separate ``cachePoint`` blocks right after the item they close, in
  ``system``, ``messages[].content`` and ``toolConfig.tools`` (``CachePointBlock``; AWS user
  guide "Prompt caching"). ``{"type": "default"}`` is 5 minutes, ``"ttl": "1h"`` one hour.
- ``provider_options["bedrock-converse"]`` of a part merges into the object that *is* the part:
  the union wrapper for ``text`` and ``json`` blocks (their value is not an object), the
  wrapper's value otherwise (``image``, ``document``, ``toolUse``, ``toolResult``,
  ``reasoningContent``, ``toolSpec``). A block the IR cannot hold exactly is lifted to a
  ``ProviderPart`` / ``ProviderTool`` whose ``data`` is the whole union wrapper.

The package, one file per concern: ``wire`` (botocore shapes), ``lower`` (IR -> wire: reduce,
passes, lowering), ``lift`` (wire -> IR), ``reply`` (responses, usage, stop reasons, streams),
``sdk`` (boto3 keyword form), ``canonical`` (the canonical wire form).

Example::

    from ir_codec import get_codec
    from ir_codec.ir import Message, Request, Text

    enc = get_codec("bedrock-converse").encode(
        Request(max_tokens=512, messages=[Message(role="user", content=[Text(text="Hi")])])
    )
    enc.body  # {"messages": [{"role": "user", "content": [{"text": "Hi"}]}],
              #  "inferenceConfig": {"maxTokens": 512}}
    enc.sdk_kwargs()  # for boto3 converse(**kwargs): modelId is the request's model
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

from ir_codec.codec import Codec, EncodeContext, expect_object, load_json, register, wire_convert
from ir_codec.errors import DecodeError
from ir_codec.ir import CacheTtl, Request, Response
from ir_codec.profile import CacheRules, CodecProfile
from ir_codec.replies import StreamEncoder
from ir_codec.stream import StreamDecoder

from . import canonical, reply, sdk
from .lift import decode_request
from .lower import lower_request, reduce_request
from .wire import NAME, WConverseRequest, check_unions

__all__ = ["BedrockConverse"]


@register
class BedrockConverse(Codec):
    """Amazon Bedrock Converse request body (and, for ``sdk_kwargs``, boto3's ``converse``)."""

    DECODES_NORMAL_FORM = True

    NAME: ClassVar[str] = NAME
    """Registered name."""
    WIRE_REQUEST: ClassVar[type[Any]] = WConverseRequest
    """botocore ``ConverseRequest`` minus ``modelId``."""
    DEFAULT_BASE_URL: ClassVar[str] = "https://bedrock-runtime.{region}.amazonaws.com"
    ENDPOINT: ClassVar[str] = "/model/{model}/converse"
    STREAM_ENDPOINT: ClassVar[str | None] = "/model/{model}/converse-stream"
    URL_FIELDS: ClassVar[frozenset[str]] = frozenset({"model", "stream"})
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = canonical.CANONICALIZATIONS
    """The wire forms that decode to the same IR (see ``spec/canonicalizations/bedrock-converse.md``)."""
    PROFILE: ClassVar[CodecProfile | None] = CodecProfile(
        # signed reasoning on Converse comes from Claude models: Anthropic signatures
        signatures="anthropic",
        redacted_thinking=True,
        # Bedrock prompt caching (AWS user guide): up to 4 checkpoints, 5m and 1h, longer TTL
        # first; no automatic mode in Converse for Claude; no marks inside tool results. Claude
        # (behind Converse) cannot mark reasoning blocks (Anthropic prompt-caching doc). Blocks
        # the wire cannot hold are dropped before planning (lower.reduce_request).
        cache=CacheRules(
            max_breakpoints=4,
            ttls=(CacheTtl.FIVE_MINUTES, CacheTtl.ONE_HOUR),
            native_automatic=False,
            nested_markable=False,
            parts=frozenset(
                {"text", "image", "document", "audio", "json", "tool_use", "tool_result", "refusal", "provider"}
            ),
        ),
        # Planning first: its paths are paths of the reduced request, which Origins maps back;
        # then the turn merge Converse needs ("conversation must alternate between user and
        # assistant roles"), which lower.py follows part by part.
        passes=("plan_cache_breakpoints", "merge_consecutive_turns"),
        unsupported={
            "parallel_tool_calls": "Converse has no parallel tool call switch",
            "seed": "Converse has no seed",
            "n": "Converse returns one candidate",
            "user": "Converse has no end-user field (requestMetadata is for invocation logs)",
            "cache_key": "Bedrock has no cache routing key",
        },
        carries=(
            "system, user / assistant / system messages with text, image, document, audio, toolUse, toolResult "
            "(json / text / image / document, status), reasoningContent; toolConfig; inferenceConfig; "
            "outputConfig; requestMetadata; `additionalModelRequestFields` (top_k, thinking); `cachePoint` with "
            "ttl after system blocks, content blocks and tools (4 points, 5m / 1h, TTL order); a boto3 keyword "
            "form (`Encoded.sdk_kwargs()`)"
        ),
        loses=(
            "tool_choice `none`, http image URLs and file ids, request-level automatic caching (placed as an "
            "explicit point), consecutive same-role turns (merged), 30m / 12h TTLs"
        ),
    )

    def _url_model(self, model: str) -> str:
        return quote(model, safe="")  # ARNs and "...-v1:0" ids are percent-encoded, as botocore does

    def _encode(self, request: Request, ctx: EncodeContext) -> dict[str, Any]:
        reduced, origins = reduce_request(request, ctx)
        at_caller = ctx.through(origins)
        planned = self.run_passes(reduced, at_caller)
        return lower_request(planned, reduced, at_caller)

    def decode(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        """Lift a Converse request body to IR; raises :class:`DecodeError` naming the JSON path.

        >>> codec = get_codec("bedrock-converse")  # doctest: +SKIP
        >>> codec.decode({"messages": [{"role": "user", "content": [{"text": "Hi"}]}]})  # doctest: +SKIP
        """
        raw = expect_object(load_json(payload), "$")
        try:
            return decode_request(raw)
        except (KeyError, TypeError, AttributeError) as exc:  # pragma: no cover - defensive
            raise DecodeError("$", "valid input", str(exc)) from None

    def decode_response(self, payload: Mapping[str, Any] | bytes | str) -> Response:
        """Lift a ``ConverseResponse`` body to an IR :class:`Response` (see :mod:`.reply`)."""
        return reply.decode_response(payload)

    STREAM_SSE: ClassVar[bool] = False
    """ConverseStream is a binary event stream; ``EncodedStream.objects()`` gives its events."""

    def _encode_response(self, response: Response, ctx: EncodeContext) -> dict[str, Any]:
        return reply.encode_reply(response, ctx)

    def stream_encoder(self) -> StreamEncoder:
        """A ConverseStream encoder fed IR stream events one at a time
        (:class:`.reply.ConverseStreamEncoder`); ``encode_stream`` runs it over a whole reply."""
        return reply.ConverseStreamEncoder(self)

    def stream_decoder(self) -> StreamDecoder:
        """A decoder for ConverseStream events (``{"contentBlockDelta": {...}}`` objects as boto3
        yields them, or the inner object with the event type as ``name``)."""
        return reply.ConverseStreamDecoder()

    def canonicalize(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Rewrite ``payload`` into the form :meth:`encode` writes (see ``CANONICALIZATIONS``)."""
        return canonical.canonicalize(payload)

    def validate_wire(self, body: Mapping[str, Any]) -> None:
        """Strict wire types plus the one-member rule of every union."""
        check_unions(wire_convert(body, WConverseRequest), "$")

    def sdk_kwargs(self, body: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        """Keyword arguments for boto3 ``bedrock_runtime.converse(**kwargs)`` (see :mod:`.sdk`)."""
        return sdk.sdk_kwargs(body, **options)
