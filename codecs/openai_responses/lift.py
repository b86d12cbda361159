"""Wire -> IR: a Responses request body lifted to an IR :class:`~ir_codec.ir.Request`.

Decoding is faithful and tolerant: every field the IR has no place for stays in
``provider_options["openai-responses"]``, every item or part outside the rules below is an opaque
``ProviderPart`` / ``ProviderTool`` holding the raw wire object.

Turns: one IR message is a run of input items; decode regroups consecutive items of one role
(:func:`item_role`) into one IR message by the rule of :func:`group_turns`, which the encoder
also applies to its own items to report the messages that would regroup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from msgspec import UNSET

from ir_codec.codec import expect_object, load_json, wire_convert
from ir_codec.errors import DecodeError
from ir_codec.ir import (
    FLOAT_FIELDS,
    Base64Source,
    CacheControl,
    CacheTtl,
    Document,
    FileSource,
    Image,
    Message,
    Part,
    ProviderPart,
    ProviderTool,
    Refusal,
    Request,
    ResponseFormat,
    SystemBlock,
    Text,
    Thinking,
    Tool,
    ToolChoice,
    ToolResult,
    ToolSpec,
    ToolUse,
    UrlSource,
)

from .wire import (
    DEFAULT_DETAIL,
    INPUT_PARTS,
    ITEM_TYPES,
    NAME,
    OUTPUT_PARTS,
    PART_TYPES,
    TTLS,
    WFunctionTool,
    WResponseCreateParams,
    WResponseInputItem,
    WTool,
    canon_args,
    opts,
    parse_data_url,
)

__all__ = [
    "Record",
    "breakpoint_ttl",
    "group_turns",
    "item_role",
    "lift_content",
    "lift_format",
    "lift_item",
    "decode_request",
    "lift_tool",
    "lift_tool_choice",
    "lifts_field",
    "regrouped",
    "relifts",
]

_SCALARS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "model": ("model", lambda v: isinstance(v, str)),
    "parallel_tool_calls": ("parallel_tool_calls", lambda v: isinstance(v, bool)),
    # below the schema's minimum of 16 (refused, PROVIDERS.md §13) a value stays raw, as it came
    "max_output_tokens": ("max_tokens", lambda v: type(v) is int and v >= 16),
    "temperature": ("temperature", lambda v: v is not None),
    "top_p": ("top_p", lambda v: v is not None),
    "metadata": ("metadata", lambda v: v is not None),
    # `user` is deprecated in favour of safety_identifier (response_create_params.py): IR `user`
    # is safety_identifier; a wire `user` stays in provider_options.
    "safety_identifier": ("user", lambda v: isinstance(v, str)),
    "prompt_cache_key": ("cache_key", lambda v: isinstance(v, str)),
    "stream": ("stream", lambda v: isinstance(v, bool)),
}
"""Request field -> (IR field, which values decode lifts); any other value stays raw."""


def lifts_field(key: str, value: Any) -> bool:
    """Whether :func:`decode_request` reads the top-level field ``key`` holding ``value`` into the
    IR (so that a raw option of that name would not read back as itself)."""
    if key in _SCALARS:
        return _SCALARS[key][1](value)
    if key == "instructions":
        return isinstance(value, str)
    if key == "tool_choice":
        return lift_tool_choice(value) is not None
    return key in ("input", "tools")


# --------------------------------------------------------------------------------------------
# Turns


def item_role(item: Mapping[str, Any]) -> str:
    """The IR role an input item belongs to when turns are regrouped on decode."""
    t = item.get("type")
    if t == "message" or (t is None and "role" in item):
        role = item.get("role")
        return "system" if role in ("system", "developer") else "assistant" if role == "assistant" else "user"
    if isinstance(t, str) and (t.endswith("_output") or t == "mcp_approval_response"):
        return "user"
    return "assistant"


class Record:
    """One input item as the turn grouping sees it: its IR ``role``, whether it is a ``message``
    item (with its extra item fields ``opts``), its IR ``parts``, and (on encode) ``src``, the
    index of the IR message it came from."""

    __slots__ = ("empty", "is_message", "opts", "parts", "role", "src")

    def __init__(self, role: str, is_message: bool, opts: dict[str, Any], parts: list[Part], src: int = -1) -> None:
        self.role = role
        self.is_message = is_message
        self.opts = opts
        self.parts = parts
        self.empty = is_message and not parts
        self.src = src


def group_turns(recs: list[Record]) -> list[list[Record]]:
    """Regroup input items into turns: consecutive items of one role share a turn, except that
    two adjacent ``message`` items always start two turns, an empty message stands alone, and
    message items whose extra fields differ never share a turn."""
    groups: list[list[Record]] = []
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


def regrouped(recs: list[Record], roles: list[str]) -> tuple[dict[int, str], list[list[int]], bool, int]:
    """How decode would regroup the items ``recs`` built from messages of ``roles`` (each record's
    ``src`` is its message's index): what changes for each message split or reshaped, the runs
    of messages read back as one turn, whether a message was split or lent items to a turn of
    another role (so that turns are inserted), and the number of turns read back."""
    groups = group_turns(recs)
    if _one_item_each(recs, roles, groups):
        return {}, [], False, len(groups)  # what the general path below finds of them
    where: dict[int, list[int]] = {}
    for g, group in enumerate(groups):
        for r in group:
            if g not in where.setdefault(r.src, []):
                where[r.src].append(g)
    roles_of: dict[int, set[str]] = {}  # message index -> the roles of its records
    for r in recs:
        roles_of.setdefault(r.src, set()).add(r.role)
    srcs = [{r.src for r in group} for group in groups]
    changes: dict[int, str] = {}
    merged: list[list[int]] = []
    runs: set[int] = set()  # the turns in merged
    reshaped = False
    for i, role in enumerate(roles):
        gs = where.get(i, [])
        mine = roles_of.get(i)
        moved = sorted(mine - {role}) if mine is not None and (len(mine) > 1 or role not in mine) else []
        if moved:
            changes[i] = f"some of its parts are sent as {' and '.join(moved)} input items and read back in such a turn"
            reshaped = True
        elif len(gs) > 1:
            changes[i] = f"its input items read back as {len(gs)} turns"
            reshaped = True
        elif gs and len(srcs[gs[0]]) > 1 and gs[0] not in runs:  # its one turn holds others' items
            runs.add(gs[0])
            merged.append(sorted(srcs[gs[0]]))
    return changes, merged, reshaped, len(groups)


def _one_item_each(recs: list[Record], roles: list[str], groups: list[list[Record]]) -> bool:
    """Whether each message made one item of its own role and each item is a turn of its own
    (``groups``, of ``recs``): then :func:`regrouped` finds nothing split, moved or merged."""
    if not len(groups) == len(recs) == len(roles):  # each group holds one item at least
        return False
    for i, r in enumerate(recs):
        if r.src != i or r.role != roles[i]:
            return False
    return True


def _message_from_group(group: list[Record]) -> Message:
    if len(group) == 1:  # the common turn: one item (what _message_from_turn makes of it)
        r = group[0]
        role: Any = r.role
        return Message(role=role, content=r.parts, provider_options=opts(r.opts) if r.is_message else {})
    return _message_from_turn(group)


def _message_from_turn(group: list[Record]) -> Message:
    first_msg = next((x for x in group if x.is_message), None)
    role: Any = group[0].role
    content = [p for r in group for p in r.parts]
    return Message(role=role, content=content, provider_options=opts(first_msg.opts if first_msg else {}))


# --------------------------------------------------------------------------------------------
# The request


def decode_request(payload: Mapping[str, Any] | bytes | str) -> Request:
    """Lift a Responses request body to IR; raises :class:`DecodeError` naming the JSON path."""
    body = expect_object(load_json(payload), "$")
    wire_convert(body, WResponseCreateParams)
    rest = dict(body)
    kw: dict[str, Any] = {}
    raw: dict[str, Any] = {}

    for key, (field, ok) in _SCALARS.items():
        if key in rest:
            v = rest.pop(key)
            if ok(v):
                kw[field] = float(v) if field in FLOAT_FIELDS and type(v) is int else v  # the normal form
            else:
                raw[key] = v
    if isinstance(rest.get("instructions"), str):
        kw["system"] = [SystemBlock(text=rest.pop("instructions"))]

    # prompt cache options: the default TTL of breakpoints without one
    pco = rest.get("prompt_cache_options")
    default_ttl = pco.get("ttl", "30m") if isinstance(pco, dict) else "30m"

    raw_input = rest.pop("input", [])
    if isinstance(raw_input, str):
        raw_input = [{"type": "message", "role": "user", "content": raw_input}]
    recs: list[Record] = []
    for i, it in enumerate(raw_input):  # each item a dict with str keys: WResponseCreateParams.input
        rec = _plain_item(it, default_ttl)
        recs.append(rec if rec is not None else lift_item(it, f"$.input[{i}]", default_ttl))
    messages = [_message_from_group(g) for g in group_turns(recs)]
    if messages:
        kw["messages"] = messages

    if "prompt_cache_options" in rest:
        pco = dict(rest.pop("prompt_cache_options"))
        if pco.get("mode", "implicit") == "implicit":
            pco.pop("mode", None)
            kw["cache"] = CacheControl(ttl=TTLS[pco.pop("ttl", "30m")])
            if pco:
                raw["prompt_cache_options"] = pco
        else:
            raw["prompt_cache_options"] = pco

    if "tools" in rest:
        kw["tools"] = [lift_tool(t, f"$.tools[{i}]") for i, t in enumerate(rest.pop("tools"))]
    if "tool_choice" in rest:
        tc = lift_tool_choice(rest["tool_choice"])
        if tc is not None:
            kw["tool_choice"] = tc
            del rest["tool_choice"]
    if "text" in rest:
        text = dict(rest.pop("text"))
        rf = lift_format(text.get("format"))
        if rf is not None:
            kw["response_format"] = rf
            del text["format"]
            if text:
                raw["text"] = text
        else:
            raw["text"] = text
    if isinstance(rest.get("reasoning"), dict):
        reasoning = dict(rest.pop("reasoning"))
        if isinstance(reasoning.get("effort"), str):
            kw["reasoning_effort"] = reasoning.pop("effort")
            if reasoning:
                raw["reasoning"] = reasoning
        else:
            raw["reasoning"] = reasoning
    raw.update(rest)
    return Request(**kw, provider_options=opts(raw))


def lift_tool_choice(tc: Any) -> ToolChoice | None:
    """The IR tool choice of a wire ``tool_choice``; ``None`` for forms the IR has no place for
    (allowed_tools, hosted tools), which stay raw."""
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


def lift_format(fmt: Any) -> ResponseFormat | None:
    """The IR response format of a wire ``text.format``; ``None`` when it has fields the IR lacks."""
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


def lift_tool(tool: Any, path: str) -> ToolSpec:
    """A function tool with a parameters object -> IR :class:`Tool`; anything else opaque."""
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
    return Tool(name=tool["name"], input_schema=tool["parameters"], **kw, provider_options=opts(rest))


# --------------------------------------------------------------------------------------------
# Input items (wire tag -> lifting; ``None``: the item stays opaque)


def lift_item(item: Any, path: str, default_ttl: str) -> Record:
    """One input item as a :class:`Record`; an item outside the codec's rules is one opaque
    ``ProviderPart``."""
    item = expect_object(item, path)
    t = item.get("type", UNSET)
    if t is UNSET and "role" in item:
        t = "message"
    struct = ITEM_TYPES.get(t) if isinstance(t, str) else None
    wire_convert(item, struct or WResponseInputItem, path)
    lift = _LIFT_ITEM.get(t) if isinstance(t, str) else None
    rec = lift(item, path, default_ttl) if lift is not None else None
    return rec if rec is not None else Record(item_role(item), False, {}, [ProviderPart(codec=NAME, data=item)])


_ROLES = frozenset({"user", "assistant", "system", "developer"})
"""The roles of ``WEasyInputMessage``."""


def _plain_item(item: dict[str, Any], default_ttl: str) -> Record | None:
    """What :func:`lift_item` makes of a common item whose wire check is seen to pass from its
    fields alone, else ``None`` (then :func:`lift_item` reads it): a message of plain text parts
    (:func:`_plain_part`) with no other field, a ``function_call`` with only ``call_id``,
    ``name`` and string ``arguments``, a ``function_call_output`` with only ``call_id`` and a
    string ``output``. ``item`` is a dict with str keys."""
    t = item.get("type", UNSET)
    if t is not UNSET and type(t) is not str:
        return None
    n = len(item)
    if t == "message" or t is UNSET:
        if n != (2 if t is UNSET else 3) or type(role := item.get("role")) is not str or role not in _ROLES:
            return None
        content = item.get("content")
        if type(content) is str:
            parts: list[Part] = [Text(text=content)]
        elif type(content) is list:
            parts = []
            for c in content:
                if type(c) is not dict or not _plain_part(c, role):
                    return None
                parts.append(Text(text=c["text"]))
        else:
            return None
        if role == "developer":
            return Record("system", True, {"role": "developer"}, parts)
        return Record(role, True, {}, parts)
    if n == 4 and t == "function_call":
        if type(item.get("call_id")) is str and type(item.get("name")) is str and type(item.get("arguments")) is str:
            return _lift_function_call(item, "", default_ttl)
        return None
    if n == 3 and t == "function_call_output" and type(item.get("call_id")) is str and type(item.get("output")) is str:
        return _lift_function_call_output(item, "", default_ttl)
    return None


def _lift_message(item: dict[str, Any], path: str, default_ttl: str) -> Record | None:
    role = item["role"]
    content = item["content"]
    if isinstance(content, str):
        content = [{"type": "output_text" if role == "assistant" else "input_text", "text": content}]
    parts: list[Part] = []
    for j, c in enumerate(content):
        if type(c) is dict and _plain_part(c, role):
            parts.append(Text(text=c["text"]))  # what lift_content makes of it, at once
            continue
        part = lift_content(c, role, f"{path}.content[{j}]", default_ttl)
        if part is None:
            return None
        parts.append(part)
    fields = {k: v for k, v in item.items() if k not in ("type", "role", "content")}
    if role == "developer":
        fields["role"] = "developer"
    return Record("system" if role == "developer" else role, True, fields, parts)


def _plain_part(c: dict[str, Any], role: str) -> bool:
    """Whether a content part of a ``role`` message is plain text: ``input_text`` with nothing
    else (``output_text`` with no annotations in an assistant message), a plain IR Text."""
    if role == "assistant":
        return (
            len(c) == 3
            and c.get("type") == "output_text"
            and type(c.get("text")) is str
            and type(a := c.get("annotations")) is list
            and not a
        )
    return len(c) == 2 and c.get("type") == "input_text" and type(c.get("text")) is str


def _lift_function_call(item: dict[str, Any], path: str, default_ttl: str) -> Record | None:
    try:
        args = msgspec.json.decode(item["arguments"])
    except msgspec.DecodeError:
        return None
    if not isinstance(args, dict):
        return None
    rest = {k: v for k, v in item.items() if k not in ("type", "call_id", "name", "arguments")}
    if item["arguments"] != canon_args(args):
        rest["arguments"] = item["arguments"]
    use = ToolUse(id=item["call_id"], name=item["name"], input=args, provider_options=opts(rest))
    return Record("assistant", False, {}, [use])


def _lift_function_call_output(item: dict[str, Any], path: str, default_ttl: str) -> Record | None:
    if not isinstance(item.get("call_id"), str):
        return None
    out = item["output"]
    results: list[Any] = []
    if isinstance(out, str):
        results = [Text(text=out)]
    else:
        for k, c in enumerate(out):
            part = lift_content(c, "user", f"{path}.output[{k}]", default_ttl)
            if part is None:
                return None
            results.append(part)
    rest = {k: v for k, v in item.items() if k not in ("type", "call_id", "output")}
    res = ToolResult(tool_use_id=item["call_id"], content=results, provider_options=opts(rest))
    return Record("user", False, {}, [res])


def _lift_reasoning(item: dict[str, Any], path: str, default_ttl: str) -> Record | None:
    # Only a reasoning item with at most one non-empty summary and no text content is IR
    # Thinking (text = the summary, signature = encrypted_content); others stay opaque.
    summary = item["summary"]
    if "content" in item or len(summary) > 1 or any(set(s) != {"type", "text"} for s in summary):
        return None
    if summary and summary[0]["text"] == "":
        return None
    rest = {k: v for k, v in item.items() if k not in ("type", "summary", "encrypted_content")}
    sig = item.get("encrypted_content")
    if "encrypted_content" in item and not isinstance(sig, str):
        rest["encrypted_content"] = sig
    thinking = Thinking(
        text=summary[0]["text"] if summary else "",
        signature=sig if isinstance(sig, str) else None,
        origin="openai" if isinstance(sig, str) else None,
        provider_options=opts(rest),
    )
    return Record("assistant", False, {}, [thinking])


_LIFT_ITEM: dict[str, Callable[[dict[str, Any], str, str], Record | None]] = {
    "message": _lift_message,
    "function_call": _lift_function_call,
    "function_call_output": _lift_function_call_output,
    "reasoning": _lift_reasoning,
}
"""Input item tag -> lifting."""


# --------------------------------------------------------------------------------------------
# Content parts (wire tag -> lifting)


def breakpoint_ttl(bp: Any, default_ttl: str) -> CacheTtl | None:
    """The IR TTL of a ``prompt_cache_breakpoint`` value decode reads as a cache mark (an explicit
    breakpoint with nothing else), else ``None``; without ``ttl`` it inherits ``default_ttl``."""
    if isinstance(bp, dict) and set(bp) <= {"mode", "ttl"} and bp.get("mode") == "explicit":
        return TTLS.get(bp.get("ttl", default_ttl))
    return None


def _cache(c: dict[str, Any], rest: dict[str, Any], default_ttl: str) -> CacheControl | None:
    ttl = breakpoint_ttl(c.get("prompt_cache_breakpoint"), default_ttl)
    if ttl is None:
        return None
    rest.pop("prompt_cache_breakpoint", None)
    return CacheControl(ttl=ttl)


def lift_content(c: Any, role: str, path: str, default_ttl: str = "30m") -> Part | None:
    """One content part of a ``role`` message (or of a ``function_call_output`` list: role
    ``user``); ``None`` when the message holding it must stay opaque."""
    c = expect_object(c, path)
    t = c.get("type")
    allowed = OUTPUT_PARTS if role == "assistant" else INPUT_PARTS
    if not isinstance(t, str) or t not in allowed:
        return None
    wire_convert(c, PART_TYPES[t], path)
    rest = {k: v for k, v in c.items() if k != "type"}
    return _LIFT_PART[t](c, rest, default_ttl)


def _lift_input_text(c: dict[str, Any], rest: dict[str, Any], default_ttl: str) -> Part:
    del rest["text"]
    cache = _cache(c, rest, default_ttl)
    return Text(text=c["text"], cache=cache, provider_options=opts(rest))


def _lift_output_text(c: dict[str, Any], rest: dict[str, Any], default_ttl: str) -> Part:
    del rest["text"]
    if rest.get("annotations") == []:
        del rest["annotations"]
    return Text(text=c["text"], provider_options=opts(rest))


def _lift_refusal(c: dict[str, Any], rest: dict[str, Any], default_ttl: str) -> Part:
    del rest["refusal"]
    return Refusal(text=c["refusal"], provider_options=opts(rest))


def _lift_input_image(c: dict[str, Any], rest: dict[str, Any], default_ttl: str) -> Part:
    src: Any
    if isinstance(c.get("image_url"), str):
        url = rest.pop("image_url")
        parsed = parse_data_url(url)
        src = Base64Source(media_type=parsed[0], data=parsed[1]) if parsed else UrlSource(url=url)
    elif isinstance(c.get("file_id"), str):
        src = FileSource(file_id=rest.pop("file_id"))
    else:
        return ProviderPart(codec=NAME, data=c)
    if rest.get("detail", DEFAULT_DETAIL) == DEFAULT_DETAIL:
        rest.pop("detail", None)
    cache = _cache(c, rest, default_ttl)
    return Image(source=src, cache=cache, provider_options=opts(rest))


def _lift_input_file(c: dict[str, Any], rest: dict[str, Any], default_ttl: str) -> Part:
    src: Any
    if isinstance(c.get("file_data"), str):
        parsed = parse_data_url(c["file_data"])
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
    cache = _cache(c, rest, default_ttl)
    return Document(source=src, name=name, cache=cache, provider_options=opts(rest))


_LIFT_PART: dict[str, Callable[[dict[str, Any], dict[str, Any], str], Part]] = {
    "input_text": _lift_input_text,
    "output_text": _lift_output_text,
    "refusal": _lift_refusal,
    "input_image": _lift_input_image,
    "input_file": _lift_input_file,
}
"""Content part tag -> lifting (``rest``: the part's fields but ``type``, to be left raw)."""


def relifts(p: ProviderPart, role: str) -> bool:
    """Whether an opaque content part reads back as itself in a ``role`` message."""
    try:
        return lift_content(p.data, role, "$") == p
    except DecodeError:
        return False
