"""The CLI contract: JSON on stdout, one `warning:` line per loss on stderr, exit 2 with one
`error:` line for bad input, exit 3 under --strict."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from ir_codec import ir_to_json
from ir_codec.cli import main
from tests.test_api import CLEAN, LOSSY


def run(argv: list[str], data: bytes) -> tuple[int, bytes, str]:
    out, err = io.BytesIO(), io.StringIO()
    code = main(argv, stdin=io.BytesIO(data), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_encode_writes_wire_and_warning_lines() -> None:
    code, out, err = run(["encode", "--to", "toy"], ir_to_json(LOSSY))
    assert code == 0
    assert json.loads(out) == {"messages": [{"role": "user", "text": "a"}]}
    assert err.splitlines() == ["warning: toy: messages[0].content[1]: toy carries plain text only"]


def test_strict_turns_warnings_into_exit_3_without_output() -> None:
    code, out, err = run(["encode", "--to", "toy", "--strict"], ir_to_json(LOSSY))
    assert code == 3 and out == b""
    assert err.splitlines()[0].startswith("warning: toy: messages[0].content[1]")
    code, out, err = run(["encode", "--to", "toy", "--strict"], ir_to_json(CLEAN))
    assert code == 0 and err == "" and json.loads(out)["messages"][0]["text"] == "a"


def test_decode_and_transpile() -> None:
    body = b'{"messages": [{"role": "assistant", "text": "x"}]}'
    code, out, err = run(["decode", "--codec", "toy"], body)
    assert code == 0 and err == ""
    assert json.loads(out) == {"messages": [{"role": "assistant", "content": [{"type": "text", "text": "x"}]}]}
    code, out, err = run(["transpile", "--read", "toy", "--write", "toy"], body)
    assert (code, json.loads(out), err) == (0, json.loads(body), "")


@pytest.mark.parametrize(
    ("argv", "data", "line"),
    [
        (["decode", "--codec", "toy"], b"{oops", "error: $: expected a string key, found 'oops'"),
        (
            ["decode", "--codec", "toy"],
            b'{"messages": [{"role": 1, "text": ""}]}',
            "error: $.messages[0].role: expected str, found int",
        ),
        (["encode", "--to", "toy"], b'{"messages": "no"}', "error: $.messages: expected array, found str"),
        (["encode", "--to", "nope"], b"{}", "error: $: unknown codec 'nope'"),
        (["encode", "--to", "toy", "--option", "x"], b"{}", "error: --option 'x': expected KEY=VALUE"),
        (["decode", "--codec", "toy", "/nonexistent/file.json"], b"", "error: /nonexistent/file.json: cannot read"),
        (["decode", "--codec", "toy"], b"\xff\xfe", "error: $: expected a JSON value, found \\xff\\xfe"),
    ],
)
def test_bad_input_exits_2_with_one_error_line(argv: list[str], data: bytes, line: str) -> None:
    code, out, err = run(argv, data)
    assert code == 2 and out == b""
    assert len(err.splitlines()) == 1 and err.startswith(line), err


def test_validate_and_lint() -> None:
    # The CI gate's contract (tests/test_cli_gate.py): a summary line, exit 1 for findings.
    assert run(["validate", "--codec", "toy"], b'{"messages": []}')[:2] == (0, b"ok: 1 record in 1 file\n")
    code, out, err = run(["lint", "--codec", "toy"], b'{"messages": [{"role": "user", "text": "a"}]}')
    assert (code, out, err) == (0, b"ok: 1 record in 1 file\n", "")
    code, out, err = run(["validate", "--codec", "toy"], b'{"messages": 5}')
    assert (code, err) == (1, "")
    assert out.decode().splitlines() == [
        "-:1: $.messages: IRC103 expected array, found int",
        "1 error, 0 warnings in 1 record in 1 file",
    ]


def test_no_traceback_from_a_real_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ir_codec", "encode", "--to", "anthropic"], input=b"[", capture_output=True, timeout=60
    )
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [proc.stderr.decode().strip()]
    assert "Traceback" not in proc.stderr.decode()


def test_decode_response_prints_every_usage_field() -> None:
    reply = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-5",
        "content": [{"type": "text", "text": "hi"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 10,
            "cache_read_input_tokens": 100,
            "cache_creation_input_tokens": 0,
            "output_tokens": 5,
        },
    }
    code, out, err = run(["decode-response", "--codec", "anthropic"], json.dumps(reply).encode())
    assert code == 0 and err == ""
    usage = json.loads(out)["usage"]
    assert usage == {
        "uncached_input_tokens": 10,
        "cache_read_tokens": 100,
        "cache_write_tokens": 0,
        "cache_write_5m_tokens": usage["cache_write_5m_tokens"],
        "cache_write_1h_tokens": usage["cache_write_1h_tokens"],
        "cache_write_30m_tokens": None,
        "cache_write_12h_tokens": None,
        "output_tokens": 5,
        "reasoning_tokens": usage["reasoning_tokens"],
    }


def test_decode_response_stream_from_sse() -> None:
    events = [
        {
            "id": "c1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "gpt-x",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}, "finish_reason": None}],
        },
        {
            "id": "c1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "gpt-x",
            "choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}],
        },
        {
            "id": "c1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "gpt-x",
            "choices": [],
            "usage": {
                "prompt_tokens": 50,
                "completion_tokens": 2,
                "total_tokens": 52,
                "prompt_tokens_details": {"cached_tokens": 40},
            },
        },
    ]
    sse = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    code, out, err = run(["decode-response", "--codec", "openai-chat", "--stream"], sse.encode())
    assert code == 0, err
    r = json.loads(out)
    assert r["content"] == [{"type": "text", "text": "Hello"}]
    assert (r["usage"]["uncached_input_tokens"], r["usage"]["cache_read_tokens"], r["usage"]["output_tokens"]) == (
        10,
        40,
        2,
    )


# Characters str.splitlines() takes for line breaks, raw inside a JSON string (JSON allows them
# unescaped; json.dumps(ensure_ascii=False) writes them so): an SSE line ends only at CR / LF.
LINE_LIKE = "a\u2028b\u2029c\x85d"


@pytest.mark.parametrize("form", ["sse", "json-lines"])
def test_decode_response_stream_keeps_unicode_line_separators_inside_strings(form: str) -> None:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m", "choices": [choice]}

    events = [chunk({"role": "assistant", "content": LINE_LIKE}), chunk({}, "stop")]
    lines = [json.dumps(e, ensure_ascii=False) for e in events]
    body = "".join(f"data: {x}\n\n" for x in lines) if form == "sse" else "\n".join(lines)
    code, out, err = run(["decode-response", "--codec", "openai-chat", "--stream"], body.encode())
    assert code == 0, err
    assert json.loads(out)["content"] == [{"type": "text", "text": LINE_LIKE}]


def test_version_prints_the_package_version() -> None:
    import ir_codec

    out = subprocess.run([sys.executable, "-m", "ir_codec", "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert out.stdout.strip() == f"ir-codec {ir_codec.__version__}"


@pytest.mark.parametrize("argv", [["demo"], ["codecs"]])
def test_a_closed_pipe_ends_quietly(argv: list[str]) -> None:
    # `ir-codec demo | head -1` once head has gone: stdout is a pipe whose reader is closed,
    # so the first write fails with EPIPE. The run ends quietly, as a Unix tool would (141).
    r, w = os.pipe()
    os.close(r)
    try:
        proc = subprocess.run([sys.executable, "-m", "ir_codec", *argv], stdout=w, stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(w)
    err = proc.stderr.decode()
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err
    assert err == ""
    assert proc.returncode == 141
