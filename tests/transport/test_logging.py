"""The structlog events on the stdlib logger ``ir_codec``: one ``provider_request`` per call
with its sizes, status, retries, usage buckets and cost; one ``lossy_encode`` per loss."""

from __future__ import annotations

import json
import logging
from decimal import Decimal

import pytest

from ir_codec import CacheControl, Message, Request, SystemBlock, Text, get_codec
from ir_codec.pricing import TokenPrice
from ir_codec.transport import Client
from tests.transport import replies as R
from tests.transport.server import ProviderServer, Reply

pytestmark = pytest.mark.usefixtures("clean_env")

KEY = "log-key-0123456789"


def _records(caplog: pytest.LogCaptureFixture, event: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ir_codec" and r.getMessage() == event]


def test_one_event_per_request_with_usage_and_cost(server: ProviderServer, caplog: pytest.LogCaptureFixture) -> None:
    request = Request(model="claude-opus-5", max_tokens=64, messages=[Message(role="user", content=[Text(text="Hi")])])
    reply = json.dumps(R.ANTHROPIC_MESSAGE).encode()
    server.expect(Reply(200, reply))
    price = TokenPrice(input=Decimal("3"), output=Decimal("15"))
    with caplog.at_level(logging.INFO, logger="ir_codec"):
        with Client("anthropic", api_key=KEY, base_url=server.url, retry=0, price=price) as client:
            client.send(request)
    (record,) = _records(caplog, "provider_request")
    fields = {k: getattr(record, k) for k in ("codec", "operation", "model", "method", "url", "stream", "status")}
    assert fields == {
        "codec": "anthropic",
        "operation": "generate",
        "model": "claude-opus-5",
        "method": "POST",
        "url": f"{server.url}/v1/messages",
        "stream": False,
        "status": 200,
    }
    body = get_codec("anthropic").encode(request).to_json()
    assert (record.retries, record.bytes_out, record.bytes_in) == (0, len(body), len(reply))  # type: ignore[attr-defined]
    assert isinstance(record.duration_ms, float) and record.duration_ms >= 0  # type: ignore[attr-defined]
    usage = {
        "uncached_input_tokens": 12,
        "cache_read_tokens": 4000,
        "cache_write_tokens": 1500,
        "cache_write_5m_tokens": 500,
        "cache_write_1h_tokens": 1000,
        "cache_write_30m_tokens": None,
        "cache_write_12h_tokens": None,
        "output_tokens": 3,
        "reasoning_tokens": None,
    }
    assert {k: getattr(record, k) for k in usage} == usage
    # 12 x 3 + 4000 x 0.3 + 500 x 3.75 + 1000 x 6 + 3 x 15, per million
    assert record.cost == "0.009156"  # type: ignore[attr-defined]
    assert record.levelno == logging.INFO


def test_failed_calls_and_losses_are_logged(server: ProviderServer, caplog: pytest.LogCaptureFixture) -> None:
    lossy = Request(
        model="gemini-3-pro",
        system=[SystemBlock(text="S", cache=CacheControl())],
        messages=[Message(role="user", content=[Text(text="Hi")])],
    )
    server.expect(Reply(500, {"error": {"code": 500, "message": "Internal error", "status": "INTERNAL"}}))
    with caplog.at_level(logging.INFO, logger="ir_codec"):
        with Client("gemini", api_key=KEY, base_url=server.url, retry=0, on_lossy="ignore") as client:
            with pytest.raises(Exception, match="INTERNAL"):
                client.send(lossy)
    (loss,) = _records(caplog, "lossy_encode")
    (w,) = get_codec("gemini").encode(lossy).warnings
    assert (loss.codec, loss.path, loss.reason, loss.levelno) == (w.codec, w.path, w.reason, logging.WARNING)  # type: ignore[attr-defined]
    (failed,) = _records(caplog, "provider_request")
    assert (failed.status, failed.error, failed.error_type, failed.levelno) == (  # type: ignore[attr-defined]
        500,
        "ServerError",
        "INTERNAL",
        logging.WARNING,
    )
    assert failed.error_message == "gemini: HTTP 500 INTERNAL: Internal error"  # type: ignore[attr-defined]
