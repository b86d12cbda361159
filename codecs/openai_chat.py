"""OpenAI Chat Completions (``POST /v1/chat/completions``), the ``openai-chat`` codec.

Wire facts follow the ``openai`` SDK 3.54.0 request types (``openai/types/chat/
completion_create_params.py`` and the ``chat_completion_*_param.py`` files); PROVIDERS.md §5, §5a.

Rules this codec follows (each is also in ``spec/canonicalizations/openai-chat.md``):

* IR ``system`` blocks become ONE leading message with the role ``system_role`` (option,
  ``"developer"`` by default): a bare string for one plain block, else one text part per block.
  On decode, a first message with that role, only text content and no message-level fields is
  read back as the system blocks; every other ``system``/``developer`` message is an IR
  ``system``-role message (a role other than ``system_role`` is kept in its provider_options
  under ``role``).
* An IR user message becomes a ``user`` message per run of ordinary parts and one ``tool``
  message per :class:`ToolResult`, in the IR order. On decode, consecutive ``user``/``tool``
  messages form one IR user message, except that two ``user`` messages in a row, or a later
  ``user`` message with message-level fields, start a new one, and a ``user`` message with
  empty content stands alone.
* Tool-call ``arguments`` are a JSON string: the IR holds the parsed object; when the string is
  not the compact JSON form of that object (or is not a JSON object at all, in which case the
  IR input is ``{}``), the original string is kept in the ToolUse's provider_options under
  ``arguments`` and sent unchanged as long as it still denotes the IR input.
* Cache marks become ``prompt_cache_breakpoint`` ``{"mode": "explicit", "ttl": "30m"|"12h"}``
  on text / image_url / input_audio / file parts (not on tools, refusals or tool calls); the
  request-level IR ``cache`` becomes ``prompt_cache_options: {"mode": "implicit", "ttl": "30m"}``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal

import msgspec
from msgspec import UNSET, Struct, UnsetType

from ir_codec.codec import Codec, EncodeContext, expect_object, load_json, register, wire_convert
from ir_codec.errors import DecodeError
from ir_codec.ir import (
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
    ProviderOptions,
    ProviderPart,
    ProviderTool,
    RedactedThinking,
    Refusal,
    Request,
    Response,
    ResponseFormat,
    StopReason,
    SystemBlock,
    Text,
    Thinking,
    Tool,
    ToolChoice,
    ToolResult,
    ToolUse,
    UrlSource,
    Usage,
)
from ir_codec.lowering import at, own_options
from ir_codec.passes.cache import CacheRules, plan_cache_breakpoints
from ir_codec.stream import (
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

__all__ = ["ChatStreamDecoder", "OpenAIChatCodec"]

# --------------------------------------------------------------------------------------------
# Wire types (openai/types/chat/*_param.py). They validate shapes on decode with JSON paths;
# unknown fields are allowed here (they travel in provider_options).


class _Breakpoint(Struct):
    mode: Literal["explicit"]
    ttl: Literal["30m", "12h"] | UnsetType = UNSET


class _TextPart(Struct):
    type: Literal["text"]
    text: str
    prompt_cache_breakpoint: _Breakpoint | None | UnsetType = UNSET


class _RefusalPart(Struct):
    type: Literal["refusal"]
    refusal: str


class _ImageUrl(Struct):
    url: str
    detail: Literal["auto", "low", "high", "original"] | UnsetType = UNSET


class _ImagePart(Struct):
    type: Literal["image_url"]
    image_url: _ImageUrl
    prompt_cache_breakpoint: _Breakpoint | None | UnsetType = UNSET


class _InputAudio(Struct):
    data: str
    format: Literal["wav", "mp3"]


class _AudioPart(Struct):
    type: Literal["input_audio"]
    input_audio: _InputAudio
    prompt_cache_breakpoint: _Breakpoint | None | UnsetType = UNSET


class _FileFile(Struct):
    file_data: str | UnsetType = UNSET
    file_id: str | UnsetType = UNSET
    filename: str | UnsetType = UNSET


class _FilePart(Struct):
    type: Literal["file"]
    file: _FileFile
    prompt_cache_breakpoint: _Breakpoint | None | UnsetType = UNSET


class _Function(Struct):
    name: str
    arguments: str


class _ToolCall(Struct):
    id: str
    type: Literal["function"]
    function: _Function


class _SystemMessage(Struct):
    role: Literal["system", "developer"]
    content: str | list[dict[str, Any]]
    name: str | UnsetType = UNSET


class _UserMessage(Struct):
    role: Literal["user"]
    content: str | list[dict[str, Any]]
    name: str | UnsetType = UNSET


class _AssistantMessage(Struct):
    role: Literal["assistant"]
    content: str | list[dict[str, Any]] | None | UnsetType = UNSET
    tool_calls: list[dict[str, Any]] | UnsetType = UNSET
    name: str | UnsetType = UNSET
    refusal: str | None | UnsetType = UNSET


class _ToolMessage(Struct):
    role: Literal["tool"]
    tool_call_id: str
    content: str | list[dict[str, Any]]


class _FunctionDef(Struct):
    name: str
    description: str | None | UnsetType = UNSET
    parameters: dict[str, Any] | UnsetType = UNSET
    strict: bool | None | UnsetType = UNSET


class _FunctionTool(Struct):
    type: Literal["function"]
    function: _FunctionDef


class _PromptCacheOptions(Struct):
    mode: Literal["implicit", "explicit"] | UnsetType = UNSET
    ttl: Literal["30m"] | UnsetType = UNSET


class ChatRequest(Struct):
    """The request body (``CompletionCreateParamsBase``); fields this codec maps are typed."""

    messages: list[dict[str, Any]]
    model: str | UnsetType = UNSET
    tools: list[dict[str, Any]] | UnsetType = UNSET
    tool_choice: str | dict[str, Any] | UnsetType = UNSET
    parallel_tool_calls: bool | UnsetType = UNSET
    max_completion_tokens: int | None | UnsetType = UNSET
    max_tokens: int | None | UnsetType = UNSET
    temperature: float | None | UnsetType = UNSET
    top_p: float | None | UnsetType = UNSET
    stop: str | list[str] | None | UnsetType = UNSET
    seed: int | None | UnsetType = UNSET
    n: int | None | UnsetType = UNSET
    response_format: dict[str, Any] | UnsetType = UNSET
    reasoning_effort: str | None | UnsetType = UNSET
    user: str | UnsetType = UNSET
    metadata: dict[str, str] | None | UnsetType = UNSET
    stream: bool | None | UnsetType = UNSET
    prompt_cache_key: str | None | UnsetType = UNSET
    prompt_cache_options: _PromptCacheOptions | UnsetType = UNSET
    prompt_cache_retention: Literal["in_memory", "24h"] | None | UnsetType = UNSET


class _PromptTokensDetails(Struct):
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None


class _CompletionTokensDetails(Struct):
    reasoning_tokens: int | None = None


class _Usage(Struct):
    """``CompletionUsage`` (openai/types/completion_usage.py; openrouter ``chatusage.py``)."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int | None = None
    prompt_tokens_details: _PromptTokensDetails | None = None
    completion_tokens_details: _CompletionTokensDetails | None = None


class _Choice(Struct):
    message: dict[str, Any]
    finish_reason: str | None = None
    index: int = 0


class _Completion(Struct):
    """``ChatCompletion`` (openai/types/chat/chat_completion.py)."""

    choices: list[_Choice]
    id: str | None = None
    model: str | None = None
    usage: _Usage | None = None


class _ChunkChoice(Struct):
    delta: dict[str, Any] = {}
    finish_reason: str | None = None
    index: int = 0


class _Chunk(Struct):
    """``ChatCompletionChunk`` (openai/types/chat/chat_completion_chunk.py)."""

    choices: list[_ChunkChoice] = []
    id: str | None = None
    model: str | None = None
    usage: _Usage | None = None


class _StreamToolCall(Struct):
    index: int
    id: str | None = None
    function: dict[str, Any] = {}


_PART_TYPES: dict[str, type[Struct]] = {
    "text": _TextPart,
    "image_url": _ImagePart,
    "input_audio": _AudioPart,
    "file": _FilePart,
    "refusal": _RefusalPart,
}
_MESSAGE_TYPES: dict[str, type[Struct]] = {
    "system": _SystemMessage,
    "developer": _SystemMessage,
    "user": _UserMessage,
    "assistant": _AssistantMessage,
    "tool": _ToolMessage,
}
# Which part types each message role takes (SDK message param types).
_ROLE_PARTS: dict[str, frozenset[str]] = {
    "system": frozenset({"text"}),
    "developer": frozenset({"text"}),
    "user": frozenset({"text", "image_url", "input_audio", "file"}),
    "assistant": frozenset({"text", "refusal"}),
    "tool": frozenset({"text"}),
}

_DATA_URL = re.compile(r"^data:([^;,]+);base64,(.*)$", re.S)
# input_audio.format <-> IR media type (chat_completion_content_part_input_audio_param.py).
_AUDIO_FORMAT = {"audio/wav": "wav", "audio/x-wav": "wav", "audio/mp3": "mp3", "audio/mpeg": "mp3"}
_FORMAT_MEDIA = {"wav": "audio/wav", "mp3": "audio/mp3"}
_JSON_SCHEMA_DEFAULT_NAME = "response"


def _compact(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _split(obj: Mapping[str, Any], known: frozenset[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(known fields with a non-null value, everything else). A null in a known field is kept as
    a raw field, so that it round-trips without an IR value."""
    a: dict[str, Any] = {}
    b: dict[str, Any] = {}
    for k, v in obj.items():
        (a if k in known and v is not None else b)[k] = v
    return a, b


def _opts(codec: str, extras: dict[str, Any]) -> ProviderOptions:
    return {codec: extras} if extras else {}


# --------------------------------------------------------------------------------------------
# The codec


@register
class OpenAIChatCodec(Codec):
    """OpenAI Chat Completions request bodies.

    >>> from ir_codec import get_codec, Request, Message, Text
    >>> get_codec("openai-chat").encode(Request(model="gpt-5.6", messages=[
    ...     Message(role="user", content=[Text(text="Hi")])])).body
    {'model': 'gpt-5.6', 'messages': [{'role': 'user', 'content': 'Hi'}]}

    Options: ``system_role`` (``"developer"`` | ``"system"``: the role of system messages),
    ``max_tokens_field`` (``"max_completion_tokens"`` | ``"max_tokens"``), and
    ``explicit_breakpoints`` (whether the target model takes ``prompt_cache_breakpoint``;
    GPT-5.6 and later do; without it every IR cache mark is reported lost).
    """

    NAME: ClassVar[str] = "openai-chat"
    """Registered name."""
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.openai.com/v1"
    ENDPOINT: ClassVar[str] = "/chat/completions"
    WIRE_REQUEST: ClassVar[type[Any]] = ChatRequest
    """The request body type."""
    MAX_CACHE_BREAKPOINTS: ClassVar[int | None] = 80
    """Marks one request may carry: OpenAI matches on the latest 80 breakpoints and writes the
    latest 4 (3 beside the implicit one); marks beyond the written ones still serve reads, so
    they are kept (SDK ``PromptCacheOptions`` docstring)."""
    CACHE_TTLS: ClassVar[tuple[CacheTtl, ...]] = (CacheTtl.THIRTY_MINUTES, CacheTtl.TWELVE_HOURS)
    """Breakpoint TTLs Chat accepts (``PromptCacheBreakpoint.ttl``); the request-level
    ``prompt_cache_options.ttl`` takes only ``30m``."""
    AUTO_CACHE_TTLS: ClassVar[tuple[CacheTtl, ...]] = (CacheTtl.THIRTY_MINUTES,)
    """TTLs of the request-level automatic cache (``PromptCacheOptions.ttl``)."""
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = (
        "message content given as a list of exactly one text part with no other field == that text as a string",
        "an assistant message with content or tool_calls null or [] == one without that field",
        "a function whose parameters are null == one without parameters",
        "a prompt_cache_breakpoint without ttl == the same with the request's ttl (30m)",
        'prompt_cache_options {}, {"mode":"implicit"} or {"ttl":"30m"} == {"mode":"implicit","ttl":"30m"}',
        "the legacy max-tokens field alone == the configured max-tokens field",
        "stop given as a string == a list with that one string",
        'a function tool without parameters == parameters {"type":"object"}',
    )
    """Wire forms that decode to the same IR; :meth:`canonicalize` rewrites them."""
    PASSES: ClassVar[tuple[str, ...]] = ("plan_cache_breakpoints",)
    """IR passes run before lowering."""

    SYSTEM_ROLES: ClassVar[tuple[str, ...]] = ("system", "developer")
    DEFAULT_SYSTEM_ROLE: ClassVar[str] = "developer"
    DEFAULT_MAX_TOKENS_FIELD: ClassVar[str] = "max_completion_tokens"
    MAX_FIELDS: ClassVar[tuple[str, str]] = ("max_completion_tokens", "max_tokens")
    MARK_KEY: ClassVar[str] = "prompt_cache_breakpoint"
    """The wire key of a per-part cache mark."""
    MARKABLE_PARTS: ClassVar[frozenset[str]] = frozenset({"text", "image_url", "input_audio", "file"})
    """Wire part types that can carry the mark."""

    def __init__(
        self,
        *,
        system_role: str | None = None,
        max_tokens_field: str | None = None,
        explicit_breakpoints: bool = True,
    ) -> None:
        self.system_role = system_role or self.DEFAULT_SYSTEM_ROLE
        if self.system_role not in self.SYSTEM_ROLES:
            raise TypeError(f"system_role must be one of {self.SYSTEM_ROLES}")
        self.max_tokens_field = max_tokens_field or self.DEFAULT_MAX_TOKENS_FIELD
        if self.max_tokens_field not in self.MAX_FIELDS:
            raise TypeError(f"max_tokens_field must be one of {self.MAX_FIELDS}")
        self.explicit_breakpoints = explicit_breakpoints

    # ---------------------------------------------------------------------------- caching hooks

    def _mark(self, cache: CacheControl) -> tuple[str, dict[str, Any]]:
        return self.MARK_KEY, {"mode": "explicit", "ttl": cache.ttl.value}

    def _read_mark(self, value: Any) -> CacheControl | None:
        """The IR mark of a wire mark, or None when it must stay raw (unknown extra fields)."""
        if not isinstance(value, dict) or set(value) - {"mode", "ttl"} or value.get("mode") != "explicit":
            return None
        return CacheControl(ttl=CacheTtl(value.get("ttl", "30m")))

    def _cache_rules(self, markable: Callable[[Any], bool]) -> CacheRules:
        return CacheRules(
            max_breakpoints=self.MAX_CACHE_BREAKPOINTS if self.explicit_breakpoints else 0,
            ttls=self.CACHE_TTLS,
            native_automatic=False,
            tools_markable=False,
            system_markable=True,
            nested_markable=True,
            markable=markable,
            ttl_order=False,
        )

    def _plan(self, request: Request, ctx: EncodeContext) -> Request:
        """Run the cache planner; the request-level ``cache`` is handled by :meth:`_lower_auto`."""
        carries = self._mark_carriers(request)
        req = request if request.cache is None else msgspec.structs.replace(request, cache=None)
        planned = plan_cache_breakpoints(req, self._cache_rules(lambda p: carries.get(id(p), False)), ctx)
        return msgspec.structs.replace(planned, cache=request.cache) if request.cache is not None else planned

    def _lower_auto(self, request: Request, body: dict[str, Any], ctx: EncodeContext) -> None:
        # IR request-level caching = OpenAI's implicit breakpoint (PromptCacheOptions.mode).
        if request.cache is None:
            return
        ttl = request.cache.ttl
        if ttl not in self.AUTO_CACHE_TTLS:
            ctx.lossy("cache", f"prompt_cache_options.ttl accepts only 30m on Chat; TTL {ttl.value} sent as 30m")
        body["prompt_cache_options"] = {"mode": "implicit", "ttl": "30m"}

    def _lift_auto(self, fields: dict[str, Any], extras: dict[str, Any]) -> CacheControl | None:
        pco = extras.get("prompt_cache_options")
        if isinstance(pco, dict) and not set(pco) - {"mode", "ttl"} and pco.get("mode", "implicit") == "implicit":
            del extras["prompt_cache_options"]
            return CacheControl(ttl=CacheTtl(pco.get("ttl", "30m")))
        return None

    def _mark_carriers(self, request: Request) -> dict[int, bool]:
        """id(part) -> whether the part is lowered to a wire part that can carry a mark."""
        out: dict[int, bool] = {}
        for m in request.messages:
            for p in m.content:
                out[id(p)] = self._part_carries_mark(m.role, p)
                if isinstance(p, ToolResult):
                    for q in p.content:
                        out[id(q)] = self._part_carries_mark("tool", q)
        return out

    def _part_carries_mark(self, role: str, part: Part) -> bool:
        if isinstance(part, Text):
            return True
        if role != "user":
            return False
        if isinstance(part, Image):
            return isinstance(part.source, Base64Source | UrlSource)
        if isinstance(part, Audio):
            return isinstance(part.source, Base64Source) and part.source.media_type in _AUDIO_FORMAT
        if isinstance(part, Document):
            return isinstance(part.source, Base64Source | FileSource)
        return False

    # ---------------------------------------------------------------------------- lowering

    def _encode(self, request: Request, ctx: EncodeContext) -> dict[str, Any]:
        req = self._plan(request, ctx)
        body: dict[str, Any] = {}
        if req.model is not None:
            body["model"] = req.model
        body["messages"] = self._lower_messages(req, ctx)
        if req.tools:
            lowered = [self._lower_tool(i, t, ctx) for i, t in enumerate(req.tools)]
            tools = [t for t in lowered if t is not None]
            if tools:
                body["tools"] = tools
        self._lower_settings(req, body, ctx)
        self._lower_auto(req, body, ctx)
        self._merge(body, req.provider_options, "", ctx)
        _widen_list_warnings(ctx)
        return body

    def _lower_settings(self, req: Request, body: dict[str, Any], ctx: EncodeContext) -> None:
        if req.tool_choice is not None:
            tc = req.tool_choice
            if tc.mode == "tool":
                if tc.name is None:
                    ctx.lossy("tool_choice", "a tool choice without a name is sent as required")
                    body["tool_choice"] = "required"
                else:
                    body["tool_choice"] = {"type": "function", "function": {"name": tc.name}}
            else:
                body["tool_choice"] = tc.mode
                if tc.name is not None:
                    ctx.lossy("tool_choice.name", f"tool_choice {tc.mode!r} takes no tool name")
        simple = {
            "parallel_tool_calls": req.parallel_tool_calls,
            self.max_tokens_field: req.max_tokens,
            "temperature": req.temperature,
            "top_p": req.top_p,
            "stop": req.stop,
            "seed": req.seed,
            "n": req.n,
            "reasoning_effort": req.reasoning_effort,
            "user": req.user,
            "metadata": req.metadata,
            "stream": req.stream,
            "prompt_cache_key": req.cache_key,
        }
        for key, value in simple.items():
            if value is not None:
                body[key] = value
        self._lower_extra_settings(req, body, ctx)
        if req.response_format is not None:
            body["response_format"] = self._lower_response_format(req.response_format, ctx)
        if req.reasoning is not None:
            ctx.lossy("reasoning", f"{self.NAME} has no thinking configuration (only reasoning_effort); dropped")

    def _lower_extra_settings(self, req: Request, body: dict[str, Any], ctx: EncodeContext) -> None:
        if req.top_k is not None:
            ctx.lossy("top_k", f"{self.NAME} has no top_k; dropped")

    def _lower_response_format(self, rf: ResponseFormat, ctx: EncodeContext) -> dict[str, Any]:
        if rf.type != "json_schema":
            for f in ("schema", "name", "description", "strict"):
                if getattr(rf, f) is not None:
                    ctx.lossy(f"response_format.{f}", f"response_format {rf.type!r} takes no {f}; dropped")
            return {"type": rf.type}
        js: dict[str, Any] = {}
        if rf.name is None:
            ctx.lossy("response_format.name", f"json_schema needs a name; sent as {_JSON_SCHEMA_DEFAULT_NAME!r}")
        js["name"] = rf.name if rf.name is not None else _JSON_SCHEMA_DEFAULT_NAME
        if rf.description is not None:
            js["description"] = rf.description
        if rf.schema is not None:
            js["schema"] = rf.schema
        if rf.strict is not None:
            js["strict"] = rf.strict
        return {"type": "json_schema", "json_schema": js}

    def _merge(
        self, obj: dict[str, Any], options: ProviderOptions, path: str, ctx: EncodeContext, subs: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """Merge own provider_options into ``obj``; an option named after a nested wire object in
        ``subs`` (``image_url``, ``function``, ...) holding an object is merged into that object.
        A field also written from the IR keeps the IR value and the option is reported lost."""
        own = own_options(options, path, ctx)
        base = at(at(path, "provider_options"), ctx.codec)
        for key, value in own.items():
            if key in subs and isinstance(value, dict) and isinstance(obj.get(key), dict):
                for k2, v2 in value.items():
                    if k2 in obj[key]:
                        ctx.lossy(
                            at(at(base, key), k2), f"{key}.{k2} is also written from the IR; the IR value is sent"
                        )
                    else:
                        obj[key][k2] = v2
            elif key in obj:
                ctx.lossy(at(base, key), f"{key!r} is also written from the IR; the IR value is sent")
            else:
                obj[key] = value
        return obj

    def _with_mark(self, obj: dict[str, Any], cache: CacheControl | None) -> dict[str, Any]:
        if cache is not None:
            key, value = self._mark(cache)
            obj[key] = value
        return obj

    def _content(self, parts: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
        """A bare string for exactly one plain text part (the canonical form), else the list."""
        if len(parts) == 1 and set(parts[0]) == {"type", "text"} and parts[0]["type"] == "text":
            return str(parts[0]["text"])
        return parts

    # -- messages

    def _lower_messages(self, req: Request, ctx: EncodeContext) -> list[dict[str, Any]]:
        wire: list[dict[str, Any]] = []
        origin: list[int] = []
        if req.system:
            parts = [
                self._merge(
                    self._with_mark({"type": "text", "text": b.text}, b.cache), b.provider_options, f"system[{i}]", ctx
                )
                for i, b in enumerate(req.system)
            ]
            wire.append({"role": self.system_role, "content": self._content(parts)})
            origin.append(-1)
        for i, m in enumerate(req.messages):
            out = self._lower_message(i, m, ctx)
            wire += out
            origin += [i] * len(out)
        # Report the IR messages that decode will read differently (see the module docstring).
        start = 0
        if wire and self._is_system_blocks(wire[0]):
            start = 1
            if not req.system:
                # at the list: with equal neighbours, which index differs is the aligner's choice
                ctx.lossy("system", f"a leading {self.system_role} message is read back as the top-level system blocks")
                ctx.lossy("messages", "messages[0] is read back as the top-level system blocks")
        for group in self._groups(wire, start):
            ks = sorted({origin[g] for g in group})
            if len(ks) > 1:
                for k in ks:
                    ctx.lossy(
                        f"messages[{k}]",
                        "consecutive user/tool messages are read back as one user message: merged with "
                        + ", ".join(f"messages[{o}]" for o in ks if o != k),
                    )
        return wire

    def _lower_message(self, i: int, m: Message, ctx: EncodeContext) -> list[dict[str, Any]]:
        path = f"messages[{i}]"
        if m.role == "system":
            return [self._lower_system_message(path, m, ctx)]
        if m.role == "assistant":
            return [self._lower_assistant(path, m, ctx)]
        return self._lower_user(path, m, ctx)

    def _lower_system_message(self, path: str, m: Message, ctx: EncodeContext) -> dict[str, Any]:
        parts: list[dict[str, Any]] = []
        for j, p in enumerate(m.content):
            pp = at(at(path, "content"), j)
            if isinstance(p, Text):
                parts.append(self._lower_text(p, pp, ctx))
            else:
                ctx.lossy(pp, f"{self.system_role} messages take only text; {p.__class__.__name__} dropped")
        own = dict(own_options(m.provider_options, path, ctx))
        role = self.system_role
        if "role" in own:
            want = own.pop("role")
            opath = at(at(at(path, "provider_options"), ctx.codec), "role")
            if want in self.SYSTEM_ROLES and want != self.system_role:
                role = want
            else:
                ctx.lossy(opath, f"role {want!r} is not a system role other than {self.system_role!r}; not sent")
        msg: dict[str, Any] = {"role": role, "content": self._content(parts)}
        for key, value in own.items():
            if key in msg:
                ctx.lossy(at(at(at(path, "provider_options"), ctx.codec), key), f"{key!r} is also written from the IR")
            else:
                msg[key] = value
        return msg

    def _lower_assistant(self, path: str, m: Message, ctx: EncodeContext) -> dict[str, Any]:
        parts: list[dict[str, Any]] = []
        calls: list[dict[str, Any]] = []
        kept: list[Part] = []
        for j, p in enumerate(m.content):
            pp = at(at(path, "content"), j)
            if isinstance(p, ToolUse):
                calls.append(self._lower_tool_use(p, pp, ctx))
                kept.append(p)
            elif isinstance(p, Text):
                parts.append(self._lower_text(p, pp, ctx))
                kept.append(p)
            elif isinstance(p, Refusal):
                parts.append(self._merge({"type": "refusal", "refusal": p.text}, p.provider_options, pp, ctx))
                kept.append(p)
            elif isinstance(p, ProviderPart) and self._own_part(p, "assistant"):
                (calls if "tool_call" in p.data else parts).append(self._lower_provider_part(p))
                kept.append(p)
            else:
                ctx.lossy(pp, self._unsupported(p, "assistant"))
        order = [p for p in kept if not self._is_call(p)] + [p for p in kept if self._is_call(p)]
        if order != kept:
            ctx.lossy(at(path, "content"), "tool calls are sent after the assistant's text (Chat keeps them apart)")
        msg: dict[str, Any] = {"role": "assistant"}
        if parts:
            msg["content"] = self._content(parts)
        if calls:
            msg["tool_calls"] = calls
        return self._merge(msg, m.provider_options, path, ctx)

    @staticmethod
    def _is_call(p: Part) -> bool:
        return isinstance(p, ToolUse) or (isinstance(p, ProviderPart) and "tool_call" in p.data)

    def _lower_user(self, path: str, m: Message, ctx: EncodeContext) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        run: list[dict[str, Any]] | None = None
        first_user: dict[str, Any] | None = None
        for j, p in enumerate(m.content):
            pp = at(at(path, "content"), j)
            if isinstance(p, ToolResult):
                out.append(self._lower_tool_result(p, pp, ctx))
                run = None
                continue
            lower = self._USER_LOWER.get(type(p))
            part = lower(self, p, pp, ctx) if lower is not None else None
            if isinstance(p, ProviderPart) and self._own_part(p, "user"):
                part = self._lower_provider_part(p)
            if part is None:
                if lower is None:
                    ctx.lossy(pp, self._unsupported(p, "user"))
                continue
            if run is None:
                run = []
                msg: dict[str, Any] = {"role": "user", "content": run}
                first_user = first_user or msg
                out.append(msg)
            run.append(part)
        if not out:
            first_user = {"role": "user", "content": []}
            out.append(first_user)
        for msg in out:
            if msg["role"] == "user":
                msg["content"] = self._content(msg["content"])
        if first_user is None:
            if m.provider_options:
                own_options(m.provider_options, path, ctx)
                if ctx.codec in m.provider_options:
                    ctx.lossy(
                        at(at(path, "provider_options"), ctx.codec),
                        "a user message of only tool results has no user message to carry these fields",
                    )
        else:
            self._merge(first_user, m.provider_options, path, ctx)
        return out

    def _unsupported(self, p: Part, role: str) -> str:
        if isinstance(p, ProviderPart):
            if p.codec != self.NAME:
                return f"a {p.codec!r} provider part is not carried by {self.NAME}; dropped"
            return f"this {self.NAME} provider part cannot stand in a {role} message; dropped"
        return f"{self.NAME} {role} messages cannot carry a {p.__class__.__name__} part; dropped"

    def _own_part(self, p: ProviderPart, role: str) -> bool:
        """An own opaque part is a raw wire part of a type this codec does not model (or, in an
        assistant message, ``{"tool_call": raw}``)."""
        if p.codec != self.NAME:
            return False
        if role == "assistant" and "tool_call" in p.data:
            call = p.data["tool_call"]
            return set(p.data) == {"tool_call"} and isinstance(call, dict) and call.get("type") != "function"
        t = p.data.get("type")
        if not isinstance(t, str) or "tool_call" in p.data:
            return False
        if t == "file" and role == "user":
            # a file part without a usable reference is kept raw on decode; it goes back as it is
            try:
                self._check_part(p.data, "$")
                return isinstance(self._lift_file(p.data, "$"), ProviderPart)
            except DecodeError:
                return False
        return t not in _PART_TYPES

    def _lower_provider_part(self, p: ProviderPart) -> dict[str, Any]:
        return dict(p.data["tool_call"]) if "tool_call" in p.data else dict(p.data)

    def _lower_text(self, p: Text, path: str, ctx: EncodeContext) -> dict[str, Any]:
        return self._merge(self._with_mark({"type": "text", "text": p.text}, p.cache), p.provider_options, path, ctx)

    def _lower_image(self, p: Image, path: str, ctx: EncodeContext) -> dict[str, Any] | None:
        src = p.source
        if isinstance(src, Base64Source):
            url = f"data:{src.media_type};base64,{src.data}"
        elif isinstance(src, UrlSource):
            url = src.url
            if _DATA_URL.match(url):
                ctx.lossy(at(path, "source"), "a base64 data URL is read back as an inline base64 source")
            elif src.media_type is not None:
                ctx.lossy(at(path, "source.media_type"), "image_url carries no media type for a URL; dropped")
        else:
            ctx.lossy(path, "Chat image_url parts cannot reference an uploaded file id; image dropped")
            return None
        part = self._with_mark({"type": "image_url", "image_url": {"url": url}}, p.cache)
        return self._merge(part, p.provider_options, path, ctx, ("image_url",))

    def _lower_audio(self, p: Audio, path: str, ctx: EncodeContext) -> dict[str, Any] | None:
        src = p.source
        if not isinstance(src, Base64Source) or src.media_type not in _AUDIO_FORMAT:
            ctx.lossy(path, "Chat input_audio takes only inline base64 wav or mp3; audio dropped")
            return None
        fmt = _AUDIO_FORMAT[src.media_type]
        if _FORMAT_MEDIA[fmt] != src.media_type:
            ctx.lossy(at(path, "source.media_type"), f"sent as format {fmt!r}, read back as {_FORMAT_MEDIA[fmt]}")
        part = self._with_mark({"type": "input_audio", "input_audio": {"data": src.data, "format": fmt}}, p.cache)
        return self._merge(part, p.provider_options, path, ctx, ("input_audio",))

    def _lower_document(self, p: Document, path: str, ctx: EncodeContext) -> dict[str, Any] | None:
        src = p.source
        file: dict[str, Any] = {}
        if isinstance(src, Base64Source):
            # The prompt-caching / PDF-input guides send file_data as a data URL.
            file["file_data"] = f"data:{src.media_type};base64,{src.data}"
        elif isinstance(src, FileSource):
            file["file_id"] = src.file_id
            if src.media_type is not None:
                ctx.lossy(
                    at(path, "source.media_type"), "a Chat file part carries no media type for a file id; dropped"
                )
        else:
            ctx.lossy(
                path, f"Chat file parts take inline data or a file id, not a {src.__class__.__name__}; document dropped"
            )
            return None
        if p.name is not None:
            file["filename"] = p.name
        if p.context is not None:
            ctx.lossy(at(path, "context"), "Chat file parts have no document context; dropped")
        if p.citations is not None:
            ctx.lossy(at(path, "citations"), "Chat file parts have no citations switch; dropped")
        part = self._with_mark({"type": "file", "file": file}, p.cache)
        return self._merge(part, p.provider_options, path, ctx, ("file",))

    _USER_LOWER: ClassVar[dict[type, Callable[..., dict[str, Any] | None]]] = {
        Text: _lower_text,
        Image: _lower_image,
        Audio: _lower_audio,
        Document: _lower_document,
    }

    def _lower_tool_use(self, p: ToolUse, path: str, ctx: EncodeContext) -> dict[str, Any]:
        own = dict(own_options(p.provider_options, path, ctx))
        raw = own.pop("arguments", None)
        args = _compact(p.input)
        if raw is not None:
            if isinstance(raw, str) and _arguments_denote(raw, p.input):
                args = raw
            else:
                ctx.lossy(
                    at(at(at(path, "provider_options"), ctx.codec), "arguments"),
                    "the kept arguments text no longer matches the tool input; the input is sent as compact JSON",
                )
        call: dict[str, Any] = {"id": p.id, "type": "function", "function": {"name": p.name, "arguments": args}}
        for key, value in own.items():
            if key == "function" and isinstance(value, dict):
                for k2, v2 in value.items():
                    if k2 in call["function"]:
                        ctx.lossy(
                            at(at(at(at(path, "provider_options"), ctx.codec), key), k2), "also written from the IR"
                        )
                    else:
                        call["function"][k2] = v2
            elif key in call:
                ctx.lossy(at(at(at(path, "provider_options"), ctx.codec), key), f"{key!r} is also written from the IR")
            else:
                call[key] = value
        return call

    def _lower_tool_result(self, p: ToolResult, path: str, ctx: EncodeContext) -> dict[str, Any]:
        parts: list[dict[str, Any]] = []
        for k, q in enumerate(p.content):
            qp = at(at(path, "content"), k)
            rich = "file" in self._role_parts("tool")
            lower = self._USER_LOWER.get(type(q)) if rich or isinstance(q, Text) else None
            if lower is not None:
                part = lower(self, q, qp, ctx)
                if part is not None:
                    parts.append(part)
            elif rich and isinstance(q, ProviderPart) and q.data.get("type") == "file" and self._own_part(q, "user"):
                parts.append(self._lower_provider_part(q))
            elif isinstance(q, Json):
                parts.append({"type": "text", "text": _compact(q.value)})
                ctx.lossy(qp, f"{self.NAME} tool messages have no JSON part; JSON sent as its text")
            else:
                what = "text, image, audio and file parts" if rich else "only text"
                ctx.lossy(qp, f"{self.NAME} tool messages carry {what}; {q.__class__.__name__} dropped")
        if p.is_error:
            ctx.lossy(at(path, "is_error"), "Chat tool messages have no error flag; sent as a plain result")
        msg = {"role": "tool", "tool_call_id": p.tool_use_id, "content": self._content(parts)}
        return self._merge(msg, p.provider_options, path, ctx)

    # -- tools

    def _lower_tool(self, i: int, t: Tool | ProviderTool, ctx: EncodeContext) -> dict[str, Any] | None:
        path = f"tools[{i}]"
        if isinstance(t, ProviderTool):
            if self._sends_provider_tool(t):
                return self._lower_provider_tool(t, path, ctx)
            ctx.lossy(path, f"a {t.codec!r} provider tool is not carried by {self.NAME}; dropped")
            return None
        fn: dict[str, Any] = {"name": t.name}
        if t.description is not None:
            fn["description"] = t.description
        fn["parameters"] = t.input_schema
        if t.strict is not None:
            fn["strict"] = t.strict
        tool = self._lower_tool_mark({"type": "function", "function": fn}, t.cache)
        return self._merge(tool, t.provider_options, path, ctx, ("function",))

    def _sends_provider_tool(self, t: ProviderTool) -> bool:
        """An own opaque tool is a raw wire tool that is not a function tool (custom tools, ...)."""
        return t.codec == self.NAME and t.data.get("type") != "function"

    def _lower_provider_tool(self, t: ProviderTool, path: str, ctx: EncodeContext) -> dict[str, Any]:
        # Chat cannot mark tools: the planner has already reported and removed t.cache.
        return dict(t.data)

    def _lower_tool_mark(self, tool: dict[str, Any], cache: CacheControl | None) -> dict[str, Any]:
        # Chat tool definitions cannot be marked; the planner has moved or dropped the mark.
        return tool

    # ---------------------------------------------------------------------------- lifting

    def decode(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        """Lift a Chat Completions request body to IR; raises DecodeError naming the JSON path."""
        data = expect_object(load_json(payload), "$")
        wire_convert(data, self.WIRE_REQUEST)
        fields, extras = _split(data, self._root_fields())
        msgs = data["messages"]
        system: list[SystemBlock] = []
        start = 0
        if msgs and self._is_system_blocks(self._checked_message(msgs[0], "$.messages[0]")):
            system = self._lift_system_blocks(msgs[0], "$.messages[0]")
            start = 1
        messages = [self._lift_group(msgs, g) for g in self._groups(msgs, start)]
        tools = [self._lift_tool(t, f"$.tools[{i}]") for i, t in enumerate(fields.get("tools", []))]
        if fields.get("tools") == []:
            extras["tools"] = []  # an empty list is not "no tools" on the wire; kept raw
        kw: dict[str, Any] = {}
        for max_field in (self.max_tokens_field, *self.MAX_FIELDS):
            if max_field in fields:
                kw["max_tokens"] = fields.pop(max_field)
                break
        for f in self.MAX_FIELDS:
            if f in fields:
                extras[f] = fields.pop(f)
        if "stop" in fields:
            stop = fields["stop"]
            kw["stop"] = [stop] if isinstance(stop, str) else stop
        if "tool_choice" in fields:
            tc = self._lift_tool_choice(fields["tool_choice"])
            if tc is None:
                extras["tool_choice"] = fields["tool_choice"]
            kw["tool_choice"] = tc
        if "response_format" in fields:
            rf = self._lift_response_format(fields["response_format"])
            if rf is None:
                extras["response_format"] = fields["response_format"]
            kw["response_format"] = rf
        for name in (
            "model",
            "parallel_tool_calls",
            "temperature",
            "top_p",
            "seed",
            "n",
            "reasoning_effort",
            "user",
            "metadata",
            "stream",
            "top_k",
        ):
            if name in fields:
                kw[name] = fields[name]
        if "prompt_cache_key" in fields:
            kw["cache_key"] = fields["prompt_cache_key"]
        kw["cache"] = self._lift_auto(fields, extras)
        return Request(system=system, messages=messages, tools=tools, provider_options=_opts(self.NAME, extras), **kw)

    def _root_fields(self) -> frozenset[str]:
        return frozenset(
            {
                "model",
                "messages",
                "tools",
                "tool_choice",
                "parallel_tool_calls",
                *self.MAX_FIELDS,
                "temperature",
                "top_p",
                "stop",
                "seed",
                "n",
                "response_format",
                "reasoning_effort",
                "user",
                "metadata",
                "stream",
                "prompt_cache_key",
            }
        )

    def _checked_message(self, m: Any, path: str) -> dict[str, Any]:
        obj = expect_object(m, path)
        role = obj.get("role")
        if not isinstance(role, str) or role not in _MESSAGE_TYPES:
            raise DecodeError(f"{path}.role", "one of " + ", ".join(_MESSAGE_TYPES), repr(role))
        wire_convert(obj, _MESSAGE_TYPES[role], path)
        return obj

    def _is_system_blocks(self, m: dict[str, Any]) -> bool:
        if m.get("role") != self.system_role or set(m) != {"role", "content"}:
            return False
        content = m["content"]
        if isinstance(content, str):
            return True
        return bool(content) and all(isinstance(p, dict) and p.get("type") == "text" for p in content)

    def _groups(self, msgs: list[Any], start: int) -> list[list[int]]:
        """Which wire messages form one IR message (module docstring)."""
        groups: list[list[int]] = []
        cur: list[int] | None = None
        for idx in range(start, len(msgs)):
            m = self._checked_message(msgs[idx], f"$.messages[{idx}]")
            role = m["role"]
            if role == "user" and m["content"] == []:
                # an empty user message stands alone (it is all an empty IR user message leaves)
                cur = None
                groups.append([idx])
                continue
            if role in ("user", "tool") and cur is not None:
                prev = msgs[cur[-1]]["role"]
                has_user = any(msgs[k]["role"] == "user" for k in cur)
                if role == "tool" or (prev != "user" and not (has_user and set(m) - {"role", "content"})):
                    cur.append(idx)
                    continue
            cur = [idx] if role in ("user", "tool") else None
            groups.append(cur if cur is not None else [idx])
        return groups

    def _lift_system_blocks(self, m: dict[str, Any], path: str) -> list[SystemBlock]:
        blocks = []
        for j, p in enumerate(self._parts(m["content"], f"{path}.content", m["role"])):
            t = p if isinstance(p, Text) else None
            if t is None:  # pragma: no cover - _is_system_blocks admits text parts only
                raise DecodeError(f"{path}.content[{j}]", "a text part")
            blocks.append(SystemBlock(text=t.text, cache=t.cache, provider_options=t.provider_options))
        return blocks

    def _lift_group(self, msgs: list[Any], group: list[int]) -> Message:
        first = msgs[group[0]]
        role = first["role"]
        path = f"$.messages[{group[0]}]"
        if role in ("system", "developer"):
            _, extras = _split(first, frozenset({"role", "content"}))
            if role != self.system_role:
                extras["role"] = role
            parts = self._parts(first["content"], f"{path}.content", role)
            return Message(role="system", content=parts, provider_options=_opts(self.NAME, extras))
        if role == "assistant":
            return self._lift_assistant(first, path)
        content: list[Part] = []
        options: ProviderOptions = {}
        for idx in group:
            m = msgs[idx]
            mp = f"$.messages[{idx}]"
            if m["role"] == "tool":
                content.append(self._lift_tool_message(m, mp))
            else:
                _, extras = _split(m, frozenset({"role", "content"}))
                if extras:
                    options = _opts(self.NAME, extras)
                content += self._parts(m["content"], f"{mp}.content", "user")
        return Message(role="user", content=content, provider_options=options)

    def _lift_assistant(self, m: dict[str, Any], path: str) -> Message:
        _, extras = _split(m, frozenset({"role", "content", "tool_calls"}))
        # content / tool_calls null or [] are the same as absent (a documented canonicalization)
        extras.pop("content", None)
        extras.pop("tool_calls", None)
        content: list[Part] = []
        if m.get("content") is not None:
            content += self._parts(m["content"], f"{path}.content", "assistant")
        for k, call in enumerate(m.get("tool_calls") or []):
            content.append(self._lift_tool_call(call, f"{path}.tool_calls[{k}]"))
        return Message(role="assistant", content=content, provider_options=_opts(self.NAME, extras))

    def _lift_tool_call(self, call: Any, path: str) -> Part:
        call = expect_object(call, path)
        if call.get("type") != "function":
            return ProviderPart(codec=self.NAME, data={"tool_call": call})
        wire_convert(call, _ToolCall, path)
        _, extras = _split(call, frozenset({"id", "type", "function"}))
        _, fextras = _split(call["function"], frozenset({"name", "arguments"}))
        if fextras:
            extras["function"] = fextras
        raw = call["function"]["arguments"]
        try:
            value = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            value = None
        if isinstance(value, dict):
            if _compact(value) != raw:
                extras["arguments"] = raw
        else:
            value = {}
            extras["arguments"] = raw
        return ToolUse(
            id=call["id"], name=call["function"]["name"], input=value, provider_options=_opts(self.NAME, extras)
        )

    def _lift_tool_message(self, m: dict[str, Any], path: str) -> ToolResult:
        _, extras = _split(m, frozenset({"role", "content", "tool_call_id"}))
        content = self._parts(m["content"], f"{path}.content", "tool")
        return ToolResult(
            tool_use_id=m["tool_call_id"],
            content=[p for p in content if isinstance(p, Text | Image | Audio | Document | ProviderPart)],
            provider_options=_opts(self.NAME, extras),
        )

    def _parts(self, content: Any, path: str, role: str) -> list[Part]:
        if isinstance(content, str):
            return [Text(text=content)]
        out: list[Part] = []
        for j, raw in enumerate(content):
            pp = f"{path}[{j}]"
            raw = expect_object(raw, pp)
            t = raw.get("type")
            if not isinstance(t, str) or t not in _PART_TYPES:
                if role in ("user", "assistant") and isinstance(t, str):
                    out.append(ProviderPart(codec=self.NAME, data=raw))
                    continue
                raise DecodeError(f"{pp}.type", "one of " + ", ".join(sorted(self._role_parts(role))), repr(t))
            if t not in self._role_parts(role):
                raise DecodeError(f"{pp}.type", "one of " + ", ".join(sorted(self._role_parts(role))), repr(t))
            self._check_part(raw, pp)
            out.append(self._LIFT[t](self, raw, pp))
        return out

    def _role_parts(self, role: str) -> frozenset[str]:
        """Wire part types a message of ``role`` takes (the SDK message param types)."""
        return _ROLE_PARTS[role]

    def _check_part(self, raw: dict[str, Any], path: str) -> None:
        wire_convert(raw, _PART_TYPES[raw["type"]], path)

    def _part_mark(self, raw: dict[str, Any], extras: dict[str, Any]) -> CacheControl | None:
        if self.MARK_KEY in extras:
            mark = self._read_mark(extras[self.MARK_KEY])
            if mark is not None:
                del extras[self.MARK_KEY]
                return mark
        return None

    def _lift_text(self, raw: dict[str, Any], path: str) -> Part:
        _, extras = _split(raw, frozenset({"type", "text"}))
        cache = self._part_mark(raw, extras)
        return Text(text=raw["text"], cache=cache, provider_options=_opts(self.NAME, extras))

    def _lift_refusal(self, raw: dict[str, Any], path: str) -> Part:
        _, extras = _split(raw, frozenset({"type", "refusal"}))
        return Refusal(text=raw["refusal"], provider_options=_opts(self.NAME, extras))

    def _lift_image(self, raw: dict[str, Any], path: str) -> Part:
        _, extras = _split(raw, frozenset({"type", "image_url"}))
        cache = self._part_mark(raw, extras)
        _, sub = _split(raw["image_url"], frozenset({"url"}))
        if sub:
            extras["image_url"] = sub
        url = raw["image_url"]["url"]
        m = _DATA_URL.match(url)
        source: Base64Source | UrlSource = (
            Base64Source(media_type=m.group(1), data=m.group(2)) if m else UrlSource(url=url)
        )
        return Image(source=source, cache=cache, provider_options=_opts(self.NAME, extras))

    def _lift_audio(self, raw: dict[str, Any], path: str) -> Part:
        _, extras = _split(raw, frozenset({"type", "input_audio"}))
        cache = self._part_mark(raw, extras)
        _, sub = _split(raw["input_audio"], frozenset({"data", "format"}))
        if sub:
            extras["input_audio"] = sub
        a = raw["input_audio"]
        src = Base64Source(media_type=_FORMAT_MEDIA[a["format"]], data=a["data"])
        return Audio(source=src, cache=cache, provider_options=_opts(self.NAME, extras))

    def _lift_file(self, raw: dict[str, Any], path: str) -> Part:
        f = raw["file"]
        data = f.get("file_data")
        fid = f.get("file_id")
        m = _DATA_URL.match(data) if isinstance(data, str) else None
        if (m is None) == (fid is None) or (data is not None and m is None):
            # raw base64 without a media type, both or neither reference: kept as it is
            return ProviderPart(codec=self.NAME, data=raw)
        _, extras = _split(raw, frozenset({"type", "file"}))
        cache = self._part_mark(raw, extras)
        _, sub = _split(f, frozenset({"file_data", "file_id", "filename"}))
        if sub:
            extras["file"] = sub
        source: Base64Source | FileSource = (
            Base64Source(media_type=m.group(1), data=m.group(2)) if m else FileSource(file_id=str(fid))
        )
        name = f.get("filename")
        return Document(source=source, name=name, cache=cache, provider_options=_opts(self.NAME, extras))

    _LIFT: ClassVar[dict[str, Callable[..., Part]]] = {
        "text": _lift_text,
        "refusal": _lift_refusal,
        "image_url": _lift_image,
        "input_audio": _lift_audio,
        "file": _lift_file,
    }

    def _lift_tool(self, raw: Any, path: str) -> Tool | ProviderTool:
        raw = expect_object(raw, path)
        if raw.get("type") != "function":
            return self._lift_provider_tool(raw)
        wire_convert(raw, _FunctionTool, path)
        _, extras = _split(raw, frozenset({"type", "function"}))
        cache = self._lift_tool_mark(extras)
        fn = raw["function"]
        known, fextras = _split(fn, frozenset({"name", "description", "parameters", "strict"}))
        if "parameters" in fextras and fextras["parameters"] is None:
            del fextras["parameters"]  # null parameters == absent == {"type": "object"}
        if fextras:
            extras["function"] = fextras
        return Tool(
            name=fn["name"],
            description=known.get("description"),
            input_schema=known.get("parameters", {"type": "object"}),
            strict=known.get("strict"),
            cache=cache,
            provider_options=_opts(self.NAME, extras),
        )

    def _lift_provider_tool(self, raw: dict[str, Any]) -> ProviderTool:
        return ProviderTool(codec=self.NAME, data=raw)

    def _lift_tool_mark(self, extras: dict[str, Any]) -> CacheControl | None:
        return None

    def _lift_tool_choice(self, tc: Any) -> ToolChoice | None:
        if tc in ("auto", "required", "none"):
            return ToolChoice(mode=tc)
        if (
            isinstance(tc, dict)
            and set(tc) == {"type", "function"}
            and tc["type"] == "function"
            and isinstance(tc["function"], dict)
            and set(tc["function"]) == {"name"}
            and isinstance(tc["function"]["name"], str)
        ):
            return ToolChoice(mode="tool", name=tc["function"]["name"])
        return None

    def _lift_response_format(self, rf: Any) -> ResponseFormat | None:
        if not isinstance(rf, dict):
            return None
        if rf in ({"type": "text"}, {"type": "json_object"}):
            return ResponseFormat(type=rf["type"])
        js = rf.get("json_schema")
        if set(rf) != {"type", "json_schema"} or rf["type"] != "json_schema" or not isinstance(js, dict):
            return None
        if set(js) - {"name", "description", "schema", "strict"} or not isinstance(js.get("name"), str):
            return None
        schema, desc, strict = js.get("schema"), js.get("description"), js.get("strict")
        if (
            ("schema" in js and not isinstance(schema, dict))
            or ("description" in js and not isinstance(desc, str))
            or ("strict" in js and not isinstance(strict, bool))
        ):
            return None
        return ResponseFormat(type="json_schema", name=js["name"], description=desc, schema=schema, strict=strict)

    # ---------------------------------------------------------------------------- canonical form

    def canonicalize(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Rewrite ``payload`` into the form :meth:`encode` produces (see CANONICALIZATIONS)."""
        p = copy.deepcopy(dict(payload))
        other = [f for f in self.MAX_FIELDS if f != self.max_tokens_field][0]
        if p.get(other) is not None and self.max_tokens_field not in p:
            p[self.max_tokens_field] = p.pop(other)
        if isinstance(p.get("stop"), str):
            p["stop"] = [p["stop"]]
        self._canonicalize_auto(p)
        for tool in p.get("tools") or []:
            if not isinstance(tool, dict):
                continue
            self._canonicalize_tool_mark(tool)
            if tool.get("type") == "function" and isinstance(tool.get("function"), dict):
                if tool["function"].get("parameters") is None:
                    tool["function"]["parameters"] = {"type": "object"}
        for m in p.get("messages") or []:
            if not isinstance(m, dict):
                continue
            if m.get("role") == "assistant":
                for key in ("content", "tool_calls"):
                    if key in m and m[key] in (None, []):
                        del m[key]
            content = m.get("content")
            if isinstance(content, list):
                for part in content:
                    if isinstance(part, dict):
                        self._canonicalize_mark(part)
                m["content"] = self._content(content)
        return p

    def _canonicalize_auto(self, p: dict[str, Any]) -> None:
        pco = p.get("prompt_cache_options")
        if isinstance(pco, dict) and not set(pco) - {"mode", "ttl"} and pco.get("mode", "implicit") == "implicit":
            p["prompt_cache_options"] = {"mode": "implicit", "ttl": "30m"}

    def _canonicalize_tool_mark(self, tool: dict[str, Any]) -> None:
        pass

    def _canonicalize_mark(self, part: dict[str, Any]) -> None:
        mark = part.get(self.MARK_KEY)
        if part.get("type") == "file" and isinstance(self._lift_file(part, "$"), ProviderPart):
            return  # kept raw
        if part.get("type") in self.MARKABLE_PARTS and isinstance(mark, dict) and self._read_mark(mark) is not None:
            part[self.MARK_KEY] = self._mark(self._read_mark(mark) or CacheControl())[1]

    # ---------------------------------------------------------------------------- responses

    def decode_response(self, payload: Mapping[str, Any] | bytes | str) -> Response:
        """Lift a ``ChatCompletion`` (the first choice) to an IR :class:`Response`.

        Content order: reasoning (OpenRouter ``reasoning_details`` / ``reasoning``), text,
        refusal, tool calls. Usage buckets: see :func:`chat_usage`.
        """
        data = expect_object(load_json(payload), "$")
        comp = wire_convert(data, _Completion)
        if not comp.choices:
            raise DecodeError("$.choices", "at least one choice", "an empty list")
        choice = comp.choices[0]
        msg = choice.message
        parts: list[Part] = []
        details = _list(msg.get("reasoning_details"), "$.choices[0].message.reasoning_details")
        if details:
            parts += [
                self._lift_reasoning_detail(d, f"$.choices[0].message.reasoning_details[{i}]")
                for i, d in enumerate(details)
            ]
        elif isinstance(msg.get("reasoning"), str) and msg["reasoning"]:
            parts.append(Thinking(text=msg["reasoning"]))
        content = msg.get("content")
        if isinstance(content, str) and content:
            parts.append(Text(text=content))
        elif content is not None and not isinstance(content, str):
            raise DecodeError("$.choices[0].message.content", "a string or null", type(content).__name__)
        if isinstance(msg.get("refusal"), str):
            parts.append(Refusal(text=msg["refusal"]))
        for k, call in enumerate(_list(msg.get("tool_calls"), "$.choices[0].message.tool_calls")):
            parts.append(self._lift_response_tool_call(call, f"$.choices[0].message.tool_calls[{k}]"))
        usage = chat_usage(comp.usage) if comp.usage is not None else Usage()
        return Response(
            id=comp.id,
            model=comp.model,
            content=parts,
            stop_reason=stop_reason(choice.finish_reason, refused=isinstance(msg.get("refusal"), str)),
            raw_stop_reason=choice.finish_reason,
            usage=usage,
        )

    def _lift_reasoning_detail(self, d: Any, path: str) -> Part:
        d = expect_object(d, path)
        t = d.get("type")
        if t == "reasoning.encrypted" and isinstance(d.get("data"), str):
            return RedactedThinking(data=d["data"])
        if t == "reasoning.text":
            return Thinking(text=d.get("text") or "", signature=d.get("signature"))
        if t == "reasoning.summary" and isinstance(d.get("summary"), str):
            return Thinking(text=d["summary"])
        raise DecodeError(f"{path}.type", "reasoning.text, reasoning.summary or reasoning.encrypted", repr(t))

    def _lift_response_tool_call(self, call: Any, path: str) -> Part:
        part = self._lift_tool_call(call, path)
        if isinstance(part, ToolUse) and set(part.provider_options.get(self.NAME, {})) - {"arguments"}:
            # ids, types and the like of a reply are not request options; only the raw text matters
            raw = part.provider_options[self.NAME].get("arguments")
            part = msgspec.structs.replace(part, provider_options=_opts(self.NAME, {"arguments": raw} if raw else {}))
        return part

    def stream_decoder(self) -> ChatStreamDecoder:
        """A decoder for ``ChatCompletionChunk`` events (``stream: true``; usage arrives in the last
        chunk with ``stream_options.include_usage``)."""
        return ChatStreamDecoder(self)

    # ---------------------------------------------------------------------------- SDK form

    def sdk_kwargs(self, body: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        """``client.chat.completions.create(**kwargs)`` arguments: typed fields as keywords, the
        rest in ``extra_body``."""
        typed = self._sdk_typed()
        kwargs: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for k, v in body.items():
            (kwargs if k in typed else extra)[k] = v
        if extra:
            kwargs["extra_body"] = extra
        return kwargs

    def _sdk_typed(self) -> frozenset[str]:
        return frozenset(
            {
                "messages",
                "model",
                "audio",
                "frequency_penalty",
                "function_call",
                "functions",
                "logit_bias",
                "logprobs",
                "max_completion_tokens",
                "max_tokens",
                "metadata",
                "modalities",
                "moderation",
                "n",
                "parallel_tool_calls",
                "prediction",
                "presence_penalty",
                "prompt_cache_key",
                "prompt_cache_options",
                "prompt_cache_retention",
                "reasoning_effort",
                "response_format",
                "safety_identifier",
                "seed",
                "service_tier",
                "stop",
                "store",
                "stream",
                "stream_options",
                "temperature",
                "tool_choice",
                "tools",
                "top_logprobs",
                "top_p",
                "user",
                "verbosity",
                "web_search_options",
            }
        )


_ELEMENT = re.compile(r"^(.*)\[(\d+)\]$")


def _widen_list_warnings(ctx: EncodeContext) -> None:
    """Where a list lost or merged elements AND something else in it changed (or it lost
    several), decode may realign it, and the invariant then names the differences at other
    indices than the ones the encoder knows. The warnings inside such a list become one
    warning at the list itself, which quotes them all (outermost list wins)."""
    lists: dict[str, set[str]] = {}
    for w in ctx.warnings:
        m = _ELEMENT.match(w.path)
        if m:
            lists.setdefault(m.group(1), set()).add(w.path)
    realigned = [
        lst
        for lst, elems in lists.items()
        if len(elems) > 1 or any(w.path.startswith(lst + "[") and w.path not in elems for w in ctx.warnings)
    ]
    outer = [lst for lst in realigned if not any(lst != o and lst.startswith((o + "[", o + ".")) for o in realigned)]
    if not outer:
        return
    inside: dict[str, list[str]] = {lst: [] for lst in outer}
    kept = []
    for w in ctx.warnings:
        home = next((lst for lst in outer if w.path.startswith(lst + "[")), None)
        if home is None:
            kept.append(w)
        else:
            inside[home].append(f"{w.path}: {w.reason}")
    ctx.warnings[:] = kept
    for lst in outer:
        ctx.lossy(lst, "; ".join(inside[lst]))


def _arguments_denote(raw: str, value: dict[str, Any]) -> bool:
    """Whether the kept arguments text still stands for ``value`` (a non-object text for {})."""
    try:
        parsed = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return value == {}
    if not isinstance(parsed, dict):
        return value == {}
    return _compact(parsed) == _compact(value) and _compact(parsed) != raw


# --------------------------------------------------------------------------------------------
# Responses, usage and streams

_FINISH: dict[str, StopReason] = {
    # ChatCompletion.Choice.finish_reason (chat_completion.py); "error" is OpenRouter's
    # (chatfinishreasonenum.py). Chat says "stop" for a natural end and a stop sequence alike.
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "content_filter",
    "error": "error",
}


def _list(value: Any, path: str) -> list[Any]:
    """A list field that may be absent or null."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise DecodeError(path, "an array or null", type(value).__name__)
    return value


def stop_reason(finish: str | None, *, refused: bool = False) -> StopReason | None:
    """Normalized stop reason; a reply carrying a ``refusal`` is a refusal."""
    if finish is None:
        return None
    if refused and finish == "stop":
        return "refusal"
    return _FINISH.get(finish, "other")


def chat_usage(u: _Usage) -> Usage:
    """IR usage from Chat ``CompletionUsage``.

    ``prompt_tokens`` INCLUDES ``prompt_tokens_details.cached_tokens`` (reads) and
    ``cache_write_tokens`` (writes, GPT-5.6+; OpenRouter too), so the uncached bucket is what is
    left (PROVIDERS.md §1, §5a, §8). Chat reports no TTL split of the writes.
    ``completion_tokens_details.reasoning_tokens`` is part of ``completion_tokens``.
    """
    d = u.prompt_tokens_details
    read = (d.cached_tokens if d else None) or 0
    write = (d.cache_write_tokens if d else None) or 0
    uncached = u.prompt_tokens - read - write
    if uncached < 0:
        raise DecodeError(
            "$.usage.prompt_tokens", f"at least cached + written tokens ({read + write})", str(u.prompt_tokens)
        )
    c = u.completion_tokens_details
    return Usage(
        uncached_input_tokens=uncached,
        cache_read_tokens=read,
        cache_write_tokens=write,
        output_tokens=u.completion_tokens,
        reasoning_tokens=c.reasoning_tokens if c else None,
    )


# Part indices in the assembled response: reasoning first, then text, refusal, tool calls.
_TEXT_INDEX = 1000
_REFUSAL_INDEX = 1001
_TOOL_INDEX = 2000


class ChatStreamDecoder(StreamDecoder):
    """``ChatCompletionChunk`` events (first choice) to IR stream events.

    :meth:`finish` equals :meth:`OpenAIChatCodec.decode_response` of the equivalent whole reply:
    text and tool-call argument deltas are joined, OpenRouter reasoning deltas become thinking
    parts, and the usage comes from the chunk that carries it.
    """

    def __init__(self, codec: OpenAIChatCodec) -> None:
        super().__init__()
        self.codec = codec
        self._started = False
        self._refusal: str | None = None
        self._args: dict[int, str] = {}
        self._tools: dict[int, tuple[str, str]] = {}
        self._encrypted: dict[int, str] = {}
        self._refused = False

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        chunk = wire_convert(expect_object(data, "$"), _Chunk)
        out: list[StreamEvent] = []
        if not self._started and (chunk.id is not None or chunk.model is not None):
            self._started = True
            out.append(MessageStart(id=chunk.id, model=chunk.model))
        for ci, choice in enumerate(chunk.choices):
            if choice.index != 0:
                continue
            out += self._delta(choice.delta, f"$.choices[{ci}].delta")
            if choice.finish_reason is not None:
                out.append(
                    Stop(
                        stop_reason=stop_reason(choice.finish_reason, refused=self._refused),
                        raw_stop_reason=choice.finish_reason,
                    )
                )
        if chunk.usage is not None:
            out.append(UsageUpdate(usage=chat_usage(chunk.usage)))
        return out

    def _delta(self, delta: dict[str, Any], path: str) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        details = _list(delta.get("reasoning_details"), f"{path}.reasoning_details")
        for i, d in enumerate(details):
            d = expect_object(d, f"{path}.reasoning_details[{i}]")
            idx = d.get("index", 0) if isinstance(d.get("index"), int) else 0
            t = d.get("type")
            if t == "reasoning.encrypted" and isinstance(d.get("data"), str):
                self._encrypted[idx] = self._encrypted.get(idx, "") + d["data"]
            elif t in ("reasoning.text", "reasoning.summary"):
                text = d.get("text") if t == "reasoning.text" else d.get("summary")
                out.append(ThinkingDelta(index=idx, text=text or "", signature=d.get("signature")))
            else:
                raise DecodeError(f"{path}.reasoning_details[{i}].type", "a reasoning detail type", repr(t))
        if not details and isinstance(delta.get("reasoning"), str) and delta["reasoning"]:
            out.append(ThinkingDelta(index=0, text=delta["reasoning"]))
        content = delta.get("content")
        if isinstance(content, str) and content:
            out.append(TextDelta(index=_TEXT_INDEX, text=content))
        if isinstance(delta.get("refusal"), str):
            self._refused = True
            self._refusal = (self._refusal or "") + delta["refusal"]
        for k, raw in enumerate(_list(delta.get("tool_calls"), f"{path}.tool_calls")):
            tc = wire_convert(raw, _StreamToolCall, f"{path}.tool_calls[{k}]")
            fn = tc.function
            if tc.index not in self._tools:
                self._tools[tc.index] = (tc.id or "", str(fn.get("name") or ""))
                out.append(ToolCallStart(index=_TOOL_INDEX + tc.index, id=tc.id or "", name=str(fn.get("name") or "")))
            args = fn.get("arguments")
            if isinstance(args, str) and args:
                self._args[tc.index] = self._args.get(tc.index, "") + args
                out.append(ToolCallDelta(index=_TOOL_INDEX + tc.index, arguments=args))
        return out

    def finish(self) -> Response:
        """The assembled reply, with tool-call arguments lifted exactly as in a whole reply."""
        asm = self.assembler
        for idx, data in self._encrypted.items():
            asm.add_part(idx, RedactedThinking(data=data))
        if self._refusal is not None:
            asm.add_part(_REFUSAL_INDEX, Refusal(text=self._refusal))
        for i, (cid, name) in self._tools.items():
            call = {"id": cid, "type": "function", "function": {"name": name, "arguments": self._args.get(i, "")}}
            asm.add_part(_TOOL_INDEX + i, self.codec._lift_response_tool_call(call, f"$.tool_calls[{i}]"))
        asm._parts = {i: p for i, p in asm._parts.items() if p["kind"] != "tool"}
        return asm.response()
