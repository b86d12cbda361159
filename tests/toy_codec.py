"""A deliberately small codec used to test the core without depending on a real provider."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from ir_codec.codec import Codec, EncodeContext, load_json, register, wire_convert
from ir_codec.ir import Message, Request, Text
from ir_codec.lowering import at


class ToyMessage(msgspec.Struct, forbid_unknown_fields=True):
    role: str
    text: str


class ToyRequest(msgspec.Struct, forbid_unknown_fields=True):
    messages: list[ToyMessage]


@register
class ToyCodec(Codec):
    NAME = "toy"
    WIRE_REQUEST = ToyRequest

    def _encode(self, request: Request, ctx: EncodeContext) -> dict[str, Any]:
        out = []
        for i, m in enumerate(request.messages):
            texts = []
            for j, p in enumerate(m.content):
                if isinstance(p, Text) and p.cache is None and not p.provider_options:
                    texts.append(p.text)
                else:
                    ctx.lossy(at(at(f"messages[{i}]", "content"), j), "toy carries plain text only")
            out.append({"role": m.role, "text": "\n".join(texts)})
        return {"messages": out}

    def decode(self, payload: Mapping[str, Any] | bytes | str) -> Request:
        wire = wire_convert(load_json(payload), ToyRequest)
        return Request(
            messages=[
                Message(role=m.role, content=[Text(text=m.text)])  # type: ignore[arg-type]
                for m in wire.messages
            ]
        )
