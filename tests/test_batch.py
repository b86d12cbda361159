"""ir_codec.batch: reading batch files, the three envelopes, validate_line, transpile_line,
the rules across records, map_lines in order, and the OpenAI Batch -> Anthropic Message Batches
-> OpenAI Batch round trip on generated requests (spec/batch.md)."""

from __future__ import annotations

import functools
import io
import pickle
import tracemalloc
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from ir_codec.batch import (
    ANTHROPIC_BATCH,
    BEDROCK_BATCH,
    OPENAI_BATCH,
    FileChecks,
    LineError,
    LineResult,
    envelope_for,
    iter_records,
    looks_like_jsonl,
    map_lines,
    transpile_line,
    validate_line,
)
from ir_codec.codec import get_codec
from ir_codec.errors import LossKind
from ir_codec.limits import Limits, use_limits
from tests.benchmarks.gate import chat_body, openai_batch_lines

ANTHROPIC_BODY = {"model": "claude-opus-5", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
CHAT_BODY = {"model": "gpt-5.6", "messages": [{"role": "user", "content": "hi"}]}
RESPONSES_BODY = {"model": "gpt-5.6", "input": "hi"}
CONVERSE_BODY = {"messages": [{"role": "user", "content": [{"text": "hi"}]}], "inferenceConfig": {"maxTokens": 64}}
INVOKE_BODY = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 64,
    "messages": [{"role": "user", "content": "hi"}],
}


def line(obj: Any) -> bytes:
    return msgspec.json.encode(obj)


# --------------------------------------------------------------------------------------------
# Reading files


def test_jsonl_by_extension_streams_non_blank_lines_with_their_numbers(tmp_path: Any) -> None:
    p = tmp_path / "b.jsonl"
    p.write_bytes(b'{"a": 1}\n\n  \n{"b": 2}\r\n{"c": 3}')
    assert list(iter_records(p)) == [(1, b'{"a": 1}\n'), (4, b'{"b": 2}\r\n'), (5, b'{"c": 3}')]


def test_json_document_is_one_record_at_its_first_line(tmp_path: Any) -> None:
    p = tmp_path / "body.json"
    text = b'\n{\n  "model": "m",\n  "messages": []\n}\n'
    p.write_bytes(text)
    assert list(iter_records(p)) == [(2, text)]


def test_jsonl_by_content_on_a_stream_without_seeking() -> None:
    data = b'{"a": 1}\n{"b": 2}\n{"c": 3}\n'
    assert list(iter_records(io.BytesIO(data))) == [(1, b'{"a": 1}\n'), (2, b'{"b": 2}\n'), (3, b'{"c": 3}\n')]


@pytest.mark.parametrize("jsonl", [None, True, False])
def test_a_utf8_byte_order_mark_is_ignored(jsonl: bool | None) -> None:
    data = b'\xef\xbb\xbf{"a": 1}\n'
    assert list(iter_records(io.BytesIO(data), jsonl=jsonl)) == [(1, b'{"a": 1}\n')]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ([b'{"a": 1}\n'], True),
        ([b"{\n", b'  "a": 1\n'], False),  # pretty-printed JSON
        ([b'{"a": [\n', b'{"b": 2}\n'], True),  # a broken first record, then records
        ([b"[1, 2]\n"], False),
        ([b"\n", b'{"a": 1}\n'], True),
        ([b'  {"a": 1}\n', b'    "b"\n'], False),  # indented: inside a document
    ],
)
def test_looks_like_jsonl(head: list[bytes], expected: bool) -> None:
    assert looks_like_jsonl(head) is expected


def test_a_line_over_the_size_limit_is_cut_and_the_next_lines_go_on() -> None:
    data = b'{"a": "' + b"x" * 300 + b'"}\n{"b": 2}\n'
    with use_limits(Limits(max_bytes=100)):
        records = list(iter_records(io.BytesIO(data), jsonl=True))
        assert [(n, len(b)) for n, b in records] == [(1, 101), (2, 9)]
        r = validate_line(records[0][1], "anthropic", line_no=1)
    assert r.error == LineError("$", "expected at most 100 bytes of JSON, found 101 bytes")


class _Counting(io.RawIOBase):
    """A stream of ``n`` records made on demand, counting the bytes handed out."""

    def __init__(self, n: int, size: int) -> None:
        self._lines: Iterator[bytes] = (
            line({"custom_id": f"r{i}", "params": {**ANTHROPIC_BODY, "metadata": {"user_id": "u" * size}}}) + b"\n"
            for i in range(n)
        )
        self.read_bytes = 0
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while len(self._buf) < len(b):
            nxt = next(self._lines, None)
            if nxt is None:
                break
            self._buf += nxt
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        self.read_bytes += n
        return n


def test_records_are_read_lazily() -> None:
    src = _Counting(100_000, 1000)  # about 110 MB if it were read at once
    stream = io.BufferedReader(src, buffer_size=64 * 1024)
    it = iter_records(stream)
    first = [next(it) for _ in range(3)]
    assert [n for n, _ in first] == [1, 2, 3]
    assert src.read_bytes <= 256 * 1024


def test_validating_a_stream_keeps_memory_flat() -> None:
    check = functools.partial(validate_line, codec=None)
    list(map_lines(check, iter_records(io.BufferedReader(_Counting(3, 8000)), jsonl=True)))  # imports, caches
    raw = _Counting(600, 8000)  # 600 records of 8 KB: 4.9 MB
    tracemalloc.start()
    try:
        bad = sum(not r.ok for r in map_lines(check, iter_records(io.BufferedReader(raw), jsonl=True)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert bad == 0
    assert raw.read_bytes > 4_800_000
    assert peak < 400_000, peak  # a few records' worth, whatever the stream's length


# --------------------------------------------------------------------------------------------
# Envelopes and validate_line


@pytest.mark.parametrize(
    ("record", "envelope", "codec", "rid"),
    [
        (
            {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": CHAT_BODY},
            "openai",
            "openai-chat",
            "a",
        ),
        (
            {"custom_id": "b", "method": "POST", "url": "/v1/responses", "body": RESPONSES_BODY},
            "openai",
            "openai-responses",
            "b",
        ),
        ({"custom_id": "c", "params": ANTHROPIC_BODY}, "anthropic", "anthropic", "c"),
        ({"recordId": "d", "modelInput": INVOKE_BODY}, "bedrock", "anthropic-bedrock", "d"),
        ({"recordId": "e", "modelInput": CONVERSE_BODY}, "bedrock", "bedrock-converse", "e"),
        ({"modelInput": CONVERSE_BODY}, "bedrock", "bedrock-converse", None),
        (
            {"recordId": "f", "modelInput": INVOKE_BODY, "modelOutput": {"content": []}},
            "bedrock",
            "anthropic-bedrock",
            "f",
        ),
    ],
)
def test_each_envelope_names_its_codec(record: dict[str, Any], envelope: str, codec: str, rid: str | None) -> None:
    r = validate_line(line(record), line_no=7)
    assert (r.line, r.envelope, r.codec, r.id, r.findings, r.error) == (7, envelope, codec, rid, [], None)
    assert r.ok


def test_findings_inside_an_envelope_point_into_the_record() -> None:
    record = {"custom_id": "a", "params": {"model": "m", "messages": [{"role": "user", "content": "hi"}]}}
    r = validate_line(line(record))
    assert [(f.code, f.path) for f in r.findings] == [("IRC104", "$.params.max_tokens")]
    assert not r.ok


def test_codec_given_wins_over_the_envelope() -> None:
    r = validate_line(line({"custom_id": "a", "params": CHAT_BODY}), "openai-chat")
    assert (r.codec, r.findings) == ("openai-chat", [])


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"params": ANTHROPIC_BODY}, [("IRC501", "$")]),
        ({"custom_id": "", "params": ANTHROPIC_BODY}, [("IRC501", "$.custom_id")]),
        ({"custom_id": 7, "params": ANTHROPIC_BODY}, [("IRC501", "$.custom_id")]),
        ({"custom_id": "a/b", "params": ANTHROPIC_BODY}, [("IRC501", "$.custom_id")]),
        ({"custom_id": "x" * 65, "params": ANTHROPIC_BODY}, [("IRC501", "$.custom_id")]),
        ({"custom_id": "a/b", "method": "POST", "url": "/v1/chat/completions", "body": CHAT_BODY}, []),
        (
            {"custom_id": "a", "method": "GET", "url": "/v1/chat/completions", "body": CHAT_BODY},
            [("IRC503", "$.method")],
        ),
        ({"custom_id": "a", "params": {**ANTHROPIC_BODY, "stream": True}}, [("IRC505", "$.params.stream")]),
    ],
)
def test_batch_record_rules(record: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    r = validate_line(line(record))
    assert [(f.code, f.path) for f in r.findings] == expected
    assert all(f.severity == "error" for f in r.findings)


def test_an_openai_url_that_is_no_request_endpoint_needs_a_codec() -> None:
    record = {"custom_id": "a", "method": "POST", "url": "/v1/embeddings", "body": {"input": "x"}}
    r = validate_line(line(record))
    assert r.error == LineError(
        "$.url", "expected one of /v1/chat/completions, /v1/responses (or name the codec), found '/v1/embeddings'"
    )
    r = validate_line(line(record), "openai-chat")
    assert ("IRC503", "$.url") in [(f.code, f.path) for f in r.findings]


def test_select_and_ignore_apply_to_batch_rules() -> None:
    record = line({"custom_id": "a/b", "params": {**ANTHROPIC_BODY, "stream": True}})
    assert [f.code for f in validate_line(record).findings] == ["IRC501", "IRC505"]
    assert [f.code for f in validate_line(record, ignore=["IRC501"]).findings] == ["IRC505"]
    assert [f.code for f in validate_line(record, select=["IRC1"]).findings] == []


@pytest.mark.parametrize(
    ("data", "codec", "error"),
    [
        (
            b'{"custom_id": "a", "params": [1',
            None,
            LineError("$.params[0]", "expected more JSON, found the end of the input"),
        ),
        (b"[1]", "anthropic", LineError("$", "expected a JSON object, found list")),
        (line({"custom_id": "a", "params": [1]}), None, LineError("$.params", "expected a JSON object, found list")),
        (line(ANTHROPIC_BODY), None, LineError("$", "a bare request body: name its codec (--codec)")),
        (b"\xff\n", "anthropic", LineError("$", "expected a JSON value, found \\xff")),
    ],
)
def test_unreadable_lines_are_errors_never_exceptions(data: bytes, codec: str | None, error: LineError) -> None:
    r = validate_line(data, codec, line_no=3)
    assert (r.line, r.error) == (3, error)
    assert not r.ok


def test_line_results_pickle() -> None:
    r = validate_line(line({"custom_id": "a", "params": {"model": "m", "messages": []}}))
    assert pickle.loads(pickle.dumps(r)) == r


def test_envelopes_as_data() -> None:
    assert envelope_for("openai-responses") is OPENAI_BATCH
    assert envelope_for("anthropic") is ANTHROPIC_BATCH
    assert envelope_for("anthropic-bedrock") is BEDROCK_BATCH
    assert envelope_for("gemini") is None


# --------------------------------------------------------------------------------------------
# Across records


def _seen(results: list[LineResult]) -> list[tuple[int, str, str]]:
    checks = FileChecks()
    return [(r.line, f.code, f.message) for r in results for f in checks.see(r)]


def test_duplicate_ids_name_the_first_line() -> None:
    results = [
        validate_line(line({"custom_id": c, "params": ANTHROPIC_BODY}), line_no=n) for n, c in enumerate("abca", 1)
    ]
    assert _seen(results) == [
        (4, "IRC502", "custom_id 'a' is also the id of line 1; ids must be unique in a batch"),
    ]


def test_one_openai_batch_file_has_one_url_and_one_model() -> None:
    def rec(url: str, model: str) -> bytes:
        return line({"custom_id": model + url, "method": "POST", "url": url, "body": {**CHAT_BODY, "model": model}})

    results = [
        validate_line(rec("/v1/chat/completions", "gpt-a"), line_no=1),
        validate_line(rec("/v1/chat/completions", "gpt-b"), line_no=2),
        validate_line(rec("/v1/responses", "gpt-a"), "openai-chat", line_no=3),
    ]
    assert _seen(results) == [
        (2, "IRC504", "model 'gpt-b' differs from line 1's 'gpt-a'; an input file takes one model"),
        (
            3,
            "IRC504",
            "url '/v1/responses' differs from line 1's '/v1/chat/completions'; an OpenAI batch has one endpoint",
        ),
    ]
    assert [f.code for r in results for f in FileChecks(ignore=["IRC5"]).see(r)] == []


# --------------------------------------------------------------------------------------------
# transpile_line


def test_ids_are_kept_across_envelopes() -> None:
    src = line({"custom_id": "req-1", "params": ANTHROPIC_BODY})
    to_bedrock = transpile_line(src, None, "anthropic-bedrock", line_no=1)
    out = msgspec.json.decode(to_bedrock.output or b"")
    assert out["recordId"] == "req-1" and "model" not in out["modelInput"]
    assert out["modelInput"]["anthropic_version"] and out.keys() == {"recordId", "modelInput"}
    assert to_bedrock.notes == ["model 'claude-opus-5' is not in a bedrock record: the batch job names it"]
    to_openai = transpile_line(to_bedrock.output or b"", None, "openai-chat", model="gpt-5.6", line_no=1)
    out = msgspec.json.decode(to_openai.output or b"")
    assert out == {
        "custom_id": "req-1",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-5.6", "messages": [{"role": "user", "content": "hi"}], "max_completion_tokens": 64},
    }
    assert to_openai.error is None and to_openai.model == "gpt-5.6"


def test_a_bedrock_record_without_a_model_needs_one() -> None:
    for target in ("openai-chat", "anthropic"):
        r = transpile_line(line({"recordId": "r", "modelInput": INVOKE_BODY}), None, target, line_no=2)
        assert r.output is None
        assert r.error == LineError(
            "$.modelInput",
            f"expected a model for the {envelope_for(target).name} batch record (a bedrock record carries none: "  # type: ignore[union-attr]
            "the job names it; give one with --model), found no model",
        )


def test_a_record_without_an_id_gets_one_where_the_target_needs_it() -> None:
    r = transpile_line(line({"modelInput": CONVERSE_BODY}), None, "anthropic", model="claude-opus-5", line_no=9)
    assert msgspec.json.decode(r.output or b"")["custom_id"] == "line-9"
    assert r.notes == ["custom_id 'line-9' derived from the line number (the record had no id)"]
    r = transpile_line(line(ANTHROPIC_BODY), "anthropic", "bedrock-converse", line_no=9)
    assert "recordId" not in msgspec.json.decode(r.output or b"") and r.notes[0].startswith("model ")


def test_an_id_the_target_refuses_is_an_error() -> None:
    record = {"custom_id": "a/b", "method": "POST", "url": "/v1/chat/completions", "body": CHAT_BODY}
    r = transpile_line(line(record), None, "anthropic", write_options={"default_max_tokens": 64})
    assert r.output is None
    assert r.error == LineError(
        "$.custom_id", "expected an id the anthropic batch API takes ([a-zA-Z0-9_-]{1,64}), found 'a/b'"
    )


def test_stream_is_dropped_and_reported() -> None:
    r = transpile_line(line({"custom_id": "a", "params": {**ANTHROPIC_BODY, "stream": True}}), None, "anthropic")
    assert "stream" not in msgspec.json.decode(r.output or b"")["params"]
    assert [(w.path, w.kind) for w in r.losses] == [("stream", LossKind.DROPPED)]
    strict = transpile_line(
        line({"custom_id": "a", "params": {**ANTHROPIC_BODY, "stream": True}}), None, "anthropic", strict=True
    )
    assert strict.output is None and strict.error is not None and "--strict" in strict.error.message


def test_a_target_without_a_batch_envelope_is_an_error() -> None:
    r = transpile_line(line({"custom_id": "a", "params": ANTHROPIC_BODY}), None, "gemini")
    assert r.error is not None and r.error.message.startswith("codec 'gemini' has no batch envelope")


# --------------------------------------------------------------------------------------------
# Many lines


def test_map_lines_in_worker_processes_keeps_order_and_results() -> None:
    lines = [(n, b) for n, b in enumerate(openai_batch_lines(300), 1)]
    lines.insert(150, (999, b"{broken"))
    check = functools.partial(validate_line, lint=True)
    serial = list(map_lines(check, lines))
    parallel = list(map_lines(check, lines, jobs=2, chunk_size=16))
    assert parallel == serial
    assert [r.line for r in parallel] == [n for n, _ in lines]
    assert [r.line for r in parallel if not r.ok] == [999]


def _openai_chat_canonical(body: dict[str, Any]) -> dict[str, Any]:
    return get_codec("openai-chat").canonicalize(body)


def test_openai_to_anthropic_batches_and_back_on_1000_requests() -> None:
    src = list(openai_batch_lines(1000))
    there = [transpile_line(b, None, "anthropic", line_no=n) for n, b in enumerate(src, 1)]
    assert [r.error for r in there] == [None] * 1000
    # The only loss: OpenAI's spelling of the system role, kept in provider_options.openai-chat.
    assert {(w.path, w.kind) for r in there for w in r.losses} == {
        ("messages[0].provider_options.openai-chat", LossKind.DROPPED)
    }
    back = [
        transpile_line(r.output or b"", None, "openai-chat", write_options={"system_role": "system"}, line_no=r.line)
        for r in there
    ]
    assert [r.error for r in back] == [None] * 1000
    for i, (a, b) in enumerate(zip(src, back, strict=True)):
        before, after = msgspec.json.decode(a), msgspec.json.decode(b.output or b"")
        assert after["custom_id"] == before["custom_id"] == f"req-{i}"
        assert (after["method"], after["url"]) == ("POST", "/v1/chat/completions")
        assert after["body"] == _openai_chat_canonical(before["body"]), i
    # The generator covers what the round trip must carry.
    bodies = [chat_body(i) for i in range(1000)]
    assert sum("tools" in b for b in bodies) > 300 and sum("stop" in b for b in bodies) > 200
    assert sum(isinstance(b["messages"][-1]["content"], list) for b in bodies) == 200


@pytest.mark.parametrize("module", ["ir_codec.batch", "ir_codec.sarif"])
def test_doctests(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 3


def test_a_non_claude_invoke_model_record_is_checked_as_converse() -> None:
    r = validate_line(line({"recordId": "t", "modelInput": {"inputText": "Roses are red"}}))
    assert r.codec == "bedrock-converse"
    assert {(f.code, f.path) for f in r.findings} == {
        ("IRC104", "$.modelInput.messages"),
        ("IRC101", "$.modelInput.inputText"),
    }


def test_the_gate_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.benchmarks import gate

    gate.main(["--lines", "30", "--jobs", "1", "--repeat", "1"])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("30 records, ")
    assert out[1].startswith("library validate_line loop: ")
    assert out[2].startswith("ir-codec validate --jobs 1: ") and "(exit 0)" in out[2]
