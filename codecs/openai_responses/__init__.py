"""The ``openai-responses`` codec: OpenAI Responses API request bodies (``POST /v1/responses``).

Ground truth: the ``openai`` SDK 3.54.0 types under ``openai/types/responses/``
(``response_create_params.py``, ``easy_input_message_param.py``, ``response_input_*_param.py``,
``response_function_tool_call_param.py``, ``response_reasoning_item_param.py``,
``response_output_message_param.py``, ``function_tool_param.py``) and the prompt-caching guide
(PROVIDERS.md sections 5a and 6).

Rules this codec follows (each documented in ``spec/canonicalizations/openai-responses.md``):

- **System prompt.** IR ``system`` becomes the top-level ``instructions`` string. Several blocks
  are joined with a blank line (reported); ``instructions`` cannot carry a cache breakpoint, so
  marks on system blocks are handled (dropped) by the cache planner. IR ``system``-role messages
  are ``system`` input messages; ``developer`` messages decode as IR ``system`` messages with
  ``provider_options["openai-responses"]["role"] = "developer"``.
- **Turns.** One IR message becomes a run of input items: a ``message`` item for each run of
  content parts, ``function_call`` items for tool uses, ``function_call_output`` items for tool
  results, ``reasoning`` items for OpenAI reasoning. Decoding groups consecutive items of the same
  role back into one message (two adjacent ``message`` items always start two messages, an empty
  message stands alone, message items with different item fields do not share a message). Where
  the encoder's items would regroup differently, it reports the messages concerned.
- **Reasoning.** A reasoning item with at most one non-empty ``summary_text`` and no ``content``
  is an IR ``Thinking`` (text = the summary, signature = ``encrypted_content``, the item ``id`` in
  ``provider_options``); any other reasoning item is an opaque ``ProviderPart``. IR thinking
  without an OpenAI item id (thinking from another provider) cannot be sent and is reported.
- **Anything else** (hosted-tool calls, item references, unknown parts) travels as an opaque
  ``ProviderPart`` / ``ProviderTool`` with the raw wire object as ``data``.

The package, one file per concern: ``wire`` (wire types and the wire rules both directions
share), ``lower`` (IR -> wire: reduce, passes, lowering), ``lift`` (wire -> IR, the turn
grouping rule), ``reply`` (responses, usage, stop reasons, streams), ``sdk`` (the openai SDK
keyword form), ``canonical`` (the canonical wire form).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

from ir_codec.codec import Codec, EncodeContext, register
from ir_codec.ir import CacheTtl, Request, Response
from ir_codec.profile import CacheRules, CodecProfile

from . import canonical, reply, sdk
from .lift import decode_request
from .lower import lower_request, reduce_request
from .reply import ResponsesStreamDecoder, ResponsesStreamEncoder
from .wire import NAME, WResponseCreateParams

__all__ = ["NO_BREAKPOINTS", "PROFILE", "OpenAIResponsesCodec", "ResponsesStreamDecoder", "ResponsesStreamEncoder"]

PROFILE = CodecProfile(
    signatures="openai",
    cache=CacheRules(
        # "Each request can write up to four breakpoints"; ttl "30m" | "12h" (PromptCacheOptions
        # and PromptCacheBreakpoint, response_create_params.py / response_input_text_param.py).
        max_breakpoints=4,
        ttls=(CacheTtl.THIRTY_MINUTES, CacheTtl.TWELVE_HOURS),
        # Implicit mode is one automatic breakpoint at the end of the prompt.
        native_automatic=True,
        # instructions and tools have no prompt_cache_breakpoint; input_text, input_image and
        # input_file do (also inside function_call_output), output_text (assistant) does not.
        tools_markable=False,
        system_markable=False,
        nested_markable=True,
        parts=frozenset({"text", "image", "document", "json"}),
        roles=frozenset({"user", "system"}),
        ttl_order=False,
    ),
    passes=("plan_cache_breakpoints",),
    unsupported={
        "top_k": "the Responses API has no top_k",
        "stop": "the Responses API has no stop parameter",
        "seed": "the Responses API has no seed",
        "n": "the Responses API returns one output; no n",
        "reasoning": "the Responses API has no thinking budget/on-off switch (only reasoning.effort)",
    },
    carries=(
        "`instructions`, message / function_call / function_call_output / reasoning items (encrypted "
        "content passed back), input_text / input_image / input_file, flat function tools, tool_choice, "
        "`text.format`, reasoning effort, store and previous_response_id (options), `prompt_cache_key`, "
        "breakpoints 30m / 12h and `prompt_cache_options`"
    ),
    loses=(
        "stop, top_k, seed, n, reasoning budgets, marks on system or assistant text, Thinking that came "
        "from another provider, several system blocks (joined)"
    ),
)
"""The codec's capabilities (``ir_codec.profile``), read by the core, the planner and the README."""
NO_BREAKPOINTS = dataclasses.replace(PROFILE, cache=CacheRules(max_breakpoints=0, ttls=()))
"""The profile without ``explicit_breakpoints`` (models before GPT-5.6): no inline mark and no
``prompt_cache_options``, so the planner reports every mark."""


@register
class OpenAIResponsesCodec(Codec):
    """OpenAI Responses API request bodies.

    >>> from ir_codec import get_codec
    >>> get_codec("openai-responses").decode({"model": "gpt-6", "input": "Hi"}).messages[0].role
    'user'

    Option ``explicit_breakpoints`` (default ``True``): whether the target model accepts
    ``prompt_cache_breakpoint`` / ``prompt_cache_options`` (GPT-5.6 and later). With ``False``
    every IR cache mark is reported and dropped.
    """

    DECODES_NORMAL_FORM = True
    REPLY_ERRORS = True
    """A failed response says why (``status: "failed"``, ``error``: ``response_error.py``)."""

    NAME: ClassVar[str] = NAME
    """Registered name."""
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.openai.com/v1"
    ENDPOINT: ClassVar[str] = "/responses"
    # -- IR check (issue 9, item 4) ------------------------------------------------------------
    TOOL_IDS = "unique"
    """A ``function_call_output`` may answer a call that only the server holds (a request with
    ``previous_response_id`` or ``conversation``, or an ``item_reference``), so results need no
    call in the request; ``model`` is optional too (SDK ``response_create_params.py``)."""
    WIRE_REQUEST: ClassVar[type[Any]] = WResponseCreateParams
    """Root request Struct; items and tools are checked by type in :meth:`validate_wire`."""
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = canonical.CANONICALIZATIONS
    """Wire forms that decode to the same IR (see :meth:`canonicalize`)."""
    PROFILE: ClassVar[CodecProfile | None] = PROFILE
    """Capabilities as data; :meth:`profile` drops the marks without ``explicit_breakpoints``."""

    def __init__(self, explicit_breakpoints: bool = True) -> None:
        self.explicit_breakpoints = explicit_breakpoints

    def profile(self) -> CodecProfile:
        """:data:`PROFILE`, or :data:`NO_BREAKPOINTS` without ``explicit_breakpoints``."""
        return PROFILE if self.explicit_breakpoints else NO_BREAKPOINTS

    def _encode(self, request: Request, ctx: EncodeContext) -> dict[str, Any]:
        reduced, origins = reduce_request(request, ctx)
        at_caller = ctx.through(origins)
        return lower_request(self.run_passes(reduced, at_caller), at_caller)

    def decode(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        """Lift a Responses request body to IR; raises :class:`DecodeError` naming the JSON path."""
        return decode_request(payload)

    def decode_response(self, payload: Mapping[str, Any] | bytes | str) -> Response:
        """Lift a Responses API response object (see :func:`.reply.decode_response`)."""
        return reply.decode_response(payload)

    def _encode_response(self, response: Response, ctx: EncodeContext) -> dict[str, Any]:
        return reply.encode_reply(response, ctx)

    def stream_encoder(self) -> ResponsesStreamEncoder:
        """An encoder from IR stream events to Responses SSE events, event by event
        (see :class:`.reply.ResponsesStreamEncoder`)."""
        return ResponsesStreamEncoder(self)

    def stream_decoder(self) -> ResponsesStreamDecoder:
        """A decoder for the Responses SSE stream (``response_stream_event.py``)."""
        return ResponsesStreamDecoder()

    def validate_wire(self, body: Mapping[str, Any]) -> None:
        """Check ``body`` against the wire types, item by item and tool by tool."""
        self.decode(dict(body))

    def canonicalize(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Rewrite ``payload`` into the form :meth:`encode` produces (see ``CANONICALIZATIONS``)."""
        return canonical.canonicalize(payload)

    def sdk_kwargs(self, body: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        """Keyword arguments for ``openai.OpenAI().responses.create`` (see :func:`.sdk.sdk_kwargs`)."""
        return sdk.sdk_kwargs(body, **options)
