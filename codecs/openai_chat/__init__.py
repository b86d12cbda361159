"""OpenAI Chat Completions (``POST /v1/chat/completions``), the ``openai-chat`` codec, and the
base of every OpenAI-compatible flavor.

Wire facts follow the ``openai`` SDK 3.54.0 request types (``openai/types/chat/
completion_create_params.py`` and the ``chat_completion_*_param.py`` files); PROVIDERS.md §5, §5a.
One file per concern: ``wire.py`` (wire Structs), ``lower.py`` (IR -> wire), ``lift.py``
(wire -> IR), ``reply.py`` (replies, usage, stop reasons, streams), ``canonical.py``,
``sdk.py``, and ``flavor.py``: :class:`ChatFlavor`, the public extension points of an
OpenAI-compatible provider (``spec/adding-a-provider.md``).

Cache marks become ``prompt_cache_breakpoint`` ``{"mode": "explicit", "ttl": "30m"|"12h"}``
on text / image_url / input_audio / file parts (not on tools, refusals or tool calls); the
request-level IR ``cache`` becomes ``prompt_cache_options: {"mode": "implicit", "ttl": "30m"}``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any, ClassVar

from ir_codec.codec import Codec, EncodeContext, register
from ir_codec.ir import CacheTtl, Request, Response
from ir_codec.profile import CacheRules, CodecProfile
from ir_codec.replies import EncodedStream

from .canonical import canonicalize
from .flavor import ChatFlavor
from .lift import Lifter
from .lower import encode_request
from .reply import ChatStreamDecoder, ChatStreamEncoder, decode_response, encode_reply, reply_events
from .sdk import sdk_kwargs
from .wire import WChatRequest

__all__ = ["ChatFlavor", "ChatStreamDecoder", "ChatStreamEncoder", "OpenAIChatCodec", "WChatRequest"]


@register
class OpenAIChatCodec(Codec):
    """OpenAI Chat Completions request bodies.

    >>> from ir_codec import get_codec, Request, Message, Text
    >>> get_codec("openai-chat").encode(Request(model="gpt-5.6", messages=[
    ...     Message(role="user", content=[Text(text="Hi")])])).body
    {'model': 'gpt-5.6', 'messages': [{'role': 'user', 'content': 'Hi'}]}

    Options: ``system_role`` (one of the flavor's ``SYSTEM_ROLES``: the role of system
    messages), ``max_tokens_field`` (one of its ``MAX_TOKENS_FIELDS``), and
    ``explicit_breakpoints`` (whether the target model takes per-part cache marks; GPT-5.6 and
    later do; without it every IR cache mark is reported lost).

    An OpenAI-compatible provider subclasses this class with its own ``NAME``, ``FLAVOR``,
    ``PROFILE`` (and ``WIRE_REQUEST``, ``DEFAULT_BASE_URL`` where they differ).
    """

    DECODES_NORMAL_FORM = True

    NAME: ClassVar[str] = "openai-chat"
    """Registered name."""
    FLAVOR: ClassVar[ChatFlavor] = ChatFlavor()
    """What this provider changes in the Chat Completions wire (OpenAI's own: nothing)."""
    # -- IR check (issue 9, item 4) ------------------------------------------------------------
    REQUIRED_FIELDS: ClassVar[frozenset[str]] = frozenset({"model"})
    """Chat Completions refuses a body without ``model`` (PROVIDERS.md section 5; SDK
    ``completion_create_params.py``: ``model: Required[...]``). ``TOOL_IDS`` stays ``"paired"``:
    a ``tool`` message must answer a ``tool_calls`` entry of a preceding assistant message."""
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.openai.com/v1"
    ENDPOINT: ClassVar[str] = "/chat/completions"
    WIRE_REQUEST: ClassVar[type[Any]] = WChatRequest
    """The request body type."""
    PROFILE: ClassVar[CodecProfile | None] = CodecProfile(
        # OpenAI matches on the latest 80 breakpoints and writes the latest 4 (3 beside the
        # implicit one); marks beyond the written ones still serve reads, so they are kept (SDK
        # PromptCacheOptions docstring). Breakpoint TTLs: 30m and 12h (PromptCacheBreakpoint.ttl).
        # Tool definitions cannot be marked; refusal parts have no breakpoint field (PROVIDERS.md
        # §5a). The request-level mark is the implicit mode, a knob of its own.
        cache=CacheRules(
            max_breakpoints=80,
            ttls=(CacheTtl.THIRTY_MINUTES, CacheTtl.TWELVE_HOURS),
            separate_automatic=True,
            tools_markable=False,
            system_markable=True,
            nested_markable=True,
            parts=frozenset({"text", "image", "audio", "document"}),
            ttl_order=False,
        ),
        passes=("plan_cache_breakpoints",),
        unsupported={
            "top_k": "openai-chat has no top_k",
            "reasoning": "openai-chat has no thinking configuration (only reasoning_effort)",
        },
        carries=(
            "system / developer messages (option `system_role`), text, image_url (https and data URLs), "
            "input_audio, file; tool calls with byte-stable `arguments`; `tool` messages; custom tool calls, their "
            "answers and legacy `function` messages raw (own codec only); tools with `strict`, "
            "tool_choice, parallel_tool_calls, response_format, max_completion_tokens (or `max_tokens`), "
            "temperature, top_p, stop, seed, n, reasoning_effort, user, metadata; `prompt_cache_key`, "
            "`prompt_cache_breakpoint` 30m / 12h (option `explicit_breakpoints`), implicit `prompt_cache_options`"
        ),
        loses=(
            "top_k, thinking and redacted thinking, documents by URL or text, 5m / 1h TTLs (sent as 30m / 12h), "
            "marks on tools or refusals, foreign provider parts"
        ),
    )
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = (
        "message content given as a list of exactly one text part with no other field == that text as a string",
        "an assistant message with content or tool_calls null or [] == one without that field",
        "a function whose parameters are null == one without parameters",
        "a prompt_cache_breakpoint without ttl == the same with the request's ttl (30m)",
        'prompt_cache_options {}, {"mode":"implicit"} or {"ttl":"30m"} == {"mode":"implicit","ttl":"30m"}',
        "stop given as a string == a list with that one string",
        'a function tool without parameters == parameters {"type":"object"}',
        'a tool call whose function.arguments is absent or null == arguments "{}"',
        'a streamed body (stream: true) without stream_options == one with {"include_usage": true}',
    )
    """Wire forms that decode to the same IR; :meth:`canonicalize` rewrites them."""

    def __init__(
        self,
        *,
        system_role: str | None = None,
        max_tokens_field: str | None = None,
        explicit_breakpoints: bool = True,
    ) -> None:
        roles, fields = self.FLAVOR.SYSTEM_ROLES, self.FLAVOR.MAX_TOKENS_FIELDS
        self.system_role = system_role or roles[0]
        if self.system_role not in roles:
            raise TypeError(f"system_role must be one of {roles}")
        self.max_tokens_field = max_tokens_field or fields[0]
        if self.max_tokens_field not in fields:
            raise TypeError(f"max_tokens_field must be one of {fields}")
        self.explicit_breakpoints = explicit_breakpoints

    @property
    def MAX_FIELDS(self) -> tuple[str, ...]:  # noqa: N802 - read like the class constant it replaces
        """The wire fields that carry the IR ``max_tokens`` (the flavor's ``MAX_TOKENS_FIELDS``)."""
        return self.FLAVOR.MAX_TOKENS_FIELDS

    def profile(self) -> CodecProfile:
        """The class ``PROFILE``; without ``explicit_breakpoints`` no per-part mark is sent."""
        return self._profile

    @functools.cached_property
    def _profile(self) -> CodecProfile:
        profile = self.PROFILE if self.PROFILE is not None else CodecProfile()
        if self.explicit_breakpoints:
            return profile
        return dataclasses.replace(profile, cache=dataclasses.replace(profile.cache, max_breakpoints=0, ttls=()))

    @functools.cached_property
    def _lifter(self) -> Lifter:
        """The lifter of this configuration (it keeps no state between requests)."""
        return Lifter(self)

    def _encode(self, request: Request, ctx: EncodeContext) -> dict[str, Any]:
        return encode_request(self, request, ctx)

    def decode(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        """Lift a Chat Completions request body to IR; raises DecodeError naming the JSON path."""
        return self._lifter.request(payload)

    def canonicalize(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Rewrite ``payload`` into the form :meth:`encode` produces (see CANONICALIZATIONS)."""
        return canonicalize(self, payload)

    def decode_response(self, payload: Mapping[str, Any] | bytes | str) -> Response:
        """Lift a ``ChatCompletion`` (the first choice) to an IR :class:`Response`.

        Content order: reasoning, text, refusal, tool calls (``reply.py``)."""
        return decode_response(payload, self.NAME, self.FLAVOR)

    STREAM_DONE: ClassVar[bool] = True
    """The chunk stream ends with ``data: [DONE]``."""

    def _encode_response(self, response: Response, ctx: EncodeContext) -> dict[str, Any]:
        return encode_reply(response, ctx, self.NAME, self.FLAVOR, choice_errors=self.REPLY_ERRORS)

    def stream_encoder(self) -> ChatStreamEncoder:
        """An encoder from IR stream events to ``ChatCompletionChunk`` events, written as they
        arrive (``reply.ChatStreamEncoder``)."""
        return ChatStreamEncoder(self, self.FLAVOR)

    def encode_stream(self, response: Response) -> EncodedStream:
        """The ``ChatCompletionChunk`` stream of ``response``: :meth:`stream_encoder` fed the IR
        events of ``response`` (``reply.reply_events``: ``events_of``, with a tool call that keeps
        its arguments text as one whole part, so that the text is written as it is)."""
        if not isinstance(response, Response):
            raise TypeError(f"encode_stream() takes an ir_codec.Response, not {type(response).__name__}")
        return self.stream_encoder().stream(reply_events(response, self.NAME))

    def stream_decoder(self) -> ChatStreamDecoder:
        """A decoder for ``ChatCompletionChunk`` events (``stream: true``; usage arrives in the last
        chunk with ``stream_options.include_usage``)."""
        return ChatStreamDecoder(self.NAME, self.FLAVOR)

    def sdk_kwargs(self, body: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        """``client.chat.completions.create(**kwargs)`` arguments: typed fields as keywords, the
        rest in ``extra_body``."""
        return sdk_kwargs(body, **options)
