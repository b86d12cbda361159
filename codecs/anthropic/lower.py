"""IR -> wire: lower an IR request to a Messages body (the same lowering on the three platforms).

Three steps (``spec/losses.md``):

1. **Reduce** (:class:`_Reduction`): drop or convert what the wire cannot hold (an empty text,
   a block in a role that cannot take it, a foreign provider part, a message left without
   blocks, ...), each reported at the caller's path, and record in :class:`Origins` where every
   kept item came from.
2. **Plan**: the passes the profile names (the cache planner) run on the reduced request with
   ``ctx.through(origins)``, so that they report at the caller's paths.
3. **Lower** (:class:`_Lowering`) the reduced and planned request one to one, through the same
   context; raw ``provider_options["anthropic"]`` fields are merged by the core's one rule
   (:func:`ir_codec.lowering.merge_options`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any, assert_never

import msgspec

from ir_codec.codec import Codec, EncodeContext, Origins, foreign_reasoning
from ir_codec.errors import DecodeError, LossKind
from ir_codec.ir import (
    Audio,
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    DocumentSource,
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
    SystemBlock,
    Text,
    TextSource,
    Thinking,
    Tool,
    ToolResult,
    ToolResultPart,
    ToolSpec,
    ToolUse,
    UrlSource,
)
from ir_codec.lowering import (
    marked_text,
    merge_options,
    own_options,
    plain_call,
    plain_result,
    plain_text,
    plain_texts,
)
from ir_codec.paths import IRPath

from .lift import (
    lift_block,
    lift_citations,
    lift_metadata,
    lift_output_config,
    lift_thinking,
    lift_tool,
    lift_tool_choice,
)
from .wire import DIRECT_VERSIONS, EFFORTS, FAMILY, IMAGE_MEDIA_TYPES, LEGACY_VERSIONS, MAPPED, BodyForm, json_text

__all__ = ["cache_to_wire", "family_options", "lower_request"]

DROPPED, CHANGED = LossKind.DROPPED, LossKind.CHANGED

# Fields that lifting turns into IR fields only in the shapes the IR models: a raw option holding
# such a shape would decode into the IR, so it is not sent; any other shape is sent as it is.
_ROOT_LIFTED: dict[str, Callable[[Any], bool]] = {
    "metadata": lambda v: lift_metadata(v) is not None,
    "thinking": lambda v: lift_thinking(v) is not None,
    "output_config": lambda v: lift_output_config(v) is not None,
    "tool_choice": lambda v: lift_tool_choice(v) is not None,
}


def _extras(node: Any) -> Any:
    """The ``cache_control`` fields decode kept in the node's family options (or None)."""
    options = node.provider_options
    return options[FAMILY].get("cache_control") if options and FAMILY in options else None


def cache_to_wire(cache: CacheControl) -> dict[str, Any]:
    # 5m is the default TTL: written as {"type": "ephemeral"}; "ttl": "5m" is a canonicalization.
    # src: SDK types/cache_control_ephemeral_param.py
    if cache.ttl == CacheTtl.ONE_HOUR:
        return {"type": "ephemeral", "ttl": "1h"}
    return {"type": "ephemeral"}


def family_options(options: ProviderOptions, path: IRPath, ctx: EncodeContext) -> dict[str, Any]:
    """The family's raw fields at ``path`` (a copy); every other codec's entry is reported lost
    (:func:`~ir_codec.lowering.own_options`), and so is an empty family entry, which decode
    never writes."""
    if not options:
        return {}
    own = dict(own_options(options, path, ctx, key=FAMILY))
    if FAMILY in options and not own:
        ctx.lossy((*path, "provider_options", FAMILY), DROPPED, "an empty options entry is not kept")
    return own


def lower_request(codec: Codec, form: BodyForm, request: Request, ctx: EncodeContext) -> dict[str, Any]:
    """The Messages body of ``request`` on the platform ``form``; every loss goes to ``ctx``."""
    root = family_options(request.provider_options, (), ctx)
    version = form.version(root.get("anthropic_version"))
    if form.body_version and "anthropic_version" in root:
        # decoding keeps anthropic_version in provider_options only where it differs
        value = root.pop("anthropic_version")
        where = ("provider_options", FAMILY, "anthropic_version")
        if not isinstance(value, str):
            ctx.lossy(where, DROPPED, "anthropic_version must be a string; dropped")
        elif value == form.api_version:
            ctx.lossy(where, DROPPED, "same as the codec's api_version; not kept")
        elif version != value:
            ctx.lossy(where, CHANGED, f"{value} is {version} on {ctx.codec}")
    elif isinstance(hint := root.get("anthropic_version"), str) and hint in DIRECT_VERSIONS | LEGACY_VERSIONS:
        # the direct API: the version the body is written for travels in the anthropic-version
        # header (Encoded.endpoint.headers), not in the body
        value = root.pop("anthropic_version")
        where = ("provider_options", FAMILY, "anthropic_version")
        if value == form.api_version:
            ctx.lossy(where, DROPPED, "same as the codec's api_version; not kept")
        elif version != value:
            ctx.lossy(where, CHANGED, f"{value} is {version} on {ctx.codec}")
    origins = Origins()
    reduced = _Reduction(ctx, version, files=not form.body_version).request(request, origins)
    planned_ctx = ctx.through(origins)
    planned = codec.run_passes(reduced, planned_ctx)
    return _Lowering(form, planned_ctx, version).request(planned, root)


# ============================================================================================
# Reduce: drop or convert what the wire cannot hold; report at the caller's paths


def _texts_kept(p: ToolResult) -> bool:
    """Whether the reduction keeps every part of the tool result ``p`` as it is: each one a
    non-empty Text (``_Reduction.nested`` and ``fit_text`` keep such a part, whatever its mark
    or options)."""
    for q in p.content:
        if type(q) is not Text or not q.text:
            return False
    return True


class _Reduction:
    def __init__(self, ctx: EncodeContext, version: str, files: bool = True) -> None:
        self.ctx = ctx
        self.version = version
        self.legacy = version in LEGACY_VERSIONS
        self.files = files
        """The platform has the Files API (not Amazon Bedrock nor Google Vertex AI, PROVIDERS.md §13)."""

    def no_files(self, p: Image | Document, path: IRPath) -> bool:
        """True (the part dropped, reported) for a Files API source on a platform without one."""
        if self.files or not isinstance(p.source, FileSource):
            return False
        self.drop(path, f"{self.ctx.codec} has no Files API (file sources are the direct API's only); dropped")
        return True

    def drop(self, path: IRPath, reason: str) -> None:
        self.ctx.lossy(path, DROPPED, reason)

    def request(self, request: Request, origins: Origins) -> Request:
        fitted = [(i, self.tool(t, ("tools", i))) for i, t in enumerate(request.tools)]
        tools = [(i, t) for i, t in fitted if t is not None]
        system = [(i, s) for i, s in enumerate(request.system) if self.system_block(s, ("system", i))]
        messages: list[Message] | None = None  # a copy, made at the first message not kept as it is
        kept_messages: list[int] = []
        for i, m in enumerate(request.messages):
            role = m.role
            for p in m.content:  # the common message, every part kept as it is: no call, no lists
                if not (
                    (type(p) is Text and p.text)
                    or (type(p) is ToolUse and role == "assistant")
                    or (type(p) is ToolResult and role == "user" and _texts_kept(p))
                ):
                    break
            else:
                if m.content:
                    if messages is not None:
                        kept_messages.append(i)
                        messages.append(m)
                    continue
            content, kept, nested = self.content(m, ("messages", i))
            if content and content is m.content:  # every part kept as it is
                if messages is not None:
                    kept_messages.append(i)
                    messages.append(m)
                continue
            if messages is None:
                messages, kept_messages = request.messages[:i], list(range(i))
            if not content:
                # Every message needs a block (API error "all messages must have non-empty content
                # except for the optional final assistant message"); an empty final assistant
                # message prefills nothing, so it goes too, and equal messages are treated alike.
                reason = "no block of this message can be sent (the API rejects empty messages); dropped"
                self.drop(("messages", i), reason)
                continue
            kept_messages.append(i)
            r = len(messages)
            origins.keep(("messages", r, "content"), kept)
            for j, inner in nested.items():
                origins.keep(("messages", r, "content", j, "content"), inner)
            messages.append(msgspec.structs.replace(m, content=content))
        if messages is None:  # every message kept as it is
            messages = request.messages
        else:
            origins.keep(("messages",), kept_messages)
        origins.keep(("tools",), [i for i, _ in tools])
        origins.keep(("system",), [i for i, _ in system])
        return msgspec.structs.replace(
            request, tools=[t for _, t in tools], system=[s for _, s in system], messages=messages
        )

    def system_block(self, s: SystemBlock, path: IRPath) -> bool:
        if s.text == "":
            self.drop(path, "empty text blocks are rejected by the API; dropped")
        return s.text != ""

    def content(self, m: Message, path: IRPath) -> tuple[list[Part], list[int], dict[int, list[int]]]:
        """The parts of ``m`` the wire can hold, the caller's index of each, and for each tool
        result kept the caller's indices of its kept parts; ``m.content`` itself when every part
        is kept as it is."""
        role = m.role
        content: list[Part] = []
        kept: list[int] = []
        nested: dict[int, list[int]] = {}
        same = True
        for j, p in enumerate(m.content):
            if (isinstance(p, Text) and p.text) or (isinstance(p, ToolUse) and role == "assistant"):  # as they are
                content.append(p)
                kept.append(j)
                continue
            pp = (*path, "content", j)
            q = self.part(p, role, pp)
            if q is None:
                same = False
                continue
            if isinstance(q, ToolResult):
                inner: list[ToolResultPart] = []
                nested[len(content)] = []
                for k, x in enumerate(q.content):
                    y = self.nested(x, (*pp, "content", k))
                    if y is not None:
                        inner.append(y)
                        nested[len(content)].append(k)
                if len(inner) != len(q.content) or not all(map(operator.is_, inner, q.content)):
                    q = msgspec.structs.replace(q, content=inner)
            same = same and q is p
            content.append(q)
            kept.append(j)
        return (m.content, kept, {}) if same else (content, kept, nested)

    # ---- tools ---------------------------------------------------------------------------

    def tool(self, t: ToolSpec, path: IRPath) -> ToolSpec | None:
        match t:
            case Tool():
                return t
            case ProviderTool():
                return self.provider_tool(t, path)
            case _:
                assert_never(t)

    def provider_tool(self, t: ProviderTool, path: IRPath) -> ToolSpec | None:
        if t.codec != FAMILY:
            self.drop(path, f"a tool of codec {t.codec!r} is not carried by {self.ctx.codec}; dropped")
            return None
        wire = dict(t.data)
        extras = wire.pop("cache_control", None)
        if extras is not None and (t.cache is None or not isinstance(extras, dict) or "type" in extras):
            self.drop((*path, "data", "cache_control"), "set the tool's cache field instead; dropped")
            extras = None
        if t.cache is not None:
            wire["cache_control"] = cache_to_wire(t.cache) | (extras or {})
        try:
            lifted = lift_tool(wire, "$")
        except DecodeError as exc:
            self.drop(path, f"not a valid Anthropic tool ({exc}); dropped")
            return None
        if isinstance(lifted, Tool):
            self.ctx.lossy(path, CHANGED, "the data is a custom tool definition; sent and decoded as a function tool")
            return lifted
        kept = {k: v for k, v in t.data.items() if k != "cache_control"} | ({"cache_control": extras} if extras else {})
        if lifted != msgspec.structs.replace(t, data=kept):
            self.ctx.lossy(path, CHANGED, "decodes differently")
        return lifted

    # ---- parts: one function per IR part type (_FIT) --------------------------------------

    def part(self, p: Part, role: str, path: IRPath) -> Part | None:
        """The part as the wire can hold it in a ``role`` message, or None (dropped, reported)."""
        if role == "system" and not isinstance(p, Text | Json | Refusal | ProviderPart):
            self.drop(path, "system messages take only text blocks; dropped")
            return None
        fit: Callable[[_Reduction, Any, str, IRPath], Part | None] = _FIT[type(p)]
        return fit(self, p, role, path)

    def nested(self, q: ToolResultPart, path: IRPath) -> ToolResultPart | None:
        """A part inside a tool result (which sits in a user message), or None."""
        if isinstance(q, ProviderPart):
            r = self.provider_part(q, path)
            if r is None:
                return None
            if not isinstance(r, Text | Image | Document | ProviderPart):
                self.drop(path, "this block cannot be nested in a tool_result; dropped")
                return None
            if isinstance(r, ProviderPart):
                return r
            q = r
        out = self.part(q, "user", path)
        assert out is None or isinstance(out, Text | Image | Document | ProviderPart)
        return out

    def provider_part(self, p: ProviderPart, path: IRPath) -> Part | None:
        """A family ProviderPart as it will decode: itself or an IR part; None (dropped,
        reported) for another codec's part or data that is no valid block."""
        if p.codec != FAMILY:
            self.drop(path, f"a part of codec {p.codec!r} that {self.ctx.codec} cannot send; dropped")
            return None
        wire = dict(p.data)
        extras = wire.pop("cache_control", None)
        if extras is not None and (p.cache is None or not isinstance(extras, dict) or "type" in extras):
            self.drop((*path, "data", "cache_control"), "set the part's cache field instead; dropped")
            extras = None
        clean = msgspec.structs.replace(p, data=dict(wire) | ({"cache_control": extras} if extras else {}))
        if p.cache is not None:
            wire["cache_control"] = cache_to_wire(p.cache) | (extras or {})
        try:
            lifted = lift_block(wire, "$")
        except DecodeError:
            self.drop(path, f"a part of codec {p.codec!r} that {self.ctx.codec} cannot send; dropped")
            return None
        if lifted != clean:
            reason = f"the data is a {wire.get('type')!r} block the IR models; sent and decoded as such"
            self.ctx.lossy(path, CHANGED, reason)
        return lifted

    def fit_provider(self, p: ProviderPart, role: str, path: IRPath) -> Part | None:
        q = self.provider_part(p, path)
        if q is None:
            return None
        if not isinstance(q, ProviderPart):  # a block the IR models: fitted as that part
            return self.part(q, role, path)
        if role == "system":
            self.drop(path, "system messages take only text blocks; dropped")
            return None
        if q.data.get("type") == "document":
            return self.fit_document_role(q, role, path)
        return q

    def fit_json(self, p: Json, role: str, path: IRPath) -> Part | None:
        self.ctx.lossy(path, CHANGED, "Anthropic has no JSON block; sent as a text block holding the JSON text")
        return self.fit_text(
            Text(text=json_text(p.value), cache=p.cache, provider_options=p.provider_options), role, path
        )

    def fit_refusal(self, p: Refusal, role: str, path: IRPath) -> Part | None:
        self.ctx.lossy(path, CHANGED, "Anthropic has no refusal block; sent as a text block")
        return self.fit_text(Text(text=p.text, cache=p.cache, provider_options=p.provider_options), role, path)

    def fit_text(self, p: Text, role: str, path: IRPath) -> Part | None:
        if p.text == "":
            self.drop(path, "empty text blocks are rejected by the API; dropped")
            return None
        return p

    def fit_audio(self, p: Audio, role: str, path: IRPath) -> Part | None:
        self.drop(path, "Anthropic has no audio input; dropped")
        return None

    def fit_image(self, p: Image, role: str, path: IRPath) -> Part | None:
        if self.no_files(p, path):
            return None
        if isinstance(p.source, Base64Source) and p.source.media_type not in IMAGE_MEDIA_TYPES:
            self.drop(path, f"image media type {p.source.media_type!r} is not accepted (jpeg, png, gif, webp); dropped")
            return None
        return p

    def fit_document_role(self, p: Document | ProviderPart, role: str, path: IRPath) -> Part | None:
        if role == "assistant" and not self.legacy:
            self.drop(path, f"API version {self.version} rejects a document block in an assistant message; dropped")
            return None
        return p

    def fit_document(self, p: Document, role: str, path: IRPath) -> Part | None:
        if self.fit_document_role(p, role, path) is None or self.no_files(p, path):
            return None
        if isinstance(p.source, Base64Source) and p.source.media_type != "application/pdf":
            self.drop(path, f"base64 documents must be application/pdf, not {p.source.media_type!r}; dropped")
            return None
        return p

    def fit_in_role(self, p: Part, role: str, path: IRPath) -> Part | None:
        tag, wanted = _ROLE_OF[type(p)]
        if role != wanted:
            self.drop(path, f"{tag} blocks belong in {wanted} messages; dropped")
            return None
        if isinstance(p, Thinking) and p.signature is None:
            self.drop(path, "a thinking block without a signature cannot be sent back to Anthropic; dropped")
            return None
        why = foreign_reasoning(p, "anthropic")
        if why is not None:
            self.drop(path, why)
            return None
        return p


_ROLE_OF: dict[type[Any], tuple[str, str]] = {
    ToolUse: ("tool_use", "assistant"),
    ToolResult: ("tool_result", "user"),
    Thinking: ("thinking", "assistant"),
    RedactedThinking: ("redacted_thinking", "assistant"),
}
"""The wire tag of a block that only one role's messages take, and that role."""
_FIT: dict[type[Any], Callable[[_Reduction, Any, str, IRPath], Part | None]] = {
    Text: _Reduction.fit_text,
    Json: _Reduction.fit_json,
    Refusal: _Reduction.fit_refusal,
    Audio: _Reduction.fit_audio,
    Image: _Reduction.fit_image,
    Document: _Reduction.fit_document,
    ToolUse: _Reduction.fit_in_role,
    ToolResult: _Reduction.fit_in_role,
    Thinking: _Reduction.fit_in_role,
    RedactedThinking: _Reduction.fit_in_role,
    ProviderPart: _Reduction.fit_provider,
}
"""IR part type -> how the reduction fits it (a part, or None once the drop is reported)."""


# ============================================================================================
# Lower: the reduced and planned request, one to one (paths are those of the reduced request;
# the context maps them to the caller's)


class _Lowering:
    def __init__(self, form: BodyForm, ctx: EncodeContext, version: str) -> None:
        self.form = form
        self.ctx = ctx
        self.version = version
        self.legacy = version in LEGACY_VERSIONS

    def drop(self, path: IRPath, reason: str) -> None:
        self.ctx.lossy(path, DROPPED, reason)

    def merge(
        self,
        obj: dict[str, Any],
        raw: dict[str, Any],
        path: IRPath,
        mapped: frozenset[str],
        lifted: Mapping[str, Callable[[Any], bool]] | None = None,
    ) -> dict[str, Any]:
        """Merge the family's raw fields ``raw`` into ``obj`` by the core's one rule; a field
        in ``lifted`` is also IR-mapped when decode would lift its raw value."""
        if not raw:
            return obj
        blocked = set(mapped)
        if "cache_control" in raw:  # fields of the mark newer than our wire types: see mark()
            raw = {k: v for k, v in raw.items() if k != "cache_control"}
        for key, lifts in (lifted or {}).items():
            if key in raw and lifts(raw[key]):
                blocked.add(key)
        return merge_options(obj, raw, path=path, ctx=self.ctx, mapped=blocked, key=FAMILY)

    def options(self, node: Any, path: IRPath) -> dict[str, Any]:
        return family_options(node.provider_options, path, self.ctx)

    def mark(self, b: dict[str, Any], cache: CacheControl | None, extras: Any, path: IRPath) -> dict[str, Any]:
        """Write the cache mark on ``b`` with the fields newer than our wire types that decode kept
        (``lift.cache_extras``: a provider part's ``data``, else the node's options)."""
        if cache is None and extras is None:
            return b
        if cache is not None:
            b["cache_control"] = cache_to_wire(cache)
        if extras is None:
            return b
        mark = b.get("cache_control")
        if isinstance(mark, dict) and isinstance(extras, Mapping) and not extras.keys() & mark.keys():
            mark.update(extras)
        else:
            why = "no cache mark is sent here" if not isinstance(mark, dict) else "they would override the mark"
            self.drop((*path, "provider_options", FAMILY, "cache_control"), f"cache_control fields: {why}; dropped")
        return b

    # ---- the root ------------------------------------------------------------------------

    def request(self, r: Request, root: dict[str, Any]) -> dict[str, Any]:
        form = self.form
        body: dict[str, Any] = {}
        if r.model is not None and form.has_model:
            body["model"] = r.model
        if r.max_tokens is not None:
            body["max_tokens"] = r.max_tokens
        if r.system:
            body["system"] = [self.system(s, ("system", i)) for i, s in enumerate(r.system)]
        body["messages"] = messages = []
        for i, m in enumerate(r.messages):
            c = m.content
            if len(c) == 1 and plain_text(p := c[0]) and not m.provider_options:
                messages.append({"role": m.role, "content": [{"type": "text", "text": p.text}]})  # message() at once
                continue
            messages.append(self.message(m, ("messages", i)))
        if r.tools:
            body["tools"] = [self.tool(t, ("tools", i)) for i, t in enumerate(r.tools)]
        self.tool_choice(r, body)
        if r.stop is not None:
            body["stop_sequences"] = list(r.stop)
        if r.user is not None:
            body["metadata"] = {"user_id": r.user}
        self.reasoning(r, body)
        self.output_config(r, body)
        self.mark(body, r.cache, _extras(r), ())
        if r.stream is not None and form.has_stream:
            body["stream"] = r.stream  # Bedrock selects streaming by the endpoint instead
        # The profile clears temperature / top_p / top_k where the version rejects them.
        for name in ("temperature", "top_p", "top_k"):
            value = getattr(r, name)
            if value is not None:
                body[name] = value
        if form.body_version:
            body["anthropic_version"] = self.version
        if not root:
            return body
        mapped = (
            MAPPED["request"] | ({"model"} if form.has_model else set()) | ({"stream"} if form.has_stream else set())
        )
        return self.merge(body, root, (), frozenset(mapped), _ROOT_LIFTED)

    def tool_choice(self, r: Request, body: dict[str, Any]) -> None:
        tc, par = r.tool_choice, r.parallel_tool_calls
        if tc is None:
            if par is False:
                # disable_parallel_tool_use lives on a tool_choice: send the default "auto" to carry it
                body["tool_choice"] = {"type": "auto", "disable_parallel_tool_use": True}
                self.ctx.lossy(("tool_choice",), CHANGED, "sent as 'auto' to carry parallel_tool_calls=false")
            elif par is True:
                self.drop(("parallel_tool_calls",), "parallel tool use is Anthropic's default; not sent")
            return
        if tc.mode == "tool" and tc.name is None:
            self.drop(("tool_choice",), "mode 'tool' without a tool name; not sent")
            if par is not None:
                self.drop(("parallel_tool_calls",), "needs a tool_choice to travel on; not sent")
            return
        wire: dict[str, Any] = {"type": {"auto": "auto", "required": "any", "none": "none", "tool": "tool"}[tc.mode]}
        if tc.mode == "tool":
            wire["name"] = tc.name
        elif tc.name is not None:
            self.drop(("tool_choice", "name"), f"a name is only sent with mode 'tool'; not sent for {tc.mode!r}")
        if par is not None:
            if tc.mode == "none":
                self.drop(("parallel_tool_calls",), "tool_choice 'none' has no disable_parallel_tool_use; not sent")
            else:
                wire["disable_parallel_tool_use"] = not par
        body["tool_choice"] = wire

    def reasoning(self, r: Request, body: dict[str, Any]) -> None:
        rc = r.reasoning
        if rc is None:
            return
        if rc.type == "enabled":
            if rc.budget_tokens is None:
                self.drop(("reasoning",), "enabled thinking needs budget_tokens on Anthropic; not sent")
                return
            body["thinking"] = {"type": "enabled", "budget_tokens": rc.budget_tokens}
            return
        body["thinking"] = {"type": rc.type}
        if rc.budget_tokens is not None:
            self.drop(("reasoning", "budget_tokens"), f"thinking type {rc.type!r} takes no budget; not sent")

    def output_config(self, r: Request, body: dict[str, Any]) -> None:
        oc: dict[str, Any] = {}
        if r.reasoning_effort is not None:
            if r.reasoning_effort in EFFORTS:
                oc["effort"] = r.reasoning_effort
            else:
                reason = f"effort {r.reasoning_effort!r} is not one of {sorted(EFFORTS)}; not sent"
                self.drop(("reasoning_effort",), reason)
        rf = r.response_format
        if rf is not None:
            if rf.type == "json_schema" and rf.schema is not None:
                oc["format"] = {"type": "json_schema", "schema": rf.schema}
                for f in ("name", "description", "strict"):
                    if getattr(rf, f) is not None:
                        self.drop(("response_format", f), f"Anthropic's output format has no {f}; not sent")
            elif rf.type == "json_schema":
                self.drop(("response_format",), "a json_schema format without a schema; not sent")
            elif rf.type == "json_object":
                self.drop(("response_format",), "Anthropic has no schemaless JSON mode; not sent")
            else:
                self.drop(("response_format",), "plain text is Anthropic's default output; not sent")
        if oc:
            body["output_config"] = oc

    # ---- system, messages and parts: one function per IR part type (_LOWER) ---------------

    def system(self, s: SystemBlock, path: IRPath) -> dict[str, Any]:
        b: dict[str, Any] = {"type": "text", "text": s.text}
        if not s.provider_options:  # nothing to merge: the block and its mark at once
            if s.cache is not None:
                b["cache_control"] = cache_to_wire(s.cache)
            return b
        return self.mark(self.merge(b, self.options(s, path), path, MAPPED["text"]), s.cache, _extras(s), path)

    def message(self, m: Message, path: IRPath) -> dict[str, Any]:
        blocks: list[dict[str, Any]] = []
        role = m.role
        for j, p in enumerate(m.content):
            # the common parts, without a mark or options, written at once
            if plain_text(p):
                blocks.append({"type": "text", "text": p.text})
                continue
            if marked_text(p):  # what part() writes for it, at once
                assert p.cache is not None
                blocks.append({"type": "text", "text": p.text, "cache_control": cache_to_wire(p.cache)})
                continue
            if plain_call(p):
                blocks.append({"type": "tool_use", "id": p.id, "name": p.name, "input": p.input})
                continue
            if plain_result(p):
                b: dict[str, Any] = {"type": "tool_result", "tool_use_id": p.tool_use_id}
                texts = plain_texts(p.content)  # None for no content
                if texts:
                    b["content"] = [{"type": "text", "text": t} for t in texts]
                if p.is_error:
                    b["is_error"] = True
                blocks.append(b)
                continue
            blocks.append(self.part(p, (*path, "content", j), role))
        out: dict[str, Any] = {"role": role, "content": blocks}
        if not m.provider_options:
            return out
        return self.merge(out, self.options(m, path), path, MAPPED["message"])

    def part(self, p: Part, path: IRPath, role: str) -> dict[str, Any]:
        lower: Callable[[_Lowering, Any, IRPath, str], dict[str, Any]] = _LOWER[type(p)]
        b = lower(self, p, path, role)
        extras = b.pop("cache_control", None) if isinstance(p, ProviderPart) else _extras(p)
        return self.mark(b, p.cache, extras, path)

    def text(self, p: Text, path: IRPath, role: str) -> dict[str, Any]:
        raw = self.options(p, path)
        cites = raw.get("citations")
        if role == "user" and isinstance(cites, list) and cites and not self.legacy:
            reason = f"API version {self.version} rejects citations on user text blocks; not sent"
            self.drop((*path, "provider_options", FAMILY, "citations"), reason)
            del raw["citations"]
        return self.merge({"type": "text", "text": p.text}, raw, path, MAPPED["text"])

    def source(self, src: DocumentSource, path: IRPath) -> dict[str, Any]:
        match src:
            case Base64Source():
                return {"type": "base64", "media_type": src.media_type, "data": src.data}
            case TextSource():
                if src.media_type != "text/plain":
                    reason = f"plain-text documents are sent as text/plain, not {src.media_type!r}"
                    self.ctx.lossy((*path, "media_type"), CHANGED, reason)
                return {"type": "text", "media_type": "text/plain", "data": src.text}
            case UrlSource() | FileSource():
                if src.media_type is not None:
                    kind = "url" if isinstance(src, UrlSource) else "file"
                    self.drop((*path, "media_type"), f"Anthropic {kind} sources carry no media type; not sent")
                if isinstance(src, UrlSource):
                    return {"type": "url", "url": src.url}
                return {"type": "file", "file_id": src.file_id}
            case _:
                assert_never(src)

    def image(self, p: Image, path: IRPath, role: str) -> dict[str, Any]:
        b = {"type": "image", "source": self.source(p.source, (*path, "source"))}
        return self.merge(b, self.options(p, path), path, MAPPED["image"])

    def document(self, p: Document, path: IRPath, role: str) -> dict[str, Any]:
        b: dict[str, Any] = {"type": "document", "source": self.source(p.source, (*path, "source"))}
        if p.name is not None:
            b["title"] = p.name
        if p.context is not None:
            b["context"] = p.context
        if p.citations is not None:
            b["citations"] = {"enabled": p.citations}
        cites = {"citations": lambda v: lift_citations(v) is not None}
        return self.merge(b, self.options(p, path), path, MAPPED["document"], cites)

    def tool_use(self, p: ToolUse, path: IRPath, role: str) -> dict[str, Any]:
        b = {"type": "tool_use", "id": p.id, "name": p.name, "input": p.input}
        return self.merge(b, self.options(p, path), path, MAPPED["tool_use"])

    def tool_result(self, p: ToolResult, path: IRPath, role: str) -> dict[str, Any]:
        b: dict[str, Any] = {"type": "tool_result", "tool_use_id": p.tool_use_id}
        if p.content:
            b["content"] = [self.part(q, (*path, "content", k), "user") for k, q in enumerate(p.content)]
        if p.is_error:
            b["is_error"] = True
        return self.merge(b, self.options(p, path), path, MAPPED["tool_result"])

    def thinking(self, p: Thinking, path: IRPath, role: str) -> dict[str, Any]:
        b = {"type": "thinking", "thinking": p.text, "signature": p.signature}
        return self.merge(b, self.options(p, path), path, MAPPED["thinking"])

    def redacted(self, p: RedactedThinking, path: IRPath, role: str) -> dict[str, Any]:
        b = {"type": "redacted_thinking", "data": p.data}
        return self.merge(b, self.options(p, path), path, MAPPED["redacted_thinking"])

    def provider(self, p: ProviderPart, path: IRPath, role: str) -> dict[str, Any]:
        return dict(p.data)

    def tool(self, t: ToolSpec, path: IRPath) -> dict[str, Any]:
        match t:
            case ProviderTool():
                b = dict(t.data)
                return self.mark(b, t.cache, b.pop("cache_control", None), path)
            case Tool():
                b = {"name": t.name, "input_schema": t.input_schema}
                if t.description is not None:
                    b["description"] = t.description
                if t.strict is not None:
                    b["strict"] = t.strict
                if t.cache is None and not t.provider_options:
                    return b  # nothing to merge, no mark: what merge() and mark() leave
                # a raw "type" other than "custom" would make the tool decode as a server tool
                server = {"type": lambda v: v not in ("custom", None)}
                b = self.merge(b, self.options(t, path), path, MAPPED["tool"], server)
                return self.mark(b, t.cache, _extras(t), path)
            case _:
                assert_never(t)


_LOWER: dict[type[Any], Callable[[_Lowering, Any, IRPath, str], dict[str, Any]]] = {
    Text: _Lowering.text,
    Image: _Lowering.image,
    Document: _Lowering.document,
    ToolUse: _Lowering.tool_use,
    ToolResult: _Lowering.tool_result,
    Thinking: _Lowering.thinking,
    RedactedThinking: _Lowering.redacted,
    ProviderPart: _Lowering.provider,
}
"""IR part type -> its lowering (the reduction left no other types)."""
