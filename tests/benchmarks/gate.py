"""The CI gate's speed: ``ir-codec validate`` over a 10,000-line batch file (issue 11).

``python -m tests.benchmarks.gate [--lines N] [--jobs 1 2] [--repeat 3]`` writes an OpenAI Batch
file of ``N`` records built deterministically (:func:`openai_batch_lines`, the same bytes on every
run), then times the whole command in a fresh process (``python -m ir_codec validate``, start-up
included) for each ``--jobs``, and the library loop alone (:func:`ir_codec.batch.validate_line`
over the lines, in this process). It prints one line per measurement and the peak resident memory
of the command (``ru_maxrss`` of the child). Not part of ``make test``.

The records are what a batch job holds: a system prompt, one to six turns of text, every third
record a tool with a call and its result, every fifth a small base64 PNG, a stop sequence on some.
They encode to Anthropic Message Batches without loss (``tests/test_batch.py`` checks the round trip).
"""

from __future__ import annotations

import argparse
import base64
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

_WORDS = (
    "cache request codec provider message token stream model system tool result image answer "
    "question budget latency gateway payload schema field value order turn batch line record"
).split()

# The 8-byte PNG signature and an IHDR chunk start: enough for a media-type sniff.
_PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(48))).decode()


def _text(i: int, n: int) -> str:
    return " ".join(_WORDS[(i * 7 + k * 3) % len(_WORDS)] for k in range(n))


def chat_body(i: int) -> dict[str, Any]:
    """The ``i``-th OpenAI Chat request body (module doc)."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": "You answer in one line. " + _text(i, 12)}]
    turns = 1 + i % 6
    for t in range(turns):
        messages.append({"role": "user", "content": _text(i + t, 8 + (i + t) % 20)})
        if t < turns - 1:
            messages.append({"role": "assistant", "content": _text(i * 3 + t, 6)})
    body: dict[str, Any] = {"model": "gpt-5.6", "messages": messages, "max_completion_tokens": 64 + (i % 16) * 64}
    if i % 3 == 0:
        call = f"call_{i:08d}"
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": "lookup",
                    "description": "Look a word up.",
                    "parameters": {
                        "type": "object",
                        "properties": {"word": {"type": "string"}},
                        "required": ["word"],
                    },
                },
            }
        ]
        messages[-1:-1] = [
            {"role": "user", "content": "Look up " + _WORDS[i % len(_WORDS)] + "."},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": call,
                        "type": "function",
                        "function": {"name": "lookup", "arguments": '{"word":"' + _WORDS[i % len(_WORDS)] + '"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": call, "content": _text(i, 5)},
        ]
    if i % 5 == 0:
        last = messages[-1]
        last["content"] = [
            {"type": "text", "text": last["content"]},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64," + _PNG}},
        ]
    if i % 4 == 1:
        body["stop"] = ["\n\n"]
    return body


def openai_batch_lines(n: int, *, start: int = 0) -> Iterator[bytes]:
    """``n`` OpenAI Batch records (``custom_id`` ``req-<i>``), each one line with its newline."""
    for i in range(start, start + n):
        record = {"custom_id": f"req-{i}", "method": "POST", "url": "/v1/chat/completions", "body": chat_body(i)}
        yield msgspec.json.encode(record) + b"\n"


def write_batch(path: Path, n: int) -> int:
    """Write ``n`` records to ``path``; returns the file's size in bytes."""
    size = 0
    with open(path, "wb") as f:
        for line in openai_batch_lines(n):
            f.write(line)
            size += len(line)
    return size


def time_cli(path: Path, jobs: int, repeat: int) -> tuple[float, float, int, int]:
    """Best wall time of ``ir-codec validate`` over ``path`` (fresh process), the CPU time of
    that run (user + system, summed over the command and its workers: on a shared machine the
    figure that does not depend on the neighbours), its exit code and the peak resident memory
    of any one of its processes (KiB, the largest over the runs)."""
    best = cpu = float("inf")
    code = 0
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "ir_codec", "validate", "--jobs", str(jobs), str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if wall < best:
            best, cpu = wall, used
        code = proc.returncode
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return best, cpu, code, rss


def time_library(path: Path) -> float:
    """Time of :func:`~ir_codec.batch.validate_line` over every line, in this process."""
    from ir_codec.batch import iter_records, validate_line

    t0 = time.perf_counter()
    bad = sum(not validate_line(line, line_no=n).ok for n, line in iter_records(path))
    elapsed = time.perf_counter() - t0
    if bad:
        raise SystemExit(f"{bad} records did not validate")
    return elapsed


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lines", type=int, default=10_000)
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--keep", type=Path, help="write the file here and keep it")
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = a.keep or Path(tmp) / "batch.jsonl"
        size = write_batch(path, a.lines)
        print(f"{a.lines} records, {size / 1e6:.1f} MB, {os.cpu_count()} CPUs reported")
        t0 = time.process_time()
        lib = time_library(path)
        lib_cpu = time.process_time() - t0
        print(
            f"library validate_line loop: {lib:.2f} s wall, {lib_cpu:.2f} s CPU "
            f"({lib_cpu / a.lines * 1e6:.0f} us/record)"
        )
        base = None
        for jobs in a.jobs:
            t, cpu, code, rss = time_cli(path, jobs, a.repeat)
            base = base or t
            print(
                f"ir-codec validate --jobs {jobs}: {t:.2f} s wall, {cpu:.2f} s CPU (exit {code}), "
                f"speed-up {base / t:.2f}x, peak RSS {rss / 1024:.0f} MiB"
            )


if __name__ == "__main__":
    main()
