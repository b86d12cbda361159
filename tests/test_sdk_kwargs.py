"""``Encoded.sdk_kwargs``: one meaning for every codec (issue: both directions).

The keyword arguments of the official SDK's create call, the model included, whether the body or
the URL carries it; ``model=`` chooses another; further options are keyword arguments of that
call, added as given. Each call below is the SDK's documented create method; the SDK-level
checks (the body the SDK sends equals ours) are in ``tests/conformance`` and ``test_sdk_*``.
"""

from __future__ import annotations

import inspect

import pytest

from ir_codec import Message, Request, Text, encode

REQ = Request(model="m-1", max_tokens=16, messages=[Message(role="user", content=[Text(text="hi")])])

# codec -> (the key the SDK call takes the model under, whether the codec's body carries it)
MODEL_KEY = {
    "anthropic": "model",
    "anthropic-bedrock": "model",
    "anthropic-vertex": "model",
    "openai-chat": "model",
    "openrouter": "model",
    "mistral": "model",
    "deepseek": "model",
    "openai-responses": "model",
    "gemini": "model",
    "bedrock-converse": "modelId",
}


@pytest.mark.parametrize("codec", sorted(MODEL_KEY))
def test_the_model_is_included_and_options_are_call_arguments(codec: str) -> None:
    e = encode(REQ, codec)
    key = MODEL_KEY[codec]
    assert e.sdk_kwargs()[key] == "m-1"
    assert e.sdk_kwargs(model="m-2")[key] == "m-2"
    kw = e.sdk_kwargs(timeout=30)
    assert kw["timeout"] == 30 and kw[key] == "m-1"


def test_bedrock_takes_the_older_model_id_spelling() -> None:
    assert encode(REQ, "bedrock-converse").sdk_kwargs(model_id="m-3")["modelId"] == "m-3"


def test_responses_typed_parameters_match_the_sdk() -> None:
    from openai.resources.responses import Responses

    from ir_codec.codecs.openai_responses.sdk import SDK_TYPED

    params = set(inspect.signature(Responses.create).parameters)
    assert params - {"self", "extra_body", "extra_headers", "extra_query", "timeout"} == SDK_TYPED


def test_sdk_kwargs_import_no_sdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ir_codec\n"
        "r = ir_codec.Request(model='m', max_tokens=5, messages=[ir_codec.Message(role='user', "
        "content=[ir_codec.Text(text='hi')])])\n"
        "for c in ('anthropic', 'openai-chat', 'openai-responses', 'gemini', 'bedrock-converse'):\n"
        "    ir_codec.encode(r, c).sdk_kwargs()\n"
        "print(sorted(m for m in ('anthropic', 'openai', 'google.genai', 'boto3', 'botocore') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
