"""The README's "Send requests" examples run unchanged, against the loopback server (reached
through the SDKs' base-URL environment variables, which the transport honours)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.transport import replies as R
from tests.transport.gemini_fake import GeminiCacheFake
from tests.transport.server import ProviderServer, Reply

pytestmark = pytest.mark.usefixtures("clean_env")

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks() -> list[str]:
    text = README.read_text()
    section = text.split("## Send requests", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_send_requests_examples_run(
    server: ProviderServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    anthropic, gemini = _blocks()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "readme-key-0123")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    server.expect(
        Reply(200, R.ANTHROPIC_MESSAGE),
        Reply(200, chunks=R.sse(R.ANTHROPIC_EVENTS), content_type="text/event-stream"),
        Reply(200, R.ANTHROPIC_WARM),
    )
    scope: dict[str, Any] = {}
    exec(compile(anthropic, "README.md", "exec"), scope)
    assert scope["reply"].usage.cache_write_1h_tokens == 1000
    assert scope["events"].response == scope["reply"]
    assert (scope["warm"].strategy, scope["warm"].cost.total) == ("max_tokens=0", Decimal("0.012288"))
    assert "TextDelta(index=0, text='Hel')" in capsys.readouterr().out

    monkeypatch.setenv("GEMINI_API_KEY", "readme-key-4567")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", server.url)
    fake = GeminiCacheFake("readme-key-4567")
    server.route = fake
    scope = {}
    exec(compile(gemini, "README.md", "exec"), scope)
    assert scope["reply"].usage.cache_read_tokens == 1500
    assert fake.generated[0]["cachedContent"] == "cachedContents/c001" and "systemInstruction" not in fake.generated[0]
    assert fake.caches == {}
    assert [s.method for s in server.seen[3:]] == ["POST", "POST", "GET", "PATCH", "DELETE"]
