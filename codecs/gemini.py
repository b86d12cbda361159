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
  ``:streamGenerateContent``), never in the body: IR ``model`` and ``stream`` are reported lost.
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
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal

import msgspec
from msgspec import UNSET, UnsetType

from ..codec import Codec, EncodeContext, load_json, register, wire_convert
from ..errors import DecodeError
from ..invariant import covers, diff_paths
from ..ir import (
    Audio,
    Base64Source,
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

__all__ = ["GeminiCodec", "GeminiStreamDecoder", "GenerateContentRequest", "GenerateContentResponse", "usage_from_wire"]

NAME = "gemini"

# --------------------------------------------------------------------------------------------
# Wire types (google-genai types.py; REST names from models.py `_*_to_mldev`). Unknown fields
# are allowed: provider_options may add any raw field at any level.


class _W(msgspec.Struct, rename="camel", omit_defaults=True):
    pass


class Blob(_W):
    mime_type: str
    data: str


class FileData(_W):
    file_uri: str
    mime_type: str | UnsetType = UNSET


class FunctionCall(_W):
    name: str
    id: str | UnsetType = UNSET
    args: dict[str, Any] | UnsetType = UNSET


class FunctionResponsePart(_W):
    inline_data: Blob | UnsetType = UNSET
    file_data: FileData | UnsetType = UNSET


class FunctionResponse(_W):
    name: str
    id: str | UnsetType = UNSET
    response: dict[str, Any] | UnsetType = UNSET
    parts: list[FunctionResponsePart] | UnsetType = UNSET


class WirePart(_W):
    text: str | UnsetType = UNSET
    thought: bool | UnsetType = UNSET
    thought_signature: str | UnsetType = UNSET
    inline_data: Blob | UnsetType = UNSET
    file_data: FileData | UnsetType = UNSET
    function_call: FunctionCall | UnsetType = UNSET
    function_response: FunctionResponse | UnsetType = UNSET


class Content(_W):
    parts: list[WirePart] = []
    role: Literal["user", "model"] | UnsetType = UNSET


class SystemInstruction(_W):
    """The API ignores the role of the system instruction; any string is accepted on decode."""

    parts: list[WirePart] = []
    role: str | UnsetType = UNSET


class FunctionDeclaration(_W):
    name: str
    description: str | UnsetType = UNSET
    parameters: dict[str, Any] | UnsetType = UNSET
    parameters_json_schema: Any = UNSET


class WireTool(_W):
    function_declarations: list[FunctionDeclaration] | UnsetType = UNSET


class FunctionCallingConfig(_W):
    mode: Literal["MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"] | UnsetType = UNSET
    allowed_function_names: list[str] | UnsetType = UNSET


class ToolConfig(_W):
    function_calling_config: FunctionCallingConfig | UnsetType = UNSET


class ThinkingConfig(_W):
    thinking_budget: int | UnsetType = UNSET
    include_thoughts: bool | UnsetType = UNSET
    thinking_level: Literal["THINKING_LEVEL_UNSPECIFIED", "MINIMAL", "LOW", "MEDIUM", "HIGH", "XHIGH"] | UnsetType = (
        UNSET
    )


class GenerationConfig(_W):
    max_output_tokens: int | UnsetType = UNSET
    temperature: float | UnsetType = UNSET
    top_p: float | UnsetType = UNSET
    top_k: float | UnsetType = UNSET
    stop_sequences: list[str] | UnsetType = UNSET
    seed: int | UnsetType = UNSET
    candidate_count: int | UnsetType = UNSET
    response_mime_type: str | UnsetType = UNSET
    response_json_schema: Any = UNSET
    response_schema: dict[str, Any] | UnsetType = UNSET
    thinking_config: ThinkingConfig | UnsetType = UNSET


class GenerateContentRequest(_W):
    contents: list[Content] = []
    system_instruction: SystemInstruction | UnsetType = UNSET
    tools: list[WireTool] | UnsetType = UNSET
    tool_config: ToolConfig | UnsetType = UNSET
    generation_config: GenerationConfig | UnsetType = UNSET
    safety_settings: list[dict[str, Any]] | UnsetType = UNSET
    cached_content: str | UnsetType = UNSET
    labels: dict[str, str] | UnsetType = UNSET


# --------------------------------------------------------------------------------------------
# Field names per wire object. The proto3-JSON parser also accepts the original snake_case
# names (PROVIDERS.md 7a: the REST sample sends `inline_data`/`mime_type`; the SDK passes
# `thinking_budget` through): decode accepts both, encode writes camelCase.

_ROOT = frozenset(
    {
        "contents",
        "systemInstruction",
        "tools",
        "toolConfig",
        "generationConfig",
        "safetySettings",
        "cachedContent",
        "labels",
        "serviceTier",
        "store",
        "continuationToken",
    }
)
_CONTENT = frozenset({"role", "parts"})
# models.py::_Part_to_mldev key list
_PART = frozenset(
    {
        "text",
        "thought",
        "thoughtSignature",
        "inlineData",
        "fileData",
        "functionCall",
        "functionResponse",
        "executableCode",
        "codeExecutionResult",
        "videoMetadata",
        "mediaResolution",
        "toolCall",
        "toolResponse",
        "partMetadata",
        "audioTranscription",
        "mediaProcessing",
        "speechMetadata",
        "documentMetadata",
        "spreadsheetMetadata",
    }
)
_BLOB = frozenset({"mimeType", "data", "displayName"})
_FILE = frozenset({"mimeType", "fileUri", "displayName"})
_CALL = frozenset({"id", "name", "args", "partialArgs", "willContinue"})
_RESP = frozenset({"id", "name", "response", "parts", "willContinue", "scheduling"})
_RESP_PART = frozenset({"inlineData", "fileData"})
_TOOL = frozenset(
    {
        "functionDeclarations",
        "googleSearch",
        "codeExecution",
        "urlContext",
        "googleSearchRetrieval",
        "fileSearch",
        "computerUse",
        "googleMaps",
        "retrieval",
        "enterpriseWebSearch",
        "mcpServers",
    }
)
_DECL = frozenset(
    {"name", "description", "parameters", "parametersJsonSchema", "response", "responseJsonSchema", "behavior"}
)
_TOOL_CONFIG = frozenset({"functionCallingConfig", "retrievalConfig"})
_FCC = frozenset({"mode", "allowedFunctionNames", "streamFunctionCallArguments"})
_GEN = frozenset(
    {
        "maxOutputTokens",
        "temperature",
        "topP",
        "topK",
        "stopSequences",
        "seed",
        "candidateCount",
        "responseMimeType",
        "responseSchema",
        "responseJsonSchema",
        "thinkingConfig",
        "presencePenalty",
        "frequencyPenalty",
        "responseLogprobs",
        "logprobs",
        "responseModalities",
        "mediaResolution",
        "speechConfig",
        "audioTimestamp",
        "routingConfig",
        "modelSelectionConfig",
        "imageConfig",
        "enableEnhancedCivicAnswers",
        "enableAffectiveDialog",
    }
)
_THINK = frozenset({"thinkingBudget", "includeThoughts", "thinkingLevel"})
_LIFTED = frozenset({"contents", "systemInstruction", "tools", "toolConfig", "generationConfig"})
_PAYLOAD_KEYS: dict[str, frozenset[str]] = {
    "inlineData": _BLOB,
    "fileData": _FILE,
    "functionCall": _CALL,
    "functionResponse": _RESP,
}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DecodeError(path, "an object", type(value).__name__)
    return value


def _keys(value: Any, known: frozenset[str], path: str) -> dict[str, Any]:
    """Rename known snake_case keys to camelCase; unknown keys stay as they are."""
    out: dict[str, Any] = {}
    for k, v in _obj(value, path).items():
        ck = _camel(k) if isinstance(k, str) and _camel(k) in known else k
        if ck in out:
            raise DecodeError(f"{path}.{ck}", "one spelling of the field", "both snake_case and camelCase")
        out[ck] = v
    return out


def _listify(value: Any, path: str) -> list[Any]:
    """A single object where the API expects a list (`contents: {...}`, `parts: {...}`)."""
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise DecodeError(path, "a list", type(value).__name__)
    return value


def _norm_part(value: Any, path: str) -> dict[str, Any]:
    part = _keys(value, _PART, path)
    for key, known in _PAYLOAD_KEYS.items():
        if key in part:
            part[key] = _keys(part[key], known, f"{path}.{key}")
    if "functionResponse" in part and "parts" in part["functionResponse"]:
        fr = part["functionResponse"]
        fr["parts"] = [
            _norm_resp_part(p, f"{path}.functionResponse.parts[{k}]")
            for k, p in enumerate(_listify(fr["parts"], f"{path}.functionResponse.parts"))
        ]
    return part


def _norm_resp_part(value: Any, path: str) -> dict[str, Any]:
    part = _keys(value, _RESP_PART, path)
    for key in ("inlineData", "fileData"):
        if key in part:
            part[key] = _keys(part[key], _PAYLOAD_KEYS[key], f"{path}.{key}")
    return part


def _norm_content(value: Any, path: str) -> dict[str, Any]:
    content = _keys(value, _CONTENT, path)
    if "parts" in content:
        content["parts"] = [
            _norm_part(p, f"{path}.parts[{k}]") for k, p in enumerate(_listify(content["parts"], f"{path}.parts"))
        ]
    return content


def _normalize(payload: Any) -> dict[str, Any]:
    """camelCase keys and lists everywhere the schema has them (canonicalizations 1 and 2)."""
    root = _keys(payload, _ROOT, "$")
    if "contents" in root:
        root["contents"] = [
            _norm_content(c, f"$.contents[{i}]") for i, c in enumerate(_listify(root["contents"], "$.contents"))
        ]
    if "systemInstruction" in root:
        root["systemInstruction"] = _norm_content(root["systemInstruction"], "$.systemInstruction")
    if "tools" in root:
        tools = []
        for i, t in enumerate(_listify(root["tools"], "$.tools")):
            tool = _keys(t, _TOOL, f"$.tools[{i}]")
            if "functionDeclarations" in tool:
                decls = _listify(tool["functionDeclarations"], f"$.tools[{i}].functionDeclarations")
                tool["functionDeclarations"] = [
                    _keys(d, _DECL, f"$.tools[{i}].functionDeclarations[{k}]") for k, d in enumerate(decls)
                ]
            tools.append(tool)
        root["tools"] = tools
    if "toolConfig" in root:
        tc = _keys(root["toolConfig"], _TOOL_CONFIG, "$.toolConfig")
        if "functionCallingConfig" in tc:
            tc["functionCallingConfig"] = _keys(tc["functionCallingConfig"], _FCC, "$.toolConfig.functionCallingConfig")
        root["toolConfig"] = tc
    if "generationConfig" in root:
        gc = _keys(root["generationConfig"], _GEN, "$.generationConfig")
        if "thinkingConfig" in gc:
            gc["thinkingConfig"] = _keys(gc["thinkingConfig"], _THINK, "$.generationConfig.thinkingConfig")
        root["generationConfig"] = gc
    return root


# --------------------------------------------------------------------------------------------
# Shared rules (used by both directions, so decode and canonicalize agree)

_FILES_HOSTS = ("https://generativelanguage.googleapis.com/",)


def _uri_is_file(uri: str) -> bool:
    """Files API URIs (and anything that is no URL at all) are IR FileSource; see module doc."""
    return uri.startswith(_FILES_HOSTS) or uri.startswith("files/") or "://" not in uri


def _kind_for(mime: str | None) -> type[Image] | type[Audio] | type[Document]:
    if mime is not None and mime.startswith("image/"):
        return Image
    if mime is not None and mime.startswith("audio/"):
        return Audio
    return Document


def _assign_ids(contents: list[dict[str, Any]]) -> tuple[dict[tuple[int, int], str], dict[str, str]]:
    """Ids for every functionCall/functionResponse part (module doc rule) and call id -> name."""
    ids: dict[tuple[int, int], str] = {}
    names: dict[str, str] = {}
    counters: dict[str, int] = {}
    orphan: dict[str, int] = {}
    pending: dict[str, list[str]] = {}
    for i, content in enumerate(contents):
        for j, part in enumerate(content.get("parts", [])):
            if "functionCall" in part:
                call = part["functionCall"]
                name = call["name"]
                if "id" in call:
                    cid = call["id"]
                else:
                    n = counters.get(name, 0)
                    counters[name] = n + 1
                    cid = f"{name}_{n}"
                ids[(i, j)] = cid
                names.setdefault(cid, name)
                pending.setdefault(name, []).append(cid)
            elif "functionResponse" in part:
                resp = part["functionResponse"]
                name = resp["name"]
                queue = pending.get(name, [])
                if "id" in resp:
                    rid = resp["id"]
                    if rid in queue:
                        queue.remove(rid)
                elif queue:
                    rid = queue.pop(0)
                else:
                    n = orphan.get(name, 0)
                    orphan[name] = n + 1
                    rid = f"{name}_result_{n}"
                ids[(i, j)] = rid
    return ids, names


_EFFORTS = {"minimal": "MINIMAL", "low": "LOW", "medium": "MEDIUM", "high": "HIGH", "xhigh": "XHIGH"}
_LEVELS = {v: k for k, v in _EFFORTS.items()}
_MODES = {"auto": "AUTO", "required": "ANY", "none": "NONE"}
_CHOICES = {v: k for k, v in _MODES.items()}
_OBJECT_SCHEMA = {"type": "object"}
_WHOLE_ITEM = re.compile(r"(^tools|content)\[\d+\]$")


def _is_bare_json(v: Any) -> bool:
    """A JSON result value that can be the whole `response` object without a wrapper."""
    if not isinstance(v, dict) or not v:
        return False
    if set(v) == {"error"}:
        return False
    return not (set(v) == {"output"} and isinstance(v["output"], str))


def _type_ok(value: Any, kind: type) -> bool:
    return type(value) is kind


# --------------------------------------------------------------------------------------------
# The codec


@register
class GeminiCodec(Codec):
    """Gemini API ``generateContent`` request bodies.

    >>> from ir_codec import get_codec
    >>> from ir_codec.ir import Message, Request, Text
    >>> get_codec("gemini").encode(Request(messages=[Message(role="user", content=[Text(text="Hi")])])).body
    {'contents': [{'role': 'user', 'parts': [{'text': 'Hi'}]}]}
    """

    NAME = NAME
    """Registered name."""
    WIRE_REQUEST = GenerateContentRequest
    DEFAULT_BASE_URL: ClassVar[str] = "https://generativelanguage.googleapis.com"
    ENDPOINT: ClassVar[str] = "/v1beta/{model}:generateContent"
    STREAM_ENDPOINT: ClassVar[str | None] = "/v1beta/{model}:streamGenerateContent?alt=sse"
    URL_FIELDS: ClassVar[frozenset[str]] = frozenset({"model", "stream"})

    def _url_model(self, model: str) -> str:
        # The REST resource name is `models/{id}` (or `tunedModels/{id}`); a bare id gets the prefix.
        return model if model.startswith(("models/", "tunedModels/")) else f"models/{model}"
    """Body of `POST /v1beta/{model}:generateContent`."""
    MAX_CACHE_BREAKPOINTS = 0
    """No inline cache marks: explicit caching is a separate `cachedContents` resource."""
    CACHE_TTLS: ClassVar[tuple[CacheTtl, ...]] = ()
    """No TTL tiers can be expressed inline."""
    CANONICALIZATIONS = (
        "snake_case field names (system_instruction, inline_data, mime_type, function_call, "
        "generation_config, max_output_tokens, thinking_budget, ...) are written in camelCase",
        "a single object where a list is expected (contents, parts, tools, functionDeclarations, "
        "functionResponse.parts) is a one-element list",
        "a Content without role has role 'user'; contents absent is contents []",
        "systemInstruction.role is dropped (the API ignores it); a systemInstruction without parts is dropped",
        "functionCall without args has args {}; functionResponse without response has response {}",
        "functionCall / functionResponse without id get the derived id (module rule)",
        "a tools entry mixing functionDeclarations with another tool kind is split (declarations first); "
        "consecutive functionDeclarations entries are merged; entries with no declarations are dropped",
        "parametersJsonSchema {'type': 'object'} is dropped (a function without parameters)",
        "an empty generationConfig or thinkingConfig is dropped",
    )
    """Wire forms that decode to the same IR (spec/canonicalizations/gemini.md)."""
    PASSES = ("plan_cache_breakpoints",)
    """IR passes run before lowering."""
    CACHE_RULES = CacheRules(max_breakpoints=0, ttls=())
    """Every inline mark is reported lost by the planner."""

    # ---------------------------------------------------------------- lowering

    def _encode(self, request: Request, ctx: EncodeContext) -> dict[str, Any]:
        body = self._lower_request(plan_cache_breakpoints(request, self.CACHE_RULES, ctx), ctx)
        self._report_shifts(request, body, ctx)
        return body

    def _report_shifts(self, request: Request, body: dict[str, Any], ctx: EncodeContext) -> None:
        """Where an item is dropped or converted, its list is compared by alignment and a
        changed neighbour may be reported as a whole item (or an insertion): report those
        positions too, so that the warnings name exactly what differs after decode."""
        if not any(_WHOLE_ITEM.search(w.path) for w in ctx.warnings):
            return
        try:
            back = self.decode(body)
        except DecodeError:
            return
        lists: list[tuple[str, list[Any], list[Any]]] = [("tools", request.tools, back.tools)]
        for i, (m, n) in enumerate(zip(request.messages, back.messages, strict=False)):
            lists.append((f"messages[{i}].content", m.content, n.content))
            for j, (p, q) in enumerate(zip(m.content, n.content, strict=False)):
                if isinstance(p, ToolResult) and isinstance(q, ToolResult):
                    lists.append((f"messages[{i}].content[{j}].content", p.content, q.content))
        for path, x, y in lists:
            whole = re.compile(re.escape(path) + r"\[\d+\]$")
            if not any(whole.match(w.path) for w in ctx.warnings):
                continue  # nothing in this list was dropped or converted as a whole
            for d in diff_paths(x, y, path):
                if whole.match(d) and not any(covers(w.path, d) for w in ctx.warnings):
                    ctx.lossy(
                        d,
                        "an item beside this one was dropped or converted, so this position "
                        "reads back as a different item",
                    )

    def _lower_request(self, request: Request, ctx: EncodeContext) -> dict[str, Any]:
        root_opts = dict(own_options(request.provider_options, "", ctx))
        cached = "cachedContent" in root_opts
        body: dict[str, Any] = {}

        # The model is part of the URL (`{model}:generateContent`) and streaming is the
        # endpoint: both travel in Encoded.endpoint (Codec.URL_FIELDS), not the body.

        names: dict[str, str] = {}
        for m in request.messages:
            for q in m.content:
                if isinstance(q, ToolUse):
                    names.setdefault(q.id, q.name)
        body["contents"] = [self._lower_message(m, i, names, ctx) for i, m in enumerate(request.messages)]

        # Gemini rejects systemInstruction, tools and toolConfig next to cachedContent (400:
        # "Tool config, tools and system instruction should not be set in the request when using
        # cached content"; PROVIDERS.md 7b): the cache must already hold them.
        if request.system:
            if cached:
                ctx.lossy("system", "Gemini rejects systemInstruction with cachedContent; dropped (the cache holds it)")
            else:
                body["systemInstruction"] = {
                    "parts": [self._lower_system(b, i, ctx) for i, b in enumerate(request.system)]
                }
        if request.tools:
            if cached:
                ctx.lossy("tools", "Gemini rejects tools with cachedContent; dropped (the cache holds them)")
            else:
                tools = self._lower_tools(request.tools, ctx)
                if tools:
                    body["tools"] = tools
        if request.tool_choice is not None:
            if cached:
                ctx.lossy("tool_choice", "Gemini rejects toolConfig with cachedContent; dropped")
            else:
                body["toolConfig"] = self._lower_choice(request.tool_choice, ctx)
        if request.parallel_tool_calls is not None:
            ctx.lossy("parallel_tool_calls", "Gemini has no parallel tool call switch")

        gen = self._lower_generation(request, ctx)
        gen_opts = root_opts.pop("generationConfig", None)
        if gen_opts is not None:
            if isinstance(gen_opts, dict):
                _deep_merge(gen, gen_opts, "provider_options.gemini.generationConfig", ctx)
            else:
                root_opts["generationConfig"] = gen_opts
        if gen:
            body["generationConfig"] = gen

        for field, why in (
            ("user", "Gemini has no end-user id field"),
            ("metadata", "Gemini has no request metadata field (raw `labels` travel only as a gemini option)"),
            ("cache_key", "Gemini has no cache routing key"),
        ):
            if getattr(request, field) is not None:
                ctx.lossy(field, why)
        _deep_merge(body, root_opts, "provider_options.gemini", ctx)
        return body

    def _lower_system(self, block: SystemBlock, i: int, ctx: EncodeContext) -> dict[str, Any]:
        part: dict[str, Any] = {"text": block.text}
        _deep_merge(
            part, own_options(block.provider_options, f"system[{i}]", ctx), f"system[{i}].provider_options.gemini", ctx
        )
        return part

    def _lower_message(self, m: Message, i: int, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
        path = f"messages[{i}]"
        role = "model" if m.role == "assistant" else "user"
        if m.role == "system":
            # Gemini contents have roles user and model only (types.Content.role); instructions in
            # the middle of a conversation go in as a user turn.
            ctx.lossy(at(path, "role"), "Gemini has no system role in contents; sent as a user turn")
        parts: list[dict[str, Any]] = []
        for j, p in enumerate(m.content):
            lowered = _LOWER[type(p)](self, p, at(at(path, "content"), j), names, ctx)
            if lowered is not None:
                parts.append(lowered)
        content: dict[str, Any] = {"role": role, "parts": parts}
        _deep_merge(content, own_options(m.provider_options, path, ctx), at(path, "provider_options.gemini"), ctx)
        return content

    def _part_options(self, wire: dict[str, Any], p: Any, path: str, ctx: EncodeContext) -> dict[str, Any]:
        _deep_merge(wire, own_options(p.provider_options, path, ctx), at(path, "provider_options.gemini"), ctx)
        return wire

    def _lower_text(self, p: Text, path: str, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
        return self._part_options({"text": p.text}, p, path, ctx)

    def _lower_thinking(self, p: Thinking, path: str, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
        # Thought parts are text parts with `thought: true`; the signature is echoed back as
        # `thoughtSignature` (types.Part.thought / thought_signature).
        wire: dict[str, Any] = {"text": p.text, "thought": True}
        if p.signature is not None:
            wire["thoughtSignature"] = p.signature
        return self._part_options(wire, p, path, ctx)

    def _lower_redacted(self, p: RedactedThinking, path: str, names: dict[str, str], ctx: EncodeContext) -> None:
        ctx.lossy(path, "Gemini has no redacted thinking part; dropped")

    def _lower_refusal(self, p: Refusal, path: str, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
        ctx.lossy(path, "Gemini has no refusal part; sent as a text part")
        return self._part_options({"text": p.text}, p, path, ctx)

    def _lower_json(self, p: Json, path: str, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
        ctx.lossy(path, "Gemini has no JSON part outside a function response; sent as JSON text")
        return self._part_options({"text": msgspec.json.encode(p.value).decode()}, p, path, ctx)

    def _lower_media(
        self, p: Image | Document | Audio, path: str, names: dict[str, str], ctx: EncodeContext
    ) -> dict[str, Any]:
        wire = self._media(p, path, ctx)
        return self._part_options(wire, p, path, ctx)

    def _media(self, p: Image | Document | Audio, path: str, ctx: EncodeContext) -> dict[str, Any]:
        src = p.source
        src_path = at(path, "source")
        mime: str | None
        if isinstance(src, Base64Source):
            wire: dict[str, Any] = {"inlineData": {"mimeType": src.media_type, "data": src.data}}
            mime = src.media_type
        elif isinstance(src, TextSource):
            ctx.lossy(src_path, "Gemini has no plain-text document source; sent as base64 inline data")
            data = base64.b64encode(src.text.encode()).decode()
            wire = {"inlineData": {"mimeType": src.media_type, "data": data}}
            mime = src.media_type
        else:
            uri = src.file_id if isinstance(src, FileSource) else src.url
            fd: dict[str, Any] = {"fileUri": uri}
            if src.media_type is not None:
                fd["mimeType"] = src.media_type
            wire = {"fileData": fd}
            mime = src.media_type
            if isinstance(src, FileSource) and not _uri_is_file(uri):
                ctx.lossy(src_path, "a file id that looks like a URL is sent as fileUri and reads back as a URL")
            elif isinstance(src, UrlSource) and _uri_is_file(uri):
                ctx.lossy(src_path, "this URL is a Gemini file URI (or no URL); it reads back as a file id")
        kind = _kind_for(mime)
        if kind is not type(p):
            ctx.lossy(path, f"Gemini tells part kinds by MIME type; {mime!r} reads back as {kind.__name__.lower()}")
        elif isinstance(p, Document):
            for field in ("name", "context", "citations"):
                if getattr(p, field) is not None:
                    ctx.lossy(at(path, field), f"Gemini documents have no {field}")
        return wire

    def _lower_provider(
        self, p: ProviderPart, path: str, names: dict[str, str], ctx: EncodeContext
    ) -> dict[str, Any] | None:
        if p.codec != NAME:
            ctx.lossy(path, f"a {p.codec!r} provider part cannot be sent to Gemini; dropped")
            return None
        try:
            norm = _norm_part(p.data, "$")
            wire_convert(norm, WirePart)
            lifted = _lift_part(norm, {(0, 0): ""}, {}, (0, 0), path)
        except DecodeError as exc:
            ctx.lossy(path, f"this provider part is not a valid Gemini part ({exc}); dropped")
            return None
        if lifted != p:
            ctx.lossy(
                path,
                "this provider part is a standard Gemini part (or not in canonical form) and reads back differently",
            )
        return dict(p.data)

    def _lower_tool_use(self, p: ToolUse, path: str, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
        # types.FunctionCall{id, name, args}; the id keeps IR tool-call ids stable.
        wire = {"functionCall": {"id": p.id, "name": p.name, "args": p.input}}
        return self._part_options(wire, p, path, ctx)

    def _lower_tool_result(self, p: ToolResult, path: str, names: dict[str, str], ctx: EncodeContext) -> dict[str, Any]:
        # types.FunctionResponse.response: "Use 'output' key to specify function output and 'error'
        # key to specify error details"; multimodal results go in FunctionResponse.parts.
        opts = dict(own_options(p.provider_options, path, ctx))
        fr_opts = opts.get("functionResponse")
        fr: dict[str, Any] = {"id": p.tool_use_id}
        if not (isinstance(fr_opts, dict) and isinstance(fr_opts.get("name"), str)):
            # the name of the matching call; a name recorded on decode is merged in below
            if p.tool_use_id in names:
                fr["name"] = names[p.tool_use_id]
            else:
                ctx.lossy(path, "no tool call with this id in the request; the id is sent as the function name")
                fr["name"] = p.tool_use_id
        nested = EncodeContext(ctx.codec)
        data: list[Any] = []
        media: list[dict[str, Any]] = []
        for k, q in enumerate(p.content):
            qpath = at(at(path, "content"), k)
            if isinstance(q, ProviderPart):
                nested.lossy(qpath, "Gemini function responses cannot hold provider parts; dropped")
                continue
            for c in q.provider_options:
                nested.lossy(
                    at(at(qpath, "provider_options"), c), "options of a part inside a tool result are not carried"
                )
            if isinstance(q, Text):
                data.append(q.text)
            elif isinstance(q, Json):
                data.append(q.value)
            else:
                media.append(self._media(q, qpath, nested))
        texts = [q for q in p.content if isinstance(q, Text)]
        key = "error" if p.is_error else "output"
        response: Any
        if not data:
            response = {"error": None} if p.is_error else {}
        elif len(data) == 1 and (texts or p.is_error or not _is_bare_json(data[0])):
            response = {key: data[0]}
        elif len(data) == 1:
            response = data[0]
        else:
            response = {key: data}
        fr["response"] = response
        if media:
            fr["parts"] = media
        # What Gemini reads back must be what the IR said: every difference the per-part
        # warnings do not explain is reported once, on the whole result content.
        lifted = _lift_result(fr, p.tool_use_id)
        if lifted.is_error != p.is_error:
            ctx.lossy(at(path, "is_error"), "this error result reads back as a success")
        diffs = diff_paths(p.content, lifted.content, at(path, "content"))
        ctx.warnings += nested.warnings
        if any(not any(covers(w.path, d) for w in nested.warnings) for d in diffs):
            ctx.lossy(
                at(path, "content"),
                "Gemini reads this result back differently: text and JSON travel "
                'in one `response` object ({"output": ...} / {"error": ...}), media in `parts` after it',
            )
        wire = {"functionResponse": fr}
        _deep_merge(wire, opts, at(path, "provider_options.gemini"), ctx)
        return wire

    def _lower_tools(self, tools: list[Any], ctx: EncodeContext) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        open_decls: list[dict[str, Any]] | None = None  # the functionDeclarations entry being filled
        for i, t in enumerate(tools):
            path = f"tools[{i}]"
            if isinstance(t, ProviderTool):
                if t.codec != NAME:
                    ctx.lossy(path, f"a {t.codec!r} provider tool cannot be sent to Gemini; dropped")
                    continue
                try:
                    norm = _keys(t.data, _TOOL, "$")
                except DecodeError:
                    norm = None
                if not t.data or norm != t.data or "functionDeclarations" in t.data:
                    ctx.lossy(
                        path,
                        "this provider tool is empty, holds function declarations or is not in "
                        "canonical form; it reads back differently",
                    )
                if t.data:
                    out.append(dict(t.data))
                    open_decls = None
                continue
            decl: dict[str, Any] = {"name": t.name}
            if t.description is not None:
                decl["description"] = t.description
            opts = dict(own_options(t.provider_options, path, ctx))
            if "parameters" in opts and opts["parameters"] != t.input_schema:
                del opts["parameters"]
                ctx.lossy(
                    at(path, "provider_options.gemini.parameters"),
                    "the input schema differs from the OpenAPI `parameters`; parametersJsonSchema is sent",
                )
            # `parametersJsonSchema` takes full JSON Schema (types.FunctionDeclaration), so no
            # keyword is lost; a declaration read with the OpenAPI-subset `parameters` keeps it.
            if not (opts.get("parameters") == t.input_schema or t.input_schema == _OBJECT_SCHEMA):
                decl["parametersJsonSchema"] = t.input_schema
            if t.strict is not None:
                ctx.lossy(at(path, "strict"), "Gemini function declarations have no strict flag")
            _deep_merge(decl, opts, at(path, "provider_options.gemini"), ctx)
            if open_decls is None:
                open_decls = []
                out.append({"functionDeclarations": open_decls})
            open_decls.append(decl)
        return out

    def _lower_choice(self, choice: ToolChoice, ctx: EncodeContext) -> dict[str, Any]:
        # types.FunctionCallingConfig: mode AUTO / ANY / NONE; allowedFunctionNames only with ANY.
        if choice.mode == "tool":
            fcc: dict[str, Any] = {"mode": "ANY"}
            if choice.name is not None:
                fcc["allowedFunctionNames"] = [choice.name]
            else:
                ctx.lossy("tool_choice", "a forced tool without a name is sent as mode ANY")
        else:
            fcc = {"mode": _MODES[choice.mode]}
            if choice.name is not None:
                ctx.lossy("tool_choice.name", f"a name has no meaning with mode {choice.mode!r}; dropped")
        return {"functionCallingConfig": fcc}

    def _lower_generation(self, r: Request, ctx: EncodeContext) -> dict[str, Any]:
        gen: dict[str, Any] = {}
        for field, key in (
            ("max_tokens", "maxOutputTokens"),
            ("temperature", "temperature"),
            ("top_p", "topP"),
            ("top_k", "topK"),
            ("stop", "stopSequences"),
            ("seed", "seed"),
            ("n", "candidateCount"),
        ):
            value = getattr(r, field)
            if value is not None:
                gen[key] = value
        rf = r.response_format
        if rf is not None:
            if rf.type == "text":
                gen["responseMimeType"] = "text/plain"
            else:
                gen["responseMimeType"] = "application/json"
                if rf.type == "json_schema":
                    if rf.schema is None:
                        ctx.lossy("response_format", "a json_schema format without a schema is sent as plain JSON mode")
                    else:
                        gen["responseJsonSchema"] = rf.schema
            if rf.type != "json_schema" and rf.schema is not None:
                ctx.lossy("response_format.schema", f"a schema has no meaning with format {rf.type!r}; dropped")
            for field in ("name", "description", "strict"):
                if getattr(rf, field) is not None and not (rf.type == "json_schema" and rf.schema is None):
                    ctx.lossy(at("response_format", field), f"Gemini response schemas have no {field}")
        think: dict[str, Any] = {}
        if r.reasoning_effort is not None:
            level = _EFFORTS.get(r.reasoning_effort)
            if level is None:
                ctx.lossy("reasoning_effort", f"Gemini thinkingLevel has no {r.reasoning_effort!r}")
            else:
                think["thinkingLevel"] = level
        rc = r.reasoning
        if rc is not None:
            if "thinkingLevel" in think:
                # Gemini 3: "You cannot use both thinking_level and the legacy thinking_budget
                # parameter in the same request" (400).
                ctx.lossy("reasoning", "Gemini rejects thinkingBudget together with thinkingLevel; the level is sent")
            elif rc.type == "enabled" and rc.budget_tokens is not None and rc.budget_tokens > 0:
                think["thinkingBudget"] = rc.budget_tokens
            elif rc.type == "disabled" and rc.budget_tokens is None:
                think["thinkingBudget"] = 0  # thinkingBudget 0 turns thinking off
            elif rc.type == "adaptive" and rc.budget_tokens is None:
                think["thinkingBudget"] = -1  # -1: the model decides (dynamic thinking)
            else:
                ctx.lossy("reasoning", "Gemini has no thinkingBudget for this reasoning setting; dropped")
        if think:
            gen["thinkingConfig"] = think
        return gen

    # google-genai GenerateContentConfig fields (camelCase aliases) that the body carries
    # top-level or in generationConfig; anything else goes through HttpOptions.extra_body.
    SDK_CONFIG: ClassVar[frozenset[str]] = frozenset(
        {
            "systemInstruction",
            "temperature",
            "topP",
            "topK",
            "candidateCount",
            "maxOutputTokens",
            "stopSequences",
            "responseLogprobs",
            "logprobs",
            "presencePenalty",
            "frequencyPenalty",
            "seed",
            "responseMimeType",
            "responseSchema",
            "responseJsonSchema",
            "routingConfig",
            "modelSelectionConfig",
            "safetySettings",
            "tools",
            "toolConfig",
            "labels",
            "cachedContent",
            "responseModalities",
            "mediaResolution",
            "speechConfig",
            "audioTimestamp",
            "thinkingConfig",
            "imageConfig",
            "enableEnhancedCivicAnswers",
            "serviceTier",
            "continuationToken",
            "store",
        }
    )
    """google-genai `types.GenerateContentConfig` fields, by their camelCase alias."""

    def sdk_kwargs(self, body: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        """Keyword arguments for ``genai.Client().models.generate_content(model=..., **kwargs)``.

        ``contents`` and ``config`` use the SDK's camelCase aliases; base64 fields become the
        ``bytes`` the SDK types hold (it re-encodes them on the wire); fields the SDK has no
        type for travel in ``config.httpOptions.extraBody``. ``options`` are merged last.
        """
        config: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in body.items():
            if key == "contents":
                continue
            if key == "generationConfig":
                for k, v in value.items():
                    if k in self.SDK_CONFIG:
                        config[k] = v
                    else:
                        extra.setdefault("generationConfig", {})[k] = v
            elif key in self.SDK_CONFIG:
                config[key] = value
            else:
                extra[key] = value
        if "systemInstruction" in config:
            config["systemInstruction"] = _to_bytes(config["systemInstruction"])
        if extra:
            config["httpOptions"] = {"extraBody": extra}
        return {"contents": _to_bytes(body.get("contents", [])), "config": config, **options}

    # ---------------------------------------------------------------- lifting

    def decode_response(self, payload: Mapping[str, Any] | bytes | str) -> Response:
        """Lift a ``GenerateContentResponse`` to an IR :class:`Response` (first candidate)."""
        return _decode_response(payload)

    def stream_decoder(self) -> GeminiStreamDecoder:
        """A decoder for ``streamGenerateContent?alt=sse`` chunks."""
        return GeminiStreamDecoder()

    def decode(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        """Lift a ``generateContent`` body (camelCase or snake_case) to IR."""
        root = _normalize(load_json(payload))
        wire_convert(root, GenerateContentRequest)  # type errors with JSON paths
        root_opts = {k: v for k, v in root.items() if k not in _LIFTED}
        if "cachedContent" in root:
            for key in ("systemInstruction", "tools", "toolConfig"):
                if key in root:
                    raise DecodeError(
                        f"$.{key}",
                        "no systemInstruction, tools or toolConfig with cachedContent",
                        "both (Gemini rejects this request)",
                    )
        contents = root.get("contents", [])
        ids, call_names = _assign_ids(contents)
        messages = [_lift_content(c, i, ids, call_names) for i, c in enumerate(contents)]
        system: list[SystemBlock] = []
        if "systemInstruction" in root:
            si = root["systemInstruction"]
            extra = set(si) - {"parts", "role"}
            if extra:
                raise DecodeError(f"$.systemInstruction.{sorted(extra)[0]}", "only parts (and role)", "another field")
            for k, part in enumerate(si.get("parts", [])):
                if "text" not in part or part.get("thought") is True:
                    raise DecodeError(f"$.systemInstruction.parts[{k}]", "a text part", "another part")
                system.append(
                    SystemBlock(
                        text=part["text"], provider_options=_opts({x: v for x, v in part.items() if x != "text"})
                    )
                )
        tools: list[Any] = []
        for i, t in enumerate(root.get("tools", [])):
            if "functionDeclarations" in t:
                tools += [
                    _lift_decl(d, f"$.tools[{i}].functionDeclarations[{k}]")
                    for k, d in enumerate(t["functionDeclarations"])
                ]
            rest = {k: v for k, v in t.items() if k != "functionDeclarations"}
            if rest:
                tools.append(ProviderTool(codec=NAME, data=rest))
        fields: dict[str, Any] = {}
        if "toolConfig" in root:
            choice = _lift_choice(root["toolConfig"])
            if choice is None:
                root_opts["toolConfig"] = root["toolConfig"]
            else:
                fields["tool_choice"] = choice
        if "generationConfig" in root:
            extras = _lift_generation(root["generationConfig"], fields)
            if extras:
                root_opts["generationConfig"] = extras
        return Request(
            system=system,
            messages=messages,
            tools=tools,
            provider_options=_opts(root_opts),
            **fields,
        )

    def canonicalize(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The canonical form of a body (see ``CANONICALIZATIONS``)."""
        root = _normalize(payload)
        root.setdefault("contents", [])
        ids, _ = _assign_ids(root["contents"])
        for i, c in enumerate(root["contents"]):
            c.setdefault("role", "user")
            c.setdefault("parts", [])
            for j, part in enumerate(c["parts"]):
                if "functionCall" in part:
                    call = part["functionCall"]
                    call.setdefault("args", {})
                    call.setdefault("id", ids[(i, j)])
                elif "functionResponse" in part:
                    resp = part["functionResponse"]
                    resp.setdefault("response", {})
                    resp.setdefault("id", ids[(i, j)])
                    if resp.get("parts") == []:
                        del resp["parts"]
        si = root.get("systemInstruction")
        if si is not None:
            si.pop("role", None)
            if not si.get("parts"):
                del root["systemInstruction"]
        if "tools" in root:
            tools: list[dict[str, Any]] = []
            for t in root["tools"]:
                decls = t.get("functionDeclarations", [])
                for d in decls:
                    if d.get("parametersJsonSchema") == _OBJECT_SCHEMA and "parameters" not in d:
                        del d["parametersJsonSchema"]
                if decls:
                    if tools and set(tools[-1]) == {"functionDeclarations"}:
                        tools[-1]["functionDeclarations"] += decls
                    else:
                        tools.append({"functionDeclarations": decls})
                rest = {k: v for k, v in t.items() if k != "functionDeclarations"}
                if rest:
                    tools.append(rest)
            if tools:
                root["tools"] = tools
            else:
                del root["tools"]
        gc = root.get("generationConfig")
        if gc is not None:
            if gc.get("thinkingConfig") == {}:
                del gc["thinkingConfig"]
            if not gc:
                del root["generationConfig"]
        return root


# --------------------------------------------------------------------------------------------
# Lifting helpers (wire tag -> function)


def _opts(fields: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {NAME: fields} if fields else {}


def _source(payload: dict[str, Any], key: str) -> tuple[Any, str | None]:
    if key == "inlineData":
        return Base64Source(media_type=payload["mimeType"], data=payload["data"]), payload["mimeType"]
    uri = payload["fileUri"]
    mime = payload.get("mimeType")
    if _uri_is_file(uri):
        return FileSource(file_id=uri, media_type=mime), mime
    return UrlSource(url=uri, media_type=mime), mime


def _payload_extras(payload: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in known}


def _lift_media(part: dict[str, Any], key: str) -> Part:
    payload = part[key]
    src, mime = _source(payload, key)
    used = {"mimeType", "data"} if key == "inlineData" else {"mimeType", "fileUri"}
    extras = {k: v for k, v in part.items() if k != key}
    inner = _payload_extras(payload, frozenset(used))
    if inner:
        extras[key] = inner
    kind = _kind_for(mime)
    return kind(source=src, provider_options=_opts(extras))


def _lift_text(part: dict[str, Any]) -> Part:
    if part.get("thought") is True:
        rest = {k: v for k, v in part.items() if k not in ("text", "thought", "thoughtSignature")}
        return Thinking(text=part["text"], signature=part.get("thoughtSignature"), provider_options=_opts(rest))
    return Text(text=part["text"], provider_options=_opts({k: v for k, v in part.items() if k != "text"}))


def _lift_result(fr: dict[str, Any], rid: str, path: str = "$.functionResponse") -> ToolResult:
    response = fr.get("response", {})
    content: list[Any] = []
    is_error = False
    if not response:
        pass
    elif set(response) == {"output"} and isinstance(response["output"], str):
        content = [Text(text=response["output"])]
    elif set(response) == {"error"}:
        is_error = True
        err = response["error"]
        if isinstance(err, str):
            content = [Text(text=err)]
        elif err is not None:
            content = [Json(value=err)]
    else:
        content = [Json(value=response)]
    for k, q in enumerate(fr.get("parts", [])):
        key = "inlineData" if "inlineData" in q else "fileData"
        if key not in q or len(q) != 1 or set(q[key]) - {"mimeType", "data", "fileUri"}:
            raise DecodeError(
                f"{path}.parts[{k}]", "only inlineData or fileData (mimeType, data / fileUri)", str(sorted(q))
            )
        src, mime = _source(q[key], key)
        content.append(_kind_for(mime)(source=src))
    return ToolResult(tool_use_id=rid, content=content, is_error=is_error)


def _lift_part(
    part: dict[str, Any], ids: dict[tuple[int, int], str], call_names: dict[str, str], loc: tuple[int, int], path: str
) -> Part:
    if "functionCall" in part:
        call = part["functionCall"]
        extras = {k: v for k, v in part.items() if k != "functionCall"}
        inner = _payload_extras(call, frozenset({"id", "name", "args"}))
        if inner:
            extras["functionCall"] = inner
        cid = call["id"] if "id" in call else ids[loc]
        return ToolUse(id=cid, name=call["name"], input=call.get("args", {}), provider_options=_opts(extras))
    if "functionResponse" in part:
        fr = part["functionResponse"]
        rid = fr["id"] if "id" in fr else ids[loc]
        result = _lift_result(fr, rid, f"{path}.functionResponse")
        extras = {k: v for k, v in part.items() if k != "functionResponse"}
        inner = _payload_extras(fr, frozenset({"id", "name", "response", "parts"}))
        if call_names.get(rid) != fr["name"]:
            inner["name"] = fr["name"]  # no matching call: keep the wire name
        if inner:
            extras["functionResponse"] = inner
        return msgspec.structs.replace(result, provider_options=_opts(extras))
    for key in ("inlineData", "fileData"):
        if key in part:
            return _lift_media(part, key)
    if "text" in part:
        return _lift_text(part)
    return ProviderPart(codec=NAME, data=part)


def _lift_content(c: dict[str, Any], i: int, ids: dict[tuple[int, int], str], call_names: dict[str, str]) -> Message:
    role: Literal["user", "assistant"] = "assistant" if c.get("role", "user") == "model" else "user"
    parts = [
        _lift_part(p, ids, call_names, (i, j), f"$.contents[{i}].parts[{j}]") for j, p in enumerate(c.get("parts", []))
    ]
    extras = {k: v for k, v in c.items() if k not in ("role", "parts")}
    return Message(role=role, content=parts, provider_options=_opts(extras))


def _lift_decl(d: dict[str, Any], path: str) -> Tool:
    if "parameters" in d and "parametersJsonSchema" in d:
        raise DecodeError(f"{path}.parameters", "parameters or parametersJsonSchema", "both")
    extras = {k: v for k, v in d.items() if k not in ("name", "description", "parametersJsonSchema")}
    schema = d.get("parametersJsonSchema", d.get("parameters", _OBJECT_SCHEMA))
    if not isinstance(schema, dict):
        raise DecodeError(f"{path}.parametersJsonSchema", "a JSON Schema object", type(schema).__name__)
    return Tool(name=d["name"], description=d.get("description"), input_schema=schema, provider_options=_opts(extras))


def _lift_choice(tc: dict[str, Any]) -> ToolChoice | None:
    """A toolConfig the IR can say exactly; anything else stays raw in provider_options."""
    if set(tc) != {"functionCallingConfig"}:
        return None
    fcc = tc["functionCallingConfig"]
    mode = fcc.get("mode")
    if set(fcc) == {"mode"} and mode in _CHOICES:
        return ToolChoice(mode=_CHOICES[mode])  # type: ignore[arg-type]
    names = fcc.get("allowedFunctionNames")
    if set(fcc) == {"mode", "allowedFunctionNames"} and mode == "ANY" and isinstance(names, list) and len(names) == 1:
        return ToolChoice(mode="tool", name=names[0])
    return None


_GEN_FIELDS: tuple[tuple[str, str, type], ...] = (
    ("maxOutputTokens", "max_tokens", int),
    ("temperature", "temperature", float),
    ("topP", "top_p", float),
    ("topK", "top_k", int),
    ("seed", "seed", int),
    ("candidateCount", "n", int),
)


def _lift_generation(gc: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """Fill IR fields from generationConfig; return what stays raw (values the IR cannot hold
    with the exact JSON type stay raw, so that a payload round-trips byte for byte)."""
    extras = dict(gc)
    for key, field, kind in _GEN_FIELDS:
        if key in extras and _type_ok(extras[key], kind):
            fields[field] = extras.pop(key)
    if isinstance(extras.get("stopSequences"), list):
        fields["stop"] = extras.pop("stopSequences")
    mime = extras.get("responseMimeType")
    if mime == "text/plain" and "responseJsonSchema" not in extras:
        fields["response_format"] = ResponseFormat(type="text")
        del extras["responseMimeType"]
    elif mime == "application/json":
        schema = extras.get("responseJsonSchema")
        if schema is None and "responseJsonSchema" not in extras:
            fields["response_format"] = ResponseFormat(type="json_object")
            del extras["responseMimeType"]
        elif isinstance(schema, dict):
            fields["response_format"] = ResponseFormat(type="json_schema", schema=schema)
            del extras["responseMimeType"], extras["responseJsonSchema"]
    if "thinkingConfig" in extras:
        think = dict(extras.pop("thinkingConfig"))
        level = think.get("thinkingLevel")
        if level in _LEVELS:
            fields["reasoning_effort"] = _LEVELS[level]
            del think["thinkingLevel"]
        budget = think.get("thinkingBudget")
        if "reasoning_effort" not in fields and _type_ok(budget, int):
            rc: ReasoningConfig | None = None
            if budget == 0:
                rc = ReasoningConfig(type="disabled")
            elif budget == -1:
                rc = ReasoningConfig(type="adaptive")
            elif isinstance(budget, int) and budget > 0:
                rc = ReasoningConfig(type="enabled", budget_tokens=budget)
            if rc is not None:
                fields["reasoning"] = rc
                del think["thinkingBudget"]
        if think:
            extras["thinkingConfig"] = think
    return extras


def _to_bytes(value: Any, key: str = "") -> Any:
    """Base64 wire fields (types.Blob.data, Part.thought_signature) as the bytes the SDK holds."""
    if isinstance(value, dict):
        return {k: _to_bytes(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_bytes(v, key) for v in value]
    if key in ("data", "thoughtSignature") and isinstance(value, str):
        try:
            return base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
        except ValueError:
            return value
    return value


def _deep_merge(obj: dict[str, Any], extras: Mapping[str, Any], path: str, ctx: EncodeContext) -> None:
    """Merge raw wire fields into ``obj``; nested objects merge key by key, and a field the IR
    already wrote keeps the IR's value (the option is reported lost)."""
    for key, value in extras.items():
        if key not in obj:
            obj[key] = value
        elif isinstance(obj[key], dict) and isinstance(value, dict):
            _deep_merge(obj[key], value, at(path, key), ctx)
        else:
            ctx.lossy(at(path, key), f"{key!r} is also written from the IR; the IR value is sent")


_Lower = Callable[[GeminiCodec, Any, str, dict[str, str], EncodeContext], "dict[str, Any] | None"]
_LOWER: dict[type, _Lower] = {
    Text: GeminiCodec._lower_text,
    Thinking: GeminiCodec._lower_thinking,
    RedactedThinking: GeminiCodec._lower_redacted,
    Refusal: GeminiCodec._lower_refusal,
    Json: GeminiCodec._lower_json,
    Image: GeminiCodec._lower_media,
    Document: GeminiCodec._lower_media,
    Audio: GeminiCodec._lower_media,
    ProviderPart: GeminiCodec._lower_provider,
    ToolUse: GeminiCodec._lower_tool_use,
    ToolResult: GeminiCodec._lower_tool_result,
}


# --------------------------------------------------------------------------------------------
# Responses and streams (phase 2). Wire: types.GenerateContentResponse; REST keys from
# models.py `_GenerateContentResponse_from_mldev`; PROVIDERS.md 7a.


class UsageMetadata(_W):
    prompt_token_count: int = 0
    cached_content_token_count: int = 0
    candidates_token_count: int = 0
    thoughts_token_count: int = 0
    tool_use_prompt_token_count: int = 0
    total_token_count: int | UnsetType = UNSET


class Candidate(_W):
    content: Content | UnsetType = UNSET
    finish_reason: str | UnsetType = UNSET
    index: int = 0


class GenerateContentResponse(_W):
    candidates: list[Candidate] = []
    usage_metadata: UsageMetadata | UnsetType = UNSET
    model_version: str | UnsetType = UNSET
    response_id: str | UnsetType = UNSET


# types.FinishReason -> IR StopReason. Gemini answers STOP also after a function call and after
# a stop sequence (it has no separate reason for either): STOP with a functionCall part in the
# content is `tool_use`, otherwise `end_turn`.
_FINISH: dict[str, StopReason] = {
    "STOP": "end_turn",
    "MAX_TOKENS": "max_tokens",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
    "IMAGE_RECITATION": "content_filter",
    "MALFORMED_FUNCTION_CALL": "error",
    "UNEXPECTED_TOOL_CALL": "error",
    "TOO_MANY_TOOL_CALLS": "error",
    "MISSING_THOUGHT_SIGNATURE": "error",
    "MALFORMED_RESPONSE": "error",
    "LANGUAGE": "other",
    "OTHER": "other",
    "IMAGE_OTHER": "other",
    "NO_IMAGE": "other",
    "FINISH_REASON_UNSPECIFIED": "other",
}


def usage_from_wire(raw: Mapping[str, Any] | None) -> Usage:
    """Normalize ``usageMetadata`` into the IR's disjoint buckets.

    ``promptTokenCount`` includes the cached tokens (``cachedContentTokenCount``); tool-use
    prompt tokens (results of server-side tool runs fed back to the model) are input too;
    ``thoughtsTokenCount`` is reported beside ``candidatesTokenCount`` and is part of the IR
    output. Gemini reports no cache writes. So ``uncached = prompt + toolUsePrompt - cached``,
    ``cache_read = cached``, ``output = candidates + thoughts``, ``reasoning = thoughts``, and
    the buckets add up to ``totalTokenCount``.
    """
    if raw is None:
        return Usage()
    u = wire_convert(raw, UsageMetadata, "$.usageMetadata")
    return Usage(
        uncached_input_tokens=u.prompt_token_count + u.tool_use_prompt_token_count - u.cached_content_token_count,
        cache_read_tokens=u.cached_content_token_count,
        cache_write_tokens=0,
        output_tokens=u.candidates_token_count + u.thoughts_token_count,
        reasoning_tokens=u.thoughts_token_count if "thoughtsTokenCount" in raw else None,
    )


def _stop_reason(raw: str | None, content: list[Part]) -> StopReason | None:
    if raw is None:
        return None
    if raw == "STOP" and any(isinstance(p, ToolUse) for p in content):
        return "tool_use"
    return _FINISH.get(raw, "other")


def _decode_response(payload: Any) -> Response:
    data = _obj(load_json(payload), "$")
    wire_convert(data, GenerateContentResponse)
    candidates = data.get("candidates", [])
    first = next((c for c in candidates if c.get("index", 0) == 0), None)
    content: list[Part] = []
    raw_stop: str | None = None
    options: dict[str, Any] = {k: v for k, v in data.items() if k not in ("candidates", "modelVersion", "responseId")}
    if first is not None:
        parts = _norm_content(first.get("content", {}), "$.candidates[0].content").get("parts", [])
        ids, names = _assign_ids([{"parts": parts}])
        content = [
            _lift_part(p, ids, names, (0, j), f"$.candidates[0].content.parts[{j}]") for j, p in enumerate(parts)
        ]
        raw_stop = first.get("finishReason")
        extra = {k: v for k, v in first.items() if k not in ("content", "finishReason")}
        if extra:
            options["candidate"] = extra
    others = [c for c in candidates if c is not first]
    if others:
        options["candidates"] = others  # candidateCount > 1: the other candidates stay raw
    stop = _stop_reason(raw_stop, content)
    if first is None and isinstance(data.get("promptFeedback"), dict) and "blockReason" in data["promptFeedback"]:
        # the prompt itself was blocked: no candidates, promptFeedback.blockReason says why
        raw_stop = data["promptFeedback"]["blockReason"]
        stop = "content_filter"
    return Response(
        id=data.get("responseId"),
        model=data.get("modelVersion"),
        content=content,
        stop_reason=stop,
        raw_stop_reason=raw_stop,
        usage=usage_from_wire(data.get("usageMetadata")),
        provider_options=_opts(options),
    )


class GeminiStreamDecoder(StreamDecoder):
    """``streamGenerateContent?alt=sse``: each SSE ``data`` is a partial GenerateContentResponse.

    Text arrives as consecutive text parts that belong together (the same ``thought`` flag, until
    a part carries a ``thoughtSignature``); ``functionCall`` parts arrive whole; ``usageMetadata``
    is cumulative (the last one counts) and ``finishReason`` comes with the last chunk. The
    decoder merges the chunks into the equivalent whole reply, so :meth:`finish` is exactly
    ``decode_response`` of that reply.
    """

    def __init__(self) -> None:
        super().__init__()
        self._top: dict[str, Any] = {}
        self._cands: dict[int, dict[str, Any]] = {}
        self._calls: dict[str, int] = {}

    def _events(self, data: Any, name: str | None) -> list[StreamEvent]:
        chunk = _obj(data, "$")
        wire_convert(chunk, GenerateContentResponse)
        out: list[StreamEvent] = []
        if "responseId" in chunk or "modelVersion" in chunk:
            out.append(MessageStart(id=chunk.get("responseId"), model=chunk.get("modelVersion")))
        for key, value in chunk.items():
            if key != "candidates":
                self._top[key] = value
        for cand in chunk.get("candidates", []):
            idx = cand.get("index", 0)
            state = self._cands.setdefault(idx, {"parts": [], "extra": {}})
            for key, value in cand.items():
                if key != "content":
                    state["extra"][key] = value
            content = _norm_content(cand.get("content", {}), f"$.candidates[{idx}].content")
            for key, value in content.items():
                if key != "parts":
                    state.setdefault("content_extra", {})[key] = value
            for part in content.get("parts", []):
                j = self._merge(state["parts"], part)
                if idx == 0:
                    out += self._part_events(state["parts"][j], part, j)
            if idx == 0 and "finishReason" in cand:
                merged = self._whole_content(state)
                stop = _stop_reason(cand["finishReason"], merged)
                out.append(Stop(stop_reason=stop, raw_stop_reason=cand["finishReason"]))
        if "usageMetadata" in chunk:
            out.append(UsageUpdate(usage=usage_from_wire(chunk["usageMetadata"])))
        return out

    @staticmethod
    def _merge(parts: list[dict[str, Any]], part: dict[str, Any]) -> int:
        """Append ``part`` to the merged parts; returns the index it went to."""
        if "text" in part and parts:
            last = parts[-1]
            if (
                "text" in last
                and bool(last.get("thought")) == bool(part.get("thought"))
                and "thoughtSignature" not in last
                and not set(last) - {"text", "thought", "thoughtSignature"}
            ):
                last["text"] += part["text"]
                for k, v in part.items():
                    if k != "text":
                        last[k] = v
                return len(parts) - 1
        parts.append(dict(part))
        return len(parts) - 1

    def _part_events(self, merged: dict[str, Any], part: dict[str, Any], j: int) -> list[StreamEvent]:
        if "functionCall" in part:
            call = part["functionCall"]
            name = call.get("name", "")
            if "id" in call:
                cid = call["id"]
            else:  # the same rule as decode: <name>_<n> over the id-less calls of that name
                n = self._calls.get(name, 0)
                self._calls[name] = n + 1
                cid = f"{name}_{n}"
            args = msgspec.json.encode(call.get("args", {})).decode()
            return [ToolCallStart(index=j, id=cid, name=name), ToolCallDelta(index=j, arguments=args)]
        if "text" in part:
            if part.get("thought") is True:
                return [ThinkingDelta(index=j, text=part["text"], signature=part.get("thoughtSignature"))]
            return [TextDelta(index=j, text=part["text"])]
        return []

    def _whole_content(self, state: dict[str, Any]) -> list[Part]:
        parts = state["parts"]
        ids, names = _assign_ids([{"parts": parts}])
        return [_lift_part(p, ids, names, (0, j), "$") for j, p in enumerate(parts)]

    def whole_response(self) -> dict[str, Any]:
        """The equivalent non-streamed reply assembled from the chunks so far."""
        body = dict(self._top)
        cands = []
        for idx in sorted(self._cands):
            state = self._cands[idx]
            cand: dict[str, Any] = {"content": {**state.get("content_extra", {}), "parts": state["parts"]}}
            cand.update(state["extra"])
            cands.append(cand)
        if cands:
            body["candidates"] = cands
        return body

    def finish(self) -> Response:
        return _decode_response(self.whole_response())
