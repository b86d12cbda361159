"""bedrock-converse against botocore.

The property (every boto3 form of a generated request passes botocore's own parameter validation
for ``bedrock-runtime`` ``Converse`` and ``ConverseStream``, and the JSON body botocore serializes
from it, offline, is byte for byte our wire body) is ``test_sdk`` of the shared suite
(tests/test_conformance.py; the checker is in tests/conformance/bedrock_converse.py). Here: the
boto3 client itself, that the checker can fail, and the documented payloads.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ir_codec import get_codec
from ir_codec.ir import Base64Source, Image, Message, Request, Text

from .conformance.bedrock_converse import MODEL_ID, botocore_models, botocore_validate

pytest.importorskip("botocore")

C = get_codec("bedrock-converse")


def test_stubbed_boto3_client_accepts_the_kwargs() -> None:
    boto3 = pytest.importorskip("boto3")
    from botocore.stub import Stubber

    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    req = Request(
        max_tokens=64,
        messages=[
            Message(
                role="user",
                content=[
                    Image(source=Base64Source(media_type="image/png", data="iVBORw0KGgo=")),
                    Text(text="What is it?"),
                ],
            )
        ],
    )
    kwargs = C.encode(req).sdk_kwargs(model_id=MODEL_ID)
    response = {
        "output": {"message": {"role": "assistant", "content": [{"text": "A PNG."}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 10, "outputTokens": 3, "totalTokens": 13},
        "metrics": {"latencyMs": 5},
    }
    with Stubber(client) as stub:
        stub.add_response("converse", response, expected_params=kwargs)
        got = client.converse(**kwargs)
    assert got["output"]["message"]["content"] == [{"text": "A PNG."}]
    assert kwargs["messages"][0]["content"][0]["image"]["source"]["bytes"] == b"\x89PNG\r\n\x1a\n"


def test_botocore_rejects_a_broken_body() -> None:
    """The checker can fail: our own raw field and a two-member union are caught."""
    converse, _, validator, _ = botocore_models()
    kwargs = {"modelId": MODEL_ID, "messages": [{"role": "user", "content": [{"text": "a", "x_extra": 1}]}]}
    report = validator.validate(kwargs, converse.input_shape)
    assert report.has_errors()
    with pytest.raises(AssertionError):
        botocore_validate(kwargs)


PAYLOADS = sorted((Path(__file__).resolve().parent / "payloads" / "bedrock-converse").glob("*.json"))


@pytest.mark.parametrize("path", PAYLOADS, ids=[p.stem for p in PAYLOADS])
def test_documented_payloads_pass_botocore_validation(path: Path) -> None:
    payload = json.loads(path.read_text())["payload"]
    botocore_validate(C.sdk_kwargs(payload, model_id=MODEL_ID))
    canonical = C.encode(C.decode(payload)).body
    botocore_validate(C.sdk_kwargs(canonical, model_id=MODEL_ID))
