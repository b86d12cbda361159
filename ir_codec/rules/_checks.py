"""The checks of each provider family: which format the body is, the schema walk, then the
rules across fields (tool pairing, cache marks, media data, version and platform rules).

Every access is behind a type check: the schema walk has reported what is malformed, and these
rules look only at what is well formed.
"""

from __future__ import annotations

import binascii
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ._core import Ctx
from ._schema import check
from ._wire import SCHEMAS, anthropic_request

__all__ = ["FAMILIES", "detect_family", "run_checks"]

FAMILIES: dict[str, str] = {
    "anthropic": "anthropic",
    "anthropic-bedrock": "anthropic",
    "anthropic-vertex": "anthropic",
    "bedrock-converse": "bedrock-converse",
    "openai-chat": "openai-chat",
    "openrouter": "openai-chat",
    "mistral": "openai-chat",
    "deepseek": "openai-chat",
    "openai-responses": "openai-responses",
    "gemini": "gemini",
}
"""The wire family of each built-in codec (the format detection of ``IRC100`` works on these)."""


def _d(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, dict) else {}


def _l(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _s(v: Any) -> str:
    return v if isinstance(v, str) else ""


# ============================================================================================
# Which format is this body? (IRC100)

_GEMINI_KEYS = frozenset(
    {"contents", "systemInstruction", "system_instruction", "generationConfig", "generation_config"}
)
_RESPONSES_KEYS = frozenset({"input", "instructions", "max_output_tokens", "previous_response_id"})
_CONVERSE_KEYS = frozenset({"inferenceConfig", "toolConfig", "additionalModelRequestFields"})
_ANTHROPIC_KEYS = frozenset({"stop_sequences", "anthropic_version", "thinking"})
_CHAT_KEYS = frozenset({"max_completion_tokens", "response_format", "frequency_penalty", "presence_penalty", "n"})
_ANTHROPIC_BLOCKS = frozenset({"tool_use", "tool_result", "thinking", "redacted_thinking", "document", "image"})
_CHAT_PARTS = frozenset({"image_url", "input_audio", "file", "refusal"})
_CONVERSE_BLOCKS = frozenset({"text", "toolUse", "toolResult", "image", "document", "cachePoint", "reasoningContent"})


def detect_family(body: Mapping[str, Any]) -> set[str]:
    """The wire families whose distinctive marks ``body`` has (empty: nothing distinctive)."""
    keys = body.keys()
    found: set[str] = set()
    if not _GEMINI_KEYS.isdisjoint(keys):
        found.add("gemini")
    if not _RESPONSES_KEYS.isdisjoint(keys):
        found.add("openai-responses")
    if not _CONVERSE_KEYS.isdisjoint(keys):
        found.add("bedrock-converse")
    if not _ANTHROPIC_KEYS.isdisjoint(keys) or isinstance(body.get("system"), str | list):
        found.add("anthropic")
    if not _CHAT_KEYS.isdisjoint(keys):
        found.add("openai-chat")
    for t in _l(body.get("tools"))[:4]:
        t = _d(t)
        if "input_schema" in t:
            found.add("anthropic")
        elif "function" in t:
            found.add("openai-chat")
        elif "toolSpec" in t:
            found.add("bedrock-converse")
        elif "functionDeclarations" in t or "function_declarations" in t:
            found.add("gemini")
    for m in _l(body.get("messages"))[:8]:
        m = _d(m)
        role = m.get("role")
        if role in ("developer", "tool", "function") or "tool_calls" in m:
            found.add("openai-chat")
        for b in _l(m.get("content"))[:8]:
            b = _d(b)
            t = b.get("type")
            if t is None:
                if len(b) == 1 and not _CONVERSE_BLOCKS.isdisjoint(b):
                    found.add("bedrock-converse")
            elif type(t) is not str:  # no family's mark (the checks report the type itself)
                continue
            elif t in _ANTHROPIC_BLOCKS and (t not in ("image", "document") or "source" in b):
                found.add("anthropic")
            elif t in _CHAT_PARTS:
                found.add("openai-chat")
    return found


def _foreign(body: Mapping[str, Any], ctx: Ctx, family: str) -> bool:
    found = detect_family(body)
    if not found and "messages" in body and family in ("gemini", "openai-responses"):
        ctx.add("IRC100", "$", f"this looks like an anthropic or openai-chat body (messages), not {ctx.codec}")
        return True
    if not found or family in found:
        return False
    other = sorted(found)[0]
    article = "an" if other[0] in "aeio" else "a"
    ctx.add("IRC100", "$", f"this looks like {article} {other} body, not {ctx.codec}")
    return True


# ============================================================================================
# Media data (IRC401, IRC402)

_MAGIC: tuple[tuple[str, Callable[[bytes], bool]], ...] = (
    ("image/png", lambda b: b.startswith(b"\x89PNG")),
    ("image/jpeg", lambda b: b.startswith(b"\xff\xd8\xff")),
    ("image/gif", lambda b: b.startswith((b"GIF87a", b"GIF89a"))),
    ("image/webp", lambda b: b.startswith(b"RIFF") and (len(b) < 12 or b[8:12] == b"WEBP")),
    ("application/pdf", lambda b: b.startswith(b"%PDF")),
)
_MAGIC_OF = dict(_MAGIC)
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_B64_URLSAFE = re.compile(r"[A-Za-z0-9+/_-]*={0,2}")


def check_media(data: Any, media_type: Any, path: str, ctx: Ctx, *, urlsafe: bool = False) -> None:
    """``data`` is base64 (``IRC401``) and its magic bytes agree with ``media_type`` (``IRC402``)
    where the type is one whose magic is known (png, jpeg, gif, webp, pdf)."""
    if not isinstance(data, str):
        return
    if urlsafe:  # proto3 JSON bytes: standard or URL-safe alphabet, padding optional
        if not _B64_URLSAFE.fullmatch(data):
            ctx.add("IRC401", path, "not base64: characters outside the base64 alphabet")
            return
        data = data.replace("-", "+").replace("_", "/").rstrip("=")
        data += "=" * (-len(data) % 4)
    elif len(data) % 4 or not _B64.fullmatch(data):
        why = "a length that is not a multiple of 4" if _B64.fullmatch(data) else "characters outside the alphabet"
        ctx.add("IRC401", path, f"not valid base64 ({why})")
        return
    try:
        head = binascii.a2b_base64(data[:16])
    except binascii.Error:
        ctx.add("IRC401", path, "not valid base64")
        return
    declared = _s(media_type).lower()
    test = _MAGIC_OF.get(declared)
    if test is None or len(head) < 4 or test(head):
        return
    actual = next((mt for mt, t in _MAGIC if t(head)), None)
    if actual is not None:  # data of no known format proves nothing: only a clear lie is reported
        ctx.add("IRC402", path, f"declared {declared} but the data is {actual}")


_DATA_URL = re.compile(r"data:([^;,]*)(;[^,]*)?,", re.S)


def check_data_url(url: Any, path: str, ctx: Ctx) -> None:
    """A ``data:`` URL's payload is base64 and agrees with its media type."""
    if not isinstance(url, str) or not url.startswith("data:"):
        return
    m = _DATA_URL.match(url)
    if m is None:
        ctx.add("IRC401", path, "a data URL without a ',' before its data")
        return
    if ";base64" not in (m.group(2) or ""):
        return
    check_media(url[m.end() :], m.group(1), path, ctx)


# ============================================================================================
# Cache marks: one walk in prefix order, shared by the families


class Marks:
    """The cache marks of a body in prefix order and the text before each (for lint)."""

    __slots__ = ("chars", "marks", "volatile")

    def __init__(self) -> None:
        self.marks: list[tuple[str, str | None, int]] = []  # (path, ttl, prefix chars)
        self.chars = 0
        self.volatile: tuple[str, int] | None = None  # the first volatile text: path, marks before it

    def text(self, value: Any, path: str, ctx: Ctx) -> None:
        if isinstance(value, str):
            self.chars += len(value)
            if ctx.lint and self.volatile is None and _VOLATILE.search(value):
                self.volatile = (path, len(self.marks))
        elif isinstance(value, dict | list):
            self.chars += 64  # a rough size of a non-text item (documented in spec/rules.md)

    def mark(self, path: str, ttl: str | None) -> None:
        self.marks.append((path, ttl, self.chars))


_VOLATILE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"  # ISO 8601 timestamp
    r"|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"  # UUID
    r"|\b(?:req|request|trace|msg|chatcmpl)[_-][A-Za-z0-9]{8,}",  # request ids
    re.I,
)


def check_marks(
    marks: Marks,
    ctx: Ctx,
    *,
    cap: int | None,
    cap_code: str = "IRC201",
    order: bool = True,
    min_tokens: int | None = None,
    long_ttls: frozenset[str] = frozenset({"1h"}),
) -> None:
    """Cap (``cap_code``: an error, or IRC213 where extra marks are only not written), TTL
    order (IRC202), and for lint the minimum cacheable prefix (IRC210, chars/4 tokens) and
    volatile text before a mark (IRC211)."""
    n = len(marks.marks)
    if cap is not None and n > cap:
        if cap_code == "IRC201":
            path = marks.marks[cap][0]
            ctx.add("IRC201", path, f"cache mark {cap + 1} of {n}; the provider allows at most {cap}")
        else:  # the latest ``cap`` marks are written: the first one over is the earliest
            path = marks.marks[0][0]
            ctx.add(cap_code, path, f"{n} marks; only the latest {cap} are written, the first {n - cap} only read")
    if order:
        short_at: str | None = None
        for path, ttl, _ in marks.marks:
            if ttl in long_ttls:
                if short_at is not None:
                    ctx.add("IRC202", path, f"a {ttl} mark after the shorter-lived mark at {short_at}")
                    break
            elif short_at is None:
                short_at = path
    if not ctx.lint:
        return
    if min_tokens is not None:
        for path, _, chars in marks.marks:
            if chars // 4 < min_tokens:
                ctx.add(
                    "IRC210",
                    path,
                    f"the prefix is about {chars // 4} tokens (chars/4), below the minimum {min_tokens}: not cached",
                )
                break
    if marks.volatile is not None:
        v, before = marks.volatile
        if before < len(marks.marks):
            path = marks.marks[before][0]
            ctx.add("IRC211", path, f"volatile text at {v} (a timestamp, UUID or request id) precedes this mark")


@functools.cache
def cache_rules(codec: str) -> tuple[int | None, bool]:
    """(cap, TTL order) of ``codec``'s cache planner rules (``CodecProfile.cache``): the rules
    ``encode`` repairs by are the rules ``validate`` reports."""
    from ..codec import get_codec

    rules = get_codec(codec).profile().cache
    return rules.max_breakpoints, rules.ttl_order


# ============================================================================================
# Tool pairing helpers


def _dup_id(seen: dict[str, str], tid: Any, path: str, ctx: Ctx) -> None:
    if not isinstance(tid, str):
        return
    if tid in seen:
        ctx.add("IRC303", path, f"tool-call id {tid!r} is also at {seen[tid]}")
    else:
        seen[tid] = path


def _tool_names(names: list[tuple[str, str]], ctx: Ctx) -> set[str]:
    seen: set[str] = set()
    for name, path in names:
        if name in seen:
            ctx.add("IRC306", path, f"a second tool named {name!r}")
        seen.add(name)
    return seen


def _id_pattern(tid: Any, pattern: re.Pattern[str], path: str, ctx: Ctx) -> None:
    if ctx.lint and isinstance(tid, str) and not pattern.fullmatch(tid):
        ctx.add("IRC304", path, f"{tid[:40]!r} does not match {pattern.pattern}")


# ============================================================================================
# Anthropic Messages

_ANTHROPIC_ID = re.compile(r"[a-zA-Z0-9_-]+")
_A_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_A_LEGACY = frozenset({"2023-06-01", "bedrock-2023-05-31", "vertex-2023-10-16"})
_A_MIN_TOKENS = (  # A-PC "Cache limitations"
    (("fable-5", "mythos-5", "opus-5"), 512),
    (("opus-4-6", "opus-4-5", "haiku-4-5", "opus-4.6", "opus-4.5", "haiku-4.5"), 4096),
    (("mythos-preview", "opus-4-7", "opus-4.7", "haiku-3-5", "haiku-3.5"), 2048),
)


def _anthropic_min_tokens(model: Any) -> int:
    m = _s(model).lower()
    for names, n in _A_MIN_TOKENS:
        if any(x in m for x in names):
            return n
    return 1024


@functools.cache
def _anthropic_form(codec: str) -> tuple[Any, Any]:
    from ..codec import get_codec

    form = get_codec(codec).form  # type: ignore[attr-defined]
    return form, anthropic_request(form.has_model, form.has_stream, form.body_version)


def _anthropic(body: Mapping[str, Any], ctx: Ctx) -> None:
    form, schema = _anthropic_form(ctx.codec)
    check(schema, body, "$", ctx)
    if form.body_version and isinstance(body.get("anthropic_version"), str):
        version = form.version(body["anthropic_version"])
        assumed = "the body's anthropic_version"
    else:
        version = form.version(ctx.api_version) if ctx.api_version else form.api_version
        assumed = "given" if ctx.api_version else "assumed; api_version= chooses another"
    legacy = version in _A_LEGACY
    if not legacy:
        for k in ("temperature", "top_p", "top_k"):
            if k in body:
                ctx.add("IRC107", f"$.{k}", f"API version {version} ({assumed}) refuses {k}")
    if version == "bedrock-2023-05-31" and "cache_control" in body:
        # A-PC "Automatic caching": not available on the legacy Bedrock integration (400 there).
        ctx.add("IRC107", "$.cache_control", f"automatic caching (top-level cache_control) is refused with {version}")
    if not form.has_model and "model" in body:
        ctx.add("IRC108", "$.model", f"a {ctx.codec} body has no model (it travels in the URL)")
    if not form.has_stream and "stream" in body:
        ctx.add("IRC108", "$.stream", f"a {ctx.codec} body has no stream (the URL chooses streaming)")
    if form.body_version and "anthropic_version" not in body:
        ctx.add("IRC104", "$.anthropic_version", f"a {ctx.codec} body needs anthropic_version")

    marks = Marks()
    names: list[tuple[str, str]] = []
    for i, t in enumerate(_l(body.get("tools"))):
        t = _d(t)
        p = f"$.tools[{i}]"
        if isinstance(t.get("name"), str):
            names.append((t["name"], f"{p}.name"))
        marks.text(t.get("description"), p, ctx)
        marks.chars += 64
        if isinstance(t.get("cache_control"), dict):
            marks.mark(f"{p}.cache_control", _s(t["cache_control"].get("ttl")) or "5m")
    tool_names = _tool_names(names, ctx)
    tc = _d(body.get("tool_choice"))
    if tc.get("type") == "tool" and isinstance(tc.get("name"), str) and tc["name"] not in tool_names and ctx.lint:
        ctx.add("IRC305", "$.tool_choice.name", f"no tool named {tc['name']!r} in tools")
    system = body.get("system")
    if isinstance(system, str):
        marks.text(system, "$.system", ctx)
    for i, s in enumerate(_l(system)):
        s = _d(s)
        marks.text(s.get("text"), f"$.system[{i}].text", ctx)
        if s.get("text") == "":
            ctx.add("IRC106", f"$.system[{i}].text", "an empty system text block")
        if isinstance(s.get("cache_control"), dict):
            marks.mark(f"$.system[{i}].cache_control", _s(s["cache_control"].get("ttl")) or "5m")

    messages = _l(body.get("messages"))
    seen_ids: dict[str, str] = {}
    pending: dict[str, str] = {}  # tool_use ids of the previous assistant message -> path
    last_mark_ttl: str | None = None
    last_block_marked = False
    for i, m in enumerate(messages):
        m = _d(m)
        role = m.get("role")
        content = m.get("content")
        p = f"$.messages[{i}]"
        last = i == len(messages) - 1
        if isinstance(content, str):
            marks.text(content, f"{p}.content", ctx)
            last_block_marked = False
        if content == [] and not (last and role == "assistant"):
            ctx.add("IRC106", f"{p}.content", "an empty content list (only a final assistant message may be empty)")
        answered: set[str] = set()
        uses: dict[str, str] = {}
        for j, b in enumerate(_l(content)):
            b = _d(b)
            bp = f"{p}.content[{j}]"
            t = b.get("type")
            cc = b.get("cache_control")
            if t == "text":
                marks.text(b.get("text"), f"{bp}.text", ctx)
                if b.get("text") == "":
                    ctx.add("IRC106", f"{bp}.text", "an empty text block")
                if role == "user" and b.get("citations") and not legacy:
                    ctx.add(
                        "IRC107",
                        f"{bp}.citations",
                        f"API version {version} ({assumed}) refuses citations on a user text",
                    )
            elif t in ("image", "document"):
                _anthropic_source(b, t, bp, ctx)
                marks.chars += 400
                if t == "document" and role == "assistant" and not legacy:
                    ctx.add(
                        "IRC107", bp, f"API version {version} ({assumed}) refuses a document in an assistant message"
                    )
            elif t == "tool_use":
                tid = b.get("id")
                _dup_id(seen_ids, tid, f"{bp}.id", ctx)
                _id_pattern(tid, _ANTHROPIC_ID, f"{bp}.id", ctx)
                if isinstance(tid, str):
                    uses[tid] = f"{bp}.id"
                if role != "assistant":
                    ctx.add("IRC109", bp, f"a tool_use block in a {role} message")
                marks.text(b.get("input"), bp, ctx)
            elif t == "tool_result":
                tid = b.get("tool_use_id")
                if isinstance(tid, str):
                    if tid not in pending:
                        ctx.add(
                            "IRC301",
                            f"{bp}.tool_use_id",
                            f"{tid!r} answers no tool_use of the previous assistant message",
                        )
                    answered.add(tid)
                rc = b.get("content")
                if isinstance(rc, str):
                    marks.text(rc, f"{bp}.content", ctx)
                for n, nb in enumerate(_l(rc)):
                    nb = _d(nb)
                    np_ = f"{bp}.content[{n}]"
                    marks.text(nb.get("text"), f"{np_}.text", ctx)
                    if nb.get("type") in ("image", "document"):
                        _anthropic_source(nb, nb["type"], np_, ctx)
                    if isinstance(nb.get("cache_control"), dict):
                        marks.mark(f"{np_}.cache_control", _s(nb["cache_control"].get("ttl")) or "5m")
            elif t in ("thinking", "redacted_thinking"):
                if cc is not None:
                    ctx.add("IRC203", f"{bp}.cache_control", f"a {t} block cannot carry a cache mark")
                continue
            if isinstance(cc, dict):
                if t == "text" and b.get("text") == "":
                    ctx.add("IRC203", f"{bp}.cache_control", "an empty text block cannot carry a cache mark")
                ttl = _s(cc.get("ttl")) or "5m"
                marks.mark(f"{bp}.cache_control", ttl)
                last_mark_ttl = ttl
                last_block_marked = True
            else:
                last_block_marked = False
        if pending and role == "user":
            for tid, where in pending.items():
                if tid not in answered:
                    ctx.add("IRC302", where, f"tool_use {tid!r} has no tool_result in the next message")
        elif pending and role != "user":
            for tid, where in pending.items():
                ctx.add("IRC302", where, f"tool_use {tid!r} has no tool_result in the next message")
        pending = uses if role == "assistant" else {}
    auto = body.get("cache_control")
    if isinstance(auto, dict):  # automatic caching: a breakpoint on the last block (A-PC)
        ttl = _s(auto.get("ttl")) or "5m"
        if last_block_marked and last_mark_ttl is not None and last_mark_ttl != ttl:
            ctx.add(
                "IRC206", "$.cache_control", f"automatic {ttl} caching, but the last block has a {last_mark_ttl} mark"
            )
        elif not last_block_marked:
            marks.mark("$.cache_control", ttl)
    cap, order = cache_rules(ctx.codec)  # 4, longer TTL first (A-PC)
    check_marks(marks, ctx, cap=cap, order=order, min_tokens=_anthropic_min_tokens(body.get("model")))


def _anthropic_source(b: Mapping[str, Any], t: str, path: str, ctx: Ctx) -> None:
    src = _d(b.get("source"))
    if src.get("type") != "base64":
        return
    mt = src.get("media_type")
    if t == "image" and isinstance(mt, str) and mt not in _A_IMAGE_TYPES:
        ctx.add(
            "IRC403", f"{path}.source.media_type", f"{mt!r} is not one of image/jpeg, image/png, image/gif, image/webp"
        )
    elif t == "document" and isinstance(mt, str) and mt != "application/pdf":
        ctx.add("IRC403", f"{path}.source.media_type", f"a base64 document source is application/pdf, not {mt!r}")
    check_media(src.get("data"), mt, f"{path}.source.data", ctx)


# ============================================================================================
# Bedrock Converse

_B_FORMATS = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
}
_B_ID = re.compile(r"[a-zA-Z0-9_.:-]{1,64}")  # B-SDK ToolUseId


def _bedrock_blob(block: Mapping[str, Any], path: str, ctx: Ctx) -> None:
    src = _d(block.get("source"))
    if "bytes" in src:
        check_media(src["bytes"], _B_FORMATS.get(_s(block.get("format"))), f"{path}.source.bytes", ctx)


def _converse_block(b: Mapping[str, Any], path: str, marks: Marks, ctx: Ctx) -> None:
    if "text" in b:
        marks.text(b["text"], f"{path}.text", ctx)
    if isinstance(b.get("image"), dict):
        _bedrock_blob(b["image"], f"{path}.image", ctx)
        marks.chars += 400
    if isinstance(b.get("document"), dict):
        _bedrock_blob(b["document"], f"{path}.document", ctx)
        marks.chars += 400
    if isinstance(b.get("cachePoint"), dict):
        marks.mark(f"{path}.cachePoint", _s(b["cachePoint"].get("ttl")) or "5m")


def _bedrock(body: Mapping[str, Any], ctx: Ctx) -> None:
    check(SCHEMAS["bedrock-converse"], body, "$", ctx)
    marks = Marks()
    tool_config = _d(body.get("toolConfig"))
    names: list[tuple[str, str]] = []
    for i, t in enumerate(_l(tool_config.get("tools"))):  # prefix order: tools, system, messages (B-PC)
        t = _d(t)
        spec = _d(t.get("toolSpec"))
        if isinstance(spec.get("name"), str):
            names.append((spec["name"], f"$.toolConfig.tools[{i}].toolSpec.name"))
            marks.text(spec.get("description"), f"$.toolConfig.tools[{i}]", ctx)
            marks.chars += 64
        _converse_block(t, f"$.toolConfig.tools[{i}]", marks, ctx)
    tool_names = _tool_names(names, ctx)
    choice = _d(_d(tool_config.get("toolChoice")).get("tool"))
    if ctx.lint and isinstance(choice.get("name"), str) and choice["name"] not in tool_names:
        ctx.add("IRC305", "$.toolConfig.toolChoice.tool.name", f"no tool named {choice['name']!r} in tools")
    for i, s in enumerate(_l(body.get("system"))):
        _converse_block(_d(s), f"$.system[{i}]", marks, ctx)
    messages = _l(body.get("messages"))
    if messages and _d(messages[0]).get("role") == "assistant":
        ctx.add("IRC109", "$.messages[0].role", "the conversation must open with a user message")
    seen: dict[str, str] = {}
    pending: dict[str, str] = {}
    uses_tools = False
    for i, m in enumerate(messages):
        m = _d(m)
        role = m.get("role")
        p = f"$.messages[{i}]"
        if i and role == _d(messages[i - 1]).get("role") and role in ("user", "assistant"):
            ctx.add("IRC109", f"{p}.role", f"two {role} messages in a row; roles must alternate")
        uses: dict[str, str] = {}
        answered: set[str] = set()
        for j, b in enumerate(_l(m.get("content"))):
            b = _d(b)
            bp = f"{p}.content[{j}]"
            _converse_block(b, bp, marks, ctx)
            use = _d(b.get("toolUse"))
            if use:
                uses_tools = True
                tid = use.get("toolUseId")
                _dup_id(seen, tid, f"{bp}.toolUse.toolUseId", ctx)
                _id_pattern(tid, _B_ID, f"{bp}.toolUse.toolUseId", ctx)
                if isinstance(tid, str):
                    uses[tid] = f"{bp}.toolUse.toolUseId"
            res = _d(b.get("toolResult"))
            if res:
                uses_tools = True
                tid = res.get("toolUseId")
                if isinstance(tid, str):
                    if tid not in pending:
                        ctx.add(
                            "IRC301",
                            f"{bp}.toolResult.toolUseId",
                            f"{tid!r} answers no toolUse of the previous assistant message",
                        )
                    answered.add(tid)
                for k, item in enumerate(_l(res.get("content"))):
                    item = _d(item)
                    for key in ("image", "document"):
                        if isinstance(item.get(key), dict):
                            _bedrock_blob(item[key], f"{bp}.toolResult.content[{k}].{key}", ctx)
        if pending:
            for tid, where in pending.items():
                if tid not in answered:
                    ctx.add("IRC302", where, f"toolUse {tid!r} has no toolResult in the next message")
        pending = uses if role == "assistant" and i < len(messages) - 1 else {}
    if uses_tools and "toolConfig" not in body:
        ctx.add("IRC307", "$.toolConfig", "no toolConfig, but messages hold toolUse or toolResult blocks")
    cap, order = cache_rules(ctx.codec)  # Claude on Bedrock: 4 checkpoints, longer TTL first (B-PC)
    check_marks(marks, ctx, cap=cap, order=order, min_tokens=1024)


# ============================================================================================
# OpenAI Chat and its flavors

_MISTRAL_ID = re.compile(r"[a-zA-Z0-9]{9}")
_MARK_KEYS = ("prompt_cache_breakpoint", "cache_control")


def _chat(body: Mapping[str, Any], ctx: Ctx) -> None:
    check(SCHEMAS[ctx.codec] if ctx.codec in SCHEMAS else SCHEMAS["openai-chat"], body, "$", ctx)
    marks = Marks()
    anthropic_marks = Marks()  # OpenRouter's cache_control marks (Anthropic rules upstream)
    names: list[tuple[str, str]] = []
    for i, t in enumerate(_l(body.get("tools"))):
        t = _d(t)
        f = _d(t.get("function"))
        if isinstance(f.get("name"), str):
            names.append((f["name"], f"$.tools[{i}].function.name"))
        marks.text(f.get("description"), f"$.tools[{i}]", ctx)
        marks.chars += 64
        anthropic_marks.chars = marks.chars
        if isinstance(t.get("cache_control"), dict):
            anthropic_marks.mark(f"$.tools[{i}].cache_control", _s(t["cache_control"].get("ttl")) or "5m")
    tool_names = _tool_names(names, ctx)
    tc = _d(_d(body.get("tool_choice")).get("function"))
    if ctx.lint and isinstance(tc.get("name"), str) and tc["name"] not in tool_names:
        ctx.add("IRC305", "$.tool_choice.function.name", f"no tool named {tc['name']!r} in tools")
    id_pattern = _MISTRAL_ID if ctx.codec == "mistral" else None
    seen: dict[str, str] = {}
    last_ttl: str | None = None  # the cache_control TTL on the last content part so far
    open_calls: dict[str, str] = {}  # ids of the last assistant's tool_calls not yet answered
    messages = _l(body.get("messages"))
    for i, m in enumerate(messages):
        m = _d(m)
        role = m.get("role")
        p = f"$.messages[{i}]"
        if role == "tool":
            tid = m.get("tool_call_id")
            if isinstance(tid, str):
                if tid in open_calls:
                    del open_calls[tid]
                else:
                    ctx.add(
                        "IRC301", f"{p}.tool_call_id", f"{tid!r} answers no tool call of the assistant message before"
                    )
        elif open_calls:
            for tid, where in open_calls.items():
                ctx.add("IRC302", where, f"tool call {tid!r} is not answered by a tool message before the next message")
            open_calls = {}
        for j, call in enumerate(_l(m.get("tool_calls"))):
            call = _d(call)
            cp = f"{p}.tool_calls[{j}].id"
            tid = call.get("id")
            _dup_id(seen, tid, cp, ctx)
            if id_pattern is not None:
                _id_pattern(tid, id_pattern, cp, ctx)
            if isinstance(tid, str) and role == "assistant":
                open_calls[tid] = cp
        content = m.get("content")
        if isinstance(content, str):
            marks.text(content, f"{p}.content", ctx)
            last_ttl = None
        for j, part in enumerate(_l(content)):
            part = _d(part)
            pp = f"{p}.content[{j}]"
            t = part.get("type")
            last_ttl = None
            if t == "text":
                marks.text(part.get("text"), f"{pp}.text", ctx)
            elif t == "image_url":
                check_data_url(_d(part.get("image_url")).get("url"), f"{pp}.image_url.url", ctx)
                marks.chars += 400
            elif t == "input_audio":
                check_media(_d(part.get("input_audio")).get("data"), None, f"{pp}.input_audio.data", ctx)
            elif t == "file":
                check_data_url(_d(part.get("file")).get("file_data"), f"{pp}.file.file_data", ctx)
            anthropic_marks.chars = marks.chars
            if isinstance(part.get("prompt_cache_breakpoint"), dict):
                marks.mark(f"{pp}.prompt_cache_breakpoint", _s(part["prompt_cache_breakpoint"].get("ttl")) or None)
            if isinstance(part.get("cache_control"), dict):
                last_ttl = _s(part["cache_control"].get("ttl")) or "5m"
                anthropic_marks.mark(f"{pp}.cache_control", last_ttl)
    if open_calls and messages and _d(messages[-1]).get("role") == "tool":
        for tid, where in open_calls.items():
            ctx.add("IRC302", where, f"tool call {tid!r} is not answered by a tool message")
    if ctx.codec in ("mistral", "deepseek"):
        if ctx.lint:
            _ignored_marks(body, ctx)
        return
    # OpenAI: at most 4 marks are written per request (latest 4); reads consider 80 (O-PC, SDK).
    # Their TTLs are minimum lifetimes, not tiers with an order rule. Reads consider the latest
    # 80 marks (the planner's cap for Chat); only the latest 4 are written (lint).
    if ctx.codec == "openai-chat":
        check_marks(marks, ctx, cap=cache_rules(ctx.codec)[0], order=False)
    check_marks(marks, ctx, cap=_openai_writes(body), cap_code="IRC213", order=False, min_tokens=1024)
    if ctx.codec == "openrouter":
        # The planner holds cache_control marks to Anthropic's rules (4, longer TTL first)
        # whatever the upstream: OpenRouter passes them on to Claude models.
        cap, order = cache_rules(ctx.codec)
        auto = body.get("cache_control")
        if isinstance(auto, dict):  # as Anthropic's automatic mark (A-PC): a no-op on a marked last block
            ttl = _s(auto.get("ttl")) or "5m"
            if last_ttl is None:
                anthropic_marks.mark("$.cache_control", ttl)
            elif last_ttl != ttl:
                ctx.add(
                    "IRC206", "$.cache_control", f"automatic {ttl} caching, but the last block has a {last_ttl} mark"
                )
        check_marks(
            anthropic_marks,
            ctx,
            cap=cap,
            order=order,
            min_tokens=_anthropic_min_tokens(body.get("model"))
            if _s(body.get("model")).startswith("anthropic/")
            else None,
        )


def _openai_writes(body: Mapping[str, Any]) -> int:
    """How many explicit marks OpenAI writes: the latest 4 in explicit mode, the latest 3 beside
    the implicit breakpoint otherwise (the default mode; O-SDK ``PromptCacheOptions``)."""
    return 4 if _d(body.get("prompt_cache_options")).get("mode") == "explicit" else 3


def _ignored_marks(body: Mapping[str, Any], ctx: Ctx) -> None:
    """IRC212: a provider with no cache marks (automatic caching only) ignores them."""
    for path, key in _find_keys(body, "$", _MARK_KEYS, 0):
        ctx.add("IRC212", path, f"{ctx.codec} has no cache marks ({key}); its caching is automatic")


def _find_keys(v: Any, path: str, keys: tuple[str, ...], depth: int) -> Iterator[tuple[str, str]]:
    if depth > 6:
        return
    if isinstance(v, dict):
        for k, x in v.items():
            if k in keys:
                yield f"{path}.{k}", k
            elif isinstance(x, Mapping | list):
                yield from _find_keys(x, f"{path}.{k}", keys, depth + 1)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from _find_keys(x, f"{path}[{i}]", keys, depth + 1)


# ============================================================================================
# OpenAI Responses


_RESPONSES_PAIRED = False
"""The Responses codec's tool-id rule is "unique" (``Codec.TOOL_IDS``): an output may answer a
call the server holds (a stored response, a conversation), so IRC301 is not reported there."""


def _responses(body: Mapping[str, Any], ctx: Ctx) -> None:
    check(SCHEMAS["openai-responses"], body, "$", ctx)
    marks = Marks()
    marks.text(body.get("instructions"), "$.instructions", ctx)
    names: list[tuple[str, str]] = []
    for i, t in enumerate(_l(body.get("tools"))):
        t = _d(t)
        if t.get("type") == "function" and isinstance(t.get("name"), str):
            names.append((t["name"], f"$.tools[{i}].name"))
        marks.chars += 64
    _tool_names(names, ctx)
    stateful = body.get("previous_response_id") is not None or body.get("conversation") is not None
    seen: dict[str, str] = {}
    calls: dict[str, str] = {}
    answered: set[str] = set()
    items = body.get("input")
    if isinstance(items, str):
        marks.text(items, "$.input", ctx)
    for i, item in enumerate(_l(items)):
        item = _d(item)
        p = f"$.input[{i}]"
        t = item.get("type", "message")
        if t == "function_call":
            cid = item.get("call_id")
            _dup_id(seen, cid, f"{p}.call_id", ctx)
            if isinstance(cid, str):
                calls[cid] = f"{p}.call_id"
            marks.text(item.get("arguments"), p, ctx)
        elif t == "function_call_output":
            cid = item.get("call_id")
            if isinstance(cid, str):
                if cid not in calls and not stateful and _RESPONSES_PAIRED:
                    ctx.add("IRC301", f"{p}.call_id", f"{cid!r} answers no function_call earlier in the input")
                answered.add(cid)
            out = item.get("output")
            if isinstance(out, str):
                marks.text(out, f"{p}.output", ctx)
        elif t == "message":
            content = item.get("content")
            if isinstance(content, str):
                marks.text(content, f"{p}.content", ctx)
            for j, part in enumerate(_l(content)):
                part = _d(part)
                pp = f"{p}.content[{j}]"
                marks.text(part.get("text"), f"{pp}.text", ctx)
                if part.get("type") == "input_image":
                    check_data_url(part.get("image_url"), f"{pp}.image_url", ctx)
                    marks.chars += 400
                elif part.get("type") == "input_file":
                    check_data_url(part.get("file_data"), f"{pp}.file_data", ctx)
                if part.get("type") == "output_text" and "prompt_cache_breakpoint" in part:
                    ctx.add("IRC203", f"{pp}.prompt_cache_breakpoint", "output_text cannot carry a cache mark")
                elif isinstance(part.get("prompt_cache_breakpoint"), dict):
                    marks.mark(f"{pp}.prompt_cache_breakpoint", _s(part["prompt_cache_breakpoint"].get("ttl")) or None)
            if item.get("role") == "user":
                for cid, where in calls.items():
                    if cid not in answered:
                        ctx.add(
                            "IRC302",
                            where,
                            f"function_call {cid!r} has no function_call_output before the next user message",
                        )
                        answered.add(cid)
    check_marks(marks, ctx, cap=_openai_writes(body), cap_code="IRC213", order=False, min_tokens=1024)


# ============================================================================================
# Gemini


def _gemini(body: Mapping[str, Any], ctx: Ctx) -> None:
    check(SCHEMAS["gemini"], body, "$", ctx)

    def get(obj: Mapping[str, Any], camel: str, snake: str) -> Any:
        v = obj.get(camel)
        return obj.get(snake) if v is None else v

    if get(body, "cachedContent", "cached_content") is not None:
        for camel, snake in (
            ("systemInstruction", "system_instruction"),
            ("tools", "tools"),
            ("toolConfig", "tool_config"),
        ):
            key = camel if body.get(camel) is not None else snake
            if body.get(key) is not None:
                ctx.add("IRC205", f"$.{key}", f"{key} cannot be sent with cachedContent (the cache holds them)")
    contents = get(body, "contents", "contents")
    items = [contents] if isinstance(contents, dict) else _l(contents)
    prev_calls: list[str] = []
    prev_path = ""
    for i, c in enumerate(items):
        c = _d(c)
        p = f"$.contents[{i}]" if isinstance(contents, list) else "$.contents"
        calls: list[str] = []
        responses = 0
        first_response = ""
        for j, part in enumerate(_l(c.get("parts"))):
            part = _d(part)
            pp = f"{p}.parts[{j}]"
            blob = _d(get(part, "inlineData", "inline_data"))
            if blob:
                key = "inlineData" if "inlineData" in part else "inline_data"
                check_media(blob.get("data"), get(blob, "mimeType", "mime_type"), f"{pp}.{key}.data", ctx, urlsafe=True)
            if get(part, "functionCall", "function_call") is not None:
                calls.append(pp)
            if get(part, "functionResponse", "function_response") is not None:
                responses += 1
                first_response = first_response or pp
        if responses:
            if not prev_calls:
                ctx.add("IRC301", first_response, "a functionResponse turn must come right after a functionCall turn")
            elif responses != len(prev_calls):
                ctx.add(
                    "IRC302",
                    prev_path,
                    f"{len(prev_calls)} functionCall part(s) answered by {responses} functionResponse part(s)",
                )
        elif prev_calls and i < len(items):
            ctx.add("IRC302", prev_calls[0], "a functionCall turn must be followed by its functionResponse turn")
        prev_calls, prev_path = calls, p
    if ctx.lint:
        _ignored_marks(body, ctx)


_BY_FAMILY: dict[str, Callable[[Mapping[str, Any], Ctx], None]] = {
    "anthropic": _anthropic,
    "bedrock-converse": _bedrock,
    "openai-chat": _chat,
    "openai-responses": _responses,
    "gemini": _gemini,
}


def run_checks(body: Mapping[str, Any], ctx: Ctx) -> None:
    """Run every rule of ``ctx.codec`` on ``body``."""
    family = FAMILIES.get(ctx.codec)
    if family is None:
        _other_codec(body, ctx)
        return
    if _foreign(body, ctx, family):
        return
    _BY_FAMILY[family](body, ctx)


def _other_codec(body: Mapping[str, Any], ctx: Ctx) -> None:
    """A third-party codec: its strict wire types (``Codec.validate_wire``) are the rules."""
    from ..codec import get_codec
    from ..errors import DecodeError

    codec = get_codec(ctx.codec)
    try:
        codec.validate_wire(body)
    except DecodeError as exc:
        ctx.add("IRC103", exc.path, str(exc).split(": ", 1)[-1])
