"""The speed table: ir-codec side by side with the serialization floor and the peers.

``make bench`` runs ``python -m tests.benchmarks.speed`` in its own virtualenv (``.venv-bench``,
the project with its ``bench`` extra). Every path is measured in this one process, warmed, as the
median of repeated timed runs; the table is printed and saved as JSON (``--out``).

Paths, on the workloads of :mod:`tests.benchmarks.workloads`:

- ``transpile`` openai-chat -> anthropic and anthropic -> openai-chat, bytes to bytes
  (``ir_codec.transpile`` of the bytes, then ``to_json``);
- ``encode``: a ready IR to bytes, for every codec; ``decode``: bytes to IR, for every codec;
- the floor: ``msgspec.json.encode`` of the finished body, and ``msgspec.json.decode`` of the input;
  the table gives transpile's ratio to the first (the issue's measure) and to the two together
  (what any bytes-to-bytes path pays at least: on L, parsing the input costs several times
  writing the output);
- the peers, when installed: llm-babel's ``llm_transform.registry.translate`` and LiteLLM's
  ``AnthropicConfig.transform_request``, bytes to bytes with msgspec JSON on both ends;
- peak memory of ``transpile`` on L (tracemalloc) and ``import ir_codec`` time
  (``python -X importtime``, median of 10 fresh processes).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from ir_codec import available_codecs, get_codec, transpile
from ir_codec.stream import parse_sse
from tests.benchmarks.workloads import anthropic_reply, anthropic_stream, workload

READ = {"explicit_breakpoints": True}


def median_seconds(fn: Callable[[], Any], *, budget: float = 0.25, repeats: int = 7) -> float:
    """Median time of one call: calls are batched so that a batch lasts about ``budget`` / ``repeats``."""
    fn()  # warm
    n, t = 1, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - t0
        if t >= budget / repeats or n >= 1 << 20:
            break
        n *= 2
    times = []
    gc_was = gc.isenabled()
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - t0) / n)
    if gc_was:
        gc.enable()
    return statistics.median(times)


def _babel() -> Callable[[bytes], bytes] | None:
    try:
        from llm_transform import registry
    except ImportError:
        return None

    def run(data: bytes) -> bytes:
        out = registry.translate("openai-chat", "anthropic-messages", msgspec.json.decode(data))
        return registry.canonical_json(out).encode() if not isinstance(out, bytes) else out

    return run


def _litellm() -> Callable[[bytes], bytes] | None:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network fetch at import
    try:
        import litellm
        from litellm.llms.anthropic.chat.transformation import AnthropicConfig
    except ImportError:
        return None
    litellm.drop_params = True  # the 30m breakpoint TTL has no Anthropic tier: sent as 5m (ours: 1h, reported)
    config = AnthropicConfig()

    def run(data: bytes) -> bytes:
        body = msgspec.json.decode(data)
        params = {k: v for k, v in body.items() if k not in ("model", "messages")}
        if "max_completion_tokens" in params:
            params["max_tokens"] = params.pop("max_completion_tokens")
        out = config.transform_request(
            model="claude-opus-4-1",
            messages=body["messages"],
            optional_params=config.map_openai_params(params, {}, "claude-opus-4-1", drop_params=True),
            litellm_params={},
            headers={},
        )
        return msgspec.json.encode(out)

    return run


def import_ms(runs: int = 10, module: str = "ir_codec") -> float:
    """``import module`` (cumulative, from ``-X importtime``), median of fresh processes, in ms."""
    out = []
    # as installed: with bytecode (PYTHONDONTWRITEBYTECODE would measure compiling the sources)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", f"import {module}"], env=env, check=True)  # writes the bytecode
    for _ in range(runs):
        p = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        for line in p.stderr.splitlines():
            m = re.match(rf"import time:\s+\d+ \|\s+(\d+) \| {module}$", line)
            if m:
                out.append(int(m.group(1)) / 1000)
    return statistics.median(out)


def measure(size: str, budget: float, per_codec: bool) -> dict[str, Any]:
    """Every path on one workload (see the module doc)."""
    chat, anth = get_codec("openai-chat", **READ), get_codec("anthropic")
    babel, litellm = _babel(), _litellm()
    data = msgspec.json.encode(workload(size))
    request = chat.decode(data)
    body = anth.encode(request).body
    anth_bytes = msgspec.json.encode(body)
    back = chat.encode(anth.decode(anth_bytes)).body
    row: dict[str, Any] = {"input_bytes": len(data), "messages": len(request.messages)}

    def t(fn: Callable[[], Any]) -> float:
        return median_seconds(fn, budget=budget)

    row["floor_encode"] = t(lambda: msgspec.json.encode(body))
    row["floor_decode"] = t(lambda: msgspec.json.decode(data))
    row["transpile_chat_to_anthropic"] = t(lambda: transpile(data, chat, anth, on_lossy="ignore").to_json())
    row["floor_encode_chat"] = t(lambda: msgspec.json.encode(back))
    row["transpile_anthropic_to_chat"] = t(lambda: transpile(anth_bytes, anth, chat, on_lossy="ignore").to_json())
    row["encode_anthropic"] = t(lambda: anth.encode(request).to_json())
    if babel is not None:
        row["llm_babel"] = t(lambda: babel(data))
    if litellm is not None:
        row["litellm"] = t(lambda: litellm(data))
    if per_codec:
        row["encode"], row["decode"] = {}, {}
        for name in available_codecs():
            if name != "toy":
                row["encode"][name], row["decode"][name] = _codec_paths(name, request, t)
    if size == "S":  # replies and streams do not depend on the request's size
        reply = msgspec.json.encode(anthropic_reply())
        row["decode_response"] = t(lambda: anth.decode_response(reply))
        row["floor_decode_response"] = t(lambda: msgspec.json.decode(reply))
        lines = anthropic_stream(1000)

        def stream() -> Any:
            dec = anth.stream_decoder()
            for name, event in parse_sse(lines):
                dec.feed(event, name)
            return dec.finish()

        row["stream_1000"] = t(stream)
        row["floor_stream_1000"] = t(lambda: [msgspec.json.decode(x[6:]) for x in lines if x.startswith(b"data: ")])
    if size == "L":
        tracemalloc.start()
        transpile(data, chat, anth, on_lossy="ignore").to_json()
        row["peak_bytes"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return row


def _codec_paths(name: str, request: Any, t: Callable[[Callable[[], Any]], float]) -> tuple[dict[str, float], ...]:
    """(encode, decode) of one codec, each beside its floor."""
    codec = get_codec(name)
    e = codec.encode(request)
    wire = e.to_json()
    encode = {"seconds": t(lambda: codec.encode(request).to_json()), "floor": t(lambda: msgspec.json.encode(e.body))}
    decode = {"seconds": t(lambda: codec.decode(wire)), "floor": t(lambda: msgspec.json.decode(wire))}
    return encode, decode


def run(sizes: list[str], quick: bool) -> dict[str, Any]:
    results: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine(), "workloads": {}}
    for size in sizes:
        results["workloads"][size] = measure(size, 0.1 if quick else 0.4, not quick or size in ("S", "M"))
    results["import_ms"] = import_ms()
    results["import_msgspec_ms"] = import_ms(module="msgspec")
    return results


def _fmt(s: float) -> str:
    return f"{s * 1e6:.1f} µs" if s < 1e-3 else f"{s * 1e3:.2f} ms"


def table(results: dict[str, Any]) -> str:
    lines = [
        "| | floor (msgspec encode) | transpile chat->anthropic | ratio | ratio to decode + encode | "
        "anthropic->chat | ratio | encode (anthropic) | ratio | llm-babel | ours faster | LiteLLM | ours faster | "
        "µs / message |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, r in results["workloads"].items():
        f, tr, back = r["floor_encode"], r["transpile_chat_to_anthropic"], r["transpile_anthropic_to_chat"]
        cells = [
            size,
            _fmt(f),
            _fmt(tr),
            f"{tr / f:.1f}×",
            f"{tr / (f + r['floor_decode']):.1f}×",
            _fmt(back),
            f"{back / r['floor_encode_chat']:.1f}×",
            _fmt(r["encode_anthropic"]),
            f"{r['encode_anthropic'] / f:.1f}×",
        ]
        for peer in ("llm_babel", "litellm"):
            cells += [_fmt(r[peer]), f"{r[peer] / tr:.1f}×"] if peer in r else ["–", "–"]
        cells.append(f"{tr / r['messages'] * 1e6:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    extra = [f"import ir_codec: {results['import_ms']:.1f} ms (msgspec alone: {results['import_msgspec_ms']:.1f} ms)"]
    s = results["workloads"].get("S", {})
    for key, label in (
        ("decode_response", "decode_response (Anthropic reply, 21 blocks)"),
        ("stream_1000", "1,000-event Anthropic stream"),
    ):
        if key in s:
            extra.append(f"{label}: {_fmt(s[key])} ({s[key] / s['floor_' + key]:.1f}× msgspec decode of the same JSON)")
    for size, r in results["workloads"].items():
        if r.get("encode"):
            enc, dec = r["encode"], r["decode"]
            ratios = [
                f"{n} {enc[n]['seconds'] / enc[n]['floor']:.1f}×/{dec[n]['seconds'] / dec[n]['floor']:.1f}×"
                for n in sorted(enc)
            ]
            extra.append(f"{size} encode/decode vs floor per codec: " + ", ".join(ratios))
    if "L" in results["workloads"]:
        r = results["workloads"]["L"]
        extra.append(f"peak memory of transpile on L: {r['peak_bytes'] / r['input_bytes']:.2f}× the payload")
    return "\n".join(lines + [""] + extra)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="S,M,L,XL")
    p.add_argument("--quick", action="store_true", help="shorter timings; per-codec rows on S and M only")
    p.add_argument("--out", type=Path, default=Path("build/bench.json"))
    a = p.parse_args(argv)
    results = run(a.sizes.split(","), a.quick)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"saved {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
