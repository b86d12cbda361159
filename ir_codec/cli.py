"""The ``ir-codec`` command line.

    ir-codec encode --to CODEC [FILE]                  IR JSON in, wire JSON out
    ir-codec decode --codec CODEC [FILE]               wire JSON in, IR JSON out
    ir-codec transpile --read CODEC --write CODEC [FILE]
    ir-codec validate --codec CODEC [FILE]             check a wire body against the strict wire types
    ir-codec lint --codec CODEC [FILE]                 what re-encoding a wire body would change or lose
    ir-codec decode-response --codec CODEC [--stream] [FILE]
    ir-codec transpile-response --read CODEC --write CODEC [--stream] [FILE]
                                                       a reply (or event stream) in another format
    ir-codec codecs                                    list the codecs
    ir-codec demo
    ir-codec send --codec CODEC [--base-url URL] [--ir] [--stream] [FILE]
                                                       send a wire body (or IR) and print the Response
    ir-codec cache create|get|list|update|delete ...   Gemini cachedContents
    ir-codec warm --codec CODEC [--input-price P --output-price P] FILE
                                                       warm an IR request's cache; print usage and cost

FILE defaults to standard input. JSON goes to standard output; each warning is one line on
standard error, ``warning: <codec>: <IR path>: <reason>``. Bad input exits 2 with one line
``error: <JSON path>: <what>``. ``--strict`` turns any warning into exit 3 (and writes no output).
``--option KEY=VALUE`` (repeatable) configures a codec; VALUE is read as JSON when it parses.

``send``, ``cache`` and ``warm`` call the provider (``ir_codec.transport``): credentials come from
the provider's environment variable (``ANTHROPIC_API_KEY``, ``OPENAI_API_KEY``, ``GEMINI_API_KEY``,
...), never from the command line. A failed call exits 4 with one line ``error: <what>``.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Sequence
from importlib import resources
from typing import Any, BinaryIO

import msgspec

from . import __version__, _api
from .codec import Encoded, get_codec
from .errors import DecodeError, IRCodecError, LossyEncode
from .ir import Request, Response, Usage

EXIT_BAD_INPUT = 2
EXIT_LOSSY = 3


class _Fail(Exception):
    def __init__(self, code: int, line: str) -> None:
        self.code = code
        self.line = line


def _read(path: str | None, stdin: BinaryIO) -> bytes:
    if path is None or path == "-":
        return stdin.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise _Fail(EXIT_BAD_INPUT, f"error: {path}: cannot read: {exc.strerror}") from None


def _options(pairs: Sequence[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise _Fail(EXIT_BAD_INPUT, f"error: --option {pair!r}: expected KEY=VALUE")
        try:
            out[key] = msgspec.json.decode(value)
        except msgspec.DecodeError:
            out[key] = value
    return out


def _dump(value: Any) -> bytes:
    return msgspec.json.format(msgspec.json.encode(value), indent=2) + b"\n"


def _warning_lines(warnings: Sequence[LossyEncode]) -> list[str]:
    return [f"warning: {w.codec}: {w.path}: {w.reason}" for w in warnings]


def _emit(out: BinaryIO, err: Any, payload: bytes, warnings: Sequence[LossyEncode], strict: bool) -> int:
    for line in _warning_lines(warnings):
        print(line, file=err)
    if strict and warnings:
        print(f"error: --strict: {len(warnings)} lossy warning(s); no output written", file=err)
        return EXIT_LOSSY
    out.write(payload)
    out.flush()
    return 0


def _encoded(e: Encoded) -> bytes:
    return _dump(e.body)


def _cmd_encode(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    request = _api.ir_from_json(_read(a.file, inp), Request)
    e = get_codec(a.to, **_options(a.option)).encode(request)
    return _emit(out, err, _encoded(e), e.warnings, a.strict)


def _cmd_decode(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    request = get_codec(a.codec, **_options(a.option)).decode(_read(a.file, inp))
    return _emit(out, err, _dump(request), [], a.strict)


def _cmd_transpile(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    e = _api.transpile(
        _read(a.file, inp),
        a.read,
        a.write,
        on_lossy="ignore",
        read_options=_options(a.read_option),
        write_options=_options(a.write_option),
    )
    return _emit(out, err, _encoded(e), e.warnings, a.strict)


def _cmd_validate(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    _api.validate(_read(a.file, inp), a.codec, **_options(a.option))
    out.write(b"ok\n")
    return 0


def _cmd_lint(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    codec = get_codec(a.codec, **_options(a.option))
    e = codec.encode(codec.decode(_read(a.file, inp)))
    for line in _warning_lines(e.warnings):
        print(line, file=err)
    out.write(f"{len(e.warnings)} finding(s)\n".encode())
    return EXIT_LOSSY if e.warnings else 0


def _read_response(codec: Any, data: bytes, stream: bool) -> Response:
    """The IR Response of a whole reply, or with ``stream`` of an event stream (SSE text, a JSON
    array of events or JSON lines: Bedrock ConverseStream events)."""
    if not stream:
        return codec.decode_response(data)  # type: ignore[no-any-return]
    from .codec import load_json
    from .stream import parse_sse

    dec = codec.stream_decoder()
    text = data.decode("utf-8", errors="strict")
    if text.lstrip().startswith(("[", "{")) and "\ndata:" not in text and not text.startswith("data:"):
        # A JSON array of event objects, or JSON lines (Bedrock ConverseStream events).
        stripped = text.strip()
        events = (
            load_json(stripped)
            if stripped.startswith("[")
            else [load_json(line) for line in stripped.splitlines() if line.strip()]
        )
        if not isinstance(events, list):
            raise DecodeError("$", "an array of events", type(events).__name__)
        for ev in events:
            dec.feed(ev)
    else:
        for name, payload in parse_sse(text.splitlines()):
            dec.feed(payload, name)
    return dec.finish()  # type: ignore[no-any-return]


def _cmd_decode_response(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    codec = get_codec(a.codec, **_options(a.option))
    response = _read_response(codec, _read(a.file, inp), a.stream)
    return _emit(out, err, _dump(_shown_response(response)), [], False)


def _cmd_transpile_response(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    response = _read_response(get_codec(a.read, **_options(a.read_option)), _read(a.file, inp), a.stream)
    write = get_codec(a.write, **_options(a.write_option))
    if not a.stream:
        e = write.encode_response(response)
        return _emit(out, err, _encoded(e), e.warnings, a.strict)
    s = write.encode_stream(response)
    payload = s.to_sse() if s.sse else b"".join(msgspec.json.encode(o) + b"\n" for o in s.objects())
    return _emit(out, err, payload, s.warnings, a.strict)


def _cmd_codecs(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    from .codec import available_codecs

    for name in available_codecs():
        out.write(f"{name}\n".encode())
    return 0


def _cmd_demo(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    from .codec import available_codecs

    data = resources.files("ir_codec").joinpath("data/demo_conversation.json").read_bytes()
    request = _api.ir_from_json(data, Request)
    out.write(b"# A sample conversation (ir_codec/data/demo_conversation.json), encoded for anthropic:\n")
    e = get_codec("anthropic").encode(request)
    out.write(_encoded(e))
    out.write(f"# {len(e.warnings)} warning(s):\n".encode())
    for line in _warning_lines(e.warnings):
        out.write(f"{line}\n".encode())
    others = [n for n in available_codecs() if n != "anthropic"]
    if others:
        out.write(b"# The same request for the other codecs (body size, warnings):\n")
        for name in others:
            o = get_codec(name).encode(request)
            out.write(f"#   {name:18} {len(o.to_json()):6} bytes  {len(o.warnings):3} warning(s)\n".encode())
    out.flush()
    return 0


EXIT_CALL_FAILED = 4


def _transport_failure(exc: Exception, err: Any) -> int:
    from .errors import InvalidCacheConfigError

    print(f"error: {exc}", file=err)
    return EXIT_BAD_INPUT if isinstance(exc, InvalidCacheConfigError) else EXIT_CALL_FAILED


def _shown_response(response: Response) -> dict[str, Any]:
    # Every usage field is printed, so scripts can rely on the names: a counter the provider
    # did not report (or every counter, for a reply without usage) is null, never 0.
    shown: dict[str, Any] = msgspec.to_builtins(response)
    usage = response.usage if response.usage is not None else Usage()
    shown["usage"] = {f: getattr(usage, f) for f in usage.__struct_fields__}
    return shown


def _client(a: argparse.Namespace, codec: str) -> Any:
    from .transport import Client, RetryPolicy

    return Client(
        codec,
        base_url=a.base_url,
        codec_options=_options(getattr(a, "option", None)),
        on_lossy="ignore",
        timeout=a.timeout,
        retry=RetryPolicy(max_retries=a.retries),
    )


def _cmd_send(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    from .codec import load_json
    from .errors import CacheError, TransportError

    data = _read(a.file, inp)
    source: Any
    try:
        with _client(a, a.codec) as client:
            if a.ir:
                request = _api.ir_from_json(data, Request)
                changes: dict[str, Any] = {"model": a.model} if a.model else {}
                if a.stream:
                    changes["stream"] = True
                e = client.codec.encode(msgspec.structs.replace(request, **changes))
                for line in _warning_lines(e.warnings):
                    print(line, file=err)
                if a.strict and e.warnings:
                    print(f"error: --strict: {len(e.warnings)} lossy warning(s); nothing sent", file=err)
                    return EXIT_LOSSY
                source = e
            else:
                source = load_json(data)
                if not isinstance(source, dict):
                    raise DecodeError("$", "an object", type(source).__name__)
            if a.stream:
                with client.stream(source, model=a.model) as events:
                    for event in events:
                        out.write(msgspec.json.encode(event) + b"\n")
                        out.flush()
                    response = events.response
            else:
                response = client.send(source, model=a.model)
    except (TransportError, CacheError) as exc:
        return _transport_failure(exc, err)
    out.write(_dump(_shown_response(response)))
    out.flush()
    return 0


def _cmd_cache(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    from .errors import CacheError, TransportError

    try:
        with _client(a, "gemini") as client:
            caches = client.caches
            result: Any
            if a.action == "create":
                request = _api.ir_from_json(_read(a.file, inp), Request)
                result = caches.create(
                    request, model=a.model, ttl=_ttl(a.ttl), expire_time=a.expire_time, display_name=a.display_name
                )
            elif a.action == "get":
                result = caches.get(a.name)
            elif a.action == "list":
                if a.all:
                    result = list(caches.iter(page_size=a.page_size))
                else:
                    result = caches.list(page_size=a.page_size, page_token=a.page_token)
            elif a.action == "update":
                result = caches.update(a.name, ttl=_ttl(a.ttl), expire_time=a.expire_time)
            else:
                caches.delete(a.name)
                result = {"deleted": a.name}
    except (TransportError, CacheError) as exc:
        return _transport_failure(exc, err)
    out.write(_dump(msgspec.to_builtins(result)))
    out.flush()
    return 0


def _ttl(value: str | None) -> Any:
    return int(value) if value is not None and value.isdigit() else value


def _cmd_warm(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    from decimal import Decimal, InvalidOperation

    from . import pricing
    from .errors import CacheError, TransportError

    request = _api.ir_from_json(_read(a.file, inp), Request)
    price = None
    if (a.input_price is None) != (a.output_price is None):
        raise _Fail(EXIT_BAD_INPUT, "error: --input-price and --output-price go together")
    if a.input_price is not None:
        family = "anthropic"
        if a.codec == "gemini" or a.codec.startswith(("openai", "openrouter")):
            family = "gemini" if a.codec == "gemini" else "openai"
        try:
            price = pricing.TokenPrice(
                input=Decimal(a.input_price),
                output=Decimal(a.output_price),
                multipliers=getattr(pricing, (a.multipliers or family).upper()),
            )
        except InvalidOperation:
            raise _Fail(EXIT_BAD_INPUT, "error: --input-price / --output-price: expected decimal numbers") from None
    try:
        with _client(a, a.codec) as client:
            warm = client.ensure_cached(request, price=price)
    except (TransportError, CacheError) as exc:
        return _transport_failure(exc, err)
    shown: dict[str, Any] = {
        "codec": warm.codec,
        "strategy": warm.strategy,
        "usage": {f: getattr(warm.usage, f, None) for f in Usage.__struct_fields__},
        "cost": None,
        "cache": msgspec.to_builtins(warm.handle),
    }
    if warm.cost is not None:
        c = warm.cost
        shown["cost"] = {
            "total": str(c.total),
            "uncached_input": str(c.uncached_input),
            "cache_read": str(c.cache_read),
            "cache_write": str(c.cache_write),
            "output": str(c.output),
        }
    out.write(_dump(shown))
    out.flush()
    return 0


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The argument parser (built once: it depends on nothing registered at run time)."""
    p = argparse.ArgumentParser(prog="ir-codec", description="Encode, decode and transpile LLM provider requests.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, help: str, *, strict: bool = True, file: bool = True) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help)
        if file:
            sp.add_argument("file", nargs="?", help="input file (default: standard input)")
        if strict:
            sp.add_argument("--strict", action="store_true", help="exit 3 on any lossy warning")
        return sp

    sp = add("encode", "IR JSON -> wire JSON")
    sp.add_argument("--to", required=True, metavar="CODEC")
    sp.add_argument("--option", action="append", metavar="KEY=VALUE")
    sp = add("decode", "wire JSON -> IR JSON")
    sp.add_argument("--codec", required=True)
    sp.add_argument("--option", action="append", metavar="KEY=VALUE")
    sp = add("transpile", "wire JSON of one codec -> wire JSON of another")
    sp.add_argument("--read", required=True, metavar="CODEC")
    sp.add_argument("--write", required=True, metavar="CODEC")
    sp.add_argument("--read-option", action="append", metavar="KEY=VALUE")
    sp.add_argument("--write-option", action="append", metavar="KEY=VALUE")
    sp = add("validate", "check a wire body against the codec's strict wire types", strict=False)
    sp.add_argument("--codec", required=True)
    sp.add_argument("--option", action="append", metavar="KEY=VALUE")
    sp = add("lint", "report what re-encoding a wire body would change (exit 3 if anything)", strict=False)
    sp.add_argument("--codec", required=True)
    sp.add_argument("--option", action="append", metavar="KEY=VALUE")
    sp = add("decode-response", "provider response (or --stream events) -> IR Response JSON", strict=False)
    sp.add_argument("--codec", required=True)
    sp.add_argument("--stream", action="store_true", help="input is an event stream (SSE or JSON lines)")
    sp.add_argument("--option", action="append", metavar="KEY=VALUE")
    sp = add("transpile-response", "a reply (or --stream events) of one codec -> the reply (or events) of another")
    sp.add_argument("--read", required=True, metavar="CODEC")
    sp.add_argument("--write", required=True, metavar="CODEC")
    sp.add_argument(
        "--stream", action="store_true", help="input and output are event streams (SSE; Bedrock: JSON lines)"
    )
    sp.add_argument("--read-option", action="append", metavar="KEY=VALUE")
    sp.add_argument("--write-option", action="append", metavar="KEY=VALUE")
    add("codecs", "list the available codecs", strict=False, file=False)
    add("demo", "encode the shipped sample conversation", strict=False, file=False)

    def call_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--base-url", metavar="URL", help="the provider's base URL (default: the provider's own)")
        sp.add_argument("--timeout", type=float, default=None, metavar="SECONDS")
        sp.add_argument("--retries", type=int, default=2, metavar="N", help="retries of 429, 529 and 5xx (0: off)")

    sp = add("send", "send a wire body (or --ir IR JSON) to the provider; print the decoded Response")
    sp.add_argument("--codec", required=True)
    sp.add_argument("--model", help="the model, where the provider carries it in the URL (Gemini, Bedrock, Vertex)")
    sp.add_argument("--ir", action="store_true", help="FILE is IR request JSON, encoded with --codec")
    sp.add_argument("--stream", action="store_true", help="stream: print each IR event as a JSON line as it arrives")
    sp.add_argument("--option", action="append", metavar="KEY=VALUE")
    call_options(sp)
    sp = sub.add_parser("cache", help="Gemini cachedContents: create, get, list, update, delete")
    actions = sp.add_subparsers(dest="action", required=True)
    c = actions.add_parser("create", help="cache an IR request's system prompt, messages and tools")
    c.add_argument("file", nargs="?", help="IR request JSON (default: standard input)")
    c.add_argument("--model", help="the model (default: the request's)")
    c.add_argument("--ttl", help="seconds or a Duration such as 3600s")
    c.add_argument("--expire-time", metavar="RFC3339")
    c.add_argument("--display-name")
    call_options(c)
    for name in ("get", "delete"):
        c = actions.add_parser(name, help=f"{name} a cache")
        c.add_argument("name", help="cachedContents/{id} or the bare id")
        call_options(c)
    c = actions.add_parser("list", help="list caches (one page, or --all)")
    c.add_argument("--page-size", type=int)
    c.add_argument("--page-token")
    c.add_argument("--all", action="store_true", help="follow every page")
    call_options(c)
    c = actions.add_parser("update", help="set a cache's expiry")
    c.add_argument("name", help="cachedContents/{id} or the bare id")
    c.add_argument("--ttl", help="seconds or a Duration such as 3600s")
    c.add_argument("--expire-time", metavar="RFC3339")
    call_options(c)
    sp = add("warm", "write or refresh an IR request's cache at the lowest price; print usage and cost", strict=False)
    sp.add_argument("--codec", required=True)
    sp.add_argument("--input-price", metavar="PER_MTOK", help="input price per million tokens (with --output-price)")
    sp.add_argument("--output-price", metavar="PER_MTOK")
    sp.add_argument("--multipliers", choices=["anthropic", "openai", "gemini"], help="cache price multipliers")
    sp.add_argument("--option", action="append", metavar="KEY=VALUE")
    call_options(sp)
    return p


_COMMANDS = {
    "encode": _cmd_encode,
    "decode": _cmd_decode,
    "transpile": _cmd_transpile,
    "validate": _cmd_validate,
    "lint": _cmd_lint,
    "decode-response": _cmd_decode_response,
    "transpile-response": _cmd_transpile_response,
    "codecs": _cmd_codecs,
    "demo": _cmd_demo,
    "send": _cmd_send,
    "cache": _cmd_cache,
    "warm": _cmd_warm,
}


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: BinaryIO | None = None,
    stdout: BinaryIO | None = None,
    stderr: Any = None,
) -> int:
    """Run the CLI; returns the exit code."""
    inp = stdin if stdin is not None else sys.stdin.buffer
    out = stdout if stdout is not None else sys.stdout.buffer
    err = stderr if stderr is not None else sys.stderr
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args, inp, out, err)
    except _Fail as f:
        print(f.line, file=err)
        return f.code
    except DecodeError as exc:
        print(
            f"error: {exc.path}: expected {exc.expected}" + (f", found {exc.found}" if exc.found is not None else ""),
            file=err,
        )
        return EXIT_BAD_INPUT
    except IRCodecError as exc:
        print(f"error: $: {exc}", file=err)
        return EXIT_BAD_INPUT
    except UnicodeDecodeError as exc:
        print(f"error: $: expected UTF-8 text, found {exc.reason}", file=err)
        return EXIT_BAD_INPUT
    except RecursionError:
        # The JSON limits refuse deep nesting first; this is the last guard, never a traceback.
        print("error: $: expected input nested less deeply, found more than the stack allows", file=err)
        return EXIT_BAD_INPUT
    except MemoryError:
        print("error: $: expected input that fits in memory, found more", file=err)
        return EXIT_BAD_INPUT


EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a Unix tool killed by a closed pipe reports


def run() -> None:
    """The process entry point: :func:`main`, and a reader that closed the pipe early
    (``ir-codec demo | head -1``) ends the run quietly instead of with a traceback."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would try to flush stdout again at exit and print an error: point it at devnull.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_BROKEN_PIPE
    sys.exit(code)


if __name__ == "__main__":
    run()
