"""What the reply tests share: the reply families and the order Chat lists a reply's parts in."""

from __future__ import annotations

import msgspec

from ir_codec.ir import RedactedThinking, Refusal, Response, Text, Thinking, ToolUse

CHATS = frozenset({"openai-chat", "openrouter", "mistral", "deepseek"})
"""The codecs of the OpenAI Chat family."""

_CHAT_RANK: dict[type, int] = {Thinking: 0, RedactedThinking: 0, Text: 1, Refusal: 2, ToolUse: 3}


def family(name: str) -> str:
    """The reply family of a codec (its folder in ``tests/responses/``)."""
    return "anthropic" if name.startswith("anthropic") else name


def chat_order(r: Response) -> Response:
    """``r`` with its parts in the order a Chat reply lists them (reasoning, text, refusal, tool
    calls). A Response in another order is reported ``moved``, at paths the judge's alignment
    does not always agree with once parts are also joined or dropped (spec/replies.md, "Known
    gaps"): the properties that pass replies through a Chat codec draw them in that order."""
    return msgspec.structs.replace(r, content=sorted(r.content, key=lambda p: _CHAT_RANK.get(type(p), 4)))
