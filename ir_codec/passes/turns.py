"""Passes over the message list that several codecs need."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from ..errors import LossKind
from ..ir import Message, Request
from ..paths import IRPath, render

if TYPE_CHECKING:
    from ..codec import EncodeContext

__all__ = ["merge_consecutive_turns"]


def merge_consecutive_turns(request: Request, ctx: EncodeContext) -> Request:
    """Merge each run of consecutive messages with the same role into its first message.

    For providers that require alternating turns. The merged message keeps the first
    message's ``provider_options``; the ones merged into it are reported (their own
    ``provider_options`` and their separate existence are what is lost).
    """
    msgs = request.messages
    if all(a.role != b.role for a, b in zip(msgs, msgs[1:], strict=False)):
        return request
    out: list[Message] = []
    first_index: list[int] = []
    for i, m in enumerate(msgs):
        if out and out[-1].role == m.role:
            # the reason names the caller's index too (ctx may map a reduced request's paths)
            into: IRPath = ("messages", first_index[-1])
            if ctx.origins is not None:
                into = ctx.origins.original(into)
            why = f"consecutive {m.role} messages are merged: appended to {render(into)}"
            ctx.lossy(("messages", i), LossKind.CHANGED, why)
            out[-1] = msgspec.structs.replace(out[-1], content=[*out[-1].content, *m.content])
        else:
            out.append(m)
            first_index.append(i)
    merged_into = {first_index[n] for n, m in enumerate(out) if m is not msgs[first_index[n]]}
    for k in sorted(merged_into):
        why = "the following consecutive messages of the same role were merged into this one"
        ctx.lossy(("messages", k), LossKind.CHANGED, why)
    return msgspec.structs.replace(request, messages=out)
