"""The vendor-neutral intermediate representation (IR).

Every provider codec lowers a :class:`Request` to its wire JSON and lifts wire JSON back to a
:class:`Request`. The IR is made of frozen, keyword-only :mod:`msgspec` Structs, so it is cheap to
build, compares structurally, hashes (by its canonical JSON form) and has a JSON form of its own
(``ir_codec.ir_to_json`` / ``ir_codec.ir_from_json``; the schema is ``spec/schema/ir.json``).

A field enters the neutral IR only when two or more providers support it natively. Anything
else travels in ``provider_options[codec_name]``: raw wire fields that the named codec merges
into the wire object at the same level (the request root, a message, a content part, a tool).
Other codecs report those fields as lost.

Example::

    from ir_codec.ir import CacheControl, CacheTtl, Message, Request, SystemBlock, Text

    req = Request(
        model="claude-opus-5",
        max_tokens=1024,
        system=[SystemBlock(text="You are terse.", cache=CacheControl(ttl=CacheTtl.ONE_HOUR))],
        messages=[Message(role="user", content=[Text(text="Hello")])],
    )
"""

from __future__ import annotations

import enum
import typing
from typing import Any, Literal, TypeAlias

import msgspec

__all__ = [
    "Audio",
    "Base64Source",
    "CacheControl",
    "CacheTtl",
    "Document",
    "DocumentSource",
    "FileSource",
    "Image",
    "ImageSource",
    "Json",
    "Message",
    "Part",
    "ProviderOptions",
    "ProviderPart",
    "ProviderTool",
    "ReasoningConfig",
    "RedactedThinking",
    "Refusal",
    "ReplyError",
    "Request",
    "Response",
    "ResponseFormat",
    "Role",
    "StopReason",
    "SystemBlock",
    "Text",
    "TextSource",
    "Thinking",
    "Tool",
    "ToolChoice",
    "ToolResult",
    "ToolResultPart",
    "ToolSpec",
    "ToolUse",
    "UrlSource",
    "Usage",
]

JSONObject: TypeAlias = dict[str, Any]
ProviderOptions: TypeAlias = dict[str, dict[str, Any]]
"""Raw wire fields keyed by codec name: ``{"anthropic": {"speed": "fast"}}``."""


class _Node(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    omit_defaults=True,
    gc=False,
    forbid_unknown_fields=True,
):
    """Base of every IR node: frozen, keyword-only, strict on decode, compact on encode.

    Nodes are not tracked by Python's cyclic garbage collector (``gc=False``): an IR request is
    a tree of frozen nodes, so it holds no reference cycle of its own, and a large one (10,000
    messages) no longer makes every collection walk it (15–25% of a transpile on the speed
    workloads). Do not put a node inside a dict or list that the node itself holds."""

    def __hash__(self) -> int:
        # Raw JSON objects (tool schemas, tool inputs, provider options) are dicts, which the
        # generated field-wise hash cannot take; the canonical JSON form can.
        return hash(msgspec.json.encode(self, order="sorted"))


# --------------------------------------------------------------------------------------------
# Caching


class CacheTtl(enum.StrEnum):
    """How long a cache entry written at a mark should live.

    Anthropic and Bedrock offer 5 minutes and 1 hour; OpenAI (GPT-5.6 and later) offers
    30 minutes and 12 hours. A codec that cannot express a tier maps it to the nearest tier it
    has by a documented rule and reports the change as a ``LossyEncode``. New tiers may be added;
    callers should not assume this list is closed.
    """

    FIVE_MINUTES = "5m"
    THIRTY_MINUTES = "30m"
    ONE_HOUR = "1h"
    TWELVE_HOURS = "12h"

    @property
    def seconds(self) -> int:
        return _TTL_SECONDS[self]  # a StrEnum member hashes and compares as its value


_TTL_SECONDS = {"5m": 300, "30m": 1800, "1h": 3600, "12h": 43200}


class CacheControl(_Node, frozen=True, kw_only=True):
    """A cache breakpoint: the prefix up to and including the marked item should be cached."""

    ttl: CacheTtl = CacheTtl.FIVE_MINUTES


# --------------------------------------------------------------------------------------------
# Sources of binary content


class _Source(_Node, frozen=True, kw_only=True, tag_field="type"):
    pass


class Base64Source(_Source, frozen=True, kw_only=True, tag="base64"):
    """Inline bytes, base64-encoded (standard alphabet, padded)."""

    media_type: str
    data: str


class UrlSource(_Source, frozen=True, kw_only=True, tag="url"):
    """A URL the provider fetches (https, gs://, s3://, ...)."""

    url: str
    media_type: str | None = None


class FileSource(_Source, frozen=True, kw_only=True, tag="file"):
    """A provider-side uploaded file (Anthropic/OpenAI file id, Gemini file URI)."""

    file_id: str
    media_type: str | None = None


class TextSource(_Source, frozen=True, kw_only=True, tag="text"):
    """A plain-text document given inline."""

    text: str
    media_type: str = "text/plain"


ImageSource: TypeAlias = Base64Source | UrlSource | FileSource
DocumentSource: TypeAlias = Base64Source | UrlSource | FileSource | TextSource


# --------------------------------------------------------------------------------------------
# Content parts


class _Part(_Node, frozen=True, kw_only=True, tag_field="type"):
    pass


class Text(_Part, frozen=True, kw_only=True, tag="text"):
    text: str
    cache: CacheControl | None = None
    provider_options: ProviderOptions = {}


class Image(_Part, frozen=True, kw_only=True, tag="image"):
    source: ImageSource
    cache: CacheControl | None = None
    provider_options: ProviderOptions = {}


class Document(_Part, frozen=True, kw_only=True, tag="document"):
    """A document (PDF, plain text, ...). ``name`` is the title / file name / document name."""

    source: DocumentSource
    name: str | None = None
    context: str | None = None
    citations: bool | None = None
    cache: CacheControl | None = None
    provider_options: ProviderOptions = {}


class Audio(_Part, frozen=True, kw_only=True, tag="audio"):
    source: Base64Source | UrlSource | FileSource
    cache: CacheControl | None = None
    provider_options: ProviderOptions = {}


class Json(_Part, frozen=True, kw_only=True, tag="json"):
    """Structured data; meaningful inside a tool result (Bedrock json blocks, Gemini responses)."""

    value: Any
    cache: CacheControl | None = None
    provider_options: ProviderOptions = {}


class ProviderPart(_Part, frozen=True, kw_only=True, tag="provider"):
    """A part only one codec understands (server-tool calls and results, ...), carried opaquely.

    It round-trips through ``codec``; every other codec reports it as lost.
    """

    codec: str
    data: JSONObject
    cache: CacheControl | None = None


ToolResultPart: TypeAlias = Text | Image | Document | Audio | Json | ProviderPart


class ToolUse(_Part, frozen=True, kw_only=True, tag="tool_use"):
    """A call of a function tool, made by the assistant."""

    id: str
    name: str
    input: JSONObject
    cache: CacheControl | None = None
    provider_options: ProviderOptions = {}


class ToolResult(_Part, frozen=True, kw_only=True, tag="tool_result"):
    """The result of a tool call, sent back in a user turn."""

    tool_use_id: str
    content: list[ToolResultPart] = []
    is_error: bool = False
    cache: CacheControl | None = None
    provider_options: ProviderOptions = {}


class Thinking(_Part, frozen=True, kw_only=True, tag="thinking"):
    """Model reasoning; ``signature`` is the provider's opaque proof, passed back unchanged.

    ``origin`` is the signature family of the model that signed it (``"anthropic"``,
    ``"gemini"``, ``"openai"``: ``CodecProfile.signatures``), set by decode. A codec sends a
    signature only where it verifies (its own family) and reports any other dropped."""

    text: str
    signature: str | None = None
    origin: str | None = None
    cache: CacheControl | None = None
    provider_options: ProviderOptions = {}


class RedactedThinking(_Part, frozen=True, kw_only=True, tag="redacted_thinking"):
    """Reasoning the provider returned encrypted (``data``, opaque); ``origin`` as for
    :class:`Thinking`: a codec of another signature family drops the part (reported)."""

    data: str
    origin: str | None = None
    cache: CacheControl | None = None
    provider_options: ProviderOptions = {}


class Refusal(_Part, frozen=True, kw_only=True, tag="refusal"):
    """A refusal by the model (OpenAI refusal parts)."""

    text: str
    cache: CacheControl | None = None
    provider_options: ProviderOptions = {}


Part: TypeAlias = (
    Text | Image | Document | Audio | Json | ToolUse | ToolResult | Thinking | RedactedThinking | Refusal | ProviderPart
)

Role: TypeAlias = Literal["user", "assistant", "system"]


class Message(_Node, frozen=True, kw_only=True):
    role: Role
    content: list[Part]
    provider_options: ProviderOptions = {}


class SystemBlock(_Node, frozen=True, kw_only=True):
    """One block of the top-level system prompt (text only)."""

    text: str
    cache: CacheControl | None = None
    provider_options: ProviderOptions = {}


# --------------------------------------------------------------------------------------------
# Tools and settings


class _ToolBase(_Node, frozen=True, kw_only=True, tag_field="type"):
    pass


class Tool(_ToolBase, frozen=True, kw_only=True, tag="function"):
    """A function tool: the model calls it with arguments matching ``input_schema``."""

    name: str
    input_schema: JSONObject = msgspec.field(default_factory=lambda: {"type": "object"})
    description: str | None = None
    strict: bool | None = None
    cache: CacheControl | None = None
    provider_options: ProviderOptions = {}


class ProviderTool(_ToolBase, frozen=True, kw_only=True, tag="provider"):
    """A provider-hosted tool (web search, code execution, ...), carried opaquely."""

    codec: str
    data: JSONObject
    cache: CacheControl | None = None


ToolSpec: TypeAlias = Tool | ProviderTool


class ToolChoice(_Node, frozen=True, kw_only=True):
    """``auto``: the model may call tools; ``required``: it must call one; ``none``: it must not;
    ``tool``: it must call the tool ``name``."""

    mode: Literal["auto", "required", "none", "tool"]
    name: str | None = None


class ResponseFormat(_Node, frozen=True, kw_only=True):
    type: Literal["text", "json_object", "json_schema"]
    schema: JSONObject | None = None
    name: str | None = None
    description: str | None = None
    strict: bool | None = None


class ReasoningConfig(_Node, frozen=True, kw_only=True):
    """Extended thinking: Anthropic ``thinking``, Gemini ``thinkingConfig``, ..."""

    type: Literal["enabled", "adaptive", "disabled"]
    budget_tokens: int | None = None


class Request(_Node, frozen=True, kw_only=True):
    """One provider-neutral request.

    ``cache`` is request-level automatic caching: the provider (or, where it has no such knob,
    the cache planner) places a breakpoint on the last cacheable block. ``cache_key`` routes
    requests that share a prefix to the same cache (OpenAI ``prompt_cache_key``).
    """

    model: str | None = None
    system: list[SystemBlock] = []
    messages: list[Message] = []
    tools: list[ToolSpec] = []
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] | None = None
    seed: int | None = None
    n: int | None = None
    response_format: ResponseFormat | None = None
    reasoning: ReasoningConfig | None = None
    reasoning_effort: str | None = None
    user: str | None = None
    metadata: dict[str, str] | None = None
    stream: bool | None = None
    cache: CacheControl | None = None
    cache_key: str | None = None
    provider_options: ProviderOptions = {}


FLOAT_FIELDS: frozenset[str] = frozenset(n for n, t in typing.get_type_hints(Request).items() if t == float | None)
"""The :class:`Request` fields of type float: a decoder reads a JSON integer there as a float
(``temperature: 1`` is ``1.0``), the normal form :func:`~ir_codec.check.validate_ir` gives."""


# --------------------------------------------------------------------------------------------
# Responses


StopReason: TypeAlias = Literal[
    "end_turn",
    "max_tokens",
    "stop_sequence",
    "tool_use",
    "content_filter",
    "refusal",
    "pause_turn",
    "context_window_exceeded",
    "error",
    "other",
]


class Usage(_Node, frozen=True, kw_only=True):
    """Normalized token counts. The three input buckets are disjoint and add up to the input.

    ``cache_write_tokens`` is split by TTL where the provider reports it; ``reasoning_tokens``
    is part of ``output_tokens``.

    **A counter the provider did not report is ``None``, never a fabricated 0** (spec/ir.md,
    "Usage"). A codec whose provider reports the input as one inclusive count (OpenAI,
    OpenRouter, Gemini) fills the buckets with :meth:`from_inclusive`: the uncached bucket is
    the part of that count not reported as read or written.

    ``input_tokens`` is the sum of the input buckets that are known (``None`` when none is);
    since the uncached bucket holds whatever is not reported as read or written, that sum is
    the provider's own input count. ``total_tokens`` is ``input_tokens + output_tokens`` when
    both are known, else ``None``.

    >>> Usage(uncached_input_tokens=10, cache_read_tokens=90, output_tokens=5).input_tokens
    100
    >>> Usage(uncached_input_tokens=10).total_tokens is None
    True
    """

    uncached_input_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    cache_write_5m_tokens: int | None = None
    cache_write_1h_tokens: int | None = None
    cache_write_30m_tokens: int | None = None
    cache_write_12h_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None

    @property
    def input_tokens(self) -> int | None:
        """The sum of the known input buckets; ``None`` when no input bucket is known."""
        buckets = (self.uncached_input_tokens, self.cache_read_tokens, self.cache_write_tokens)
        known = [n for n in buckets if n is not None]
        return sum(known) if known else None

    @property
    def total_tokens(self) -> int | None:
        """``input_tokens + output_tokens``; ``None`` when either is unknown."""
        inp = self.input_tokens
        return None if inp is None or self.output_tokens is None else inp + self.output_tokens

    @classmethod
    def from_inclusive(
        cls,
        input_tokens: int | None,
        *,
        cache_read_tokens: int | None = None,
        cache_write_tokens: int | None = None,
        **others: int | None,
    ) -> Usage:
        """Usage from a provider's inclusive input count (``input_tokens`` includes the reads
        and writes it reports beside it), by the **overlap rule** (spec/ir.md, "Usage"):

        the buckets are filled in the order reads, writes, uncached, each capped at what is
        left of ``input_tokens``: ``read = min(reported read, input)``, ``write =
        min(reported write, input - read)``, ``uncached = input - read - write``. So the buckets
        never go negative and always add up to the provider's input count, even where the
        reported counters overlap and exceed it (OpenRouter over Gemini, PROVIDERS.md §13).
        Reads win over writes because a read count is the upstream's own counter of what it
        served from cache. A counter that is not reported stays ``None``; with no
        ``input_tokens`` the uncached bucket is ``None`` and the others are kept as reported.
        ``others`` are the remaining fields, as they are.

        >>> u = Usage.from_inclusive(100, cache_read_tokens=80, cache_write_tokens=50, output_tokens=7)
        >>> u.uncached_input_tokens, u.cache_read_tokens, u.cache_write_tokens, u.output_tokens
        (0, 80, 20, 7)
        >>> Usage.from_inclusive(100, cache_read_tokens=30).uncached_input_tokens
        70
        """
        read, write, uncached = cache_read_tokens, cache_write_tokens, None
        if input_tokens is not None:
            left = input_tokens
            if read is not None:
                read = min(read, max(left, 0))
                left -= read
            if write is not None:
                write = min(write, max(left, 0))
                left -= write
            uncached = left
        return cls(uncached_input_tokens=uncached, cache_read_tokens=read, cache_write_tokens=write, **others)


class ReplyError(_Node, frozen=True, kw_only=True):
    """An error the provider reported in the middle of a reply it had begun to stream: the
    stream ends there (Anthropic's ``error`` event, an OpenAI ``{"error": ...}`` chunk, an
    OpenAI Responses ``error`` event, a Gemini ``{"error": ...}`` chunk, a ConverseStream
    exception). ``type`` is the provider's name for the kind of error (Anthropic's and OpenAI's
    ``type``, Gemini's ``status``, the Converse exception's name), ``code`` its code as text
    (OpenAI's, OpenRouter's and the Responses ``code``, Gemini's number), ``message`` its text.
    """

    type: str | None = None
    code: str | None = None
    message: str = ""


class Response(_Node, frozen=True, kw_only=True):
    """A reply. ``usage`` is ``None`` when the reply reports no usage at all (OpenAI-compatible
    servers often omit it); otherwise each counter it did not report is ``None``.

    ``error`` is set when the reply ended with an error (:class:`ReplyError`); its
    ``stop_reason`` is then ``"error"``. Streams carry it; of the reply bodies, only Gemini's,
    OpenRouter's and a failed Responses object have a place for it (``Codec.REPLY_ERRORS``).
    """

    id: str | None = None
    model: str | None = None
    content: list[Part] = []
    stop_reason: StopReason | None = None
    raw_stop_reason: str | None = None
    usage: Usage | None = None
    provider_options: ProviderOptions = {}
    error: ReplyError | None = None
