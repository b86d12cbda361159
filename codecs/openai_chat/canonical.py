"""The canonical form of a Chat Completions body: ``canonicalize`` (the wire forms that decode to
the same IR, rewritten as encode writes them; ``spec/canonicalizations/openai-chat.md``).

Cache marks are rewritten only where decode reads them (the profile's ``CacheRules``), through
the flavor's ``read_mark`` / ``write_mark`` and ``read_auto_cache`` / ``write_auto_cache``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .lift import Lifter, is_system_blocks, lift_file_reference
from .wire import content_form

if TYPE_CHECKING:
    from . import OpenAIChatCodec

__all__ = ["canonicalize"]


def canonicalize(codec: OpenAIChatCodec, payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` rewritten into the form encode produces (``CANONICALIZATIONS``)."""
    p = copy.deepcopy(dict(payload))
    flavor = codec.FLAVOR
    lifter = Lifter(codec)
    w = lifter.wire
    stop = w.get("stop")  # None where the flavor has no stop field (ABSENT_FIELDS)
    if stop is not None and isinstance(p.get(stop), str):
        p[stop] = [p[stop]]
    stream = w.get("stream", "stream")
    if p.get(stream) is True and flavor.STREAM_OPTIONS is not None and "stream_options" not in p:
        p["stream_options"] = dict(flavor.STREAM_OPTIONS)
    key = flavor.AUTO_CACHE_KEY
    if key is not None and key in p:
        mark = flavor.read_auto_cache(p[key])
        if mark is not None and codec.decode(payload).cache is not None:
            p[key] = flavor.write_auto_cache(mark)
    for tool in p.get(w["tools"]) or []:
        if not isinstance(tool, dict):
            continue
        is_function = tool.get("type") == "function"
        _canonical_mark(lifter, tool, "function" if is_function else "provider", "", "tool")
        if is_function and isinstance(tool.get("function"), dict) and tool["function"].get("parameters") is None:
            tool["function"]["parameters"] = {"type": "object"}
    opaque_calls: set[str] = set()  # ids of calls decode keeps raw: their tool messages stay raw too
    for i, m in enumerate(p.get(w["messages"]) or []):
        if not isinstance(m, dict):
            continue
        role = m.get("role")
        if role == "tool" and isinstance(m.get("tool_call_id"), str) and m["tool_call_id"] in opaque_calls:
            continue
        if role == "assistant":
            for call in m.get("tool_calls") or []:
                if isinstance(call, dict) and call.get("type") != "function" and isinstance(call.get("id"), str):
                    opaque_calls.add(call["id"])
            for field in ("content", "tool_calls"):
                if field in m and m[field] in (None, []):
                    del m[field]
            for call in m.get("tool_calls") or []:
                fn = call.get("function") if isinstance(call, dict) and call.get("type") == "function" else None
                if isinstance(fn, dict) and fn.get("arguments") is None:
                    fn["arguments"] = "{}"
        content = m.get("content")
        if not isinstance(content, list):
            continue
        if i == 0 and is_system_blocks(m, codec.system_role):
            where, ir_role = "system", "system"
        elif role == "tool":
            where, ir_role = "nested", "user"
        else:
            where, ir_role = "message", "system" if role in ("system", "developer") else str(role)
        for part in content:
            if isinstance(part, dict):
                _canonical_part_mark(lifter, part, ir_role, where)
        m["content"] = content_form(content)
    return p


_TAGS = {"text": "text", "image_url": "image", "input_audio": "audio", "file": "document", "refusal": "refusal"}


def _canonical_part_mark(lifter: Lifter, part: dict[str, Any], role: str, where: str) -> None:
    t = part.get("type")
    if t not in _TAGS:
        return
    if t == "file" and isinstance(part.get("file"), dict) and lift_file_reference(part) is None:
        return  # kept raw
    _canonical_mark(lifter, part, _TAGS[str(t)], role, where)


def _canonical_mark(lifter: Lifter, obj: dict[str, Any], tag: str, role: str, where: str) -> None:
    key = lifter.flavor.MARK_KEY
    if key is None or key not in obj:
        return
    probe = {key: obj[key]}
    mark = lifter.mark(probe, tag, role, where)
    if mark is not None:
        obj[key] = lifter.flavor.write_mark(mark)
