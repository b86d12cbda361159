"""Gemini wire types and the wire rules both directions share.

Wire Structs mirror google-genai ``types.py`` with the REST (camelCase) names of ``models.py``
``_*_to_mldev`` / ``_*_from_mldev`` (PROVIDERS.md section 7a). Unknown fields are allowed: raw
``provider_options`` may add any field at any level.

Also here, because lowering, lifting and :func:`~.canonical.canonicalize` must agree on them:
the field names of each wire object and the spellings decode accepts (:func:`normalize`), the
Files-API URI rule, the part kind by MIME type and the tool-call id rule (:func:`assign_ids`).
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from ir_codec.codec import expect_object
from ir_codec.errors import DecodeError
from ir_codec.ir import Audio, Document, Image
from ir_codec.lowering import plain_text_member

__all__ = [
    "CHOICES",
    "EFFORTS",
    "LEVELS",
    "MODES",
    "NAME",
    "OBJECT_SCHEMA",
    "TOOL_FIELDS",
    "WBlob",
    "WCandidate",
    "WContent",
    "WFileData",
    "WFunctionCall",
    "WFunctionCallingConfig",
    "WFunctionDeclaration",
    "WFunctionResponse",
    "WFunctionResponsePart",
    "WGenerateContentRequest",
    "WGenerateContentResponse",
    "WGenerationConfig",
    "WPart",
    "WStruct",
    "WSystemInstruction",
    "WThinkingConfig",
    "WTool",
    "WToolConfig",
    "WUsageMetadata",
    "assign_ids",
    "camel_keys",
    "check_response_parts",
    "is_bare_json",
    "kind_for",
    "listify",
    "norm_content",
    "norm_part",
    "normalize",
    "uri_is_file",
]

NAME = "gemini"
"""The registered codec name, also the key of this codec's ``provider_options``."""

# --------------------------------------------------------------------------------------------
# Request (google-genai types.py; REST names from models.py `_*_to_mldev`)


class WStruct(msgspec.Struct, rename="camel", omit_defaults=True):
    pass


class WBlob(WStruct):
    mime_type: str
    data: str


class WFileData(WStruct):
    file_uri: str
    mime_type: str | UnsetType = UNSET


class WFunctionCall(WStruct):
    name: str
    id: str | UnsetType = UNSET
    args: dict[str, Any] | UnsetType = UNSET


class WFunctionResponsePart(WStruct):
    inline_data: WBlob | UnsetType = UNSET
    file_data: WFileData | UnsetType = UNSET


class WFunctionResponse(WStruct):
    name: str
    id: str | UnsetType = UNSET
    response: dict[str, Any] | UnsetType = UNSET
    parts: list[WFunctionResponsePart] | UnsetType = UNSET


class WPart(WStruct):
    text: str | UnsetType = UNSET
    thought: bool | UnsetType = UNSET
    thought_signature: str | UnsetType = UNSET
    inline_data: WBlob | UnsetType = UNSET
    file_data: WFileData | UnsetType = UNSET
    function_call: WFunctionCall | UnsetType = UNSET
    function_response: WFunctionResponse | UnsetType = UNSET


class WContent(WStruct):
    parts: list[WPart] = []
    role: Literal["user", "model"] | UnsetType = UNSET


class WSystemInstruction(WStruct):
    """The API ignores the role of the system instruction; any string is accepted on decode."""

    parts: list[WPart] = []
    role: str | UnsetType = UNSET


class WFunctionDeclaration(WStruct):
    name: str
    description: str | UnsetType = UNSET
    parameters: dict[str, Any] | UnsetType = UNSET
    parameters_json_schema: Any = UNSET


class WTool(WStruct):
    function_declarations: list[WFunctionDeclaration] | UnsetType = UNSET


class WFunctionCallingConfig(WStruct):
    mode: Literal["MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"] | UnsetType = UNSET
    allowed_function_names: list[str] | UnsetType = UNSET


class WToolConfig(WStruct):
    function_calling_config: WFunctionCallingConfig | UnsetType = UNSET


class WThinkingConfig(WStruct):
    thinking_budget: int | UnsetType = UNSET
    include_thoughts: bool | UnsetType = UNSET
    thinking_level: Literal["THINKING_LEVEL_UNSPECIFIED", "MINIMAL", "LOW", "MEDIUM", "HIGH", "XHIGH"] | UnsetType = (
        UNSET
    )


class WGenerationConfig(WStruct):
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
    thinking_config: WThinkingConfig | UnsetType = UNSET


class WGenerateContentRequest(WStruct):
    """Body of ``POST /v1beta/{model}:generateContent``."""

    contents: list[WContent] = []
    system_instruction: WSystemInstruction | UnsetType = UNSET
    tools: list[WTool] | UnsetType = UNSET
    tool_config: WToolConfig | UnsetType = UNSET
    generation_config: WGenerationConfig | UnsetType = UNSET
    safety_settings: list[dict[str, Any]] | UnsetType = UNSET
    cached_content: str | UnsetType = UNSET
    labels: dict[str, str] | UnsetType = UNSET


# --------------------------------------------------------------------------------------------
# Response (types.GenerateContentResponse; REST keys from models.py
# `_GenerateContentResponse_from_mldev`; PROVIDERS.md 7a)


class WUsageMetadata(WStruct):
    prompt_token_count: int = 0
    cached_content_token_count: int = 0
    candidates_token_count: int = 0
    thoughts_token_count: int = 0
    tool_use_prompt_token_count: int = 0
    total_token_count: int | UnsetType = UNSET


class WCandidate(WStruct):
    content: WContent | UnsetType = UNSET
    finish_reason: str | UnsetType = UNSET
    index: int = 0


class WGenerateContentResponse(WStruct):
    candidates: list[WCandidate] = []
    usage_metadata: WUsageMetadata | UnsetType = UNSET
    model_version: str | UnsetType = UNSET
    response_id: str | UnsetType = UNSET


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
TOOL_FIELDS = frozenset(
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
"""The fields of a ``types.Tool`` (one tool kind each)."""
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
_PAYLOAD_KEYS: dict[str, frozenset[str]] = {
    "inlineData": _BLOB,
    "fileData": _FILE,
    "functionCall": _CALL,
    "functionResponse": _RESP,
}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def camel_keys(value: Any, known: frozenset[str], path: str) -> dict[str, Any]:
    """Rename known snake_case keys to camelCase; unknown keys stay as they are. A known field
    that is ``null`` is absent (proto3 JSON; google-genai's ``model_dump()`` writes every unset
    field as ``None``): canonicalization 12."""
    out: dict[str, Any] = {}
    for k, v in expect_object(value, path).items():
        ck = k
        if type(k) is str and "_" in k:  # a key without "_" is its own camelCase
            camel = _camel(k)
            if camel in known:
                ck = camel
        if v is None and ck in known:
            continue
        if ck in out:
            raise DecodeError(f"{path}.{ck}", "one spelling of the field", "both snake_case and camelCase")
        out[ck] = v
    return out


def listify(value: Any, path: str) -> list[Any]:
    """A single object where the API expects a list (`contents: {...}`, `parts: {...}`)."""
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise DecodeError(path, "a list", type(value).__name__)
    return value


def norm_part(value: Any, path: str) -> dict[str, Any]:
    """A part with camelCase keys (its payload object's too) and lists where the schema has them."""
    part = camel_keys(value, _PART, path)
    for key, known in _PAYLOAD_KEYS.items():
        if key in part:
            part[key] = camel_keys(part[key], known, f"{path}.{key}")
    if "functionResponse" in part and "parts" in part["functionResponse"]:
        fr = part["functionResponse"]
        fr["parts"] = [
            _norm_resp_part(p, f"{path}.functionResponse.parts[{k}]")
            for k, p in enumerate(listify(fr["parts"], f"{path}.functionResponse.parts"))
        ]
    return part


def _norm_resp_part(value: Any, path: str) -> dict[str, Any]:
    part = camel_keys(value, _RESP_PART, path)
    for key in ("inlineData", "fileData"):
        if key in part:
            part[key] = camel_keys(part[key], _PAYLOAD_KEYS[key], f"{path}.{key}")
    return part


def check_response_parts(parts: list[Any], path: str) -> None:
    """``functionResponse.parts`` hold only inline or file data (types.FunctionResponsePart)."""
    for k, q in enumerate(parts):
        key = "inlineData" if "inlineData" in q else "fileData"
        if key not in q or len(q) != 1 or set(q[key]) - {"mimeType", "data", "fileUri"}:
            raise DecodeError(
                f"{path}.parts[{k}]", "only inlineData or fileData (mimeType, data / fileUri)", str(sorted(q))
            )


def _plain_content(obj: Any) -> bool:
    """Whether a wire Content is ``{"role": "...", "parts": [...]}`` (in either order) and
    nothing else: its keys are camelCase and none is null, so :func:`camel_keys` copies it as it is."""
    return type(obj) is dict and len(obj) == 2 and type(obj.get("role")) is str and type(obj.get("parts")) is list


def norm_content(value: Any, path: str) -> dict[str, Any]:
    """A Content (or systemInstruction) with camelCase keys and a list of normalized parts."""
    if _plain_content(value):
        content = dict(value)  # what camel_keys returns for it: an unchanged copy
        parts = content["parts"]  # a list already (what listify returns for it)
    else:
        content = camel_keys(value, _CONTENT, path)
        if "parts" not in content:
            return content
        parts = listify(content["parts"], f"{path}.parts")
    content["parts"] = [
        # a plain text part is copied as it is (what norm_part returns for it)
        {"text": p["text"]} if plain_text_member(p) else norm_part(p, f"{path}.parts[{k}]")
        for k, p in enumerate(parts)
    ]
    return content


def _upper(obj: dict[str, Any], key: str) -> None:
    """Enum values are read in any case (PROVIDERS.md §13: ``"any"``, ``"High"`` seen accepted)."""
    value = obj.get(key)
    if isinstance(value, str) and not value.isupper():
        obj[key] = value.upper()


def normalize(payload: Any) -> dict[str, Any]:
    """camelCase keys and lists everywhere the schema has them, the legacy role ``function`` as
    ``user`` and enum values in upper case (canonicalizations 1, 2, 10 and 11)."""
    root = camel_keys(payload, _ROOT, "$")
    if "contents" in root:
        root["contents"] = [
            norm_content(c, f"$.contents[{i}]") for i, c in enumerate(listify(root["contents"], "$.contents"))
        ]
        for c in root["contents"]:
            if c.get("role") == "function":  # the legacy role of function responses (PROVIDERS.md §13)
                c["role"] = "user"
    if "systemInstruction" in root:
        root["systemInstruction"] = norm_content(root["systemInstruction"], "$.systemInstruction")
    if "tools" in root:
        tools = []
        for i, t in enumerate(listify(root["tools"], "$.tools")):
            tool = camel_keys(t, TOOL_FIELDS, f"$.tools[{i}]")
            if "functionDeclarations" in tool:
                decls = listify(tool["functionDeclarations"], f"$.tools[{i}].functionDeclarations")
                tool["functionDeclarations"] = [
                    camel_keys(d, _DECL, f"$.tools[{i}].functionDeclarations[{k}]") for k, d in enumerate(decls)
                ]
            tools.append(tool)
        root["tools"] = tools
    if "toolConfig" in root:
        tc = camel_keys(root["toolConfig"], _TOOL_CONFIG, "$.toolConfig")
        if "functionCallingConfig" in tc:
            tc["functionCallingConfig"] = camel_keys(
                tc["functionCallingConfig"], _FCC, "$.toolConfig.functionCallingConfig"
            )
            if isinstance(tc["functionCallingConfig"], dict):
                _upper(tc["functionCallingConfig"], "mode")
        root["toolConfig"] = tc
    if "generationConfig" in root:
        gc = camel_keys(root["generationConfig"], _GEN, "$.generationConfig")
        if "thinkingConfig" in gc:
            gc["thinkingConfig"] = camel_keys(gc["thinkingConfig"], _THINK, "$.generationConfig.thinkingConfig")
            if isinstance(gc["thinkingConfig"], dict):
                _upper(gc["thinkingConfig"], "thinkingLevel")
        root["generationConfig"] = gc
    return root


# --------------------------------------------------------------------------------------------
# Rules both directions follow (so that encode, decode and canonicalize agree)

_FILES_HOSTS = ("https://generativelanguage.googleapis.com/",)


def uri_is_file(uri: str) -> bool:
    """Files API URIs (and anything that is no URL at all) are IR FileSource; see the codec doc."""
    return uri.startswith(_FILES_HOSTS) or uri.startswith("files/") or "://" not in uri


def kind_for(mime: str | None) -> type[Image] | type[Audio] | type[Document]:
    """The IR part kind of a media part: Gemini tells them apart by MIME type only."""
    if mime is not None and mime.startswith("image/"):
        return Image
    if mime is not None and mime.startswith("audio/"):
        return Audio
    return Document


def assign_ids(contents: list[dict[str, Any]]) -> tuple[dict[tuple[int, int], str], dict[str, str]]:
    """Ids for every functionCall/functionResponse part (the codec doc's rule) and call id -> name."""
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


def omit_derived_ids(contents: list[dict[str, Any]]) -> None:
    """Remove, in place, the functionCall / functionResponse ids that :func:`assign_ids` derives:
    a call id equal to its derived ``<name>_<n>``, and a response id equal to the derived one
    when that names an omitted call (or is ``<name>_result_<n>``). A body written without ids
    comes back without them (PROVIDERS.md §13); explicit ids stay; decode gives the IR the same
    ids. One pass with :func:`assign_ids`'s own state."""
    counters: dict[str, int] = {}
    orphan: dict[str, int] = {}
    pending: dict[str, list[str]] = {}
    omitted: set[str] = set()
    for content in contents:
        for part in content.get("parts", []):
            if "functionCall" not in part and "functionResponse" not in part:
                continue  # no call nor response (a text part): nothing to omit or count
            call, resp = part.get("functionCall"), part.get("functionResponse")
            if isinstance(call, dict) and isinstance(call.get("name"), str):
                name, cid = call["name"], call.get("id")
                derived = f"{name}_{counters.get(name, 0)}"
                if cid is None or cid == derived:
                    call.pop("id", None)
                    counters[name] = counters.get(name, 0) + 1
                    cid = derived
                    omitted.add(cid)
                pending.setdefault(name, []).append(cid)
            elif isinstance(resp, dict) and isinstance(resp.get("name"), str):
                name, rid = resp["name"], resp.get("id")
                queue = pending.get(name, [])
                if queue:
                    derived, omit = queue[0], queue[0] in omitted
                else:
                    derived, omit = f"{name}_result_{orphan.get(name, 0)}", True
                if rid is None or (rid == derived and omit):
                    resp.pop("id", None)
                    if queue:
                        queue.pop(0)
                    else:
                        orphan[name] = orphan.get(name, 0) + 1
                elif rid in queue:
                    queue.remove(rid)


EFFORTS = {"minimal": "MINIMAL", "low": "LOW", "medium": "MEDIUM", "high": "HIGH", "xhigh": "XHIGH"}
"""IR ``reasoning_effort`` -> ``thinkingConfig.thinkingLevel``."""
LEVELS = {v: k for k, v in EFFORTS.items()}
MODES = {"auto": "AUTO", "required": "ANY", "none": "NONE"}
"""IR ``tool_choice.mode`` -> ``functionCallingConfig.mode``."""
CHOICES = {v: k for k, v in MODES.items()}
OBJECT_SCHEMA = {"type": "object"}
"""The IR's default input schema: a function without parameters."""


def is_bare_json(v: Any) -> bool:
    """A JSON result value that can be the whole ``functionResponse.response`` object without a
    wrapper (it does not read back as ``{"output": text}`` or ``{"error": ...}``)."""
    if not isinstance(v, dict) or not v:
        return False
    if set(v) == {"error"}:
        return False
    return not (set(v) == {"output"} and isinstance(v["output"], str))
