"""The pytest plugin (``ir_codec.pytest_plugin``) and the invariant helpers it wraps."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from ir_codec import get_codec
from ir_codec.invariant import InvariantViolation, check_wire, json_diff
from ir_codec.pytest_plugin import IRCodecCheck, assert_roundtrip, assert_valid_wire, ir_codec_check

ROOT = Path(__file__).resolve().parent.parent
BODY = {"model": "claude-opus-5", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}

__all__ = ["ir_codec_check"]  # the plugin's fixture, used here whether or not the entry point is installed


def test_assert_valid_wire_passes_and_fails_with_the_findings() -> None:
    assert_valid_wire("anthropic", BODY)
    with pytest.raises(AssertionError) as exc:
        assert_valid_wire("anthropic", {**BODY, "max_tokens": -1, "temprature": 1})
    assert str(exc.value) == (
        "2 finding(s) for anthropic:\n"
        "  $.max_tokens: IRC105 [error] -1 is below the minimum 0\n"
        "  $.temprature: IRC101 [error] unknown field 'temprature' in the Messages body (did you mean 'temperature'?)"
    )


def test_assert_valid_wire_lint_fails_on_warnings() -> None:
    body = {**BODY, "system": [{"type": "text", "text": "short", "cache_control": {"type": "ephemeral"}}]}
    assert_valid_wire("anthropic", body)
    with pytest.raises(AssertionError, match=r"IRC210 \[warning\]"):
        assert_valid_wire("anthropic", body, lint=True)
    assert_valid_wire("anthropic", body, lint=True, ignore=["IRC210"])


def test_assert_roundtrip_shows_a_unified_diff(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_roundtrip("anthropic", BODY)
    assert_roundtrip(get_codec("gemini"), {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
    # a body the codec canonicalizes differently from itself: simulate with a codec whose
    # canonicalize disagrees with its encode
    codec = get_codec("anthropic")
    monkeypatch.setattr(codec, "canonicalize", lambda p: {**p, "max_tokens": 65})
    with pytest.raises(InvariantViolation) as exc:
        assert_roundtrip(codec, BODY)
    msg = str(exc.value)
    assert msg.splitlines()[0] == "property 4 (anthropic): encode(decode(p)) != canonicalize(p)"
    assert "--- canonicalize(p)\n+++ encode(decode(p))\n" in msg
    assert '-  "max_tokens": 65,\n+  "max_tokens": 64,' in msg


def test_check_wire_takes_names_and_codecs() -> None:
    check_wire("anthropic", BODY)
    check_wire(get_codec("anthropic"), BODY)


def test_json_diff_is_pretty_and_sorted() -> None:
    assert json_diff({"b": 1, "a": [1, 2]}, {"a": [1, 3], "b": 1}) == (
        '--- want\n+++ got\n@@ -1,7 +1,7 @@\n {\n   "a": [\n     1,\n-    2\n+    3\n   ],\n   "b": 1\n }'
    )


def test_fixture(ir_codec_check: IRCodecCheck) -> None:
    ir_codec_check.valid("anthropic", BODY)
    ir_codec_check.roundtrip("anthropic", BODY)
    assert ir_codec_check.findings("anthropic", {**BODY, "x": 1})[0].code == "IRC101"
    assert IRCodecCheck({"allow_unknown": True}).findings("anthropic", {**BODY, "x": 1}) == []


def test_entry_point_and_pre_commit_hook_are_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {"ir_codec": "_ir_codec_pytest"}
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "- id: ir-codec-validate\n" in hooks
    assert "  entry: ir-codec validate\n" in hooks


def test_the_entry_point_imports_nothing_of_ir_codec() -> None:
    # pytest loads installed plugins in every run: ours must cost nothing until a test uses it
    code = "import sys, _ir_codec_pytest; print(sorted(m for m in sys.modules if m.startswith('ir_codec')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == "[]"
