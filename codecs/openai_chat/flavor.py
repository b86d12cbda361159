"""``ChatFlavor``: what an OpenAI-compatible provider changes in the Chat Completions wire.

Many providers take the OpenAI Chat Completions body with a few differences: a field under
another name, a field OpenAI lacks, another cache-mark style, a rule for tool-call ids, extra
usage counters, reasoning text in the reply. Such a provider is a **flavor**: a subclass of
:class:`ChatFlavor` that declares those differences, plus a small codec class that names it::

    class MistralFlavor(ChatFlavor):
        RENAMED_FIELDS = {"seed": "random_seed"}
        TOOL_CHOICE_MODES = {**ChatFlavor.TOOL_CHOICE_MODES, "required": "any"}

    @register
    class MistralCodec(OpenAIChatCodec):
        NAME = "mistral"
        FLAVOR = MistralFlavor()
        PROFILE = CodecProfile(...)

Every hook works in both directions (encode writes it, decode reads it back), so that the
codec's invariant holds for the flavor without further code. A flavor never overrides a
private method of the codec; ``spec/adding-a-provider.md`` walks through OpenRouter.

Class attributes are declarations (data); the methods are small hooks with a default that is
OpenAI's behaviour. Each says which wire values it sees and returns.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from ir_codec.ir import CacheControl, CacheTtl, StopReason, Usage

from .reply import chat_usage

__all__ = ["ChatFlavor"]

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


_MARK_FIELDS = frozenset({"mode", "ttl"})
_EXPLICIT_MARKS = {"30m": CacheControl(ttl=CacheTtl.THIRTY_MINUTES), "12h": CacheControl(ttl=CacheTtl.TWELVE_HOURS)}
"""The IR marks of ``prompt_cache_breakpoint`` TTLs (IR nodes are frozen: one each serves every
request)."""


class ChatFlavor:
    """OpenAI's own Chat Completions wire; subclass it for an OpenAI-compatible provider."""

    # -- request fields ---------------------------------------------------------------------

    MAX_TOKENS_FIELDS: ClassVar[tuple[str, ...]] = ("max_completion_tokens", "max_tokens")
    """Wire fields that carry the IR ``max_tokens``; the first is the default, the codec option
    ``max_tokens_field`` picks another. A payload that uses one comes back with that one
    (PROVIDERS.md §13: reasoning models refuse ``max_tokens``)."""

    SYSTEM_ROLES: ClassVar[tuple[str, ...]] = ("developer", "system")
    """Roles of system messages; the first is the default of the codec option ``system_role``
    (OpenAI: ``developer`` replaces ``system`` from o1 on)."""

    RENAMED_FIELDS: ClassVar[Mapping[str, str]] = {}
    """Top-level request fields this provider names differently: OpenAI's name -> the
    provider's (Mistral: ``{"seed": "random_seed"}``). Applies to every field the IR writes,
    max-tokens fields and ``AUTO_CACHE_KEY`` excepted (they are declared by name already)."""

    ABSENT_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """Top-level request fields of OpenAI's (by OpenAI's name, among those the codec maps to IR
    fields: ``seed``, ``n``, ``user``, ``metadata``, ``parallel_tool_calls``, ...) this provider
    does not have (DeepSeek: ``{"seed", "n", "user", ...}``). Decode leaves them raw in
    ``provider_options``, so a payload that has one comes back unchanged; the codec's profile
    must name the IR field ``unsupported``, so that encode reports and drops an IR value."""

    REFUSAL_FIELD: ClassVar[str | None] = None
    """The assistant message's string field that holds a refusal, where the provider has no
    refusal content part (OpenRouter: ``"refusal"``); ``None``: a ``refusal`` part. Encode
    writes the IR :class:`~ir_codec.ir.Refusal` parts of a turn there (several joined, reported)
    and decode reads it back as one Refusal after the turn's text parts."""

    EXTRA_FIELDS: ClassVar[Mapping[str, str]] = {}
    """Top-level request fields OpenAI lacks that carry an IR :class:`~ir_codec.ir.Request`
    field: wire name -> IR field name (OpenRouter: ``{"top_k": "top_k"}``). The value is sent
    as it is and read back as it is; the codec's profile must then not list that IR field as
    ``unsupported``."""

    TOOL_CHOICE_MODES: ClassVar[Mapping[str, str]] = {"auto": "auto", "none": "none", "required": "required"}
    """IR ``ToolChoice.mode`` (other than ``tool``) -> the wire string (Mistral says ``"any"``
    where OpenAI says ``"required"``). A wire string not listed here is kept raw."""

    ROLE_PARTS: ClassVar[Mapping[str, frozenset[str]]] = {
        "system": frozenset({"text"}),
        "developer": frozenset({"text"}),
        "user": frozenset({"text", "image_url", "input_audio", "file"}),
        "assistant": frozenset({"text", "refusal"}),
        "tool": frozenset({"text"}),
    }
    """Wire content-part types each message role takes (the SDK message param types). IR parts
    whose wire type a role does not take are reported dropped; decode refuses them there.
    In ``tool`` messages only ``text``, ``image_url``, ``input_audio`` and ``file`` count."""

    # -- cache marks ------------------------------------------------------------------------
    # Where marks may stand is the codec profile's CacheRules (parts, roles, tools): the planner
    # moves or drops every other mark before lowering, and decode reads a mark only where the
    # rules allow one (elsewhere it stays raw in provider_options).

    MARK_KEY: ClassVar[str | None] = "prompt_cache_breakpoint"
    """The key of a cache mark on a content part (and on a tool, where the profile lets tools
    be marked); ``None``: the wire has no per-part marks."""

    AUTO_CACHE_KEY: ClassVar[str | None] = "prompt_cache_options"
    """The top-level key that carries the IR request-level ``cache`` (automatic caching);
    ``None``: there is none (the profile should then name it unsupported)."""

    def write_mark(self, cache: CacheControl) -> dict[str, Any]:
        """The wire value of a cache mark (at ``MARK_KEY``). OpenAI:
        ``{"mode": "explicit", "ttl": "30m" | "12h"}`` (PROVIDERS.md §5a)."""
        return {"mode": "explicit", "ttl": cache.ttl.value}

    def read_mark(self, value: Any) -> CacheControl | None:
        """The IR mark of a wire mark, or ``None`` to keep the value raw (an unknown field, a
        mode that is not a mark). Must invert :meth:`write_mark`. OpenAI: no ``ttl`` means the
        request TTL, which on Chat can only be 30m."""
        if not isinstance(value, dict) or not value.keys() <= _MARK_FIELDS or value.get("mode") != "explicit":
            return None
        ttl = value.get("ttl", "30m")
        return _EXPLICIT_MARKS.get(ttl) if type(ttl) is str else None

    def write_auto_cache(self, cache: CacheControl) -> dict[str, Any]:
        """The wire value of the request-level mark (at ``AUTO_CACHE_KEY``). OpenAI: the implicit
        breakpoint mode, whose ``ttl`` takes only 30m (``PromptCacheOptions``)."""
        return {"mode": "implicit", "ttl": "30m"}

    def read_auto_cache(self, value: Any) -> CacheControl | None:
        """The IR request-level mark of a wire value, or ``None`` to keep it raw. OpenAI: ``{}``,
        ``{"mode": "implicit"}`` and ``{"ttl": "30m"}`` all mean the implicit mode; the explicit
        mode (marks only) is kept raw."""
        if not isinstance(value, dict) or set(value) - {"mode", "ttl"} or value.get("mode", "implicit") != "implicit":
            return None
        return CacheControl(ttl=CacheTtl.THIRTY_MINUTES) if value.get("ttl", "30m") == "30m" else None

    # -- tool-call ids ----------------------------------------------------------------------

    TOOL_CALL_ID_PATTERN: ClassVar[re.Pattern[str] | None] = None
    """The tool-call ids the provider accepts (Mistral: ``re.compile("[a-zA-Z0-9]{9}")``);
    ``None``: any string. An IR id that does not match is sent as
    :meth:`derive_tool_call_id` of it, reported at its path (kind ``changed``)."""

    TOOL_CALL_ID_LENGTH: ClassVar[int] = 24
    """Length of the ids :meth:`derive_tool_call_id` makes by default."""

    def tool_call_id_to_wire(self, ir_id: str) -> str:
        """The wire id of an IR tool-call id (on ``tool_calls[].id`` and ``tool_call_id``).
        Default: the id itself where it matches ``TOOL_CALL_ID_PATTERN``, else a derived one.
        The same IR id always gives the same wire id, so calls and results stay paired."""
        pattern = self.TOOL_CALL_ID_PATTERN
        if pattern is None or pattern.fullmatch(ir_id):
            return ir_id
        return self.derive_tool_call_id(ir_id)

    def tool_call_id_from_wire(self, wire_id: str) -> str:
        """The IR id of a wire tool-call id (requests, replies and streams). Default: the id
        itself. Where it does not give back the IR id that :meth:`tool_call_id_to_wire` was
        given, encode reports the id changed."""
        return wire_id

    def derive_tool_call_id(self, ir_id: str) -> str:
        """A wire id made from an IR id the provider would refuse. Default: the base-62 digits of
        its BLAKE2b digest, ``TOOL_CALL_ID_LENGTH`` long. Override where the pattern needs
        other characters."""
        n = int.from_bytes(hashlib.blake2b(ir_id.encode(), digest_size=32).digest(), "big")
        digits = []
        for _ in range(self.TOOL_CALL_ID_LENGTH):
            n, r = divmod(n, 62)
            digits.append(_BASE62[r])
        return "".join(digits)

    # -- replies and streams ----------------------------------------------------------------

    STOP_REASONS: ClassVar[Mapping[str, StopReason]] = {}
    """``finish_reason`` values beyond OpenAI's (``reply.FINISH_REASONS``), or read otherwise:
    wire value -> IR stop reason. Unknown values are ``"other"`` (the raw value is kept in
    ``raw_stop_reason``)."""

    REASONING_FIELDS: ClassVar[tuple[str, ...]] = ("reasoning",)
    """Fields of a reply message (and of a stream delta) that carry reasoning text, read as a
    :class:`~ir_codec.ir.Thinking` part before the text, the first present wins (OpenRouter:
    ``reasoning``; DeepSeek: ``reasoning_content``)."""

    REASONING_DETAILS_FIELD: ClassVar[str | None] = "reasoning_details"
    """The field of a list of typed reasoning items (OpenRouter ``reasoning_details``:
    ``reasoning.text`` / ``reasoning.summary`` / ``reasoning.encrypted``); when present and not
    empty it wins over ``REASONING_FIELDS``. ``None``: the provider has none."""

    REQUEST_REASONING: ClassVar[bool] = False
    """An assistant message of a request carries its reasoning in ``REASONING_DETAILS_FIELD``
    (OpenRouter's ``ChatAssistantMessage.reasoning_details``, sent back so that the model
    behind it sees its signed reasoning again): each item is an IR
    :class:`~ir_codec.ir.Thinking` or :class:`~ir_codec.ir.RedactedThinking` before the
    message's content, an item of another type a :class:`~ir_codec.ir.ProviderPart`
    ``{"reasoning_detail": item}``. ``False``: IR reasoning in a request is reported dropped."""

    REASONING_FORMATS: ClassVar[Mapping[str, str]] = {}
    """Signature family (``Thinking.origin``) -> the reasoning detail's ``format`` that names it
    (OpenRouter: ``"anthropic"`` -> ``"anthropic-claude-v1"``). Decode reads such a format on a
    signed item as the part's origin; encode writes it from the origin."""

    STREAM_OPTIONS: ClassVar[Mapping[str, Any] | None] = {"include_usage": True}
    """What a streamed request (IR ``stream=True``) sends as ``stream_options`` unless its
    ``provider_options`` give one: OpenAI reports the usage of a stream only in a last chunk that
    ``include_usage`` asks for (``ChatCompletionStreamOptionsParam``). Decode reads this value
    beside ``stream: true`` as the default (not kept raw). ``None``: the provider has no
    ``stream_options`` (Mistral sends the usage in its last chunk anyway)."""

    REPLY_DEFAULTS: ClassVar[Mapping[str, Any]] = {}
    """Top-level reply fields the provider's SDK requires and the IR has no word for, with the
    value encode_response writes (OpenRouter ``ChatResult``: ``system_fingerprint: null``)."""

    REPLY_REFUSAL: ClassVar[bool] = True
    """The reply message has a ``refusal`` string; without it a refusal is sent as text."""

    REPLY_CONTENT_CHUNKS: ClassVar[bool] = False
    """A reply message's ``content`` may be a list of typed chunks (Mistral ``ContentChunk``:
    ``text``, ``thinking`` of reasoning models, ...). Decode reads a ``text`` chunk as a Text,
    a ``thinking`` chunk of one text as a Thinking, any other chunk as a ProviderPart
    ``{"content_chunk": raw}``; encode writes such a list, in IR order, when the reply holds a
    Thinking or such a chunk (else one string, as OpenAI). A stream has one content string and
    no reasoning field: its decoder reads the chunks, its encoder writes the text alone."""

    REPLY_USAGE_REQUIRED: ClassVar[bool] = False
    """The reply's ``usage`` is required (Mistral ``ChatCompletionResponse.usage``)."""

    WHOLE_STREAMED_TOOL_CALLS: ClassVar[bool] = False
    """The stream sends each tool call whole in one delta (Mistral's ``CompletionChunk`` needs
    ``function.name`` in every piece) rather than the name first and the arguments after: the
    stream encoder holds a call until another part opens or the stream ends."""

    USAGE_FIELDS: ClassVar[Mapping[str, str]] = {}
    """Usage counters beside OpenAI's: wire field of ``usage`` -> the IR
    :class:`~ir_codec.ir.Usage` field it gives (DeepSeek: ``{"prompt_cache_hit_tokens":
    "cache_read_tokens", "prompt_cache_miss_tokens": "uncached_input_tokens"}``). A reported
    one wins over OpenAI's counter for that bucket; an input bucket left unreported is what
    remains of ``prompt_tokens``."""

    def convert_usage(self, raw: Mapping[str, Any], path: str) -> Usage:
        """IR usage of a reply's ``usage`` object (``path`` is its JSON path, for errors).
        Default: :func:`~.reply.chat_usage` with ``USAGE_FIELDS``."""
        return chat_usage(raw, path, self.USAGE_FIELDS)
