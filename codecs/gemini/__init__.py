"""The ``gemini`` codec: the Gemini API ``generateContent`` REST body (also accepted by Vertex AI).

The wire is the camelCase JSON body that ``google-genai`` builds in
``models._GenerateContentParameters_to_mldev`` (PROVIDERS.md section 7a)::

    {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
     "systemInstruction": {"parts": [{"text": "Be terse."}]},
     "tools": [{"functionDeclarations": [{"name": "f", "parametersJsonSchema": {...}}]}],
     "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["f"]}},
     "generationConfig": {"maxOutputTokens": 1024, "thinkingConfig": {"thinkingBudget": 0}},
     "cachedContent": "cachedContents/abc"}

Rules this codec follows (each is also in ``spec/canonicalizations/gemini.md``):

* The model and the streaming choice are in the URL (``{model}:generateContent`` /
  ``:streamGenerateContent``), never in the body: they travel in ``Encoded.endpoint``.
* Tool-call ids: ``functionCall.id`` / ``functionResponse.id`` carry the IR ids. A call without an
  id gets ``<name>_<n>`` (``n`` counts the id-less calls of that name, from 0, in request order); a
  response without an id takes the id of the oldest unanswered call of the same name, else
  ``<name>_result_<n>``. ``functionResponse.name`` is the name of the matching call.
* Tool results: ``response`` is ``{"output": text}`` for one text part, ``{"error": text}`` when
  ``is_error``, the JSON object itself for one JSON part, ``{}`` when empty; images, PDFs and
  audio travel in ``functionResponse.parts`` (``types.FunctionResponsePart``).
* ``fileData.fileUri``: a Files API URI (``https://generativelanguage.googleapis.com/...`` or a bare
  ``files/...`` name) or anything without a ``scheme://`` is an IR ``FileSource``; every other URI
  (``gs://``, ``https://``) is a ``UrlSource``. The part kind follows ``mimeType``: ``image/*`` is an
  image, ``audio/*`` audio, anything else a document.
* Unknown wire fields are kept in ``provider_options["gemini"]`` of the node where they appear;
  unknown fields inside ``generationConfig`` (and its ``thinkingConfig``) and inside a part's
  payload object (``inlineData``, ``functionCall``, ...) are kept under that key, as a nested
  object, and merged back into it.

The package, one file per concern: ``wire`` (wire types, accepted spellings, shared rules),
``lower`` (IR -> wire: reduce, passes, lowering), ``lift`` (wire -> IR), ``reply`` (responses,
usage, stop reasons, streams), ``sdk`` (google-genai keyword form), ``canonical`` (the canonical
wire form).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ir_codec.codec import Codec, EncodeContext, register
from ir_codec.ir import Request, Response
from ir_codec.profile import CacheRules, CodecProfile

from . import canonical, reply, sdk
from .lift import decode_request
from .lower import lower_request, reduce_request
from .reply import GeminiStreamDecoder, GeminiStreamEncoder, usage_from_wire
from .wire import NAME, WGenerateContentRequest, WGenerateContentResponse

__all__ = [
    "GeminiCodec",
    "GeminiStreamDecoder",
    "GeminiStreamEncoder",
    "WGenerateContentRequest",
    "WGenerateContentResponse",
    "usage_from_wire",
]


@register
class GeminiCodec(Codec):
    """Gemini API ``generateContent`` request bodies.

    >>> from ir_codec import get_codec
    >>> from ir_codec.ir import Message, Request, Text
    >>> get_codec("gemini").encode(Request(messages=[Message(role="user", content=[Text(text="Hi")])])).body
    {'contents': [{'role': 'user', 'parts': [{'text': 'Hi'}]}]}
    """

    DECODES_NORMAL_FORM = True

    NAME = NAME
    """Registered name."""
    WIRE_REQUEST = WGenerateContentRequest
    """Body of ``POST /v1beta/{model}:generateContent``."""
    DEFAULT_BASE_URL: ClassVar[str] = "https://generativelanguage.googleapis.com"
    ENDPOINT: ClassVar[str] = "/v1beta/{model}:generateContent"
    STREAM_ENDPOINT: ClassVar[str | None] = "/v1beta/{model}:streamGenerateContent?alt=sse"
    URL_FIELDS: ClassVar[frozenset[str]] = frozenset({"model", "stream"})
    # -- IR check (issue 9, item 4) ------------------------------------------------------------
    TOOL_IDS = "free"
    """Gemini pairs function responses with calls by name and order; ids are optional and are
    derived by this codec's documented rule (module doc), so no id rule applies."""
    REPLY_ERRORS = True
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = canonical.CANONICALIZATIONS
    """Wire forms that decode to the same IR (spec/canonicalizations/gemini.md)."""
    PROFILE: ClassVar[CodecProfile | None] = CodecProfile(
        signatures="gemini",
        # No inline cache marks: explicit caching is a separate `cachedContents` resource, so the
        # planner reports every mark (and the request-level `cache`) lost. It runs after
        # lower.reduce_request has dropped what the body cannot hold.
        cache=CacheRules(max_breakpoints=0, ttls=()),
        passes=("plan_cache_breakpoints",),
        unsupported={
            "parallel_tool_calls": "Gemini has no parallel tool call switch",
            "user": "Gemini has no end-user id field",
            "metadata": "Gemini has no request metadata field (raw `labels` travel only as a gemini option)",
            "cache_key": "Gemini has no cache routing key",
        },
        carries=(
            "`systemInstruction` (also a leading system message), user / model contents with text, inlineData, "
            "fileData, functionCall / "
            "functionResponse (ids kept, derived by a documented rule when absent), thought parts and "
            "thoughtSignature; functionDeclarations (`parametersJsonSchema`), toolConfig, generationConfig "
            "(incl. responseJsonSchema, thinkingConfig), safetySettings and `cachedContent` as options; "
            "snake_case and single-object input forms"
        ),
        loses=(
            "every inline cache mark and request-level `cache` (generateContent has none), user, metadata, "
            "cache_key, parallel_tool_calls, redacted thinking, system prompt / tools beside `cachedContent`"
        ),
    )

    def _url_model(self, model: str) -> str:
        # The REST resource name is `models/{id}` (or `tunedModels/{id}`); a bare id gets the prefix.
        return model if model.startswith(("models/", "tunedModels/")) else f"models/{model}"

    def _encode(self, request: Request, ctx: EncodeContext) -> dict[str, Any]:
        reduced, origins = reduce_request(request, ctx)
        at_caller = ctx.through(origins)
        return lower_request(self.run_passes(reduced, at_caller), at_caller)

    def decode(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        """Lift a ``generateContent`` body (camelCase or snake_case) to IR."""
        return decode_request(payload)

    def decode_response(self, payload: Mapping[str, Any] | bytes | str) -> Response:
        """Lift a ``GenerateContentResponse`` to an IR :class:`Response` (first candidate)."""
        return reply.decode_response(payload)

    def _encode_response(self, response: Response, ctx: EncodeContext) -> dict[str, Any]:
        return reply.encode_reply(response, ctx)

    def stream_encoder(self) -> GeminiStreamEncoder:
        """An encoder from IR stream events to ``streamGenerateContent?alt=sse`` chunks, event by
        event (:class:`.reply.GeminiStreamEncoder`)."""
        return GeminiStreamEncoder(self)

    def stream_decoder(self) -> GeminiStreamDecoder:
        """A decoder for ``streamGenerateContent?alt=sse`` chunks."""
        return GeminiStreamDecoder()

    def canonicalize(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The canonical form of a body (see ``CANONICALIZATIONS``)."""
        return canonical.canonicalize(payload)

    def sdk_kwargs(self, body: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        """Keyword arguments for ``genai.Client().models.generate_content(model=..., **kwargs)``
        (see :func:`.sdk.sdk_kwargs`)."""
        return sdk.sdk_kwargs(body, **options)
