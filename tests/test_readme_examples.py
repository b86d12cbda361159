"""The README's "Untrusted input" example runs and says what it shows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _block(section: str) -> str:
    text = README.read_text().split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    blocks: list[str] = re.findall(r"```python\n(.*?)```", text, re.S)
    (code,) = blocks
    return code


def test_untrusted_input_example(capsys: pytest.CaptureFixture[str]) -> None:
    small = b'{"model": "m", "max_completion_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}'
    scope: dict[str, Any] = {"small_payload": small}
    exec(compile(_block("Untrusted input"), "README.md", "exec"), scope)
    assert capsys.readouterr().out == "$.messages[0][ nesting at most 256 deep\n"
    assert scope["body"]["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    assert scope["body"]["max_tokens"] == 5


def test_validate_example(capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(_block("Validate"), "README.md", "exec"), {})
    assert capsys.readouterr().out.splitlines() == [
        "$.max_tokens IRC105",
        "$.temprature IRC101",
        "$.messages[0].content[0].type IRC102",
    ]


def test_validate_config_example_is_a_valid_config(tmp_path: Path) -> None:
    from ir_codec.rules import load_config

    text = README.read_text().split("## Validate", 1)[1].split("\n## ", 1)[0]
    (toml,) = re.findall(r"```toml\n(.*?)```", text, re.S)
    (tmp_path / "pyproject.toml").write_text(toml)
    assert load_config(tmp_path).check_kwargs()["ignore"] == ["IRC210"]


def _blocks(section: str) -> list[str]:
    text = README.read_text().split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_replies_example(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.benchmarks.workloads import anthropic_stream

    sse = b"\n".join(anthropic_stream(8)) + b"\n"
    scope: dict[str, Any] = {"anthropic_sse": sse}
    exec(compile(_block("Replies and streams, both ways"), "README.md", "exec"), scope)
    assert capsys.readouterr().out.splitlines() == ["Hello! 108", "100"]
    assert scope["sse"].startswith(b"data: {") and scope["sse"].endswith(b"data: [DONE]\n\n")


def test_official_sdk_recipes() -> None:
    """The README's SDK calls, each client on an offline mock transport (boto3: botocore's
    Stubber) answering a reply written by encode_response; every recipe reads "Hello!" back."""
    import io
    import json

    import anthropic
    import boto3
    import httpx
    import httpx2
    import openai
    from botocore.response import StreamingBody
    from botocore.stub import Stubber
    from google import genai
    from google.genai import types as gtypes

    from ir_codec import Message, Request, Response, Text, Usage, encode, encode_response

    req = Request(model="m-1", max_tokens=64, messages=[Message(role="user", content=[Text(text="Hi")])])
    reply = Response(
        id="r1",
        model="m-1",
        content=[Text(text="Hello!")],
        stop_reason="end_turn",
        usage=Usage(uncached_input_tokens=8, cache_read_tokens=0, cache_write_tokens=0, output_tokens=2),
    )
    sent: list[tuple[str, Any]] = []

    def http(codec: str, lib: Any = httpx) -> Any:
        """A client whose transport answers with ``codec``'s reply (``openai``: Chat, or
        Responses for a /responses URL)."""

        def answer(request: Any) -> Any:
            sent.append((str(request.url), json.loads(request.content)))
            name = "openai-responses" if str(request.url).endswith("/responses") else codec
            return lib.Response(200, json=encode_response(reply, name, on_lossy="ignore").body)

        return lib.Client(transport=lib.MockTransport(answer))

    bedrock = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    stub = Stubber(bedrock)
    stub.add_response("converse", encode_response(reply, "bedrock-converse", on_lossy="ignore").body)
    raw = encode_response(reply, "anthropic-bedrock", on_lossy="ignore").to_json()
    e = encode(req, "anthropic-bedrock")
    stub.add_response(
        "invoke_model",
        {"body": StreamingBody(io.BytesIO(raw), len(raw)), "contentType": "application/json"},
        {"modelId": "m-1", "body": e.to_json()},
    )
    scope: dict[str, Any] = {
        "req": req,
        "claude": anthropic.Anthropic(api_key="k", http_client=http("anthropic", httpx2), max_retries=0),
        "claude_bedrock": anthropic.AnthropicBedrock(
            aws_access_key="a",
            aws_secret_key="b",
            aws_region="us-east-1",
            http_client=http("anthropic-bedrock", httpx2),
            max_retries=0,
        ),
        "oai": openai.OpenAI(api_key="k", http_client=http("openai-chat"), max_retries=0),
        "openrouter": openai.OpenAI(
            api_key="k", base_url="https://openrouter.ai/api/v1", http_client=http("openrouter"), max_retries=0
        ),
        "gemini": genai.Client(api_key="k", http_options=gtypes.HttpOptions(httpx_client=http("gemini"))),
        "bedrock": bedrock,
    }
    with stub:
        (block,) = _blocks("With the official SDKs")
        exec(compile(block, "README.md", "exec"), scope)
    stub.assert_no_pending_responses()
    for name in ("r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"):
        assert scope[name].content == [Text(text="Hello!")], name
    urls = [u for u, _ in sent]
    assert urls == [
        "https://api.anthropic.com/v1/messages",
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/m-1/invoke",
        "https://api.openai.com/v1/chat/completions",
        "https://api.openai.com/v1/responses",
        "https://openrouter.ai/api/v1/chat/completions",
        urls[5],
    ]
    assert urls[5].endswith("/models/m-1:generateContent")
    assert [body.get("model") for _, body in sent] == ["m-1", None, "m-1", "m-1", "m-1", None]


def test_streaming_gateway_example(capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from ir_codec import Response, Text, Usage, decode_stream, get_codec

    usage = Usage(uncached_input_tokens=12, cache_read_tokens=40, cache_write_tokens=0, output_tokens=3)
    r = Response(id="chatcmpl-1", model="gpt-x", content=[Text(text="Hi there")], stop_reason="end_turn", usage=usage)
    upstream = get_codec("openai-chat").encode_stream(r).to_sse()
    client = io.BytesIO()
    written: list[int] = []

    class Client:
        def write(self, data: bytes) -> None:
            written.append(len(data))
            client.write(data)

    chunks = [upstream[i : i + 9] for i in range(0, len(upstream), 9)]
    exec(compile(_block("A streaming gateway"), "README.md", "exec"), {"upstream_chunks": chunks, "client": Client()})
    assert capsys.readouterr().out == "[]\n"
    assert any(written[:-1])  # events went out before the upstream stream ended
    got = decode_stream(client.getvalue(), "anthropic")
    assert got.content == [Text(text="Hi there")]
    assert got.usage == usage
