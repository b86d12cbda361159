"""Conformance case of the mistral codec: the openai-chat case with Mistral's usage (no cache
counters) and the mistralai SDK as the checker of the wire."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from ir_codec import strategies as irs
from ir_codec.codec import Codec, Encoded
from ir_codec.conformance import ConformanceCase, ReportedUsage, SdkCheck
from ir_codec.ir import Usage

from . import openai_chat

TESTS = Path(__file__).resolve().parents[1]
NAME = "mistral"


def reported_usages() -> st.SearchStrategy[ReportedUsage]:
    """``UsageInfo`` (SDK ``usageinfo.py``): prompt, completion and total tokens only."""
    n = st.integers(0, 2_000_000)

    def reply(prompt: int, out: int) -> ReportedUsage:
        raw = {"prompt_tokens": prompt, "completion_tokens": out, "total_tokens": prompt + out}
        return ReportedUsage(
            usage=Usage(uncached_input_tokens=prompt, output_tokens=out),
            reply=openai_chat.completion("mistral-large-latest", {"role": "assistant", "content": "x"}, "stop", raw),
        )

    return st.builds(reply, n, n)


# -- the mistralai SDK: chat.complete over an offline httpx.MockTransport ------------------------

_COMPLETION = {
    "id": "c-1",
    "object": "chat.completion",
    "created": 0,
    "model": "m",
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
}


class _Capture:
    """A ``mistralai.client.Mistral`` whose transport records the URL and JSON it sends."""

    def __init__(self) -> None:
        import httpx
        from mistralai.client import Mistral

        self.sent: list[tuple[str, Any]] = []
        http = httpx.Client(transport=httpx.MockTransport(self))
        # typed against httpx2, the SDK takes an httpx client as well
        self.client = Mistral(api_key="x", client=http)  # type: ignore[arg-type]

    def __call__(self, request: Any) -> Any:
        import httpx

        self.sent.append((str(request.url), json.loads(request.content)))
        return httpx.Response(200, json=_COMPLETION)


@functools.cache
def capture() -> _Capture:
    return _Capture()


def sdk_send(codec: Codec, e: Encoded) -> Any:
    """The JSON ``chat.complete(**body)`` sends for our body: every field we write is a keyword of
    the SDK (an unknown one raises ``TypeError``), validated by its request model."""
    body = dict(e.body)
    assume(not body.get("stream"))  # chat.stream is another method; the body is the same model
    body.setdefault("model", "m")
    cap = capture()
    cap.client.chat.complete(**body)
    url, sent = cap.sent[-1]
    assert url == codec.DEFAULT_BASE_URL + codec.ENDPOINT
    return sent


def sdk_expected(codec: Codec, e: Encoded) -> Any:
    """Our body, plus the defaults the SDK always writes: ``stream: false``, ``prefix: false`` on
    each assistant message (``assistantmessage.py``) and ``index: 0`` on each of its tool calls
    (``toolcall.py``; 0 for every call, whatever its position)."""
    body = copy.deepcopy({"model": "m", **e.body, "stream": False})
    for m in body["messages"]:
        if m["role"] == "assistant":
            m.setdefault("prefix", False)
            for call in m.get("tool_calls", []):
                call.setdefault("index", 0)
    return body


SDK = SdkCheck(
    requires=("mistralai", "httpx"),
    sent=sdk_send,
    expected=sdk_expected,
    # no mistral provider_options: chat.complete takes no fields beside its keywords (no extra_body)
    requests=irs.requests(codecs=[], required=("model",)),
)

CASE = ConformanceCase(
    name=NAME,
    requests=openai_chat.ir_requests(NAME),
    variants=openai_chat.decanonicalize,
    variants_canonicalize_to_body=False,  # they add unknown fields, kept raw
    documented=TESTS / "payloads" / NAME,
    replies=TESTS / "responses" / NAME,
    reply_facts=openai_chat.reply_facts,
    usages=reported_usages(),
    streams=openai_chat.streamed_replies(),
    sdk=SDK,
    max_examples={"streams": 200},
)
