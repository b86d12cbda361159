"""wire -> IR: a Chat Completions request body lifted to an IR :class:`~ir_codec.ir.Request`.

Decoding is faithful and tolerant: every field the IR has no word for stays in the
``provider_options[codec]`` of the node where it appears, an unknown content part is a
:class:`~ir_codec.ir.ProviderPart`, an unknown tool a :class:`~ir_codec.ir.ProviderTool`.
Rules (``spec/canonicalizations/openai-chat.md``):

- the first message with the role ``system_role``, only text and no message-level field is the
  IR ``system``; other system/developer messages are IR ``system``-role messages (a role other
  than ``system_role`` kept in their provider_options under ``role``);
- consecutive ``user``/``tool`` messages form one IR user message (:func:`~.wire.group_messages`);
- a tool call that is not a function call (a custom tool's) is a :class:`~ir_codec.ir.ProviderPart`
  ``{"tool_call": raw}``, and the ``tool`` message that answers it a ``{"message": raw}`` in its
  place (the IR pairs a result with a ToolUse only); so is a legacy ``function`` message;
- a cache mark is read only where the codec profile's ``CacheRules`` let a mark stand (else it
  stays raw), so that encode sends it back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from ir_codec.codec import expect_object, load_json, wire_convert
from ir_codec.errors import DecodeError
from ir_codec.ir import (
    FLOAT_FIELDS,
    Audio,
    Base64Source,
    CacheControl,
    Document,
    FileSource,
    Image,
    Message,
    Part,
    ProviderOptions,
    ProviderPart,
    ProviderTool,
    RedactedThinking,
    Refusal,
    Request,
    ResponseFormat,
    SystemBlock,
    Text,
    Thinking,
    Tool,
    ToolChoice,
    ToolResult,
    ToolUse,
    UrlSource,
)
from ir_codec.lowering import plain_text_block
from ir_codec.profile import CacheRules

from .wire import (
    DATA_URL,
    FORMAT_MEDIA,
    MESSAGE_TYPES,
    PART_TYPES,
    PLAIN_ROLES,
    SCALAR_FIELDS,
    WFunctionTool,
    WToolCall,
    checked_message,
    detail_payload,
    group_messages,
    marked_text_block,
    objects_only,
    parse_arguments,
    plain_tool_turn,
    plain_wire_call,
    plain_wire_tool,
    signed_origin,
    split_fields,
)

if TYPE_CHECKING:
    from . import OpenAIChatCodec

__all__ = ["Lifter", "has_markable", "is_system_blocks", "lift_file_reference", "lift_response_format", "own_part"]


def options(codec: str, extras: dict[str, Any]) -> ProviderOptions:
    return {codec: extras} if extras else {}


def is_system_blocks(m: Mapping[str, Any], system_role: str) -> bool:
    """Whether a (first) wire message is read back as the IR system blocks."""
    if m.get("role") != system_role or set(m) != {"role", "content"}:
        return False
    content = m["content"]
    if isinstance(content, str):
        return True
    return bool(content) and all(isinstance(p, dict) and p.get("type") == "text" for p in content)


def lift_file_reference(raw: Mapping[str, Any]) -> Base64Source | FileSource | None:
    """The IR source of a ``file`` part, or None when it is kept raw: raw base64 without a media
    type, both references or neither."""
    f = raw["file"]
    data = f.get("file_data")
    fid = f.get("file_id")
    m = DATA_URL.match(data) if isinstance(data, str) else None
    if (m is None) == (fid is None) or (data is not None and m is None):
        return None
    return Base64Source(media_type=m.group(1), data=m.group(2)) if m else FileSource(file_id=str(fid))


def own_message(m: Any) -> bool:
    """Whether ``m`` is a wire message decode keeps whole in a user message's
    ``{"message": m}``: a legacy ``function`` message, or a ``tool`` message (the answer to a
    call that is not a function call, which decode keeps raw as well)."""
    if type(m) is not dict or m.get("role") not in ("tool", "function"):
        return False
    try:
        wire_convert(m, MESSAGE_TYPES[m["role"]])
    except DecodeError:
        return False
    return True


def own_part(name: str, p: ProviderPart, role: str, reasoning: bool = False) -> bool:
    """An own opaque part is a raw wire part of a type this codec does not model (or, in a
    user message, ``{"message": raw}`` of a whole message (:func:`own_message`); in an
    assistant message, ``{"tool_call": raw}`` of a call that is not a function call, and where
    the flavor reads reasoning in requests (``reasoning``: ``ChatFlavor.REQUEST_REASONING``)
    ``{"reasoning_detail": raw}`` of an item that is no IR reasoning part), or a ``file`` part
    that decode keeps raw."""
    if p.codec != name:
        return False
    if role == "assistant" and "reasoning_detail" in p.data:
        detail = p.data["reasoning_detail"]
        return (
            reasoning
            and set(p.data) == {"reasoning_detail"}
            and isinstance(detail, dict)
            and not detail_payload(detail)
        )
    if role == "assistant" and "tool_call" in p.data:
        call = p.data["tool_call"]
        return set(p.data) == {"tool_call"} and isinstance(call, dict) and call.get("type") != "function"
    if role == "user" and "message" in p.data:
        return set(p.data) == {"message"} and own_message(p.data["message"])
    t = p.data.get("type")
    if not isinstance(t, str) or "tool_call" in p.data:
        return False
    if t == "file" and role == "user":
        try:
            wire_convert(p.data, PART_TYPES["file"])
        except DecodeError:
            return False
        return lift_file_reference(p.data) is None
    return t not in PART_TYPES


def has_markable(req: Request, rules: CacheRules) -> bool:
    """Whether the planner finds an item to cache (the last markable item it needs for the
    automatic mark): a request-level mark on a request without one would be dropped."""
    return (
        (bool(req.system) and rules.system_markable)
        or any(rules.tool_markable(t) for t in req.tools)
        or any(rules.part_markable(p, m.role) for m in req.messages for p in m.content)
    )


def lift_response_format(rf: Any) -> ResponseFormat | None:
    """The IR response format, or None when the wire value is kept raw."""
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


class Lifter:
    """Lifts one request body for one codec configuration (its flavor, options and profile)."""

    def __init__(self, codec: OpenAIChatCodec) -> None:
        self.name = codec.NAME
        self.flavor = codec.FLAVOR
        self.codec = codec
        self.system_role = codec.system_role
        self.rules = codec.profile().cache
        renamed = self.flavor.RENAMED_FIELDS
        absent = self.flavor.ABSENT_FIELDS
        scalars = [f for f in SCALAR_FIELDS if f not in absent]
        self.wire = {f: renamed.get(f, f) for f in (*scalars, "model", "messages", "tools", "tool_choice")}
        self.wire["response_format"] = renamed.get("response_format", "response_format")
        self.plain_text_ok = "text" in self.flavor.ROLE_PARTS["user"]
        """A user message's plain ``{"type": "text", "text": ...}`` part is read as a Text."""
        self._root_fields = frozenset({*self.wire.values(), *self.flavor.MAX_TOKENS_FIELDS, *self.flavor.EXTRA_FIELDS})
        self._scalars: list[tuple[str, str]] = []
        """(wire name, IR Request field) of the fields read as the IR value itself, in order."""
        for openai_name, ir_name in (*SCALAR_FIELDS.items(), *self.flavor.EXTRA_FIELDS.items()):
            if openai_name in absent and openai_name not in self.flavor.EXTRA_FIELDS:
                continue
            self._scalars.append((self.wire.get(openai_name, openai_name), ir_name))
        self._scalar_of = dict(self._scalars)
        """Wire name -> IR field of the same fields, read by the (few) fields a body has."""
        assert len(self._scalar_of) == len(self._scalars), "two fields of one wire name"

    # -- the request ------------------------------------------------------------------------

    def root_fields(self) -> frozenset[str]:
        """The top-level wire fields this codec maps (the rest go to provider_options)."""
        return self._root_fields

    def request(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        data = expect_object(load_json(payload), "$")
        wire_convert(data, self.codec.WIRE_REQUEST)
        w = self.wire
        fields, extras = split_fields(data, self.root_fields())
        msgs = data[w["messages"]]
        tool_turns: set[int] = set()  # the messages plain_tool_turn accepts
        text_lists: set[int] = set()  # the messages whose content is plain text parts only
        opaque_calls: set[str] = set()  # ids of the calls read as ProviderParts ({"tool_call": raw})
        for idx, m in enumerate(msgs):
            if type(m) is dict and len(m) == 2:
                # plain_message, written out: the most common messages are checked without a call
                role, c = m.get("role"), m.get("content")
                if type(role) is str and role in PLAIN_ROLES:
                    if type(c) is str:
                        continue
                    if type(c) is list:
                        if all(map(plain_text_block, c)):
                            text_lists.add(idx)
                            continue
                        if objects_only(c):
                            continue
            elif plain_tool_turn(m) and not (m["role"] == "tool" and m["tool_call_id"] in opaque_calls):
                tool_turns.add(idx)
                continue
            checked_message(m, f"$.messages[{idx}]")
            if m["role"] == "assistant" and m.get("tool_calls"):
                opaque_calls.update(
                    c["id"]
                    for c in m["tool_calls"]
                    if type(c) is dict and c.get("type") != "function" and type(c.get("id")) is str
                )
        system: list[SystemBlock] = []
        start = 0
        if msgs and is_system_blocks(msgs[0], self.system_role):
            system = self.system_blocks(msgs[0], "$.messages[0]")
            start = 1
        messages: list[Message] = []
        for g in group_messages(msgs, start):
            m = msgs[g[0]]
            if len(g) == 1 and len(m) == 2 and m["role"] in ("user", "assistant"):
                # a user or assistant message standing alone, its content one string or plain text
                # parts: what group() makes of it, at once
                c = m.get("content")
                if type(c) is str:
                    messages.append(Message(role=m["role"], content=[Text(text=c)]))
                    continue
                if m["role"] == "user" and g[0] in text_lists and self.plain_text_ok:
                    messages.append(Message(role="user", content=[Text(text=p["text"]) for p in c]))
                    continue
            elif len(g) == 1 and g[0] in tool_turns:
                # the plain tool call standing alone, or its answer: what group() makes of it, at once
                if m["role"] == "assistant":
                    messages.append(
                        Message(role="assistant", content=[self.read_plain_call(c) for c in m["tool_calls"]])
                    )
                else:
                    messages.append(Message(role="user", content=[self.read_plain_tool_message(m)]))
                continue
            messages.append(self.group(msgs, g, opaque_calls))
        tools = [self.tool(t, f"$.tools[{i}]") for i, t in enumerate(fields.get(w["tools"], []))]
        if fields.get(w["tools"]) == []:
            extras[w["tools"]] = []  # an empty list is not "no tools" on the wire; kept raw
        kw: dict[str, Any] = {}
        for max_field in (self.codec.max_tokens_field, *self.flavor.MAX_TOKENS_FIELDS):
            if max_field in fields:
                kw["max_tokens"] = fields.pop(max_field)
                if max_field != self.codec.max_tokens_field:  # the spelling comes back (PROVIDERS.md §13)
                    extras[max_field] = kw["max_tokens"]
                break
        for f in self.flavor.MAX_TOKENS_FIELDS:
            if f in fields:
                extras[f] = fields.pop(f)
                value = kw["max_tokens"]
                if type(extras[f]) is int and extras[f] == value and max_field not in extras:
                    # Both spellings with one count: an option equal to the IR value alone would
                    # read as "spelled this way" (lower.py), and the IR's spelling would be lost.
                    extras[max_field] = value
        if w["tool_choice"] in fields:
            tc = self.tool_choice(fields[w["tool_choice"]])
            if tc is None:
                extras[w["tool_choice"]] = fields[w["tool_choice"]]
            kw["tool_choice"] = tc
        if w["response_format"] in fields:
            rf = lift_response_format(fields[w["response_format"]])
            if rf is None:
                extras[w["response_format"]] = fields[w["response_format"]]
            kw["response_format"] = rf
        if w["model"] in fields:
            kw["model"] = fields[w["model"]]
        scalar_of = self._scalar_of
        for wire_name, value in fields.items():
            ir_name = scalar_of.get(wire_name)
            if ir_name is not None:
                if ir_name == "stop" and isinstance(value, str):
                    value = [value]
                elif ir_name in FLOAT_FIELDS and type(value) is int:
                    value = float(value)  # the normal form (validate_ir)
                kw[ir_name] = value
        req = Request(system=system, messages=messages, tools=tools, **kw)
        default = self.flavor.STREAM_OPTIONS
        if req.stream is True and default is not None and extras.get("stream_options") == default:
            del extras["stream_options"]  # what encode sends with stream: true anyway (flavor.py)
        cache = self.auto_cache(req, extras)
        if cache is None and not extras:
            return req
        return msgspec.structs.replace(req, cache=cache, provider_options=options(self.name, extras))

    def auto_cache(self, req: Request, extras: dict[str, Any]) -> CacheControl | None:
        """The request-level mark, taken out of ``extras`` where it is one the planner keeps."""
        key = self.flavor.AUTO_CACHE_KEY
        if key is None or key not in extras:
            return None
        mark = self.flavor.read_auto_cache(extras[key])
        if mark is None:
            return None
        if not self.rules.separate_automatic:
            # the planner drops a mark it cannot place: such a mark stays raw
            if not self.rules.native_automatic or mark.ttl not in self.rules.ttls or not has_markable(req, self.rules):
                return None
        del extras[key]
        return mark

    def tool_choice(self, tc: Any) -> ToolChoice | None:
        modes = {v: k for k, v in self.flavor.TOOL_CHOICE_MODES.items()}
        if isinstance(tc, str) and tc in modes:
            return ToolChoice(mode=modes[tc])  # type: ignore[arg-type]
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

    # -- messages ---------------------------------------------------------------------------

    def system_blocks(self, m: dict[str, Any], path: str) -> list[SystemBlock]:
        blocks = []
        for j, p in enumerate(self.parts(m["content"], f"{path}.content", m["role"], where="system")):
            if not isinstance(p, Text):  # pragma: no cover - is_system_blocks admits text parts only
                raise DecodeError(f"{path}.content[{j}]", "a text part")
            blocks.append(SystemBlock(text=p.text, cache=p.cache, provider_options=p.provider_options))
        return blocks

    def group(self, msgs: list[Any], group: list[int], opaque_calls: Container[str] = frozenset()) -> Message:
        first = msgs[group[0]]
        role = first["role"]
        path = f"$.messages[{group[0]}]"
        if role in ("system", "developer"):
            if role not in self.flavor.SYSTEM_ROLES:  # DeepSeek and Mistral know only "system"
                roles = ", ".join(repr(r) for r in (*self.flavor.SYSTEM_ROLES, "user", "assistant", "tool"))
                raise DecodeError(f"{path}.role", f"one of {roles}", repr(role))
            _, extras = split_fields(first, frozenset({"role", "content"}))
            if role != self.system_role:
                extras["role"] = role
            parts = self.parts(first["content"], f"{path}.content", role)
            return Message(role="system", content=parts, provider_options=options(self.name, extras))
        if role == "assistant":
            return self.assistant(first, path)
        if len(group) == 1 and role == "user" and len(first) == 2:  # no message-level fields
            return Message(role="user", content=self.parts(first["content"], f"{path}.content", "user"))
        content: list[Part] = []
        opts: ProviderOptions = {}
        for idx in group:
            m = msgs[idx]
            mp = f"$.messages[{idx}]"
            if m["role"] == "function" or (m["role"] == "tool" and m["tool_call_id"] in opaque_calls):
                # the answer to a call kept raw (a custom tool call), or to a legacy function_call:
                # the whole message, kept raw in its place (own_part)
                content.append(ProviderPart(codec=self.name, data={"message": m}))
            elif m["role"] == "tool":
                content.append(self.tool_message(m, mp))
            else:
                _, extras = split_fields(m, frozenset({"role", "content"}))
                if extras:
                    opts = options(self.name, extras)
                content += self.parts(m["content"], f"{mp}.content", "user")
        return Message(role="user", content=content, provider_options=opts)

    def assistant(self, m: dict[str, Any], path: str) -> Message:
        if len(m) == 2 and type(m.get("content")) is str:  # the plain answer: one text
            return Message(role="assistant", content=[Text(text=m["content"])])
        _, extras = split_fields(m, frozenset({"role", "content", "tool_calls"}))
        # content / tool_calls null or [] are the same as absent (a documented canonicalization)
        extras.pop("content", None)
        extras.pop("tool_calls", None)
        content: list[Part] = []
        details = self.flavor.REASONING_DETAILS_FIELD if self.flavor.REQUEST_REASONING else None
        if details is not None and extras.get(details, []) not in (None, []):  # null and [] stay raw
            content += self.reasoning_details(extras.pop(details), f"{path}.{details}")
        if m.get("content") is not None:
            content += self.parts(m["content"], f"{path}.content", "assistant")
        field = self.flavor.REFUSAL_FIELD
        if field is not None and isinstance(m.get(field), str):  # ChatFlavor.REFUSAL_FIELD
            content.append(Refusal(text=extras.pop(field)))
        for k, call in enumerate(m.get("tool_calls") or []):
            content.append(self.tool_call(call, f"{path}.tool_calls[{k}]"))
        return Message(role="assistant", content=content, provider_options=options(self.name, extras))

    def reasoning_details(self, items: Any, path: str) -> list[Part]:
        """The reasoning parts of a request's assistant message (``ChatFlavor.REQUEST_REASONING``):
        one per item of its ``reasoning_details``, in order."""
        if not isinstance(items, list):
            raise DecodeError(path, "an array of reasoning details", type(items).__name__)
        return [self.reasoning_detail(expect_object(d, f"{path}[{i}]")) for i, d in enumerate(items)]

    def reasoning_detail(self, d: dict[str, Any]) -> Part:
        """One reasoning detail (openrouter ``reasoningdetail*.py``). ``reasoning.text`` and
        ``reasoning.summary`` are a :class:`Thinking` (a summary keeps ``type`` in its options),
        ``reasoning.encrypted`` a :class:`RedactedThinking`; a string ``signature`` is the
        part's; the ``format`` of a signed item that names a signature family is its origin
        (``ChatFlavor.REASONING_FORMATS``). Every other field stays in the part's options. An
        item of another type, or without its text, is a :class:`ProviderPart` as it is."""
        key = detail_payload(d)
        if key is None:
            return ProviderPart(codec=self.name, data={"reasoning_detail": d})
        t = d["type"]
        extras = {k: v for k, v in d.items() if k != "type" and k != key}
        if t == "reasoning.summary":
            extras = {"type": t, **extras}
        encrypted = t == "reasoning.encrypted"
        signature = extras.pop("signature") if not encrypted and type(extras.get("signature")) is str else None
        origin = signed_origin(extras, self.flavor.REASONING_FORMATS) if encrypted or signature is not None else None
        opts = options(self.name, extras)
        if encrypted:
            return RedactedThinking(data=d[key], origin=origin, provider_options=opts)
        return Thinking(text=d[key], signature=signature, origin=origin, provider_options=opts)

    def read_plain_call(self, call: dict[str, Any]) -> ToolUse:
        """The ToolUse of a plain wire call (:func:`plain_wire_call`): what :meth:`tool_call`
        makes of it, at once."""
        f = call["function"]
        value, kept = parse_arguments(f["arguments"])
        return ToolUse(
            id=self.flavor.tool_call_id_from_wire(call["id"]),
            name=f["name"],
            input=value,
            provider_options={self.name: {"arguments": kept}} if kept is not None else {},
        )

    def tool_call(self, call: Any, path: str) -> Part:
        if plain_wire_call(call):
            return self.read_plain_call(call)
        call = expect_object(call, path)
        if call.get("type") != "function":
            return ProviderPart(codec=self.name, data={"tool_call": call})
        wire_convert(call, WToolCall, path)
        _, extras = split_fields(call, frozenset({"id", "type", "function"}))
        _, fextras = split_fields(call["function"], frozenset({"name", "arguments"}))
        if fextras:
            extras["function"] = fextras
        raw = call["function"].get("arguments")  # absent or null: {} (a canonicalization)
        value, kept = ({}, None) if raw is None else parse_arguments(raw)
        if kept is not None:
            extras["arguments"] = kept
        return ToolUse(
            id=self.flavor.tool_call_id_from_wire(call["id"]),
            name=call["function"]["name"],
            input=value,
            provider_options=options(self.name, extras),
        )

    def read_plain_tool_message(self, m: dict[str, Any]) -> ToolResult:
        """The ToolResult of a plain tool message (:func:`plain_tool_turn`): what
        :meth:`tool_message` makes of it, at once."""
        return ToolResult(
            tool_use_id=self.flavor.tool_call_id_from_wire(m["tool_call_id"]), content=[Text(text=m["content"])]
        )

    def tool_message(self, m: dict[str, Any], path: str) -> ToolResult:
        if plain_tool_turn(m):  # a string content and nothing raw to keep
            return self.read_plain_tool_message(m)
        _, extras = split_fields(m, frozenset({"role", "content", "tool_call_id"}))
        content = self.parts(m["content"], f"{path}.content", "tool", where="nested")
        return ToolResult(
            tool_use_id=self.flavor.tool_call_id_from_wire(m["tool_call_id"]),
            content=[p for p in content if isinstance(p, Text | Image | Audio | Document | ProviderPart)],
            provider_options=options(self.name, extras),
        )

    # -- content parts ----------------------------------------------------------------------

    def parts(self, content: Any, path: str, role: str, where: str = "message") -> list[Part]:
        """The IR parts of a message's ``content``; ``where`` is ``message``, ``system`` (the
        system blocks) or ``nested`` (a tool message: its parts sit in a tool result)."""
        if isinstance(content, str):
            return [Text(text=content)]
        allowed = self.flavor.ROLE_PARTS[role]
        # the role the cache planner sees: a tool message's parts sit in a user message's result
        ir_role = "user" if where == "nested" else "system" if role in ("system", "developer") else role
        out: list[Part] = []
        plain_text = "text" in allowed
        key = self.flavor.MARK_KEY
        for j, raw in enumerate(content):
            if plain_text and plain_text_block(raw):  # {"type": "text", "text": "..."}: a plain Text
                out.append(Text(text=raw["text"]))
                continue
            if plain_text and key is not None and marked_text_block(raw, key):
                # a text part with a mark and nothing else (a cache breakpoint on the system prompt
                # or the last user part): text() at once where the mark is one this place keeps
                mark = self.mark({key: raw[key]}, "text", ir_role, where)
                if mark is not None:
                    out.append(Text(text=raw["text"], cache=mark))
                    continue
            pp = f"{path}[{j}]"
            raw = expect_object(raw, pp)
            t = raw.get("type")
            if not isinstance(t, str) or t not in PART_TYPES:
                if role in ("user", "assistant") and isinstance(t, str):
                    out.append(ProviderPart(codec=self.name, data=raw))
                    continue
                raise DecodeError(f"{pp}.type", "one of " + ", ".join(sorted(allowed)), repr(t))
            if t not in allowed:
                raise DecodeError(f"{pp}.type", "one of " + ", ".join(sorted(allowed)), repr(t))
            wire_convert(raw, PART_TYPES[t], pp)
            out.append(LIFT_PART[t](self, raw, ir_role, where))
        return out

    def mark(self, extras: dict[str, Any], tag: str, role: str, where: str) -> CacheControl | None:
        """The IR mark in a wire object's ``extras``, taken out of them where the profile lets a
        mark stand on this item (else the wire value stays raw)."""
        key = self.flavor.MARK_KEY
        if key is None or key not in extras:
            return None
        r = self.rules
        if r.max_breakpoints == 0 or not r.ttls:
            return None
        if where == "system":
            ok = r.system_markable
        elif where == "tool":
            ok = r.tools_markable and (r.tool_kinds is None or tag in r.tool_kinds)
        else:
            ok = (where != "nested" or r.nested_markable) and (r.parts is None or tag in r.parts)
            ok = ok and (r.roles is None or role in r.roles)
        mark = self.flavor.read_mark(extras[key]) if ok else None
        if mark is None or mark.ttl not in r.ttls:
            return None
        del extras[key]
        return mark

    def text(self, raw: dict[str, Any], role: str, where: str) -> Part:
        _, extras = split_fields(raw, frozenset({"type", "text"}))
        cache = self.mark(extras, "text", role, where)
        return Text(text=raw["text"], cache=cache, provider_options=options(self.name, extras))

    def refusal(self, raw: dict[str, Any], role: str, where: str) -> Part:
        _, extras = split_fields(raw, frozenset({"type", "refusal"}))
        cache = self.mark(extras, "refusal", role, where)
        return Refusal(text=raw["refusal"], cache=cache, provider_options=options(self.name, extras))

    def image(self, raw: dict[str, Any], role: str, where: str) -> Part:
        _, extras = split_fields(raw, frozenset({"type", "image_url"}))
        cache = self.mark(extras, "image", role, where)
        _, sub = split_fields(raw["image_url"], frozenset({"url"}))
        if sub:
            extras["image_url"] = sub
        url = raw["image_url"]["url"]
        m = DATA_URL.match(url)
        source = Base64Source(media_type=m.group(1), data=m.group(2)) if m else UrlSource(url=url)
        return Image(source=source, cache=cache, provider_options=options(self.name, extras))

    def audio(self, raw: dict[str, Any], role: str, where: str) -> Part:
        _, extras = split_fields(raw, frozenset({"type", "input_audio"}))
        cache = self.mark(extras, "audio", role, where)
        _, sub = split_fields(raw["input_audio"], frozenset({"data", "format"}))
        if sub:
            extras["input_audio"] = sub
        a = raw["input_audio"]
        src = Base64Source(media_type=FORMAT_MEDIA[a["format"]], data=a["data"])
        return Audio(source=src, cache=cache, provider_options=options(self.name, extras))

    def file(self, raw: dict[str, Any], role: str, where: str) -> Part:
        source = lift_file_reference(raw)
        if source is None:
            return ProviderPart(codec=self.name, data=raw)
        _, extras = split_fields(raw, frozenset({"type", "file"}))
        cache = self.mark(extras, "document", role, where)
        _, sub = split_fields(raw["file"], frozenset({"file_data", "file_id", "filename"}))
        if sub:
            extras["file"] = sub
        name = raw["file"].get("filename")
        return Document(source=source, name=name, cache=cache, provider_options=options(self.name, extras))

    # -- tools ------------------------------------------------------------------------------

    def tool(self, raw: Any, path: str) -> Tool | ProviderTool:
        if plain_wire_tool(raw):  # what the general path makes of it, at once
            fn = raw["function"]
            return Tool(
                name=fn["name"],
                description=fn.get("description"),
                input_schema=fn.get("parameters", {"type": "object"}),
                strict=fn.get("strict"),
            )
        raw = expect_object(raw, path)
        if raw.get("type") != "function":
            data = dict(raw)
            cache = self.mark(data, "provider", "", "tool")
            return ProviderTool(codec=self.name, data=data, cache=cache)
        wire_convert(raw, WFunctionTool, path)
        _, extras = split_fields(raw, frozenset({"type", "function"}))
        cache = self.mark(extras, "function", "", "tool")
        fn = raw["function"]
        known, fextras = split_fields(fn, frozenset({"name", "description", "parameters", "strict"}))
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
            provider_options=options(self.name, extras),
        )


LIFT_PART: dict[str, Callable[[Lifter, dict[str, Any], str, str], Part]] = {
    "text": Lifter.text,
    "refusal": Lifter.refusal,
    "image_url": Lifter.image,
    "input_audio": Lifter.audio,
    "file": Lifter.file,
}
"""Wire part ``type`` -> the function that lifts it (the dispatch table)."""
