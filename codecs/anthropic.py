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
non-empty ``citations`` (src: docs /api/versioning, /api/migration-2026-10-21).

**Bedrock and automatic caching.** The legacy Bedrock integration rejects the top-level
``cache_control``; option ``automatic_caching`` (default: on, except with
``api_version="bedrock-2023-05-31"``) turns the request-level mark into an explicit mark on the
last cacheable block instead (the cache planner's rule for providers without automatic mode).

Example::

    from ir_codec import get_codec
    from ir_codec.ir import Message, Request, Text

    enc = get_codec("anthropic").encode(
        Request(model="claude-opus-5", max_tokens=256, messages=[Message(role="user", content=[Text(text="Hi")])])
    )
    enc.body  # {"model": "claude-opus-5", "max_tokens": 256, "messages": [...]}
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal
from urllib.parse import quote

import msgspec
from msgspec import UNSET, UnsetType

from ..codec import Codec, EncodeContext, expect_object, load_json, register, wire_convert
from ..errors import DecodeError, IRCodecError
from ..ir import (
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
    ToolSpec,
    ToolUse,
    UrlSource,
    Usage,
)
from ..lowering import at, split_unknown, struct_fields
from ..passes.cache import CacheRules, plan_cache_breakpoints
from ..stream import (
    MessageStart,
    Stop,
    StreamDecoder,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallStart,
    UsageUpdate,
)

__all__ = [
    "AnthropicBedrockCodec",
    "AnthropicCodec",
    "AnthropicStreamDecoder",
    "AnthropicVertexCodec",
    "anthropic_usage",
]

FAMILY = "anthropic"
"""The codec name the three codecs share for provider_options and provider parts/tools."""

API_2026 = "2026-10-21"
LEGACY_VERSIONS = frozenset({"2023-06-01", "bedrock-2023-05-31", "vertex-2023-10-16"})
"""Versions on which the sampling parameters are still accepted."""

IMAGE_MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
"""src: SDK types/base64_image_source_param.py."""
EFFORTS = frozenset({"low", "medium", "high", "xhigh", "max"})
"""src: SDK types/output_config_param.py."""


# ============================================================================================
# Wire types (src: SDK anthropic/types/*_param.py). Unknown fields are allowed here (they are
# kept in provider_options on decode); known fields are type-checked.


class _W(msgspec.Struct, kw_only=True, omit_defaults=True):
    pass


class WCacheControl(_W, forbid_unknown_fields=True):
    """cache_control_ephemeral_param.py"""

    type: Literal["ephemeral"]
    ttl: Literal["5m", "1h"] | UnsetType = UNSET


_CC = WCacheControl | None | UnsetType


class WTextBlock(_W):
    type: Literal["text"]
    text: str
    cache_control: _CC = UNSET


class WBase64Source(_W, tag_field="type", tag="base64", forbid_unknown_fields=True):
    media_type: str
    data: str


class WUrlSource(_W, tag_field="type", tag="url", forbid_unknown_fields=True):
    url: str


class WFileSource(_W, tag_field="type", tag="file", forbid_unknown_fields=True):
    file_id: str


class WPlainTextSource(_W, tag_field="type", tag="text", forbid_unknown_fields=True):
    media_type: Literal["text/plain"]
    data: str


class WImageBlock(_W):
    type: Literal["image"]
    source: dict[str, Any]
    cache_control: _CC = UNSET


class WDocumentBlock(_W):
    type: Literal["document"]
    source: dict[str, Any]
    title: str | UnsetType = UNSET
    context: str | UnsetType = UNSET
    citations: Any = UNSET
    cache_control: _CC = UNSET


class WToolUseBlock(_W):
    type: Literal["tool_use"]
    id: str
    name: str
    input: dict[str, Any]
    cache_control: _CC = UNSET


class WToolResultBlock(_W):
    type: Literal["tool_result"]
    tool_use_id: str
    content: str | list[dict[str, Any]] | UnsetType = UNSET
    is_error: bool | UnsetType = UNSET
    cache_control: _CC = UNSET


class WThinkingBlock(_W):
    type: Literal["thinking"]
    thinking: str
    signature: str


class WRedactedThinkingBlock(_W):
    type: Literal["redacted_thinking"]
    data: str


class WAnyBlock(_W):
    """Any other block (server-tool calls and results, search results, ...): a typed object."""

    type: str
    cache_control: _CC = UNSET


class WMessage(_W):
    role: Literal["user", "assistant", "system"]
    content: str | list[dict[str, Any]]


class WTool(_W):
    """tool_param.py (a custom tool; server tools have a ``type`` other than ``custom``)."""

    name: str
    input_schema: dict[str, Any]
    description: str | UnsetType = UNSET
    strict: bool | UnsetType = UNSET
    cache_control: _CC = UNSET


class WServerTool(_W):
    type: str
    cache_control: _CC = UNSET


class WRequest(_W):
    """message_create_params.py (the fields this codec lifts into the IR)."""

    messages: list[dict[str, Any]]
    model: str | UnsetType = UNSET
    max_tokens: int | UnsetType = UNSET
    system: str | list[dict[str, Any]] | UnsetType = UNSET
    tools: list[dict[str, Any]] | UnsetType = UNSET
    tool_choice: dict[str, Any] | UnsetType = UNSET
    stop_sequences: list[str] | UnsetType = UNSET
    metadata: Any = UNSET
    thinking: Any = UNSET
    output_config: Any = UNSET
    cache_control: _CC = UNSET
    stream: bool | UnsetType = UNSET
    temperature: float | UnsetType = UNSET
    top_p: float | UnsetType = UNSET
    top_k: int | UnsetType = UNSET
    anthropic_version: str | UnsetType = UNSET


_BLOCK_TYPES: dict[str, type[_W]] = {
    "text": WTextBlock,
    "image": WImageBlock,
    "document": WDocumentBlock,
    "tool_use": WToolUseBlock,
    "tool_result": WToolResultBlock,
    "thinking": WThinkingBlock,
    "redacted_thinking": WRedactedThinkingBlock,
}

# Fields of each wire object that lifting always turns into IR fields: provider_options may not
# set them (they would decode into the IR, not back into provider_options).
_RESERVED = {
    "text": frozenset({"type", "text", "cache_control"}),
    "image": frozenset({"type", "source", "cache_control"}),
    "document": frozenset({"type", "source", "title", "context", "cache_control"}),
    "tool_use": frozenset({"type", "id", "name", "input", "cache_control"}),
    "tool_result": frozenset({"type", "tool_use_id", "content", "is_error", "cache_control"}),
    "thinking": frozenset({"type", "thinking", "signature"}),
    "redacted_thinking": frozenset({"type", "data"}),
    "message": frozenset({"role", "content"}),
    "tool": frozenset({"name", "input_schema", "description", "strict", "cache_control"}),
}
_ROOT_ALWAYS = frozenset(
    {"messages", "system", "tools", "stop_sequences", "cache_control", "temperature", "top_p", "top_k", "max_tokens"}
)


class _NotLiftable(Exception):
    """A known block type whose content the IR cannot hold: kept as a ProviderPart."""


# ============================================================================================
# Small helpers


def _cc_to_ir(cc: WCacheControl | None | UnsetType) -> CacheControl | None:
    if cc is None or cc is UNSET:
        return None
    assert isinstance(cc, WCacheControl)
    return CacheControl(ttl=CacheTtl.ONE_HOUR if cc.ttl == "1h" else CacheTtl.FIVE_MINUTES)


def _cc_to_wire(cache: CacheControl) -> dict[str, Any]:
    # 5m is the default TTL: written as {"type": "ephemeral"}; "ttl": "5m" is a canonicalization.
    # src: SDK types/cache_control_ephemeral_param.py
    if cache.ttl == CacheTtl.ONE_HOUR:
        return {"type": "ephemeral", "ttl": "1h"}
    return {"type": "ephemeral"}


def _family_options(options: Mapping[str, dict[str, Any]], path: str, ctx: EncodeContext) -> dict[str, Any]:
    own: dict[str, Any] = {}
    for name, fields in options.items():
        if name == FAMILY:
            own = dict(fields)
            if not own:
                ctx.lossy(at(at(path, "provider_options"), name), "an empty options entry is not kept")
        else:
            ctx.lossy(
                at(at(path, "provider_options"), name), f"options for codec {name!r} are not carried by {ctx.codec}"
            )
    return own


def _opts(unknown: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {FAMILY: unknown} if unknown else {}


def _json_text(value: Any) -> str:
    return msgspec.json.encode(value).decode()


_LOC = re.compile(r"(tools|system)\[(\d+)\]|messages\[(\d+)\]\.content\[(\d+)\](?:\.content\[(\d+)\])?")


# ============================================================================================
# The codec


class _AnthropicBase(Codec):
    """Shared lowering and lifting of the Anthropic Messages body."""

    WIRE_REQUEST: ClassVar[type[Any]] = WRequest
    MAX_CACHE_BREAKPOINTS: ClassVar[int | None] = 4
    """At most 4 cache_control marks per request, the top-level automatic one included (A-PC)."""
    CACHE_TTLS: ClassVar[tuple[CacheTtl, ...]] = (CacheTtl.FIVE_MINUTES, CacheTtl.ONE_HOUR)
    """``ttl`` is ``"5m"`` (default) or ``"1h"`` (SDK cache_control_ephemeral_param.py)."""
    PASSES: ClassVar[tuple[str, ...]] = ("plan_cache_breakpoints",)
    """Only the cache planner; consecutive same-role turns are combined by the API itself."""
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = (
        'a string `system` is one text block; an empty `system` ("" or []) is absent',
        'a string message `content` is one text block ("" is no block)',
        'a string tool_result `content` is one text block; `content` "" or [] is absent',
        "`is_error: false` on a tool_result is absent",
        "text blocks with empty text are removed (the API rejects them), in system, messages and tool results",
        "a message left without blocks is removed (an empty final assistant message prefills nothing)",
        '`cache_control: null` is absent; `"ttl": "5m"` is absent (5m is the default)',
        "`tools: []` is absent",
        "an integer `temperature` / `top_p` is the same float",
        "bedrock/vertex: a missing `anthropic_version` is the configured one",
    )
    HAS_MODEL: ClassVar[bool] = True
    """``model`` is a body field (the direct API); Bedrock and Vertex carry it in the URL."""
    HAS_STREAM: ClassVar[bool] = True
    """``stream`` is a body field (not on Bedrock, whose endpoint selects streaming)."""
    BODY_VERSION: ClassVar[bool] = False
    """``anthropic_version`` is a body field (Bedrock, Vertex)."""
    VERSIONS: ClassVar[frozenset[str]] = frozenset({API_2026, "2023-06-01"})
    """Values the ``api_version`` option accepts."""

    def __init__(self, api_version: str = API_2026, automatic_caching: bool | None = None) -> None:
        if api_version not in self.VERSIONS:
            raise IRCodecError(f"{self.NAME}: api_version must be one of {sorted(self.VERSIONS)}, not {api_version!r}")
        self.api_version = api_version
        self.automatic_caching = automatic_caching if automatic_caching is not None else True

    def _rules(self) -> CacheRules:
        return CacheRules(
            max_breakpoints=4,
            ttls=self.CACHE_TTLS,
            native_automatic=self.automatic_caching,
            nested_markable=False,
            # Thinking blocks cannot carry cache_control (SDK thinking_block_param.py has none;
            # A-PC "cannot be cached"); empty texts were removed before planning.
            markable=lambda p: not isinstance(p, Thinking | RedactedThinking),
        )

    # ----------------------------------------------------------------------------------------
    # Encode

    def _encode(self, request: Request, ctx: EncodeContext) -> dict[str, Any]:
        return _Lowering(self, ctx).run(request)

    # ----------------------------------------------------------------------------------------
    # Decode

    def decode(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        """Lift a Messages request body to IR; raises :class:`DecodeError` with the JSON path."""
        return _lift_request(self, expect_object(load_json(payload), "$"))

    def validate_wire(self, body: Mapping[str, Any]) -> None:
        """Type-check ``body`` (every known object) and the API rules the encoder guarantees:
        no empty text blocks, no empty non-final messages, at most 4 cache marks, no sampling
        parameters on 2026-10-21, no ``model``/``stream`` where the platform forbids them."""
        req = expect_object(body, "$")
        _lift_request(self, req)
        version = self._effective_version(req)
        if version not in LEGACY_VERSIONS:
            for k in ("temperature", "top_p", "top_k"):
                if k in req:
                    raise DecodeError(f"$.{k}", f"no {k} with API version {version}", "a value")
        if not self.HAS_MODEL and "model" in req:
            raise DecodeError("$.model", "no model in a " + self.NAME + " body", "a value")
        if not self.HAS_STREAM and "stream" in req:
            raise DecodeError("$.stream", "no stream in a " + self.NAME + " body", "a value")
        marks = 0
        last_marked = False  # the automatic mark is a no-op on a last block marked already (A-PC)
        for t in req.get("tools") or []:  # prefix order: tools, system, messages
            marks += isinstance(t.get("cache_control"), dict)
            last_marked = isinstance(t.get("cache_control"), dict)
        for i, s in enumerate(req.get("system") or []):
            if isinstance(s, dict):
                marks += isinstance(s.get("cache_control"), dict)
                last_marked = isinstance(s.get("cache_control"), dict)
                if s.get("text") == "":
                    raise DecodeError(f"$.system[{i}].text", "non-empty text", "''")
        msgs = req["messages"]
        for i, m in enumerate(msgs):
            content = m["content"]
            if not content and not (i == len(msgs) - 1 and m["role"] == "assistant"):
                raise DecodeError(f"$.messages[{i}].content", "at least one block", "none")
            for j, b in enumerate(content if isinstance(content, list) else []):
                marks += isinstance(b.get("cache_control"), dict)
                if b.get("type") not in ("thinking", "redacted_thinking"):
                    last_marked = isinstance(b.get("cache_control"), dict)
                if b.get("type") == "text" and b.get("text") == "":
                    raise DecodeError(f"$.messages[{i}].content[{j}].text", "non-empty text", "''")
                if b.get("type") == "document" and m["role"] == "assistant" and version not in LEGACY_VERSIONS:
                    raise DecodeError(f"$.messages[{i}].content[{j}]", "no document in an assistant message", "one")
        marks += isinstance(req.get("cache_control"), dict) and not last_marked
        if marks > 4:
            raise DecodeError("$", "at most 4 cache_control marks", str(marks))

    def _effective_version(self, body: Mapping[str, Any]) -> str:
        if self.BODY_VERSION:
            v = body.get("anthropic_version", self.api_version)
            return v if isinstance(v, str) else self.api_version
        return self.api_version

    def canonicalize(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The form :meth:`encode` writes for ``payload`` (see ``CANONICALIZATIONS``)."""
        p = copy.deepcopy(dict(payload))

        def cc(obj: dict[str, Any]) -> None:
            if "cache_control" in obj and obj["cache_control"] is None:
                del obj["cache_control"]
            c = obj.get("cache_control")
            if isinstance(c, dict) and c.get("ttl") == "5m":
                del c["ttl"]

        def blocks(content: Any) -> list[dict[str, Any]]:
            if isinstance(content, str):
                content = [{"type": "text", "text": content}]
            out = []
            for b in content:
                if b.get("type") == "text" and b.get("text") == "":
                    continue
                cc(b)
                if b.get("type") == "tool_result":
                    if "content" in b:
                        inner = blocks(b["content"])
                        if inner:
                            b["content"] = inner
                        else:
                            del b["content"]
                    if b.get("is_error") is False:
                        del b["is_error"]
                out.append(b)
            return out

        cc(p)
        if "system" in p:
            sys_blocks = blocks(p["system"])
            if sys_blocks:
                p["system"] = sys_blocks
            else:
                del p["system"]
        if p.get("tools") == []:
            del p["tools"]
        for t in p.get("tools") or []:
            cc(t)
        msgs = p.get("messages", [])
        for m in msgs:
            m["content"] = blocks(m["content"])
        p["messages"] = [m for m in msgs if m["content"]]
        for k in ("temperature", "top_p"):
            if type(p.get(k)) is int:
                p[k] = float(p[k])
        if self.BODY_VERSION and "anthropic_version" not in p:
            p["anthropic_version"] = self.api_version
        return p

    # ----------------------------------------------------------------------------------------
    # Responses

    def decode_response(self, payload: Mapping[str, Any] | bytes | str) -> Response:
        """Lift a Messages reply (the same body on all three platforms) to an IR Response."""
        return _decode_response(payload)

    def stream_decoder(self) -> AnthropicStreamDecoder:
        """A decoder for the Messages event stream (SSE ``data`` objects; on Bedrock the JSON
        inside each event-stream ``chunk``, which carries the same events)."""
        return AnthropicStreamDecoder()

    # ----------------------------------------------------------------------------------------
    # SDK form

    SDK_TYPED: ClassVar[frozenset[str]] = frozenset(
        {
            "max_tokens",
            "messages",
            "model",
            "cache_control",
            "container",
            "diagnostics",
            "inference_geo",
            "metadata",
            "output_config",
            "service_tier",
            "speed",
            "stop_sequences",
            "stream",
            "system",
            "thinking",
            "tool_choice",
            "tools",
        }
    )
    """Keyword arguments of ``Messages.create`` in SDK 2.x (resources/messages/messages.py);
    everything else (sampling parameters, anthropic_version, new fields) goes in ``extra_body``.
    ``user_profile_id`` and ``workspace_id`` are keyword arguments too, but the SDK sends them as
    headers (``anthropic-user-profile-id``, ``anthropic-workspace-id``), so a body field stays in
    ``extra_body``."""

    def sdk_kwargs(self, body: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        """Split ``body`` into typed ``messages.create`` arguments and ``extra_body``."""
        kwargs = {k: v for k, v in body.items() if k in self.SDK_TYPED}
        extra = {k: v for k, v in body.items() if k not in self.SDK_TYPED}
        if extra:
            kwargs["extra_body"] = extra
        kwargs.update(options)
        return kwargs


@register
class AnthropicCodec(_AnthropicBase):
    """The direct Anthropic Messages API body (``POST /v1/messages``)."""

    NAME: ClassVar[str] = "anthropic"
    """Registered name."""
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.anthropic.com"
    ENDPOINT: ClassVar[str] = "/v1/messages"


@register
class AnthropicBedrockCodec(_AnthropicBase):
    """The Amazon Bedrock InvokeModel body for Claude."""

    NAME: ClassVar[str] = "anthropic-bedrock"
    """Registered name."""
    DEFAULT_BASE_URL: ClassVar[str] = "https://bedrock-runtime.{region}.amazonaws.com"
    ENDPOINT: ClassVar[str] = "/model/{model}/invoke"
    STREAM_ENDPOINT: ClassVar[str | None] = "/model/{model}/invoke-with-response-stream"
    URL_FIELDS: ClassVar[frozenset[str]] = frozenset({"model", "stream"})

    def _url_model(self, model: str) -> str:
        return quote(model, safe="")  # ARNs and "...-v1:0" ids are percent-encoded, as botocore does
    HAS_MODEL: ClassVar[bool] = False
    HAS_STREAM: ClassVar[bool] = False
    BODY_VERSION: ClassVar[bool] = True
    VERSIONS: ClassVar[frozenset[str]] = frozenset({API_2026, "bedrock-2023-05-31"})

    def __init__(self, api_version: str = API_2026, automatic_caching: bool | None = None) -> None:
        super().__init__(api_version, automatic_caching)
        if automatic_caching is None:
            # The legacy Bedrock integration rejects top-level cache_control (A-PC).
            self.automatic_caching = api_version != "bedrock-2023-05-31"


@register
class AnthropicVertexCodec(_AnthropicBase):
    """The Google Vertex AI rawPredict / streamRawPredict body for Claude."""

    NAME: ClassVar[str] = "anthropic-vertex"
    """Registered name."""
    DEFAULT_BASE_URL: ClassVar[str] = "https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}"
    ENDPOINT: ClassVar[str] = "/publishers/anthropic/models/{model}:rawPredict"
    STREAM_ENDPOINT: ClassVar[str | None] = "/publishers/anthropic/models/{model}:streamRawPredict"
    URL_FIELDS: ClassVar[frozenset[str]] = frozenset({"model"})
    HAS_MODEL: ClassVar[bool] = False
    BODY_VERSION: ClassVar[bool] = True
    VERSIONS: ClassVar[frozenset[str]] = frozenset({API_2026, "vertex-2023-10-16"})


# ============================================================================================
# Lowering


class _Paths:
    """IR paths of the items of the reduced request (after drops), for warnings."""

    def __init__(self) -> None:
        self.tools: list[str] = []
        self.system: list[str] = []
        self.messages: list[str] = []
        self.parts: list[list[str]] = []
        self.nested: list[list[list[str]]] = []


class _Lowering:
    def __init__(self, codec: _AnthropicBase, ctx: EncodeContext) -> None:
        self.codec = codec
        self.ctx = ctx
        self.paths = _Paths()
        self.drops: dict[str, set[int]] = {}  # list path -> indices dropped from it
        self.version = codec.api_version
        self.legacy = False
        self.root_dropped: dict[str, str] = {}

    def lossy(self, path: str, reason: str) -> None:
        self.ctx.lossy(path, reason)

    def drop(self, list_path: str, index: int, reason: str) -> None:
        self.drops.setdefault(list_path, set()).add(index)
        self.lossy(at(list_path, index), reason)

    # ---- entry ---------------------------------------------------------------------------

    def run(self, request: Request) -> dict[str, Any]:
        root_opts = _family_options(request.provider_options, "", self.ctx)
        if self.codec.BODY_VERSION and isinstance(root_opts.get("anthropic_version"), str):
            self.version = root_opts.pop("anthropic_version")
            if self.version == self.codec.api_version:
                # decoding keeps anthropic_version in provider_options only where it differs
                self.root_dropped["anthropic_version"] = "same as the codec's api_version; not kept"
        elif self.codec.BODY_VERSION and "anthropic_version" in root_opts:
            root_opts.pop("anthropic_version")
            self.root_dropped["anthropic_version"] = "anthropic_version must be a string; dropped"
        self.legacy = self.version in LEGACY_VERSIONS
        reduced = self.reduce(request)
        planner_ctx = EncodeContext(self.ctx.codec)
        planned = plan_cache_breakpoints(reduced, self.codec._rules(), planner_ctx)
        for w in planner_ctx.warnings:
            self.lossy(self.remap(w.path), self.remap(w.reason))
        body = self.lower_root(planned, root_opts)
        self.summarize_neighbours()
        return body

    def remap(self, text: str) -> str:
        """Planner paths index the reduced request; rewrite them to the caller's IR indices."""

        def sub(m: re.Match[str]) -> str:
            if m.group(1):
                lst = self.paths.tools if m.group(1) == "tools" else self.paths.system
                return lst[int(m.group(2))]
            i, j = int(m.group(3)), int(m.group(4))
            if m.group(5) is not None:
                return self.paths.nested[i][j][int(m.group(5))]
            return self.paths.parts[i][j]

        return _LOC.sub(sub, text)

    def summarize_neighbours(self) -> None:
        # Where an item was dropped from a list, the decoded list is shorter and its changed
        # neighbours cannot be aligned item by item: name each changed neighbour as a whole.
        warned = [w.path for w in self.ctx.warnings]
        for lst, dropped in self.drops.items():
            prefix = lst + "["
            changed: set[int] = set()
            for p in warned:
                if p.startswith(prefix):
                    idx, _, rest = p[len(prefix) :].partition("]")
                    if rest and idx.isdigit() and int(idx) not in dropped:
                        changed.add(int(idx))
            for k in sorted(changed):
                if f"{lst}[{k}]" not in warned:
                    self.lossy(f"{lst}[{k}]", "changed (see the warnings below it) next to a dropped item")

    # ---- reduce: drop or convert what the wire cannot hold --------------------------------

    def reduce(self, request: Request) -> Request:
        tools: list[ToolSpec] = []
        for i, t in enumerate(request.tools):
            kept = self.fit_tool(t, f"tools[{i}]")
            if kept is not None:
                tools.append(kept)
                self.paths.tools.append(f"tools[{i}]")
        system: list[SystemBlock] = []
        for i, s in enumerate(request.system):
            if s.text == "":
                self.drop("system", i, "empty text blocks are rejected by the API; dropped")
            else:
                system.append(s)
                self.paths.system.append(f"system[{i}]")
        fitted: list[tuple[int, Message, list[str], list[list[str]]]] = []
        for i, m in enumerate(request.messages):
            mp = f"messages[{i}]"
            content: list[Part] = []
            part_paths: list[str] = []
            nested_paths: list[list[str]] = []
            for j, p in enumerate(m.content):
                pp = at(at(mp, "content"), j)
                q = self.fit_part(p, m.role, pp)
                if q is None:
                    self.drops.setdefault(at(mp, "content"), set()).add(j)
                    continue
                if isinstance(q, ToolResult):
                    q, inner = self.fit_nested(q, pp)
                    nested_paths.append(inner)
                else:
                    nested_paths.append([])
                content.append(q)
                part_paths.append(pp)
            fitted.append(
                (
                    i,
                    Message(role=m.role, content=content, provider_options=m.provider_options),
                    part_paths,
                    nested_paths,
                )
            )
        # Every message needs a block (API error "all messages must have non-empty content except
        # for the optional final assistant message"); an empty final assistant message prefills
        # nothing, so it goes too, and equal messages are always treated alike.
        kept_ids = {f[0] for f in fitted if f[1].content}
        messages: list[Message] = []
        for i, m, pps, nps in fitted:
            if i not in kept_ids:
                self.drop(
                    "messages", i, "no block of this message can be sent (the API rejects empty messages); dropped"
                )
                continue
            messages.append(m)
            self.paths.messages.append(f"messages[{i}]")
            self.paths.parts.append(pps)
            self.paths.nested.append(nps)
        return msgspec.structs.replace(request, tools=tools, system=system, messages=messages)

    def fit_tool(self, t: ToolSpec, path: str) -> ToolSpec | None:
        if isinstance(t, Tool):
            return t
        if t.codec != FAMILY:
            self.drop(
                "tools", int(path[6:-1]), f"a tool of codec {t.codec!r} is not carried by {self.ctx.codec}; dropped"
            )
            return None
        wire = dict(t.data)
        if "cache_control" in wire:
            self.lossy(at(at(path, "data"), "cache_control"), "set the tool's cache field instead; dropped")
            wire.pop("cache_control")
        if t.cache is not None:
            wire["cache_control"] = _cc_to_wire(t.cache)
        try:
            lifted = _lift_tool(wire, "$")
        except DecodeError as exc:
            self.drop("tools", int(path[6:-1]), f"not a valid Anthropic tool ({exc}); dropped")
            return None
        if isinstance(lifted, Tool):
            self.lossy(path, "the data is a custom tool definition; sent and decoded as a function tool")
            return lifted
        if lifted != msgspec.structs.replace(t, data={k: v for k, v in t.data.items() if k != "cache_control"}):
            self.lossy(path, "decodes differently")
        return lifted

    def fit_part(self, p: Part, role: str, path: str) -> Part | None:
        """The part as the wire can hold it in a ``role`` message, or None (dropped, reported)."""
        lst, j = path.rsplit("[", 1)
        idx = int(j[:-1])

        def drop(reason: str) -> None:
            self.drops.setdefault(lst, set()).add(idx)
            self.lossy(path, reason)

        if isinstance(p, ProviderPart):
            q = self.fit_provider_part(p, path)
            if q is None:
                drop(f"a part of codec {p.codec!r} that {self.ctx.codec} cannot send; dropped")
                return None
            p = q
        if isinstance(p, Json):
            self.lossy(path, "Anthropic has no JSON block; sent as a text block holding the JSON text")
            p = Text(text=_json_text(p.value), cache=p.cache, provider_options=p.provider_options)
        if isinstance(p, Refusal):
            self.lossy(path, "Anthropic has no refusal block; sent as a text block")
            p = Text(text=p.text, cache=p.cache, provider_options=p.provider_options)
        if isinstance(p, Text):
            if p.text == "":
                drop("empty text blocks are rejected by the API; dropped")
                return None
            return p
        if role == "system":
            drop("system messages take only text blocks; dropped")
            return None
        if isinstance(p, Audio):
            drop("Anthropic has no audio input; dropped")
            return None
        if isinstance(p, Image):
            if isinstance(p.source, Base64Source) and p.source.media_type not in IMAGE_MEDIA_TYPES:
                drop(f"image media type {p.source.media_type!r} is not accepted (jpeg, png, gif, webp); dropped")
                return None
            return p
        if isinstance(p, Document):
            if role == "assistant" and not self.legacy:
                drop(f"API version {self.version} rejects a document block in an assistant message; dropped")
                return None
            if isinstance(p.source, Base64Source) and p.source.media_type != "application/pdf":
                drop(f"base64 documents must be application/pdf, not {p.source.media_type!r}; dropped")
                return None
            return p
        if isinstance(p, ToolUse):
            if role != "assistant":
                drop("tool_use blocks belong in assistant messages; dropped")
                return None
            return p
        if isinstance(p, ToolResult):
            if role != "user":
                drop("tool_result blocks belong in user messages; dropped")
                return None
            return p
        if isinstance(p, Thinking):
            if role != "assistant":
                drop("thinking blocks belong in assistant messages; dropped")
                return None
            if p.signature is None:
                drop("a thinking block without a signature cannot be sent back to Anthropic; dropped")
                return None
            return p
        if isinstance(p, RedactedThinking):
            if role != "assistant":
                drop("redacted_thinking blocks belong in assistant messages; dropped")
                return None
            return p
        if isinstance(p, ProviderPart):
            if p.data.get("type") == "document" and role == "assistant" and not self.legacy:
                drop(f"API version {self.version} rejects a document block in an assistant message; dropped")
                return None
            return p
        raise AssertionError(f"unhandled part {type(p).__name__}")  # pragma: no cover

    def fit_provider_part(self, p: ProviderPart, path: str) -> Part | None:
        """A family ProviderPart as it will decode: itself, an IR part, or None if invalid."""
        if p.codec != FAMILY:
            return None
        wire = dict(p.data)
        if "cache_control" in wire:
            self.lossy(at(at(path, "data"), "cache_control"), "set the part's cache field instead; dropped")
            wire.pop("cache_control")
        clean = msgspec.structs.replace(p, data=dict(wire))
        if p.cache is not None:
            wire["cache_control"] = _cc_to_wire(p.cache)
        try:
            lifted = _lift_block(wire, "$")
        except DecodeError:
            return None
        if lifted != clean:
            self.lossy(path, f"the data is a {wire.get('type')!r} block the IR models; sent and decoded as such")
        return lifted

    def fit_nested(self, tr: ToolResult, path: str) -> tuple[ToolResult, list[str]]:
        inner: list[Any] = []
        paths: list[str] = []
        lst = at(path, "content")
        for k, q in enumerate(tr.content):
            qp = at(lst, k)
            r: Any = q
            if isinstance(q, ProviderPart):
                r = self.fit_provider_part(q, qp)
                if r is None:
                    self.drop(lst, k, f"a part of codec {q.codec!r} that {self.ctx.codec} cannot send; dropped")
                    continue
                if isinstance(r, ToolUse | ToolResult | Thinking | RedactedThinking):
                    self.drop(lst, k, "this block cannot be nested in a tool_result; dropped")
                    continue
            if isinstance(r, Json):
                self.lossy(qp, "Anthropic tool results have no JSON block; sent as a text block holding the JSON text")
                r = Text(text=_json_text(r.value), cache=r.cache, provider_options=r.provider_options)
            if isinstance(r, Text) and r.text == "":
                self.drop(lst, k, "empty text blocks are rejected by the API; dropped")
                continue
            if isinstance(r, Audio):
                self.drop(lst, k, "Anthropic has no audio input; dropped")
                continue
            if (
                isinstance(r, Image)
                and isinstance(r.source, Base64Source)
                and r.source.media_type not in IMAGE_MEDIA_TYPES
            ):
                self.drop(lst, k, f"image media type {r.source.media_type!r} is not accepted; dropped")
                continue
            if (
                isinstance(r, Document)
                and isinstance(r.source, Base64Source)
                and r.source.media_type != "application/pdf"
            ):
                self.drop(lst, k, "base64 documents must be application/pdf; dropped")
                continue
            inner.append(r)
            paths.append(qp)
        return msgspec.structs.replace(tr, content=inner), paths

    # ---- lower: IR (already reduced and planned) to wire ----------------------------------

    def merge(
        self,
        obj: dict[str, Any],
        options: Mapping[str, dict[str, Any]],
        path: str,
        reserved: frozenset[str] = frozenset(),
        liftable: Mapping[str, Callable[[Any], bool]] | None = None,
        own: dict[str, Any] | None = None,
        pre_dropped: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Merge the family's raw wire fields into ``obj``; report what cannot go there."""
        fields = own if own is not None else _family_options(options, path, self.ctx)
        lost: dict[str, str] = dict(pre_dropped or {})
        for key, value in fields.items():
            if key in obj:
                lost[key] = f"{key!r} is also written from the IR; the IR value is sent"
            elif key in reserved:
                lost[key] = f"{key!r} is an IR field here (decoding would move it there); dropped"
            elif liftable and key in liftable and liftable[key](value):
                lost[key] = f"this {key!r} is expressible in the IR (decoding would move it there); dropped"
            else:
                obj[key] = value
        base = at(at(path, "provider_options"), FAMILY)
        if lost and len(lost) == len(fields) + len(pre_dropped or {}):
            # nothing of the family's options survives: the whole entry differs after decode
            self.lossy(base, "; ".join(f"{k}: {r}" for k, r in lost.items()))
        else:
            for key, reason in lost.items():
                self.lossy(at(base, key), reason)
        return obj

    def lower_root(self, r: Request, root_opts: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if r.model is not None:
            if self.codec.HAS_MODEL:
                body["model"] = r.model
        if r.max_tokens is not None:
            body["max_tokens"] = r.max_tokens
        if r.system:
            body["system"] = [self.lower_system(s, self.paths.system[i]) for i, s in enumerate(r.system)]
        body["messages"] = [self.lower_message(m, i) for i, m in enumerate(r.messages)]
        if r.tools:
            body["tools"] = [self.lower_tool(t, self.paths.tools[i]) for i, t in enumerate(r.tools)]
        self.lower_tool_choice(r, body)
        if r.stop is not None:
            body["stop_sequences"] = list(r.stop)
        if r.user is not None:
            body["metadata"] = {"user_id": r.user}
        if r.metadata is not None:
            self.lossy("metadata", "Anthropic metadata holds only user_id; the metadata mapping is not sent")
        self.lower_reasoning(r, body)
        self.lower_output_config(r, body)
        if r.cache is not None:
            body["cache_control"] = _cc_to_wire(r.cache)
        if r.stream is not None and self.codec.HAS_STREAM:
            body["stream"] = r.stream  # Bedrock selects streaming by the endpoint instead
        for name in ("temperature", "top_p", "top_k"):
            value = getattr(r, name)
            if value is None:
                continue
            if self.legacy:
                body[name] = value
            else:
                self.lossy(name, f"API version {self.version} rejects {name}; not sent")
        for name, why in (
            ("seed", "Anthropic has no seed"),
            ("n", "Anthropic returns one completion per request"),
            ("cache_key", "Anthropic has no cache routing key"),
        ):
            if getattr(r, name) is not None:
                self.lossy(name, f"{why}; not sent")
        if self.codec.BODY_VERSION:
            body["anthropic_version"] = self.version
        reserved = (
            _ROOT_ALWAYS
            | ({"model"} if self.codec.HAS_MODEL else set())
            | ({"stream"} if self.codec.HAS_STREAM else set())
        )
        self.merge(
            body,
            {},
            "",
            reserved=frozenset(reserved),
            liftable={
                "metadata": lambda v: _lift_metadata(v) is not None,
                "thinking": lambda v: _lift_thinking(v) is not None,
                "output_config": lambda v: _lift_output_config(v) is not None,
                "tool_choice": lambda v: _lift_tool_choice(v) is not None,
            },
            own=root_opts,
            pre_dropped=self.root_dropped,
        )
        return body

    def lower_tool_choice(self, r: Request, body: dict[str, Any]) -> None:
        tc, par = r.tool_choice, r.parallel_tool_calls
        if tc is None:
            if par is False:
                # disable_parallel_tool_use lives on a tool_choice: send the default "auto" to carry it
                body["tool_choice"] = {"type": "auto", "disable_parallel_tool_use": True}
                self.lossy("tool_choice", "sent as 'auto' to carry parallel_tool_calls=false")
            elif par is True:
                self.lossy("parallel_tool_calls", "parallel tool use is Anthropic's default; not sent")
            return
        if tc.mode == "tool" and tc.name is None:
            self.lossy("tool_choice", "mode 'tool' without a tool name; not sent")
            if par is not None:
                self.lossy("parallel_tool_calls", "needs a tool_choice to travel on; not sent")
            return
        wire: dict[str, Any] = {"type": {"auto": "auto", "required": "any", "none": "none", "tool": "tool"}[tc.mode]}
        if tc.mode == "tool":
            wire["name"] = tc.name
        elif tc.name is not None:
            self.lossy("tool_choice.name", f"a name is only sent with mode 'tool'; not sent for {tc.mode!r}")
        if par is not None:
            if tc.mode == "none":
                self.lossy("parallel_tool_calls", "tool_choice 'none' has no disable_parallel_tool_use; not sent")
            else:
                wire["disable_parallel_tool_use"] = not par
        body["tool_choice"] = wire

    def lower_reasoning(self, r: Request, body: dict[str, Any]) -> None:
        rc = r.reasoning
        if rc is None:
            return
        if rc.type == "enabled":
            if rc.budget_tokens is None:
                self.lossy("reasoning", "enabled thinking needs budget_tokens on Anthropic; not sent")
                return
            body["thinking"] = {"type": "enabled", "budget_tokens": rc.budget_tokens}
            return
        body["thinking"] = {"type": rc.type}
        if rc.budget_tokens is not None:
            self.lossy("reasoning.budget_tokens", f"thinking type {rc.type!r} takes no budget; not sent")

    def lower_output_config(self, r: Request, body: dict[str, Any]) -> None:
        oc: dict[str, Any] = {}
        if r.reasoning_effort is not None:
            if r.reasoning_effort in EFFORTS:
                oc["effort"] = r.reasoning_effort
            else:
                self.lossy(
                    "reasoning_effort", f"effort {r.reasoning_effort!r} is not one of {sorted(EFFORTS)}; not sent"
                )
        rf = r.response_format
        if rf is not None:
            if rf.type == "json_schema" and rf.schema is not None:
                oc["format"] = {"type": "json_schema", "schema": rf.schema}
                for f in ("name", "description", "strict"):
                    if getattr(rf, f) is not None:
                        self.lossy(f"response_format.{f}", f"Anthropic's output format has no {f}; not sent")
            elif rf.type == "json_schema":
                self.lossy("response_format", "a json_schema format without a schema; not sent")
            elif rf.type == "json_object":
                self.lossy("response_format", "Anthropic has no schemaless JSON mode; not sent")
            else:
                self.lossy("response_format", "plain text is Anthropic's default output; not sent")
        if oc:
            body["output_config"] = oc

    def lower_system(self, s: SystemBlock, path: str) -> dict[str, Any]:
        b: dict[str, Any] = {"type": "text", "text": s.text}
        if s.cache is not None:
            b["cache_control"] = _cc_to_wire(s.cache)
        return self.merge(b, s.provider_options, path, _RESERVED["text"])

    def lower_message(self, m: Message, i: int) -> dict[str, Any]:
        path = self.paths.messages[i]
        blocks = [
            self.lower_part(p, self.paths.parts[i][j], m.role, self.paths.nested[i][j]) for j, p in enumerate(m.content)
        ]
        out: dict[str, Any] = {"role": m.role, "content": blocks}
        return self.merge(out, m.provider_options, path, _RESERVED["message"])

    def lower_part(self, p: Part, path: str, role: str, nested: list[str]) -> dict[str, Any]:
        fn = _LOWER[type(p)]
        b: dict[str, Any] = fn(self, p, path, role, nested)
        cache = getattr(p, "cache", None)
        if cache is not None:
            b["cache_control"] = _cc_to_wire(cache)
        return b

    def lower_text(self, p: Text, path: str, role: str, nested: list[str]) -> dict[str, Any]:
        b = {"type": "text", "text": p.text}
        own = _family_options(p.provider_options, path, self.ctx)
        cites = own.get("citations")
        dropped = {}
        if role == "user" and isinstance(cites, list) and cites and not self.legacy:
            dropped["citations"] = f"API version {self.version} rejects citations on user text blocks; not sent"
            del own["citations"]
        return self.merge(b, {}, path, _RESERVED["text"], own=own, pre_dropped=dropped)

    def lower_source(self, src: Any, path: str) -> dict[str, Any]:
        if isinstance(src, Base64Source):
            return {"type": "base64", "media_type": src.media_type, "data": src.data}
        if isinstance(src, TextSource):
            if src.media_type != "text/plain":
                self.lossy(
                    at(path, "media_type"), f"plain-text documents are sent as text/plain, not {src.media_type!r}"
                )
            return {"type": "text", "media_type": "text/plain", "data": src.text}
        if src.media_type is not None:
            self.lossy(
                at(path, "media_type"),
                f"Anthropic {src.__class__.__name__[:-6].lower()} sources carry no media type; not sent",
            )
        if isinstance(src, UrlSource):
            return {"type": "url", "url": src.url}
        assert isinstance(src, FileSource)
        return {"type": "file", "file_id": src.file_id}

    def lower_image(self, p: Image, path: str, role: str, nested: list[str]) -> dict[str, Any]:
        b = {"type": "image", "source": self.lower_source(p.source, at(path, "source"))}
        return self.merge(b, p.provider_options, path, _RESERVED["image"])

    def lower_document(self, p: Document, path: str, role: str, nested: list[str]) -> dict[str, Any]:
        b: dict[str, Any] = {"type": "document", "source": self.lower_source(p.source, at(path, "source"))}
        if p.name is not None:
            b["title"] = p.name
        if p.context is not None:
            b["context"] = p.context
        if p.citations is not None:
            b["citations"] = {"enabled": p.citations}
        return self.merge(
            b,
            p.provider_options,
            path,
            _RESERVED["document"],
            liftable={"citations": lambda v: _lift_citations(v) is not None},
        )

    def lower_tool_use(self, p: ToolUse, path: str, role: str, nested: list[str]) -> dict[str, Any]:
        b = {"type": "tool_use", "id": p.id, "name": p.name, "input": p.input}
        return self.merge(b, p.provider_options, path, _RESERVED["tool_use"])

    def lower_tool_result(self, p: ToolResult, path: str, role: str, nested: list[str]) -> dict[str, Any]:
        b: dict[str, Any] = {"type": "tool_result", "tool_use_id": p.tool_use_id}
        if p.content:
            b["content"] = [self.lower_part(q, nested[k], "user", []) for k, q in enumerate(p.content)]
        if p.is_error:
            b["is_error"] = True
        return self.merge(b, p.provider_options, path, _RESERVED["tool_result"])

    def lower_thinking(self, p: Thinking, path: str, role: str, nested: list[str]) -> dict[str, Any]:
        b = {"type": "thinking", "thinking": p.text, "signature": p.signature}
        return self.merge(b, p.provider_options, path, _RESERVED["thinking"])

    def lower_redacted(self, p: RedactedThinking, path: str, role: str, nested: list[str]) -> dict[str, Any]:
        b = {"type": "redacted_thinking", "data": p.data}
        return self.merge(b, p.provider_options, path, _RESERVED["redacted_thinking"])

    def lower_provider(self, p: ProviderPart, path: str, role: str, nested: list[str]) -> dict[str, Any]:
        return dict(p.data)

    def lower_tool(self, t: ToolSpec, path: str) -> dict[str, Any]:
        if isinstance(t, ProviderTool):
            b = dict(t.data)
            if t.cache is not None:
                b["cache_control"] = _cc_to_wire(t.cache)
            return b
        b = {"name": t.name, "input_schema": t.input_schema}
        if t.description is not None:
            b["description"] = t.description
        if t.strict is not None:
            b["strict"] = t.strict
        if t.cache is not None:
            b["cache_control"] = _cc_to_wire(t.cache)
        return self.merge(
            b, t.provider_options, path, _RESERVED["tool"], liftable={"type": lambda v: v not in ("custom", None)}
        )


_LOWER: dict[type, Callable[..., dict[str, Any]]] = {
    Text: _Lowering.lower_text,
    Image: _Lowering.lower_image,
    Document: _Lowering.lower_document,
    ToolUse: _Lowering.lower_tool_use,
    ToolResult: _Lowering.lower_tool_result,
    Thinking: _Lowering.lower_thinking,
    RedactedThinking: _Lowering.lower_redacted,
    ProviderPart: _Lowering.lower_provider,
}


# ============================================================================================
# Lifting


def _lift_request(codec: _AnthropicBase, req: dict[str, Any]) -> Request:
    known_names = struct_fields(WRequest)
    if not codec.BODY_VERSION:
        known_names = known_names - {"anthropic_version"}
    if not codec.HAS_MODEL:
        known_names = known_names - {"model"}
    if not codec.HAS_STREAM:
        known_names = known_names - {"stream"}
    known, unknown = split_unknown(req, known_names, "$")
    if "messages" not in known:
        raise DecodeError("$", "required field 'messages'", "nothing")
    w = wire_convert(known, WRequest)
    fields: dict[str, Any] = {}
    if w.anthropic_version is not UNSET and w.anthropic_version != codec.api_version:
        unknown["anthropic_version"] = w.anthropic_version
    if w.model is not UNSET:
        fields["model"] = w.model
    if w.max_tokens is not UNSET:
        fields["max_tokens"] = w.max_tokens
    if w.system is not UNSET:
        fields["system"] = _lift_system(w.system)
    fields["messages"] = [_lift_message(m, f"$.messages[{i}]") for i, m in enumerate(w.messages)]
    if w.tools is not UNSET:
        fields["tools"] = [_lift_tool(t, f"$.tools[{i}]") for i, t in enumerate(w.tools)]
    if w.tool_choice is not UNSET:
        tc = _lift_tool_choice(w.tool_choice)
        if tc is None:
            unknown["tool_choice"] = w.tool_choice
        else:
            fields["tool_choice"], par = tc
            if par is not None:
                fields["parallel_tool_calls"] = par
    if w.stop_sequences is not UNSET:
        fields["stop"] = w.stop_sequences
    for name, lift, target in (
        ("metadata", _lift_metadata, "user"),
        ("thinking", _lift_thinking, "reasoning"),
    ):
        value = getattr(w, name)
        if value is UNSET:
            continue
        lifted = lift(value)
        if lifted is None:
            unknown[name] = value
        else:
            fields[target] = lifted
    if w.output_config is not UNSET:
        oc = _lift_output_config(w.output_config)
        if oc is None:
            unknown["output_config"] = w.output_config
        else:
            effort, fmt = oc
            if effort is not None:
                fields["reasoning_effort"] = effort
            if fmt is not None:
                fields["response_format"] = fmt
    cache = _cc_to_ir(w.cache_control)
    if cache is not None:
        fields["cache"] = cache
    for name in ("stream", "temperature", "top_p", "top_k"):
        value = getattr(w, name)
        if value is not UNSET:
            fields[name] = value
    return Request(**fields, provider_options=_opts(unknown))


def _lift_system(system: str | list[dict[str, Any]]) -> list[SystemBlock]:
    if isinstance(system, str):
        return [SystemBlock(text=system)] if system else []
    out = []
    for i, b in enumerate(system):
        path = f"$.system[{i}]"
        w = wire_convert(b, WTextBlock, path)
        _, unknown = split_unknown(b, struct_fields(WTextBlock), path)
        out.append(SystemBlock(text=w.text, cache=_cc_to_ir(w.cache_control), provider_options=_opts(unknown)))
    return out


def _lift_message(m: dict[str, Any], path: str) -> Message:
    known, unknown = split_unknown(m, struct_fields(WMessage), path)
    w = wire_convert(known, WMessage, path)
    if isinstance(w.content, str):
        content: list[Part] = [Text(text=w.content)] if w.content else []
    else:
        content = [_lift_block(b, f"{path}.content[{j}]") for j, b in enumerate(w.content)]
    return Message(role=w.role, content=content, provider_options=_opts(unknown))


def _lift_block(b: Any, path: str) -> Part:
    b = expect_object(b, path)
    kind = b.get("type")
    if not isinstance(kind, str):
        raise DecodeError(f"{path}.type", "a block type string", type(kind).__name__)
    struct = _BLOCK_TYPES.get(kind)
    if struct is None:
        return _provider_part(b, path)
    w = wire_convert(b, struct, path)
    _, unknown = split_unknown(b, struct_fields(struct), path)
    try:
        return _LIFT[kind](w, unknown, path)
    except _NotLiftable:
        return _provider_part(b, path)


def _provider_part(b: dict[str, Any], path: str) -> ProviderPart:
    w = wire_convert(b, WAnyBlock, path)
    data = {k: v for k, v in b.items() if k != "cache_control"}
    return ProviderPart(codec=FAMILY, data=data, cache=_cc_to_ir(w.cache_control))


def _lift_source(src: dict[str, Any], path: str, allowed: tuple[type, ...]) -> Any:
    if not isinstance(src.get("type"), str):
        raise DecodeError(f"{path}.type", "a source type string", type(src.get("type")).__name__)
    union: Any = None
    for t in allowed:
        union = t if union is None else union | t
    try:
        w = msgspec.convert(src, union)
    except msgspec.ValidationError:
        # an unknown source type (e.g. a document "content" source) or extra fields: the IR has
        # no word for it, so the whole block stays a provider part
        raise _NotLiftable from None
    if isinstance(w, WBase64Source):
        return Base64Source(media_type=w.media_type, data=w.data)
    if isinstance(w, WUrlSource):
        return UrlSource(url=w.url)
    if isinstance(w, WFileSource):
        return FileSource(file_id=w.file_id)
    assert isinstance(w, WPlainTextSource)
    return TextSource(text=w.data)


def _lift_text(w: WTextBlock, unknown: dict[str, Any], path: str) -> Text:
    return Text(text=w.text, cache=_cc_to_ir(w.cache_control), provider_options=_opts(unknown))


def _lift_image(w: WImageBlock, unknown: dict[str, Any], path: str) -> Image:
    src = _lift_source(w.source, f"{path}.source", (WBase64Source, WUrlSource, WFileSource))
    return Image(source=src, cache=_cc_to_ir(w.cache_control), provider_options=_opts(unknown))


def _lift_citations(v: Any) -> bool | None:
    if isinstance(v, dict) and set(v) == {"enabled"} and isinstance(v["enabled"], bool):
        return bool(v["enabled"])
    return None


def _lift_document(w: WDocumentBlock, unknown: dict[str, Any], path: str) -> Document:
    src = _lift_source(w.source, f"{path}.source", (WBase64Source, WUrlSource, WFileSource, WPlainTextSource))
    citations = None
    if w.citations is not UNSET:
        citations = _lift_citations(w.citations)
        if citations is None:
            unknown = {**unknown, "citations": w.citations}
    return Document(
        source=src,
        name=None if w.title is UNSET else w.title,
        context=None if w.context is UNSET else w.context,
        citations=citations,
        cache=_cc_to_ir(w.cache_control),
        provider_options=_opts(unknown),
    )


def _lift_tool_use(w: WToolUseBlock, unknown: dict[str, Any], path: str) -> ToolUse:
    return ToolUse(
        id=w.id, name=w.name, input=w.input, cache=_cc_to_ir(w.cache_control), provider_options=_opts(unknown)
    )


def _lift_tool_result(w: WToolResultBlock, unknown: dict[str, Any], path: str) -> ToolResult:
    content: list[Any] = []
    if isinstance(w.content, str):
        content = [Text(text=w.content)] if w.content else []
    elif isinstance(w.content, list):
        content = [_lift_block(b, f"{path}.content[{k}]") for k, b in enumerate(w.content)]
        for k, q in enumerate(content):
            if not isinstance(q, Text | Image | Document | ProviderPart):
                raise DecodeError(
                    f"{path}.content[{k}]", "a text, image, document or other content block", q.__class__.__name__
                )
    return ToolResult(
        tool_use_id=w.tool_use_id,
        content=content,
        is_error=w.is_error is True,
        cache=_cc_to_ir(w.cache_control),
        provider_options=_opts(unknown),
    )


def _lift_thinking_block(w: WThinkingBlock, unknown: dict[str, Any], path: str) -> Thinking:
    return Thinking(text=w.thinking, signature=w.signature, provider_options=_opts(unknown))


def _lift_redacted(w: WRedactedThinkingBlock, unknown: dict[str, Any], path: str) -> RedactedThinking:
    return RedactedThinking(data=w.data, provider_options=_opts(unknown))


_LIFT: dict[str, Callable[[Any, dict[str, Any], str], Part]] = {
    "text": _lift_text,
    "image": _lift_image,
    "document": _lift_document,
    "tool_use": _lift_tool_use,
    "tool_result": _lift_tool_result,
    "thinking": _lift_thinking_block,
    "redacted_thinking": _lift_redacted,
}


def _lift_tool(t: Any, path: str) -> ToolSpec:
    t = expect_object(t, path)
    kind = t.get("type")
    if kind is not None and kind != "custom":
        w = wire_convert(t, WServerTool, path)
        return ProviderTool(
            codec=FAMILY, data={k: v for k, v in t.items() if k != "cache_control"}, cache=_cc_to_ir(w.cache_control)
        )
    wt = wire_convert(t, WTool, path)
    _, unknown = split_unknown(t, struct_fields(WTool), path)
    return Tool(
        name=wt.name,
        input_schema=wt.input_schema,
        description=None if wt.description is UNSET else wt.description,
        strict=None if wt.strict is UNSET else wt.strict,
        cache=_cc_to_ir(wt.cache_control),
        provider_options=_opts(unknown),
    )


_CHOICE_MODES: dict[str, Literal["auto", "required", "none"]] = {"auto": "auto", "any": "required", "none": "none"}


def _lift_tool_choice(v: Any) -> tuple[ToolChoice, bool | None] | None:
    """(IR choice, parallel_tool_calls) or None when the object is not one the IR models."""
    if not isinstance(v, dict):
        return None
    kind = v.get("type")
    allowed = {
        "auto": {"type", "disable_parallel_tool_use"},
        "any": {"type", "disable_parallel_tool_use"},
        "tool": {"type", "name", "disable_parallel_tool_use"},
        "none": {"type"},
    }
    if not isinstance(kind, str) or kind not in allowed or not set(v) <= allowed[kind]:
        return None
    dis = v.get("disable_parallel_tool_use")
    if dis is not None and not isinstance(dis, bool):
        return None
    if kind == "tool":
        if not isinstance(v.get("name"), str):
            return None
        choice = ToolChoice(mode="tool", name=v["name"])
    else:
        choice = ToolChoice(mode=_CHOICE_MODES[kind])
    return choice, (None if dis is None else not dis)


def _lift_metadata(v: Any) -> str | None:
    if isinstance(v, dict) and set(v) == {"user_id"} and isinstance(v["user_id"], str):
        return str(v["user_id"])
    return None


def _lift_thinking(v: Any) -> ReasoningConfig | None:
    if not isinstance(v, dict):
        return None
    if v.get("type") == "enabled" and set(v) == {"type", "budget_tokens"} and type(v["budget_tokens"]) is int:
        return ReasoningConfig(type="enabled", budget_tokens=v["budget_tokens"])
    if v.get("type") in ("adaptive", "disabled") and set(v) == {"type"}:
        return ReasoningConfig(type=v["type"])
    return None


def _lift_output_config(v: Any) -> tuple[str | None, ResponseFormat | None] | None:
    if not isinstance(v, dict) or not v or not set(v) <= {"effort", "format"}:
        return None
    effort = v.get("effort")
    if "effort" in v and (not isinstance(effort, str) or effort not in EFFORTS):
        return None
    fmt = None
    if "format" in v:
        f = v["format"]
        if not (
            isinstance(f, dict)
            and set(f) == {"type", "schema"}
            and f["type"] == "json_schema"
            and isinstance(f["schema"], dict)
        ):
            return None
        fmt = ResponseFormat(type="json_schema", schema=f["schema"])
    return effort, fmt


# ============================================================================================
# Responses, usage and streams (src: SDK types/message.py, usage.py, cache_creation.py,
# output_tokens_details.py, message_delta_usage.py, raw_*_event.py; A-PC "Tracking cache
# performance")


class WCacheCreation(_W):
    ephemeral_5m_input_tokens: int = 0
    ephemeral_1h_input_tokens: int = 0


class WOutputTokensDetails(_W):
    thinking_tokens: int = 0


class WUsage(_W):
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_creation: WCacheCreation | None = None
    output_tokens_details: WOutputTokensDetails | None = None


class WResponse(_W):
    content: list[dict[str, Any]]
    usage: dict[str, Any]
    id: str | None = None
    model: str | None = None
    stop_reason: str | None = None


_STOP_REASONS: dict[str, StopReason] = {
    "end_turn": "end_turn",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "tool_use": "tool_use",
    "pause_turn": "pause_turn",
    "refusal": "refusal",
    "model_context_window_exceeded": "context_window_exceeded",
}
"""src: SDK types/stop_reason.py; anything newer maps to ``other`` (the raw value is kept)."""

_RESPONSE_FIELDS = frozenset({"id", "type", "role", "model", "content", "stop_reason", "usage"})


def _stop(raw: str | None) -> StopReason | None:
    return None if raw is None else _STOP_REASONS.get(raw, "other")


def anthropic_usage(raw: Any, path: str = "$.usage") -> Usage:
    """Normalize an Anthropic ``usage`` object.

    ``input_tokens`` counts only the tokens after the last cache breakpoint, so the three input
    buckets are already disjoint: uncached = ``input_tokens``, read = ``cache_read_input_tokens``,
    write = ``cache_creation_input_tokens`` (split by ``cache_creation.ephemeral_5m/1h``), and
    ``output_tokens_details.thinking_tokens`` is part of ``output_tokens`` (A-PC, SDK usage.py).
    """
    u = wire_convert(expect_object(raw, path), WUsage, path)
    w5 = w1 = None
    if u.cache_creation is not None:
        w5, w1 = u.cache_creation.ephemeral_5m_input_tokens, u.cache_creation.ephemeral_1h_input_tokens
    write = u.cache_creation_input_tokens
    if write is None:
        write = (w5 or 0) + (w1 or 0)
    return Usage(
        uncached_input_tokens=u.input_tokens or 0,
        cache_read_tokens=u.cache_read_input_tokens or 0,
        cache_write_tokens=write,
        cache_write_5m_tokens=w5,
        cache_write_1h_tokens=w1,
        output_tokens=u.output_tokens or 0,
        reasoning_tokens=None if u.output_tokens_details is None else u.output_tokens_details.thinking_tokens,
    )


def _response_extras(message: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Fields of the reply the IR has no word for (stop_sequence, container, diagnostics, ...)."""
    return _opts({k: v for k, v in message.items() if k not in _RESPONSE_FIELDS and v is not None})


def _response_block(b: Any, path: str) -> Part:
    b = expect_object(b, path)
    kind = b.get("type")
    if kind == "text":
        w = wire_convert(b, WTextBlock, path)
        cites = b.get("citations")
        return Text(text=w.text, provider_options=_opts({"citations": cites}) if cites else {})
    if kind == "thinking":
        t = wire_convert(b, WThinkingBlock, path)
        return Thinking(text=t.thinking, signature=t.signature)
    if kind == "redacted_thinking":
        return RedactedThinking(data=wire_convert(b, WRedactedThinkingBlock, path).data)
    if kind == "tool_use":
        u = wire_convert(b, WToolUseBlock, path)
        return ToolUse(id=u.id, name=u.name, input=u.input)
    if not isinstance(kind, str):
        raise DecodeError(f"{path}.type", "a block type string", type(kind).__name__)
    return ProviderPart(codec=FAMILY, data=dict(b))


def _decode_response(payload: Mapping[str, Any] | bytes | str) -> Response:
    msg = expect_object(load_json(payload), "$")
    w = wire_convert(msg, WResponse)
    return Response(
        id=w.id,
        model=w.model,
        content=[_response_block(b, f"$.content[{i}]") for i, b in enumerate(w.content)],
        stop_reason=_stop(w.stop_reason),
        raw_stop_reason=w.stop_reason,
        usage=anthropic_usage(w.usage),
        provider_options=_response_extras(msg),
    )


class AnthropicStreamDecoder(StreamDecoder):
    """Messages streaming events (``message_start``, ``content_block_*``, ``message_delta``, ...).

    Usage comes whole in ``message_start`` and cumulatively in ``message_delta.usage`` (whose
    non-null fields replace the earlier ones; it has no ``cache_creation`` split, so the split
    from ``message_start`` stays). Blocks other than text, thinking and tool_use arrive whole in
    ``content_block_start`` (server-tool calls also stream their input as JSON deltas).
    """

    def __init__(self) -> None:
        super().__init__()
        self.message: dict[str, Any] = {}
        self.usage: dict[str, Any] = {}
        self.kinds: dict[int, str] = {}
        self.citations: dict[int, list[Any]] = {}
        self.others: dict[int, dict[str, Any]] = {}
        self.other_json: dict[int, str] = {}

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        ev = expect_object(data, "$")
        kind = ev.get("type", name)
        handler = self._HANDLERS.get(kind) if isinstance(kind, str) else None
        return handler(self, ev) if handler is not None else []  # ping and future events

    def _index(self, ev: dict[str, Any]) -> int:
        i = ev.get("index")
        if type(i) is not int:
            raise DecodeError("$.index", "an integer", type(i).__name__)
        return i

    def _message_start(self, ev: dict[str, Any]) -> list[StreamEvent]:
        msg = expect_object(ev.get("message"), "$.message")
        self.message = {k: v for k, v in msg.items() if k not in ("content", "usage")}
        self.usage = dict(expect_object(msg.get("usage", {}), "$.message.usage"))
        out: list[StreamEvent] = [MessageStart(id=msg.get("id"), model=msg.get("model"))]
        out.append(UsageUpdate(usage=anthropic_usage(self.usage, "$.message.usage")))
        return out

    def _block_start(self, ev: dict[str, Any]) -> list[StreamEvent]:
        i = self._index(ev)
        block = expect_object(ev.get("content_block"), "$.content_block")
        kind = block.get("type")
        if not isinstance(kind, str):
            raise DecodeError("$.content_block.type", "a block type string", type(kind).__name__)
        self.kinds[i] = kind
        if kind == "text":
            if block.get("citations"):
                self.citations[i] = list(block["citations"])
            return [TextDelta(index=i, text=wire_convert(block, WTextBlock, "$.content_block").text)]
        if kind == "thinking":
            text = block.get("thinking", "")
            sig = block.get("signature") or None
            return [ThinkingDelta(index=i, text=text if isinstance(text, str) else "", signature=sig)]
        if kind == "tool_use":
            u = wire_convert(block, WToolUseBlock, "$.content_block")
            out: list[StreamEvent] = [ToolCallStart(index=i, id=u.id, name=u.name)]
            if u.input:
                out.append(ToolCallDelta(index=i, arguments=_json_text(u.input)))
            return out
        if kind == "redacted_thinking":
            data = wire_convert(block, WRedactedThinkingBlock, "$.content_block").data
            self.assembler.add_part(i, RedactedThinking(data=data))
            return []
        self.others[i] = dict(block)
        return []

    def _block_delta(self, ev: dict[str, Any]) -> list[StreamEvent]:
        i = self._index(ev)
        d = expect_object(ev.get("delta"), "$.delta")
        kind = d.get("type")
        if kind == "text_delta" and isinstance(d.get("text"), str):
            return [TextDelta(index=i, text=d["text"])]
        if kind == "thinking_delta" and isinstance(d.get("thinking"), str):
            return [ThinkingDelta(index=i, text=d["thinking"])]
        if kind == "signature_delta" and isinstance(d.get("signature"), str):
            return [ThinkingDelta(index=i, signature=d["signature"])]
        if kind == "citations_delta":
            self.citations.setdefault(i, []).append(d.get("citation"))
            return []
        if kind == "input_json_delta" and isinstance(d.get("partial_json"), str):
            if self.kinds.get(i) == "tool_use":
                return [ToolCallDelta(index=i, arguments=d["partial_json"])]
            self.other_json[i] = self.other_json.get(i, "") + d["partial_json"]
            return []
        raise DecodeError("$.delta", "a known content block delta", repr(kind))

    def _block_stop(self, ev: dict[str, Any]) -> list[StreamEvent]:
        i = self._index(ev)
        if i in self.others:
            block = self.others.pop(i)
            text = self.other_json.pop(i, "").strip()
            if text:
                block["input"] = load_json(text)
            self.assembler.add_part(i, ProviderPart(codec=FAMILY, data=block))
        return []

    def _message_delta(self, ev: dict[str, Any]) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        delta = expect_object(ev.get("delta", {}), "$.delta")
        for k, v in delta.items():
            self.message[k] = v
        if "stop_reason" in delta:
            raw = delta["stop_reason"]
            if raw is not None and not isinstance(raw, str):
                raise DecodeError("$.delta.stop_reason", "a string", type(raw).__name__)
            out.append(Stop(stop_reason=_stop(raw), raw_stop_reason=raw))
        if "usage" in ev:
            for k, v in expect_object(ev["usage"], "$.usage").items():
                if v is not None:
                    self.usage[k] = v
            out.append(UsageUpdate(usage=anthropic_usage(self.usage)))
        return out

    def _error(self, ev: dict[str, Any]) -> list[StreamEvent]:
        err = ev.get("error")
        raw = err.get("type") if isinstance(err, dict) else None
        return [Stop(stop_reason="error", raw_stop_reason=raw if isinstance(raw, str) else "error")]

    _HANDLERS: ClassVar[dict[str, Callable[[AnthropicStreamDecoder, dict[str, Any]], list[StreamEvent]]]] = {
        "message_start": _message_start,
        "content_block_start": _block_start,
        "content_block_delta": _block_delta,
        "content_block_stop": _block_stop,
        "message_delta": _message_delta,
        "error": _error,
    }

    def finish(self) -> Response:
        r = super().finish()
        content = list(r.content)
        # the assembler lists parts in index order; put the citations back on their text parts
        for pos, i in enumerate(sorted(self.kinds)):
            part = content[pos] if pos < len(content) else None
            if self.citations.get(i) and isinstance(part, Text):
                content[pos] = Text(text=part.text, provider_options=_opts({"citations": self.citations[i]}))
        return msgspec.structs.replace(r, content=content, provider_options=_response_extras(self.message))
