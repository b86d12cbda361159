"""The OpenAI Responses API codec (``POST /v1/responses``).

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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar, Literal

import msgspec
from msgspec import UNSET, UnsetType

from ..codec import Codec, EncodeContext, expect_object, load_json, register, wire_convert
from ..errors import DecodeError
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
from ..lowering import at, own_options
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

__all__ = ["OpenAIResponsesCodec"]

NAME = "openai-responses"

# --------------------------------------------------------------------------------------------
# Wire types (openai/types/responses/*_param.py). They validate shapes and types; unknown
# fields are allowed (they travel in provider_options), so no forbid_unknown_fields.


class _W(msgspec.Struct, omit_defaults=True):
    pass


class WBreakpoint(_W):
    """``PromptCacheBreakpoint`` (response_input_text_param.py)."""

    mode: Literal["explicit"]
    ttl: Literal["30m", "12h"] | UnsetType = UNSET


class WInputText(_W):
    type: Literal["input_text"]
    text: str
    prompt_cache_breakpoint: WBreakpoint | None | UnsetType = UNSET


class WInputImage(_W):
    type: Literal["input_image"]
    detail: Literal["low", "high", "auto", "original"] | None | UnsetType = UNSET
    image_url: str | None | UnsetType = UNSET
    file_id: str | None | UnsetType = UNSET
    prompt_cache_breakpoint: WBreakpoint | None | UnsetType = UNSET


class WInputFile(_W):
    type: Literal["input_file"]
    detail: Literal["auto", "low", "high"] | UnsetType = UNSET
    file_data: str | None | UnsetType = UNSET
    file_id: str | None | UnsetType = UNSET
    file_url: str | None | UnsetType = UNSET
    filename: str | None | UnsetType = UNSET
    prompt_cache_breakpoint: WBreakpoint | None | UnsetType = UNSET


class WOutputText(_W):
    type: Literal["output_text"]
    text: str
    annotations: list[dict[str, Any]] | UnsetType = UNSET
    logprobs: list[dict[str, Any]] | UnsetType = UNSET


class WRefusal(_W):
    type: Literal["refusal"]
    refusal: str


class WMessage(_W):
    role: Literal["user", "assistant", "system", "developer"]
    content: str | list[dict[str, Any]]
    type: Literal["message"] | UnsetType = UNSET
    id: str | UnsetType = UNSET
    status: Literal["in_progress", "completed", "incomplete"] | None | UnsetType = UNSET
    phase: Literal["commentary", "final_answer"] | None | UnsetType = UNSET


class WFunctionCall(_W):
    type: Literal["function_call"]
    call_id: str
    name: str
    arguments: str
    id: str | UnsetType = UNSET
    status: Literal["in_progress", "completed", "incomplete"] | UnsetType = UNSET


class WFunctionCallOutput(_W):
    type: Literal["function_call_output"]
    output: str | list[dict[str, Any]]
    call_id: str | None | UnsetType = UNSET
    id: str | None | UnsetType = UNSET


class WSummary(_W):
    type: Literal["summary_text"]
    text: str


class WReasoning(_W):
    type: Literal["reasoning"]
    id: str
    summary: list[WSummary]
    encrypted_content: str | None | UnsetType = UNSET
    content: list[dict[str, Any]] | UnsetType = UNSET


class WItem(_W):
    """Any other input item: only its ``type`` is checked."""

    type: str | UnsetType = UNSET


class WFunctionTool(_W):
    type: Literal["function"]
    name: str
    parameters: dict[str, Any] | None
    strict: bool | None | UnsetType = UNSET
    description: str | None | UnsetType = UNSET


class WTool(_W):
    type: str


class WPromptCacheOptions(_W):
    mode: Literal["implicit", "explicit"] | UnsetType = UNSET
    ttl: Literal["30m", "12h"] | UnsetType = UNSET
    prewarm: bool | UnsetType = UNSET
    comparison_response_id: str | None | UnsetType = UNSET


class WRequest(_W):
    """``ResponseCreateParamsBase`` (response_create_params.py): the fields this codec reads."""

    model: str | UnsetType = UNSET
    input: str | list[dict[str, Any]] | UnsetType = UNSET
    instructions: str | None | UnsetType = UNSET
    tools: list[dict[str, Any]] | UnsetType = UNSET
    tool_choice: str | dict[str, Any] | UnsetType = UNSET
    parallel_tool_calls: bool | None | UnsetType = UNSET
    max_output_tokens: int | None | UnsetType = UNSET
    temperature: float | None | UnsetType = UNSET
    top_p: float | None | UnsetType = UNSET
    text: dict[str, Any] | UnsetType = UNSET
    reasoning: dict[str, Any] | None | UnsetType = UNSET
    metadata: dict[str, str] | None | UnsetType = UNSET
    safety_identifier: str | None | UnsetType = UNSET
    user: str | UnsetType = UNSET
    stream: bool | None | UnsetType = UNSET
    store: bool | None | UnsetType = UNSET
    previous_response_id: str | None | UnsetType = UNSET
    conversation: str | dict[str, Any] | None | UnsetType = UNSET
    prompt_cache_key: str | None | UnsetType = UNSET
    prompt_cache_retention: Literal["in_memory", "24h"] | None | UnsetType = UNSET
    prompt_cache_options: WPromptCacheOptions | UnsetType = UNSET
    include: list[str] | None | UnsetType = UNSET


_PART_TYPES: dict[str, type[_W]] = {
    "input_text": WInputText,
    "input_image": WInputImage,
    "input_file": WInputFile,
    "output_text": WOutputText,
    "refusal": WRefusal,
}
_INPUT_PARTS = frozenset({"input_text", "input_image", "input_file"})
_OUTPUT_PARTS = frozenset({"output_text", "refusal"})
_ITEM_TYPES: dict[str, type[_W]] = {
    "message": WMessage,
    "function_call": WFunctionCall,
    "function_call_output": WFunctionCallOutput,
    "reasoning": WReasoning,
}
_DEFAULT_TTL = CacheTtl.THIRTY_MINUTES
"""``prompt_cache_options.ttl`` "defaults to 30m" (response_create_params.py)."""
_DEFAULT_DETAIL = "auto"
"""``detail`` is required on ``input_image`` (response_input_image_param.py) and "defaults to
auto"; the codec writes ``auto`` when the IR says nothing and keeps any other value in
provider_options."""
_TTLS = {"30m": CacheTtl.THIRTY_MINUTES, "12h": CacheTtl.TWELVE_HOURS}
_DATA_URL = re.compile(r"data:([^;,]+);base64,(.*)", re.S)
_JOIN = "\n\n"

# --------------------------------------------------------------------------------------------
# Small helpers


def _opts(fields: Mapping[str, Any]) -> ProviderOptions:
    return {NAME: dict(fields)} if fields else {}


def _data_url(media_type: str, data: str) -> str:
    return f"data:{media_type};base64,{data}"


def _parse_data_url(url: str) -> tuple[str, str] | None:
    m = _DATA_URL.fullmatch(url)
    return (m.group(1), m.group(2)) if m else None


def _canon_args(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _json_key(value: Any) -> bytes:
    return msgspec.json.encode(value, order="sorted")


_OPTION_PATH = re.compile(r"^(?:(?P<node>.*)\.)?provider_options\." + re.escape(NAME) + r"\.(?P<key>[^.\[]+)")
_PATH_TOKEN = re.compile(r"([A-Za-z_]+)|\[(\d+)\]")


def _resolve(root: Any, path: str) -> Any:
    node = root
    for name, index in _PATH_TOKEN.findall(path):
        node = getattr(node, name, None) if name else node[int(index)] if isinstance(node, list) else None
    return node


def _collapse_option_warnings(request: Request, ctx: EncodeContext) -> None:
    """Where every raw field of a node's options is reported lost, the decoded node has no options
    of this codec at all, so the loss is at ``...provider_options.<codec>``: report it there."""
    by_node: dict[str, list[Any]] = {}
    for w in ctx.warnings:
        m = _OPTION_PATH.match(w.path)
        if m:
            by_node.setdefault(m.group("node") or "", []).append((w, m.group("key")))
    for node_path, hits in by_node.items():
        node = _resolve(request, node_path) if node_path else request
        own = getattr(node, "provider_options", {}).get(NAME, {}) if node is not None else {}
        if own and set(own) <= {key for _, key in hits}:
            target = at(at(node_path, "provider_options"), NAME)
            ctx.warnings[:] = [w for w in ctx.warnings if all(w is not h for h, _ in hits)]
            ctx.lossy(target, "; ".join(f"{key}: {h.reason}" for h, key in hits))


def _merge(obj: dict[str, Any], own: Mapping[str, Any], path: str, ctx: EncodeContext) -> dict[str, Any]:
    """Merge this codec's raw fields into ``obj``; a field the IR already wrote keeps the IR value."""
    for key, value in own.items():
        if key in obj:
            ctx.lossy(
                at(at(at(path, "provider_options"), NAME), key),
                f"{key!r} is also written from the IR; the IR value is sent",
            )
        else:
            obj[key] = value
    return obj


def _item_role(item: Mapping[str, Any]) -> str:
    """The IR role an opaque input item belongs to when turns are regrouped on decode."""
    t = item.get("type")
    if t == "message" or (t is None and "role" in item):
        role = item.get("role")
        return "system" if role in ("system", "developer") else "assistant" if role == "assistant" else "user"
    if isinstance(t, str) and (t.endswith("_output") or t == "mcp_approval_response"):
        return "user"
    return "assistant"


class _Rec:
    """One input item as the turn grouping sees it."""

    __slots__ = ("empty", "is_message", "opts", "parts", "role", "src")

    def __init__(self, role: str, is_message: bool, opts: dict[str, Any], parts: list[Part], src: int = -1) -> None:
        self.role = role
        self.is_message = is_message
        self.opts = opts
        self.parts = parts
        self.empty = is_message and not parts
        self.src = src


def _group(recs: list[_Rec]) -> list[list[_Rec]]:
    """Regroup input items into turns (the decode rule; the encoder checks itself against it)."""
    groups: list[list[_Rec]] = []
    closed = True
    for r in recs:
        cur = groups[-1] if groups and not closed else None
        join = False
        if cur is not None and cur[0].role == r.role and not r.empty:
            if r.is_message:
                first_msg = next((x for x in cur if x.is_message), None)
                join = not cur[-1].is_message and (first_msg is None or first_msg.opts == r.opts)
            else:
                join = True
        if join:
            assert cur is not None
            cur.append(r)
        else:
            groups.append([r])
        closed = r.empty
    return groups


def _message_from_group(group: list[_Rec]) -> Message:
    first_msg = next((x for x in group if x.is_message), None)
    role: Any = group[0].role
    content = [p for r in group for p in r.parts]
    return Message(role=role, content=content, provider_options=_opts(first_msg.opts if first_msg else {}))


# --------------------------------------------------------------------------------------------
# The codec


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

    NAME: ClassVar[str] = NAME
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.openai.com/v1"
    ENDPOINT: ClassVar[str] = "/responses"
    """Registered name."""
    WIRE_REQUEST: ClassVar[type[Any]] = WRequest
    """Root request Struct; items and tools are checked by type in :meth:`validate_wire`."""
    MAX_CACHE_BREAKPOINTS: ClassVar[int | None] = 4
    """"Each request can write up to four breakpoints" (PromptCacheOptions docstring)."""
    CACHE_TTLS: ClassVar[tuple[CacheTtl, ...]] = (CacheTtl.THIRTY_MINUTES, CacheTtl.TWELVE_HOURS)
    """Responses accepts ``ttl`` ``30m`` | ``12h`` (response_create_params.py PromptCacheOptions)."""
    PASSES: ClassVar[tuple[str, ...]] = ("plan_cache_breakpoints",)
    """The cache planner runs before lowering."""
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = (
        "`input` as a string == one user message item with one `input_text` part",
        "an empty `input` list == no `input`",
        'a message item without `type` == the same item with `type: "message"`',
        "message `content` as a string == one `input_text` part (`output_text` with `annotations: []` "
        "for the assistant role)",
        "`output_text` without `annotations` == `annotations: []`",
        '`input_image` without `detail` == `detail: "auto"`',
        "a `prompt_cache_breakpoint` without `ttl` == the request's `prompt_cache_options.ttl` (default 30m)",
        '`prompt_cache_options` without `mode` == `mode: "implicit"`; with mode implicit and no `ttl` == `ttl: "30m"`',
        "`function_call_output.output` as a list of one plain `input_text` part == that text as a string",
    )
    """Wire forms that decode to the same IR (see :meth:`canonicalize`)."""

    def __init__(self, explicit_breakpoints: bool = True) -> None:
        self.explicit_breakpoints = explicit_breakpoints

    # ----------------------------------------------------------------------------------------
    # Lowering

    def _rules(self, request: Request) -> CacheRules:
        if not self.explicit_breakpoints:
            return CacheRules(max_breakpoints=0, ttls=())
        # Which parts can carry a mark depends on the role of the message (assistant text is
        # output_text, which has no prompt_cache_breakpoint) - the planner asks per part object.
        verdict: dict[int, bool] = {}

        def note(p: Any, ok: bool) -> None:
            verdict[id(p)] = verdict.get(id(p), ok) and ok

        for m in request.messages:
            for p in m.content:
                note(p, m.role != "assistant" and isinstance(p, Text | Image | Document))
                if isinstance(p, ToolResult):
                    for q in p.content:
                        note(q, isinstance(q, Text | Image | Document | Json))
        return CacheRules(
            max_breakpoints=self.MAX_CACHE_BREAKPOINTS,
            ttls=self.CACHE_TTLS,
            native_automatic=True,
            tools_markable=False,
            system_markable=False,
            nested_markable=True,
            markable=lambda p: verdict.get(id(p), False),
            ttl_order=False,
        )

    def _encode(self, request: Request, ctx: EncodeContext) -> dict[str, Any]:
        req = plan_cache_breakpoints(request, self._rules(request), ctx)
        own = dict(own_options(req.provider_options, "", ctx))
        body: dict[str, Any] = {}
        if req.model is not None:
            body["model"] = req.model
        self._lower_system(req, body, ctx)
        items = self._lower_messages(req, ctx)
        if items:
            body["input"] = items
        tools: list[dict[str, Any]] = []
        for i, tool in enumerate(req.tools):
            wire_tool = self._lower_tool(tool, f"tools[{i}]", ctx)
            if wire_tool is not None:
                tools.append(wire_tool)
        if 1 < len(req.tools) and len(tools) < len(req.tools):
            ctx.lossy("tools", f"{len(req.tools) - len(tools)} of the tools could not be sent (see their warnings)")
        if tools:
            body["tools"] = tools
        if req.tool_choice is not None:
            tc = self._lower_tool_choice(req.tool_choice, ctx)
            if tc is not None:
                body["tool_choice"] = tc
        if req.parallel_tool_calls is not None:
            body["parallel_tool_calls"] = req.parallel_tool_calls
        if req.max_tokens is not None:
            body["max_output_tokens"] = req.max_tokens
        if req.temperature is not None:
            body["temperature"] = req.temperature
        if req.top_p is not None:
            body["top_p"] = req.top_p
        for field, why in (
            ("top_k", "the Responses API has no top_k"),
            ("stop", "the Responses API has no stop parameter"),
            ("seed", "the Responses API has no seed"),
            ("n", "the Responses API returns one output; no n"),
        ):
            if getattr(req, field) is not None:
                ctx.lossy(field, f"{why}; dropped")
        if req.reasoning is not None:
            ctx.lossy(
                "reasoning", "the Responses API has no thinking budget/on-off switch (only reasoning.effort); dropped"
            )
        self._lower_text(req, own, body, ctx)
        self._lower_reasoning(req, own, body, ctx)
        if req.metadata is not None:
            body["metadata"] = dict(req.metadata)
        if req.user is not None:
            # `user` is deprecated in favour of safety_identifier (response_create_params.py).
            body["safety_identifier"] = req.user
        if req.cache_key is not None:
            body["prompt_cache_key"] = req.cache_key
        self._lower_cache_options(req, own, body, ctx)
        if req.stream is not None:
            body["stream"] = req.stream
        body = _merge(body, own, "", ctx)
        _collapse_option_warnings(request, ctx)
        return body

    def _lower_system(self, req: Request, body: dict[str, Any], ctx: EncodeContext) -> None:
        if not req.system:
            return
        for i, block in enumerate(req.system):
            for name in block.provider_options:
                ctx.lossy(
                    f"system[{i}].provider_options.{name}",
                    "instructions is a plain string; block options are not carried",
                )
        if len(req.system) > 1:
            ctx.lossy("system", f"instructions is one string: {len(req.system)} blocks joined with a blank line")
        body["instructions"] = _JOIN.join(b.text for b in req.system)

    def _lower_text(self, req: Request, own: dict[str, Any], body: dict[str, Any], ctx: EncodeContext) -> None:
        raw = own.pop("text", UNSET)
        rf = req.response_format
        if rf is None:
            if raw is not UNSET:
                body["text"] = raw
            return
        text: dict[str, Any] = {}
        if isinstance(raw, dict):
            text = dict(raw)
            if "format" in text:
                ctx.lossy(f"provider_options.{NAME}.text", "text.format is written from response_format")
                del text["format"]
        elif raw is not UNSET:
            ctx.lossy(f"provider_options.{NAME}.text", "text is written from response_format; this value is dropped")
        fmt: dict[str, Any] = {"type": rf.type}
        if rf.type == "json_schema":
            if rf.name is None:
                ctx.lossy("response_format.name", "text.format.name is required; sent as 'response'")
            fmt["name"] = rf.name if rf.name is not None else "response"
            if rf.schema is None:
                ctx.lossy("response_format.schema", "text.format.schema is required; sent as an empty object schema")
            fmt["schema"] = rf.schema if rf.schema is not None else {"type": "object"}
            if rf.description is not None:
                fmt["description"] = rf.description
            if rf.strict is not None:
                fmt["strict"] = rf.strict
        else:
            for f in ("schema", "name", "description", "strict"):
                if getattr(rf, f) is not None:
                    ctx.lossy(f"response_format.{f}", f"text.format {rf.type!r} has no {f}; dropped")
        body["text"] = {"format": fmt, **text}

    def _lower_reasoning(self, req: Request, own: dict[str, Any], body: dict[str, Any], ctx: EncodeContext) -> None:
        raw = own.pop("reasoning", UNSET)
        if req.reasoning_effort is None:
            if raw is not UNSET:
                body["reasoning"] = raw
            return
        out: dict[str, Any] = {}
        if isinstance(raw, dict):
            out = dict(raw)
            if "effort" in out:
                ctx.lossy(f"provider_options.{NAME}.reasoning", "reasoning.effort is written from reasoning_effort")
                del out["effort"]
        elif raw is not UNSET:
            ctx.lossy(
                f"provider_options.{NAME}.reasoning",
                "reasoning is written from reasoning_effort; this value is dropped",
            )
        body["reasoning"] = {"effort": req.reasoning_effort, **out}

    def _lower_cache_options(self, req: Request, own: dict[str, Any], body: dict[str, Any], ctx: EncodeContext) -> None:
        # IR request-level caching is OpenAI's implicit mode (one automatic breakpoint, "mode
        # defaults to implicit", PromptCacheOptions in response_create_params.py) with its TTL.
        raw = own.pop("prompt_cache_options", UNSET)
        path = f"provider_options.{NAME}.prompt_cache_options"
        if req.cache is None:
            if raw is not UNSET:
                body["prompt_cache_options"] = raw
            return
        opts: dict[str, Any] = {}
        if isinstance(raw, dict):
            opts = dict(raw)
            for k in ("mode", "ttl"):
                if k in opts:
                    ctx.lossy(path, f"prompt_cache_options.{k} is written from the IR request cache")
                    del opts[k]
        elif raw is not UNSET:
            ctx.lossy(path, "prompt_cache_options is written from the IR request cache; this value is dropped")
        body["prompt_cache_options"] = {"mode": "implicit", "ttl": req.cache.ttl.value, **opts}

    # -- tools

    def _lower_tool(self, tool: ToolSpec, path: str, ctx: EncodeContext) -> dict[str, Any] | None:
        if isinstance(tool, ProviderTool):
            if tool.codec != NAME:
                ctx.lossy(path, f"a {tool.codec!r} provider tool cannot be sent to {NAME}; dropped")
                return None
            try:
                back: Any = self._lift_tool(tool.data, "$")
            except DecodeError as exc:
                ctx.lossy(path, f"this raw tool is not valid Responses wire ({exc}); dropped")
                return None
            if back != tool:
                ctx.lossy(path, "this raw tool reads back as a function tool; sent as given")
            return dict(tool.data)
        out: dict[str, Any] = {"type": "function", "name": tool.name, "parameters": tool.input_schema}
        if tool.strict is not None:
            out["strict"] = tool.strict
        if tool.description is not None:
            out["description"] = tool.description
        return _merge(out, own_options(tool.provider_options, path, ctx), path, ctx)

    def _lower_tool_choice(self, tc: ToolChoice, ctx: EncodeContext) -> str | dict[str, Any] | None:
        if tc.mode != "tool":
            if tc.name is not None:
                ctx.lossy("tool_choice.name", f"tool_choice {tc.mode!r} takes no name; dropped")
            return tc.mode
        if tc.name is None:
            ctx.lossy("tool_choice", "tool_choice 'tool' without a name cannot be sent; dropped")
            return None
        return {"type": "function", "name": tc.name}

    # -- messages

    def _lower_messages(self, req: Request, ctx: EncodeContext) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        recs: list[_Rec] = []
        for i, m in enumerate(req.messages):
            self._lower_message(m, i, items, recs, ctx)
        # Check the items against the decode grouping: report messages that would merge or split.
        groups = _group(recs)
        changes: list[str] = []
        where: dict[int, set[int]] = {}
        for g, group in enumerate(groups):
            for r in group:
                where.setdefault(r.src, set()).add(g)
        for i, m in enumerate(req.messages):
            gs = where.get(i, set())
            others = sorted({r.src for g in gs for r in groups[g]} - {i})
            if any(r.role != m.role for r in recs if r.src == i):
                changes.append(f"messages[{i}] has parts that become input items of another role than {m.role}")
            elif len(gs) > 1:
                changes.append(f"messages[{i}] reads back as several turns")
            elif others:
                changes.append(
                    f"messages[{i}] reads back as one turn with " + ", ".join(f"messages[{k}]" for k in others)
                )
        if changes:
            # The turns regroup: the message list reads back with another shape, so no finer path
            # is reliable. Report the list as a whole, with every finer loss in the reason.
            finer = [w for w in ctx.warnings if w.path == "messages" or w.path.startswith(("messages[", "messages."))]
            ctx.warnings[:] = [w for w in ctx.warnings if w not in finer]
            detail = "; ".join(changes + [f"{w.path}: {w.reason}" for w in finer])
            ctx.lossy("messages", f"the input items regroup into {len(groups)} turns: {detail}")
        return items

    def _lower_message(
        self, m: Message, i: int, items: list[dict[str, Any]], recs: list[_Rec], ctx: EncodeContext
    ) -> None:
        path = f"messages[{i}]"
        own = dict(own_options(m.provider_options, path, ctx))
        wire_role: str = m.role
        opts: dict[str, Any] = {}
        if "role" in own:
            role_opt = own.pop("role")
            if m.role == "system" and role_opt == "developer":
                wire_role = "developer"
                opts["role"] = "developer"
            else:
                ctx.lossy(f"{path}.provider_options.{NAME}.role", f"role is written from the IR ({m.role}); dropped")
        extras: dict[str, Any] = {}
        for key, value in own.items():
            if key in ("type", "content"):
                ctx.lossy(f"{path}.provider_options.{NAME}.{key}", f"{key!r} is written from the IR; dropped")
            else:
                extras[key] = value
        opts.update(extras)
        n_before = len(items)
        dropped = 0
        pending: list[dict[str, Any]] = []
        pending_parts: list[Part] = []

        def flush() -> None:
            if pending:
                items.append({"type": "message", "role": wire_role, "content": list(pending), **extras})
                recs.append(_Rec(m.role, True, dict(opts), list(pending_parts), i))
                pending.clear()
                pending_parts.clear()

        for j, p in enumerate(m.content):
            ppath = f"{path}.content[{j}]"
            low = _CONTENT_LOWERING.get(type(p))
            if low is not None:
                got = low(self, p, ppath, m.role, ctx)
                dropped += got is None
                if got is not None:
                    part, lifted = got
                    pending.append(part)
                    pending_parts.append(lifted)
                continue
            item = self._lower_item(p, ppath, m.role, ctx)
            if item is None:
                dropped += 1
                continue
            if item[0] == "content":
                pending.append(item[1])
                pending_parts.append(p)
                continue
            flush()
            items.append(item[1])
            recs.append(_Rec(_item_role(item[1]) if isinstance(p, ProviderPart) else item[0], False, {}, [p], i))
        flush()
        if dropped and len(m.content) > 1:
            # The remaining parts shift position; report the list as a whole too.
            ctx.lossy(f"{path}.content", f"{dropped} of its parts could not be sent (see their warnings)")
        if len(items) == n_before:
            items.append({"type": "message", "role": wire_role, "content": [], **extras})
            recs.append(_Rec(m.role, True, dict(opts), [], i))
        elif opts and not any(r.is_message for r in recs if r.src == i):
            ctx.lossy(f"{path}.provider_options.{NAME}", "the message has no message item to carry these fields")

    def _breakpoint(
        self, cache: CacheControl | None, out: dict[str, Any], own: dict[str, Any], path: str, ctx: EncodeContext
    ) -> None:
        if cache is None:
            return
        if "prompt_cache_breakpoint" in own:
            ctx.lossy(f"{path}.provider_options.{NAME}.prompt_cache_breakpoint", "written from the IR cache mark")
            del own["prompt_cache_breakpoint"]
        out["prompt_cache_breakpoint"] = {"mode": "explicit", "ttl": cache.ttl.value}

    def _lower_text_part(self, p: Text, path: str, role: str, ctx: EncodeContext) -> tuple[dict[str, Any], Part] | None:
        own = dict(own_options(p.provider_options, path, ctx))
        if role == "assistant":
            # Earlier assistant output is output_text, which requires annotations
            # (response_output_text_param.py); annotations travel in provider_options.
            if own.get("annotations", None) == []:
                ctx.lossy(f"{path}.provider_options.{NAME}.annotations", "no annotations is the default; not kept")
            out: dict[str, Any] = {"type": "output_text", "text": p.text, "annotations": own.pop("annotations", [])}
        else:
            out = {"type": "input_text", "text": p.text}
            self._breakpoint(p.cache, out, own, path, ctx)
        return _merge(out, own, path, ctx), p

    def _lower_refusal(
        self, p: Refusal, path: str, role: str, ctx: EncodeContext
    ) -> tuple[dict[str, Any], Part] | None:
        if role != "assistant":
            ctx.lossy(path, f"refusal parts exist only in assistant messages, not {role}; dropped")
            return None
        out: dict[str, Any] = {"type": "refusal", "refusal": p.text}
        return _merge(out, own_options(p.provider_options, path, ctx), path, ctx), p

    def _lower_image(self, p: Image, path: str, role: str, ctx: EncodeContext) -> tuple[dict[str, Any], Part] | None:
        if role == "assistant":
            ctx.lossy(path, "assistant messages hold only output_text and refusal parts; image dropped")
            return None
        return self._image_part(p, path, ctx), p

    def _image_part(self, p: Image, path: str, ctx: EncodeContext) -> dict[str, Any]:
        own = dict(own_options(p.provider_options, path, ctx))
        out: dict[str, Any] = {"type": "input_image"}
        src = p.source
        if isinstance(src, Base64Source):
            url = _data_url(src.media_type, src.data)
            if _parse_data_url(url) != (src.media_type, src.data):
                ctx.lossy(f"{path}.source", "this media type does not survive a data URL")
            out["image_url"] = url
            precedence: tuple[str, ...] = ()
        elif isinstance(src, UrlSource):
            out["image_url"] = src.url
            if _parse_data_url(src.url) is not None:
                ctx.lossy(f"{path}.source", "a base64 data URL reads back as inline bytes")
            precedence = ()
        else:
            out["file_id"] = src.file_id
            precedence = ("image_url",)
        if src.media_type is not None and not isinstance(src, Base64Source):
            ctx.lossy(f"{path}.source.media_type", "input_image has no media type beside a URL or file id; dropped")
        self._drop_shadowing(own, precedence, path, ctx)
        if own.get("detail", None) == _DEFAULT_DETAIL:
            ctx.lossy(f"{path}.provider_options.{NAME}.detail", "detail 'auto' is the default; not kept as an option")
        out["detail"] = own.pop("detail", _DEFAULT_DETAIL)
        self._breakpoint(p.cache, out, own, path, ctx)
        return _merge(out, own, path, ctx)

    def _drop_shadowing(self, own: dict[str, Any], keys: tuple[str, ...], path: str, ctx: EncodeContext) -> None:
        # A raw source field that decoding would prefer over the IR source is dropped.
        for k in keys:
            if isinstance(own.get(k), str):
                ctx.lossy(f"{path}.provider_options.{NAME}.{k}", "it would replace the IR source; dropped")
                del own[k]

    def _lower_document(
        self, p: Document, path: str, role: str, ctx: EncodeContext
    ) -> tuple[dict[str, Any], Part] | None:
        if role == "assistant":
            ctx.lossy(path, "assistant messages hold only output_text and refusal parts; document dropped")
            return None
        return self._document_part(p, path, ctx)

    def _document_part(self, p: Document, path: str, ctx: EncodeContext) -> tuple[dict[str, Any], Part]:
        src = p.source
        if isinstance(src, TextSource):
            ctx.lossy(path, "input_file takes no inline plain text; sent as an input_text part")
            out: dict[str, Any] = {"type": "input_text", "text": src.text}
            if p.cache is not None:
                out["prompt_cache_breakpoint"] = {"mode": "explicit", "ttl": p.cache.ttl.value}
            for name in p.provider_options:
                if name != NAME:
                    ctx.lossy(
                        f"{path}.provider_options.{name}", f"options for codec {name!r} are not carried by {NAME}"
                    )
            return out, Text(text=src.text, cache=p.cache)
        own = dict(own_options(p.provider_options, path, ctx))
        out = {"type": "input_file"}
        if isinstance(src, Base64Source):
            url = _data_url(src.media_type, src.data)
            if _parse_data_url(url) != (src.media_type, src.data):
                ctx.lossy(f"{path}.source", "this media type does not survive a data URL")
            out["file_data"] = url
            precedence: tuple[str, ...] = ()
        elif isinstance(src, UrlSource):
            out["file_url"] = src.url
            precedence = ("file_data",)
        else:
            out["file_id"] = src.file_id
            precedence = ("file_data", "file_url")
        if src.media_type is not None and not isinstance(src, Base64Source):
            ctx.lossy(f"{path}.source.media_type", "input_file has no media type beside a URL or file id; dropped")
        self._drop_shadowing(own, precedence, path, ctx)
        if p.name is not None:
            out["filename"] = p.name
        if p.context is not None:
            ctx.lossy(f"{path}.context", "input_file has no context field; dropped")
        if p.citations is not None:
            ctx.lossy(f"{path}.citations", "input_file has no citations switch; dropped")
        self._breakpoint(p.cache, out, own, path, ctx)
        return _merge(out, own, path, ctx), p

    def _lower_dropped(self, p: Part, path: str, role: str, ctx: EncodeContext) -> tuple[dict[str, Any], Part] | None:
        what = "audio input" if isinstance(p, Audio) else "a JSON part" if isinstance(p, Json) else type(p).__name__
        ctx.lossy(path, f"Responses messages cannot carry {what}; dropped")
        return None

    def _lower_item(self, p: Part, path: str, role: str, ctx: EncodeContext) -> tuple[str, dict[str, Any]] | None:
        """Parts that become their own input items: ("assistant"|"user", item), or
        ("content", part) for an opaque content part."""
        if isinstance(p, ToolUse):
            return "assistant", self._lower_tool_use(p, path, ctx)
        if isinstance(p, ToolResult):
            return "user", self._lower_tool_result(p, path, ctx)
        if isinstance(p, Thinking | RedactedThinking):
            item = self._lower_reasoning_item(p, path, ctx)
            return None if item is None else ("assistant", item)
        if isinstance(p, ProviderPart):
            return self._lower_provider_part(p, path, role, ctx)
        raise TypeError(f"no lowering for {type(p).__name__}")  # pragma: no cover - table is complete

    def _lower_tool_use(self, p: ToolUse, path: str, ctx: EncodeContext) -> dict[str, Any]:
        own = dict(own_options(p.provider_options, path, ctx))
        args = _canon_args(p.input)
        raw = own.pop("arguments", None)
        if isinstance(raw, str):
            # Keep the model's own argument text byte for byte where it means the same object.
            try:
                same = _json_key(msgspec.json.decode(raw)) == _json_key(p.input)
            except msgspec.DecodeError:
                same = False
            if same:
                args = raw
            else:
                ctx.lossy(f"{path}.provider_options.{NAME}.arguments", "raw arguments differ from input; input is sent")
        elif raw is not None:
            ctx.lossy(f"{path}.provider_options.{NAME}.arguments", "raw arguments must be a string; dropped")
        out = {"type": "function_call", "call_id": p.id, "name": p.name, "arguments": args}
        return _merge(out, own, path, ctx)

    def _lower_tool_result(self, p: ToolResult, path: str, ctx: EncodeContext) -> dict[str, Any]:
        own = dict(own_options(p.provider_options, path, ctx))
        if p.is_error:
            ctx.lossy(f"{path}.is_error", "function_call_output has no error flag; dropped")
        c = p.content
        parts: list[dict[str, Any]] = []
        for k, q in enumerate(c):
            part = self._lower_result_part(q, f"{path}.content[{k}]", ctx)
            if part is not None:
                parts.append(part)
        if 1 < len(c) and len(parts) < len(c):
            ctx.lossy(f"{path}.content", f"{len(c) - len(parts)} of its parts could not be sent (see their warnings)")
        # One plain text part is sent as the output string (the documented common form).
        output: str | list[dict[str, Any]] = parts
        if len(parts) == 1 and set(parts[0]) == {"type", "text"} and parts[0]["type"] == "input_text":
            output = parts[0]["text"]
        out = {"type": "function_call_output", "call_id": p.tool_use_id, "output": output}
        return _merge(out, own, path, ctx)

    def _lower_result_part(self, q: Part, path: str, ctx: EncodeContext) -> dict[str, Any] | None:
        if isinstance(q, Text):
            own = dict(own_options(q.provider_options, path, ctx))
            out: dict[str, Any] = {"type": "input_text", "text": q.text}
            self._breakpoint(q.cache, out, own, path, ctx)
            return _merge(out, own, path, ctx)
        if isinstance(q, Image):
            return self._image_part(q, path, ctx)
        if isinstance(q, Document):
            return self._document_part(q, path, ctx)[0]
        if isinstance(q, Json):
            ctx.lossy(path, "function_call_output has no JSON part; sent as input_text with the JSON text")
            out = {"type": "input_text", "text": _canon_args(q.value)}
            if q.cache is not None:
                out["prompt_cache_breakpoint"] = {"mode": "explicit", "ttl": q.cache.ttl.value}
            return out
        if isinstance(q, ProviderPart) and q.codec == NAME:
            t = q.data.get("type")
            if t in _INPUT_PARTS and self._relifts(q, "user"):
                return dict(q.data)
            ctx.lossy(path, "this raw part is not a tool-output part that reads back as itself; dropped")
            return None
        ctx.lossy(path, f"function_call_output cannot carry {type(q).__name__}; dropped")
        return None

    def _lower_reasoning_item(
        self, p: Thinking | RedactedThinking, path: str, ctx: EncodeContext
    ) -> dict[str, Any] | None:
        own = dict(own_options(p.provider_options, path, ctx))
        rid = own.pop("id", None)
        if not isinstance(rid, str):
            # A reasoning item is required to carry the id OpenAI gave it
            # (response_reasoning_item_param.py); reasoning from elsewhere cannot be replayed.
            ctx.lossy(path, "reasoning items need the id OpenAI assigned; thinking without one is dropped")
            return None
        out: dict[str, Any] = {"type": "reasoning", "id": rid}
        if isinstance(p, Thinking):
            out["summary"] = [{"type": "summary_text", "text": p.text}] if p.text else []
            if p.signature is not None:
                out["encrypted_content"] = p.signature
        else:
            ctx.lossy(
                path,
                "redacted thinking is sent as a reasoning item with only encrypted_content; reads back as thinking",
            )
            out["summary"] = []
            out["encrypted_content"] = p.data
        for k in ("summary", "encrypted_content", "content"):
            if k in own and k in out:
                ctx.lossy(f"{path}.provider_options.{NAME}.{k}", f"{k!r} is written from the IR; dropped")
                del own[k]
        if "content" in own:
            ctx.lossy(
                f"{path}.provider_options.{NAME}.content", "reasoning text content would make the item opaque; dropped"
            )
            del own["content"]
        return _merge(out, own, path, ctx)

    def _relifts(self, p: ProviderPart, role: str) -> bool:
        try:
            return self._lift_content(p.data, role, "$") == p
        except DecodeError:
            return False

    def _lower_provider_part(
        self, p: ProviderPart, path: str, role: str, ctx: EncodeContext
    ) -> tuple[str, dict[str, Any]] | None:
        if p.codec != NAME:
            ctx.lossy(path, f"a {p.codec!r} provider part cannot be sent to {NAME}; dropped")
            return None
        t = p.data.get("type")
        if t in _INPUT_PARTS or t in _OUTPUT_PARTS:
            want = _OUTPUT_PARTS if role == "assistant" else _INPUT_PARTS
            if t in want and self._relifts(p, role):
                return "content", dict(p.data)
            ctx.lossy(path, f"this raw {t} part does not read back as itself in a {role} message; dropped")
            return None
        try:
            lifted = self._lift_item(p.data, "$", "30m")
        except DecodeError as exc:
            ctx.lossy(path, f"this raw input item is not valid Responses wire ({exc}); dropped")
            return None
        if lifted.is_message or lifted.parts != [p]:
            ctx.lossy(path, "this raw input item reads back as something else; sent as given")
        return "item", dict(p.data)

    # ----------------------------------------------------------------------------------------
    # Lifting

    def decode(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        """Lift a Responses request body to IR; raises :class:`DecodeError` naming the JSON path."""
        body = expect_object(load_json(payload), "$")
        wire_convert(body, WRequest)
        rest = dict(body)
        kw: dict[str, Any] = {}
        opts: dict[str, Any] = {}

        def take(key: str, ok: Callable[[Any], bool], ir: str | None = None) -> None:
            if key in rest:
                v = rest.pop(key)
                if ok(v):
                    kw[ir or key] = v
                else:
                    opts[key] = v

        take("model", lambda v: isinstance(v, str))
        if isinstance(rest.get("instructions"), str):
            kw["system"] = [SystemBlock(text=rest.pop("instructions"))]
        take("parallel_tool_calls", lambda v: isinstance(v, bool))
        take("max_output_tokens", lambda v: isinstance(v, int), "max_tokens")
        take("temperature", lambda v: v is not None)
        take("top_p", lambda v: v is not None)
        take("metadata", lambda v: v is not None)
        take("safety_identifier", lambda v: isinstance(v, str), "user")
        take("prompt_cache_key", lambda v: isinstance(v, str), "cache_key")
        take("stream", lambda v: isinstance(v, bool))

        # prompt cache options: the default TTL of breakpoints without one
        pco = rest.get("prompt_cache_options")
        default_ttl = pco.get("ttl", "30m") if isinstance(pco, dict) else "30m"

        raw_input = rest.pop("input", [])
        if isinstance(raw_input, str):
            raw_input = [{"type": "message", "role": "user", "content": raw_input}]
        recs = [self._lift_item(it, f"$.input[{i}]", default_ttl) for i, it in enumerate(raw_input)]
        messages = [_message_from_group(g) for g in _group(recs)]
        if messages:
            kw["messages"] = messages

        if "prompt_cache_options" in rest:
            pco = dict(rest.pop("prompt_cache_options"))
            if pco.get("mode", "implicit") == "implicit":
                pco.pop("mode", None)
                kw["cache"] = CacheControl(ttl=_TTLS[pco.pop("ttl", "30m")])
                if pco:
                    opts["prompt_cache_options"] = pco
            else:
                opts["prompt_cache_options"] = pco

        if "tools" in rest:
            kw["tools"] = [self._lift_tool(t, f"$.tools[{i}]") for i, t in enumerate(rest.pop("tools"))]
        if "tool_choice" in rest:
            tc = self._lift_tool_choice(rest["tool_choice"])
            if tc is not None:
                kw["tool_choice"] = tc
                del rest["tool_choice"]
        if "text" in rest:
            text = dict(rest.pop("text"))
            rf = self._lift_format(text.get("format"))
            if rf is not None:
                kw["response_format"] = rf
                del text["format"]
                if text:
                    opts["text"] = text
            else:
                opts["text"] = text
        if isinstance(rest.get("reasoning"), dict):
            reasoning = dict(rest.pop("reasoning"))
            if isinstance(reasoning.get("effort"), str):
                kw["reasoning_effort"] = reasoning.pop("effort")
                if reasoning:
                    opts["reasoning"] = reasoning
            else:
                opts["reasoning"] = reasoning
        opts.update(rest)
        return Request(**kw, provider_options=_opts(opts))

    def _lift_tool_choice(self, tc: Any) -> ToolChoice | None:
        if tc in ("auto", "required", "none"):
            return ToolChoice(mode=tc)
        if (
            isinstance(tc, dict)
            and set(tc) == {"type", "name"}
            and tc["type"] == "function"
            and isinstance(tc["name"], str)
        ):
            return ToolChoice(mode="tool", name=tc["name"])
        return None

    def _lift_format(self, fmt: Any) -> ResponseFormat | None:
        if not isinstance(fmt, dict):
            return None
        t = fmt.get("type")
        if t in ("text", "json_object") and set(fmt) == {"type"}:
            return ResponseFormat(type=t)
        if t != "json_schema" or not set(fmt) <= {"type", "name", "schema", "description", "strict"}:
            return None
        name, schema = fmt.get("name"), fmt.get("schema")
        desc, strict = fmt.get("description", None), fmt.get("strict", None)
        if not isinstance(name, str) or not isinstance(schema, dict):
            return None
        if ("description" in fmt and not isinstance(desc, str)) or ("strict" in fmt and not isinstance(strict, bool)):
            return None
        return ResponseFormat(type="json_schema", name=name, schema=schema, description=desc, strict=strict)

    def _lift_tool(self, tool: Any, path: str) -> ToolSpec:
        tool = expect_object(tool, path)
        wire_convert(tool, WTool, path)
        if tool["type"] != "function":
            return ProviderTool(codec=NAME, data=tool)
        wire_convert(tool, WFunctionTool, path)
        if not isinstance(tool.get("parameters"), dict):
            return ProviderTool(codec=NAME, data=tool)
        rest = {k: v for k, v in tool.items() if k not in ("type", "name", "parameters")}
        kw: dict[str, Any] = {}
        if isinstance(rest.get("strict"), bool):
            kw["strict"] = rest.pop("strict")
        if isinstance(rest.get("description"), str):
            kw["description"] = rest.pop("description")
        return Tool(name=tool["name"], input_schema=tool["parameters"], **kw, provider_options=_opts(rest))

    def _lift_item(self, item: Any, path: str, default_ttl: str) -> _Rec:
        item = expect_object(item, path)
        t = item.get("type", UNSET)
        if t is UNSET and "role" in item:
            t = "message"
        struct = _ITEM_TYPES.get(t) if isinstance(t, str) else None
        wire_convert(item, struct or WItem, path)
        opaque = _Rec(_item_role(item), False, {}, [ProviderPart(codec=NAME, data=item)])
        if t == "message":
            role = item["role"]
            ir_role = "system" if role == "developer" else role
            content = item["content"]
            if isinstance(content, str):
                content = [{"type": "output_text" if role == "assistant" else "input_text", "text": content}]
            parts: list[Part] = []
            for j, c in enumerate(content):
                part = self._lift_content(c, role, f"{path}.content[{j}]", default_ttl)
                if part is None:
                    return opaque
                parts.append(part)
            opts = {k: v for k, v in item.items() if k not in ("type", "role", "content")}
            if role == "developer":
                opts["role"] = "developer"
            return _Rec(ir_role, True, opts, parts)
        if t == "function_call":
            try:
                args = msgspec.json.decode(item["arguments"])
            except msgspec.DecodeError:
                return opaque
            if not isinstance(args, dict):
                return opaque
            rest = {k: v for k, v in item.items() if k not in ("type", "call_id", "name", "arguments")}
            if item["arguments"] != _canon_args(args):
                rest["arguments"] = item["arguments"]
            use = ToolUse(id=item["call_id"], name=item["name"], input=args, provider_options=_opts(rest))
            return _Rec("assistant", False, {}, [use])
        if t == "function_call_output":
            if not isinstance(item.get("call_id"), str):
                return opaque
            out = item["output"]
            results: list[Any] = []
            if isinstance(out, str):
                results = [Text(text=out)]
            else:
                for k, c in enumerate(out):
                    part = self._lift_content(c, "user", f"{path}.output[{k}]", default_ttl)
                    if part is None:
                        return opaque
                    results.append(part)
            rest = {k: v for k, v in item.items() if k not in ("type", "call_id", "output")}
            res = ToolResult(tool_use_id=item["call_id"], content=results, provider_options=_opts(rest))
            return _Rec("user", False, {}, [res])
        if t == "reasoning":
            summary = item["summary"]
            if "content" in item or len(summary) > 1 or any(set(s) != {"type", "text"} for s in summary):
                return opaque
            if summary and summary[0]["text"] == "":
                return opaque
            rest = {k: v for k, v in item.items() if k not in ("type", "summary", "encrypted_content")}
            sig = item.get("encrypted_content")
            if "encrypted_content" in item and not isinstance(sig, str):
                rest["encrypted_content"] = sig
            thinking = Thinking(
                text=summary[0]["text"] if summary else "",
                signature=sig if isinstance(sig, str) else None,
                provider_options=_opts(rest),
            )
            return _Rec("assistant", False, {}, [thinking])
        return opaque

    def _lift_breakpoint(self, c: dict[str, Any], rest: dict[str, Any], default_ttl: str) -> CacheControl | None:
        bp = c.get("prompt_cache_breakpoint")
        if isinstance(bp, dict) and set(bp) <= {"mode", "ttl"} and bp.get("mode") == "explicit":
            rest.pop("prompt_cache_breakpoint", None)
            return CacheControl(ttl=_TTLS[bp.get("ttl", default_ttl)])
        return None

    def _lift_content(self, c: Any, role: str, path: str, default_ttl: str = "30m") -> Part | None:
        """One content part; ``None`` when the message holding it must stay opaque."""
        c = expect_object(c, path)
        t = c.get("type")
        allowed = _OUTPUT_PARTS if role == "assistant" else _INPUT_PARTS
        if not isinstance(t, str) or t not in allowed:
            return None
        wire_convert(c, _PART_TYPES[t], path)
        rest = {k: v for k, v in c.items() if k != "type"}
        if t == "input_text":
            del rest["text"]
            cache = self._lift_breakpoint(c, rest, default_ttl)
            return Text(text=c["text"], cache=cache, provider_options=_opts(rest))
        if t == "output_text":
            del rest["text"]
            if rest.get("annotations") == []:
                del rest["annotations"]
            return Text(text=c["text"], provider_options=_opts(rest))
        if t == "refusal":
            del rest["refusal"]
            return Refusal(text=c["refusal"], provider_options=_opts(rest))
        if t == "input_image":
            src: Any
            if isinstance(c.get("image_url"), str):
                url = rest.pop("image_url")
                parsed = _parse_data_url(url)
                src = Base64Source(media_type=parsed[0], data=parsed[1]) if parsed else UrlSource(url=url)
            elif isinstance(c.get("file_id"), str):
                src = FileSource(file_id=rest.pop("file_id"))
            else:
                return ProviderPart(codec=NAME, data=c)
            if rest.get("detail", _DEFAULT_DETAIL) == _DEFAULT_DETAIL:
                rest.pop("detail", None)
            cache = self._lift_breakpoint(c, rest, default_ttl)
            return Image(source=src, cache=cache, provider_options=_opts(rest))
        # input_file
        if isinstance(c.get("file_data"), str):
            parsed = _parse_data_url(c["file_data"])
            if parsed is None:
                return ProviderPart(codec=NAME, data=c)
            rest.pop("file_data")
            src = Base64Source(media_type=parsed[0], data=parsed[1])
        elif isinstance(c.get("file_url"), str):
            src = UrlSource(url=rest.pop("file_url"))
        elif isinstance(c.get("file_id"), str):
            src = FileSource(file_id=rest.pop("file_id"))
        else:
            return ProviderPart(codec=NAME, data=c)
        name = rest.pop("filename") if isinstance(c.get("filename"), str) else None
        cache = self._lift_breakpoint(c, rest, default_ttl)
        return Document(source=src, name=name, cache=cache, provider_options=_opts(rest))

    # ----------------------------------------------------------------------------------------
    # Responses and streams

    def decode_response(self, payload: Mapping[str, Any] | bytes | str) -> Response:
        """Lift a Responses API response object (``openai/types/responses/response.py``).

        Output items become parts in order: ``output_text`` -> Text, ``refusal`` -> Refusal,
        ``function_call`` -> ToolUse, ``reasoning`` -> Thinking (summaries joined with a blank
        line, signature = ``encrypted_content``), anything else -> ProviderPart. Usage follows
        PROVIDERS.md's cheat sheet: ``input_tokens`` includes cached and written tokens.
        """
        body = expect_object(load_json(payload), "$")
        wire_convert(body, WResponse)
        content: list[Part] = []
        for i, item in enumerate(body.get("output") or []):
            content += [p for _, p in _response_parts(item, f"$.output[{i}]", i)]
        stop, raw = _stop_reason(body, content)
        usage = body.get("usage")
        return Response(
            id=body.get("id"),
            model=body.get("model"),
            content=content,
            stop_reason=stop,
            raw_stop_reason=raw,
            usage=_usage(usage, "$.usage") if usage is not None else Usage(),
        )

    def stream_decoder(self) -> StreamDecoder:
        """A decoder for the Responses SSE stream (``response_stream_event.py``)."""
        return ResponsesStreamDecoder()

    # ----------------------------------------------------------------------------------------
    # Validation, canonical form, SDK form

    def validate_wire(self, body: Mapping[str, Any]) -> None:
        """Check ``body`` against the wire types, item by item and tool by tool."""
        self.decode(dict(body))

    def canonicalize(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Rewrite ``payload`` into the form :meth:`encode` produces (see ``CANONICALIZATIONS``)."""
        out = msgspec.json.decode(msgspec.json.encode(payload))
        pco = out.get("prompt_cache_options")
        default_ttl = pco.get("ttl", "30m") if isinstance(pco, dict) else "30m"
        inp = out.get("input", UNSET)
        if isinstance(inp, str):
            inp = [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": inp}]}]
        if isinstance(inp, list):
            inp = [self._canon_item(it, default_ttl) for it in inp]
            if inp:
                out["input"] = inp
            else:
                out.pop("input", None)
        if isinstance(pco, dict) and pco.get("mode", "implicit") == "implicit":
            pco.setdefault("mode", "implicit")
            pco.setdefault("ttl", "30m")
        return dict(out)

    def _canon_item(self, it: Any, ttl: str) -> Any:
        if not isinstance(it, dict):
            return it
        rec = self._lift_item(it, "$", ttl)
        if rec.parts and isinstance(rec.parts[0], ProviderPart) and not rec.is_message:
            return it  # an opaque item travels as given
        t = it.get("type", "message" if "role" in it else None)
        if t == "message":
            it = {"type": "message", **it}
            content = it["content"]
            if isinstance(content, str):
                kind = "output_text" if it["role"] == "assistant" else "input_text"
                content = [{"type": kind, "text": content}]
            it["content"] = [self._canon_part(c, ttl, it["role"]) for c in content]
        elif t == "function_call_output":
            out = it["output"]
            if isinstance(out, list):
                out = [self._canon_part(c, ttl, "user") for c in out]
                if (
                    len(out) == 1
                    and out[0] == {"type": "input_text", "text": out[0].get("text")}
                    and isinstance(out[0]["text"], str)
                ):
                    out = out[0]["text"]
            it["output"] = out
        return it

    def _canon_part(self, c: dict[str, Any], ttl: str, role: str) -> dict[str, Any]:
        if isinstance(self._lift_content(c, role, "$", ttl), ProviderPart):
            return c  # an opaque part travels as given
        c = dict(c)
        t = c.get("type")
        if t == "output_text":
            c.setdefault("annotations", [])
        if t == "input_image" and (isinstance(c.get("image_url"), str) or isinstance(c.get("file_id"), str)):
            c.setdefault("detail", _DEFAULT_DETAIL)
        bp = c.get("prompt_cache_breakpoint")
        if t in _INPUT_PARTS and isinstance(bp, dict) and set(bp) <= {"mode", "ttl"} and bp.get("mode") == "explicit":
            c["prompt_cache_breakpoint"] = {"mode": "explicit", "ttl": bp.get("ttl", ttl)}
        return c

    def sdk_kwargs(self, body: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        """Keyword arguments for ``openai.OpenAI().responses.create``: typed parameters by name,
        every other field in ``extra_body``."""
        import inspect

        from openai.resources.responses import Responses  # imported lazily: the SDK is slow to load

        known = set(inspect.signature(Responses.create).parameters) - {
            "self",
            "extra_body",
            "extra_headers",
            "extra_query",
            "timeout",
        }
        kw: dict[str, Any] = {k: v for k, v in body.items() if k in known}
        extra = {k: v for k, v in body.items() if k not in known}
        if extra:
            kw["extra_body"] = extra
        kw.update(options)
        return kw


_ContentLowering = Callable[[OpenAIResponsesCodec, Any, str, str, EncodeContext], "tuple[dict[str, Any], Part] | None"]

_CONTENT_LOWERING: dict[type, _ContentLowering] = {
    Text: OpenAIResponsesCodec._lower_text_part,
    Image: OpenAIResponsesCodec._lower_image,
    Document: OpenAIResponsesCodec._lower_document,
    Refusal: OpenAIResponsesCodec._lower_refusal,
    Audio: OpenAIResponsesCodec._lower_dropped,
    Json: OpenAIResponsesCodec._lower_dropped,
}
"""IR part type -> lowering into a message content part (the rest become their own items)."""


# --------------------------------------------------------------------------------------------
# Responses: wire types, usage, stop reason, stream


class WInputTokensDetails(_W):
    cached_tokens: Annotated[int, msgspec.Meta(ge=0)] = 0
    cache_write_tokens: Annotated[int, msgspec.Meta(ge=0)] = 0
    cache_write_tokens_details: dict[str, Annotated[int, msgspec.Meta(ge=0)]] | None = None


class WOutputTokensDetails(_W):
    reasoning_tokens: Annotated[int, msgspec.Meta(ge=0)] | None = None


class WUsage(_W):
    """``ResponseUsage`` (response_usage.py)."""

    input_tokens: Annotated[int, msgspec.Meta(ge=0)]
    output_tokens: Annotated[int, msgspec.Meta(ge=0)]
    input_tokens_details: WInputTokensDetails | None = None
    output_tokens_details: WOutputTokensDetails | None = None
    total_tokens: int | None = None


class WResponse(_W):
    """``Response`` (response.py): the fields this codec reads."""

    id: str | None = None
    model: str | None = None
    output: list[dict[str, Any]] | None = None
    status: str | None = None
    incomplete_details: dict[str, Any] | None = None
    usage: WUsage | None = None


_PART_STRIDE = 1000
"""Part index = output_index * stride + content_index, so parts keep the output order."""


def _usage(raw: Any, path: str) -> Usage:
    """``input_tokens`` includes ``cached_tokens`` and ``cache_write_tokens`` (PROVIDERS.md 6,
    response_usage.py); the IR buckets are disjoint, so both are subtracted."""
    u = wire_convert(raw, WUsage, path)
    d = u.input_tokens_details or WInputTokensDetails()
    uncached = u.input_tokens - d.cached_tokens - d.cache_write_tokens
    if uncached < 0:
        raise DecodeError(f"{path}.input_tokens", "at least cached_tokens + cache_write_tokens", str(u.input_tokens))
    ttl = d.cache_write_tokens_details
    return Usage(
        uncached_input_tokens=uncached,
        cache_read_tokens=d.cached_tokens,
        cache_write_tokens=d.cache_write_tokens,
        cache_write_30m_tokens=ttl.get("ttl_30m_tokens") if ttl is not None else None,
        cache_write_12h_tokens=ttl.get("ttl_12h_tokens") if ttl is not None else None,
        output_tokens=u.output_tokens,
        reasoning_tokens=u.output_tokens_details.reasoning_tokens if u.output_tokens_details else None,
    )


def _tool_input(arguments: str, path: str) -> dict[str, Any]:
    try:
        value = msgspec.json.decode(arguments.strip() or "{}")
    except msgspec.DecodeError:
        raise DecodeError(path, "JSON text", arguments[:80]) from None
    if not isinstance(value, dict):
        raise DecodeError(path, "a JSON object", type(value).__name__)
    return value


def _response_parts(item: Any, path: str, i: int) -> list[tuple[int, Part]]:
    """(part index, part) for one output item."""
    item = expect_object(item, path)
    t = item.get("type")
    base = i * _PART_STRIDE
    if t == "message":
        wire_convert(item, WMessage, path)
        out: list[tuple[int, Part]] = []
        for k, c in enumerate(item["content"]):
            c = expect_object(c, f"{path}.content[{k}]")
            if c.get("type") == "output_text":
                wire_convert(c, WOutputText, f"{path}.content[{k}]")
                out.append((base + k, Text(text=c["text"])))
            elif c.get("type") == "refusal":
                wire_convert(c, WRefusal, f"{path}.content[{k}]")
                out.append((base + k, Refusal(text=c["refusal"])))
            else:
                out.append((base + k, ProviderPart(codec=NAME, data=c)))
        return out
    if t == "function_call":
        wire_convert(item, WFunctionCall, path)
        use = ToolUse(id=item["call_id"], name=item["name"], input=_tool_input(item["arguments"], f"{path}.arguments"))
        return [(base, use)]
    if t == "reasoning":
        wire_convert(item, WReasoning, path)
        sig = item.get("encrypted_content")
        text = _JOIN.join(s["text"] for s in item["summary"])
        return [(base, Thinking(text=text, signature=sig if isinstance(sig, str) else None))]
    return [(base, ProviderPart(codec=NAME, data=item))]


def _stop_reason(body: Mapping[str, Any], content: list[Part]) -> tuple[StopReason | None, str | None]:
    status = body.get("status")
    if status == "completed":
        if any(isinstance(p, ToolUse) for p in content):
            return "tool_use", "completed"
        if any(isinstance(p, Refusal) for p in content):
            return "refusal", "completed"
        return "end_turn", "completed"
    if status == "incomplete":
        reason = (body.get("incomplete_details") or {}).get("reason")
        mapped: StopReason = {"max_output_tokens": "max_tokens", "content_filter": "content_filter"}.get(
            reason or "", "other"
        )  # type: ignore[assignment]
        return mapped, reason or "incomplete"
    if status == "failed":
        return "error", "failed"
    if status == "cancelled":
        return "other", "cancelled"
    return None, status


class ResponsesStreamDecoder(StreamDecoder):
    """Responses SSE events (``data.type`` names the event) to IR stream events.

    Text, refusal and tool-argument deltas are reassembled per (output_index, content_index);
    whole items that have no delta form (refusals, hosted-tool calls) are added when done;
    ``response.completed`` / ``incomplete`` / ``failed`` carry the usage and the status.
    """

    def __init__(self) -> None:
        super().__init__()
        self._args: dict[int, str] = {}
        self._parts: list[Part] = []

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        data = expect_object(data, "$")
        t = data.get("type", name)
        handler = _STREAM_HANDLERS.get(t) if isinstance(t, str) else None
        return handler(self, data) if handler is not None else []

    def _created(self, data: dict[str, Any]) -> list[StreamEvent]:
        r = expect_object(data.get("response"), "$.response")
        return [MessageStart(id=r.get("id"), model=r.get("model"))]

    def _item_added(self, data: dict[str, Any]) -> list[StreamEvent]:
        i = _index(data, "output_index")
        item = expect_object(data.get("item"), "$.item")
        if item.get("type") == "function_call":
            self._args[i] = ""
            return [ToolCallStart(index=i * _PART_STRIDE, id=str(item.get("call_id")), name=str(item.get("name")))]
        if item.get("type") == "reasoning":
            return [ThinkingDelta(index=i * _PART_STRIDE, text="")]
        return []

    def _part_added(self, data: dict[str, Any]) -> list[StreamEvent]:
        part = expect_object(data.get("part"), "$.part")
        if part.get("type") == "output_text":
            # Open the part, so an empty text still becomes a Text part.
            return [
                TextDelta(index=_index(data, "output_index") * _PART_STRIDE + _index(data, "content_index"), text="")
            ]
        return []

    def _text_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        idx = _index(data, "output_index") * _PART_STRIDE + _index(data, "content_index")
        return [TextDelta(index=idx, text=_text(data, "delta"))]

    def _args_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        i = _index(data, "output_index")
        delta = _text(data, "delta")
        self._args[i] = self._args.get(i, "") + delta
        return [ToolCallDelta(index=i * _PART_STRIDE, arguments=delta)]

    def _summary_part(self, data: dict[str, Any]) -> list[StreamEvent]:
        if _index(data, "summary_index") > 0:
            return [ThinkingDelta(index=_index(data, "output_index") * _PART_STRIDE, text=_JOIN)]
        return []

    def _summary_delta(self, data: dict[str, Any]) -> list[StreamEvent]:
        return [ThinkingDelta(index=_index(data, "output_index") * _PART_STRIDE, text=_text(data, "delta"))]

    def _part_done(self, data: dict[str, Any]) -> list[StreamEvent]:
        part = expect_object(data.get("part"), "$.part")
        idx = _index(data, "output_index") * _PART_STRIDE + _index(data, "content_index")
        if part.get("type") == "refusal":
            wire_convert(part, WRefusal, "$.part")
            self.assembler.add_part(idx, Refusal(text=part["refusal"]))
            self._parts.append(Refusal(text=part["refusal"]))
        elif part.get("type") != "output_text":
            self.assembler.add_part(idx, ProviderPart(codec=NAME, data=part))
        return []

    def _item_done(self, data: dict[str, Any]) -> list[StreamEvent]:
        i = _index(data, "output_index")
        item = expect_object(data.get("item"), "$.item")
        t = item.get("type")
        if t == "function_call":
            self._parts.append(ToolUse(id="", name="", input={}))
            full = item.get("arguments")
            if isinstance(full, str) and not self._args.get(i) and full:
                return [ToolCallDelta(index=i * _PART_STRIDE, arguments=full)]
            return []
        if t == "reasoning":
            sig = item.get("encrypted_content")
            return [ThinkingDelta(index=i * _PART_STRIDE, signature=sig)] if isinstance(sig, str) else []
        if t != "message":
            self.assembler.add_part(i * _PART_STRIDE, ProviderPart(codec=NAME, data=item))
        return []

    def _finished(self, data: dict[str, Any]) -> list[StreamEvent]:
        r = expect_object(data.get("response"), "$.response")
        wire_convert(r, WResponse, "$.response")
        out: list[StreamEvent] = [MessageStart(id=r.get("id"), model=r.get("model"))]
        if r.get("usage") is not None:
            out.append(UsageUpdate(usage=_usage(r["usage"], "$.response.usage")))
        stop, raw = _stop_reason(r, self._parts)
        out.append(Stop(stop_reason=stop, raw_stop_reason=raw))
        return out


def _index(data: Mapping[str, Any], key: str) -> int:
    v = data.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise DecodeError(f"$.{key}", "a non-negative integer", type(v).__name__)
    return v


def _text(data: Mapping[str, Any], key: str) -> str:
    v = data.get(key)
    if not isinstance(v, str):
        raise DecodeError(f"$.{key}", "a string", type(v).__name__)
    return v


_STREAM_HANDLERS: dict[str, Callable[[ResponsesStreamDecoder, dict[str, Any]], list[StreamEvent]]] = {
    "response.created": ResponsesStreamDecoder._created,
    "response.output_item.added": ResponsesStreamDecoder._item_added,
    "response.content_part.added": ResponsesStreamDecoder._part_added,
    "response.output_text.delta": ResponsesStreamDecoder._text_delta,
    "response.function_call_arguments.delta": ResponsesStreamDecoder._args_delta,
    "response.reasoning_summary_part.added": ResponsesStreamDecoder._summary_part,
    "response.reasoning_summary_text.delta": ResponsesStreamDecoder._summary_delta,
    "response.content_part.done": ResponsesStreamDecoder._part_done,
    "response.output_item.done": ResponsesStreamDecoder._item_done,
    "response.completed": ResponsesStreamDecoder._finished,
    "response.incomplete": ResponsesStreamDecoder._finished,
    "response.failed": ResponsesStreamDecoder._finished,
}
"""Stream event type -> handler; other events (in_progress, *.done echoes, ...) carry nothing new."""
