"""bedrock-converse against botocore: every boto3 form of a generated request passes botocore's
own parameter validation for ``bedrock-runtime`` ``Converse``, and the JSON body botocore
serializes from it (offline: ``botocore.serialize``, rest-json) is exactly our wire body."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from ir_codec import get_codec
from ir_codec.ir import Base64Source, Image, Message, Request, Text

from .test_codec_bedrock_converse import ir_requests

botocore_session = pytest.importorskip("botocore.session")
from botocore.serialize import create_serializer  # noqa: E402
from botocore.stub import Stubber  # noqa: E402
from botocore.validate import ParamValidator  # noqa: E402

C = get_codec("bedrock-converse")
MODEL_ID = "anthropic.claude-opus-5-v1:0"
_MODEL = botocore_session.get_session().get_service_model("bedrock-runtime")
CONVERSE = _MODEL.operation_model("Converse")
CONVERSE_STREAM = _MODEL.operation_model("ConverseStream")
VALIDATOR = ParamValidator()
SERIALIZER = create_serializer("rest-json")


def _validate(kwargs: dict[str, Any]) -> None:
    for op in (CONVERSE, CONVERSE_STREAM):
        report = VALIDATOR.validate(kwargs, op.input_shape)
        assert not report.has_errors(), report.generate_report()


def _serialized_body(kwargs: dict[str, Any]) -> bytes:
    req = SERIALIZER.serialize_to_request(kwargs, CONVERSE)
    assert req["url_path"].endswith("/converse")
    assert MODEL_ID.replace(":", "%3A") in req["url_path"]
    return bytes(req["body"])


# Requests without this codec's raw provider_options: those are free-form wire fields by design
# (x_... in the strategies) that botocore would rightly reject as unknown parameters.
@settings(max_examples=150)
@given(ir_requests(codecs=()))
def test_boto3_form_passes_botocore_validation_and_serializes_to_our_body(req: Request) -> None:
    e = C.encode(req)
    kwargs = e.sdk_kwargs(model_id=MODEL_ID)
    _validate(kwargs)
    body = _serialized_body(kwargs)
    assert json.loads(body) == json.loads(e.to_json())
    # botocore keeps the parameter order and uses json.dumps: byte-identical to json.dumps(body)
    assert body == json.dumps(e.body).encode()


def test_stubbed_boto3_client_accepts_the_kwargs() -> None:
    boto3 = pytest.importorskip("boto3")
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
    kwargs = {"modelId": MODEL_ID, "messages": [{"role": "user", "content": [{"text": "a", "x_extra": 1}]}]}
    report = VALIDATOR.validate(kwargs, CONVERSE.input_shape)
    assert report.has_errors()


PAYLOADS = sorted((Path(__file__).resolve().parent / "payloads" / "bedrock-converse").glob("*.json"))


@pytest.mark.parametrize("path", PAYLOADS, ids=[p.stem for p in PAYLOADS])
def test_documented_payloads_pass_botocore_validation(path: Path) -> None:
    payload = json.loads(path.read_text())["payload"]
    _validate(C.sdk_kwargs(payload, model_id=MODEL_ID))
    canonical = C.encode(C.decode(payload)).body
    _validate(C.sdk_kwargs(canonical, model_id=MODEL_ID))
