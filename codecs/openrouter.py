"""OpenRouter chat (``POST /api/v1/chat/completions``), the ``openrouter`` codec.

OpenRouter takes the OpenAI Chat body (this codec reuses :mod:`openai_chat`'s lowering and
lifting) plus its own fields (``openrouter`` SDK 1.3.84, ``components/chatrequest.py``;
PROVIDERS.md §8). What differs from ``openai-chat``:

* Cache marks are Anthropic-style ``cache_control: {"type": "ephemeral", "ttl"?: "5m"|"1h"}``
  on text parts (``chatcontenttext.py``) and on function tools, as a sibling of ``type`` and
  ``function`` (``chatfunctiontool.py``); image, audio and file parts take none. The request-level
  IR ``cache`` is the top-level ``cache_control`` (automatic caching,
  ``anthropiccachecontroldirective.py``). The planner applies the Anthropic rules of the models
  behind it: at most 4 marks (the automatic one takes a slot), tiers 5m/1h, longer TTLs first.
  OpenAI-style ``prompt_cache_breakpoint`` markers and ``prompt_cache_options`` are kept raw in
  provider_options (OpenRouter converts between the two styles itself).
* ``top_k`` is a request field; ``provider``, ``models``, ``plugins``, ``usage``, ``reasoning``,
  ``session_id``, ... travel in ``provider_options["openrouter"]``.
* System messages use the role ``system`` by default; ``max_tokens`` is the default max field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import msgspec
from msgspec import UNSET, UnsetType

from ir_codec.codec import EncodeContext, load_json, register
from ir_codec.ir import CacheControl, CacheTtl, Part, ProviderTool, Request, Text, Tool
from ir_codec.passes.cache import CacheRules, _Plan, plan_cache_breakpoints

from .openai_chat import ChatRequest, OpenAIChatCodec

__all__ = ["OpenRouterCodec"]

_TOOL_PATH = re.compile(r"tools\[(\d+)\]")


def _renumber(text: str, kept: list[int]) -> str:
    return _TOOL_PATH.sub(lambda m: f"tools[{kept[int(m.group(1))]}]", text)


class OpenRouterRequest(ChatRequest):
    """``ChatRequest`` of the openrouter SDK, for the fields this codec maps or checks."""

    prompt_cache_options: dict[str, Any] | None | UnsetType = UNSET  # type: ignore[assignment]
    top_k: int | None | UnsetType = UNSET
    cache_control: dict[str, Any] | UnsetType = UNSET
    models: list[str] | UnsetType = UNSET


@register
class OpenRouterCodec(OpenAIChatCodec):
    """OpenRouter chat request bodies.

    >>> from ir_codec import get_codec, Request, Message, Text, CacheControl
    >>> get_codec("openrouter").encode(Request(model="anthropic/claude-opus-5", cache=CacheControl(),
    ...     messages=[Message(role="user", content=[Text(text="Hi")])])).body["cache_control"]
    {'type': 'ephemeral'}
    """

    NAME: ClassVar[str] = "openrouter"
    DEFAULT_BASE_URL: ClassVar[str] = "https://openrouter.ai/api/v1"
    """Registered name."""
    WIRE_REQUEST: ClassVar[type[Any]] = OpenRouterRequest
    """The request body type."""
    MAX_CACHE_BREAKPOINTS: ClassVar[int | None] = 4
    """Anthropic's limit, which OpenRouter passes through (OR-DOC prompt caching)."""
    CACHE_TTLS: ClassVar[tuple[CacheTtl, ...]] = (CacheTtl.FIVE_MINUTES, CacheTtl.ONE_HOUR)
    """``AnthropicCacheControlTTL``: 5m and 1h."""
    CANONICALIZATIONS: ClassVar[tuple[str, ...]] = (
        *(c for c in OpenAIChatCodec.CANONICALIZATIONS if "prompt_cache" not in c),
        'a cache_control with ttl "5m" == one without ttl (5m is the default)',
    )
    """Wire forms that decode to the same IR; :meth:`canonicalize` rewrites them."""
    DEFAULT_SYSTEM_ROLE: ClassVar[str] = "system"
    DEFAULT_MAX_TOKENS_FIELD: ClassVar[str] = "max_tokens"
    MARK_KEY: ClassVar[str] = "cache_control"
    MARKABLE_PARTS: ClassVar[frozenset[str]] = frozenset({"text"})

    def _mark(self, cache: CacheControl) -> tuple[str, dict[str, Any]]:
        if cache.ttl is CacheTtl.FIVE_MINUTES:
            return self.MARK_KEY, {"type": "ephemeral"}
        return self.MARK_KEY, {"type": "ephemeral", "ttl": cache.ttl.value}

    def _read_mark(self, value: Any) -> CacheControl | None:
        if not isinstance(value, dict) or set(value) - {"type", "ttl"} or value.get("type") != "ephemeral":
            return None
        ttl = value.get("ttl", "5m")
        if ttl not in ("5m", "1h"):
            return None
        return CacheControl(ttl=CacheTtl(ttl))

    def _cache_rules(self, markable: Callable[[Any], bool]) -> CacheRules:
        return CacheRules(
            max_breakpoints=self.MAX_CACHE_BREAKPOINTS,
            ttls=self.CACHE_TTLS,
            native_automatic=True,
            tools_markable=True,
            system_markable=True,
            nested_markable=True,
            markable=markable,
            ttl_order=True,
        )

    def _plan(self, request: Request, ctx: EncodeContext) -> Request:
        carries = self._mark_carriers(request)
        rules = self._cache_rules(lambda p: carries.get(id(p), False))
        planned = self._plan_tools(request, rules, ctx)
        if planned.cache is not None:
            # The planner checks the automatic mark against the last block's TTL before its
            # TTL-order step may shorten it; a shortened mark that now differs from the last
            # block's is what a second planning would drop (Anthropic rejects that pair).
            now = self._mark_carriers(planned)  # the planner rebuilt the parts it changed
            plan = _Plan(planned, self._cache_rules(lambda p: now.get(id(p), False)))
            last = plan.last_markable()
            mark = plan.marks.get(last) if last is not None else None
            if mark is not None and mark.ttl != planned.cache.ttl:
                ctx.lossy(
                    "cache",
                    f"the automatic mark became {planned.cache.ttl.value} beside a {mark.ttl.value} mark on the "
                    "last block, which Anthropic rejects: dropped",
                )
                planned = msgspec.structs.replace(planned, cache=None)
        return planned

    def _plan_tools(self, request: Request, rules: CacheRules, ctx: EncodeContext) -> Request:
        kept = [i for i, t in enumerate(request.tools) if self._tool_is_sent(t)]
        if len(kept) == len(request.tools):
            return plan_cache_breakpoints(request, rules, ctx)
        # The planner takes every tool as markable; tools this codec drops (reported where they
        # are lowered) must not hold or receive a mark, so plan without them and map back.
        sub = EncodeContext(ctx.codec)
        planned = plan_cache_breakpoints(
            msgspec.structs.replace(request, tools=[request.tools[i] for i in kept]), rules, sub
        )
        for w in sub.warnings:
            ctx.lossy(_renumber(w.path, kept), _renumber(w.reason, kept))
        tools = list(request.tools)
        for k, i in enumerate(kept):
            tools[i] = planned.tools[k]
        return msgspec.structs.replace(planned, tools=tools)

    def _tool_is_sent(self, t: Tool | ProviderTool) -> bool:
        return isinstance(t, Tool) or self._sends_provider_tool(t)

    def _role_parts(self, role: str) -> frozenset[str]:
        # Tool (and assistant) content is ChatContentItems on OpenRouter (chattoolmessage.py).
        if role == "tool":
            return frozenset({"text", "image_url", "input_audio", "file"})
        return super()._role_parts(role)

    def _part_carries_mark(self, role: str, part: Part) -> bool:
        return isinstance(part, Text)

    def _lower_auto(self, request: Request, body: dict[str, Any], ctx: EncodeContext) -> None:
        if request.cache is not None:
            body["cache_control"] = self._mark(request.cache)[1]

    def _lift_auto(self, fields: dict[str, Any], extras: dict[str, Any]) -> CacheControl | None:
        if "cache_control" in extras:
            mark = self._read_mark(extras["cache_control"])
            if mark is not None:
                del extras["cache_control"]
                return mark
        return None

    def decode(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        """As openai-chat; a top-level ``cache_control`` on a request with nothing to cache is
        kept raw (the planner would drop it as an IR mark)."""
        req = super().decode(payload)
        if req.cache is not None and not self._has_markable(req):
            opts = {**req.provider_options.get(self.NAME, {}), "cache_control": load_json(payload)["cache_control"]}
            req = msgspec.structs.replace(req, cache=None, provider_options={self.NAME: opts})
        return req

    def _has_markable(self, req: Request) -> bool:
        return (
            bool(req.system) or any(self._tool_is_sent(t) for t in req.tools) or any(self._mark_carriers(req).values())
        )

    def _canonicalize_auto(self, p: dict[str, Any]) -> None:
        mark = self._read_mark(p.get("cache_control"))
        if mark is not None and self.decode(p).cache is not None:
            p["cache_control"] = self._mark(mark)[1]

    def _lower_tool_mark(self, tool: dict[str, Any], cache: CacheControl | None) -> dict[str, Any]:
        if cache is not None:
            tool["cache_control"] = self._mark(cache)[1]
        return tool

    def _lower_provider_tool(self, t: ProviderTool, path: str, ctx: EncodeContext) -> dict[str, Any]:
        # Hosted/custom tools take the same sibling cache_control as function tools.
        data = dict(t.data)
        if "cache_control" in data and (t.cache is not None or self._read_mark(data["cache_control"]) is not None):
            ctx.lossy(f"{path}.data.cache_control", "read back as the tool's cache mark")
            del data["cache_control"]
        return self._lower_tool_mark(data, t.cache)

    def _lift_provider_tool(self, raw: dict[str, Any]) -> ProviderTool:
        data = dict(raw)
        cache = self._lift_tool_mark(data)
        return ProviderTool(codec=self.NAME, data=data, cache=cache)

    def _lift_tool_mark(self, extras: dict[str, Any]) -> CacheControl | None:
        if "cache_control" in extras:
            mark = self._read_mark(extras["cache_control"])
            if mark is not None:
                del extras["cache_control"]
                return mark
        return None

    def _canonicalize_tool_mark(self, tool: dict[str, Any]) -> None:
        mark = self._read_mark(tool.get("cache_control"))
        if mark is not None:
            tool["cache_control"] = self._mark(mark)[1]

    def _lower_extra_settings(self, req: Request, body: dict[str, Any], ctx: EncodeContext) -> None:
        if req.top_k is not None:
            body["top_k"] = req.top_k

    def _root_fields(self) -> frozenset[str]:
        return super()._root_fields() | {"top_k"}
