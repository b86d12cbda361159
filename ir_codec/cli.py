"""The ``ir-codec`` command line.

    ir-codec encode --to CODEC [FILE]                  IR JSON in, wire JSON out
    ir-codec decode --codec CODEC [FILE]               wire JSON in, IR JSON out
    ir-codec transpile --read CODEC --write CODEC [FILE]
    ir-codec validate --codec CODEC [FILE]             check a wire body against the strict wire types
    ir-codec lint --codec CODEC [FILE]                 what re-encoding a wire body would change or lose
    ir-codec decode-response --codec CODEC [--stream] [FILE]
    ir-codec codecs                                    list the codecs
    ir-codec demo

FILE defaults to standard input. JSON goes to standard output; each warning is one line on
standard error, ``warning: <codec>: <IR path>: <reason>``. Bad input exits 2 with one line
``error: <JSON path>: <what>``. ``--strict`` turns any warning into exit 3 (and writes no output).
``--option KEY=VALUE`` (repeatable) configures a codec; VALUE is read as JSON when it parses.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import resources
from typing import Any, BinaryIO

import msgspec

from . import __version__, _api
from .codec import Encoded, get_codec
from .errors import DecodeError, IRCodecError, LossyEncode
from .ir import Request, Response

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


def _cmd_decode_response(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    codec = get_codec(a.codec, **_options(a.option))
    data = _read(a.file, inp)
    response: Response
    if a.stream:
        from .stream import parse_sse

        dec = codec.stream_decoder()
        text = data.decode("utf-8", errors="strict")
        if text.lstrip().startswith(("[", "{")) and "\ndata:" not in text and not text.startswith("data:"):
            # A JSON array of event objects, or JSON lines (Bedrock ConverseStream events).
            stripped = text.strip()
            events = (
                msgspec.json.decode(stripped)
                if stripped.startswith("[")
                else [msgspec.json.decode(line) for line in stripped.splitlines() if line.strip()]
            )
            for ev in events:
                dec.feed(ev)
        else:
            for name, payload in parse_sse(text.splitlines()):
                dec.feed(payload, name)
        response = dec.finish()
    else:
        response = codec.decode_response(data)
    # Every usage field is printed, zero or absent included, so scripts can rely on the names.
    shown = msgspec.to_builtins(response)
    shown["usage"] = {f: getattr(response.usage, f) for f in response.usage.__struct_fields__}
    return _emit(out, err, _dump(shown), [], False)


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


def _parser() -> argparse.ArgumentParser:
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
    add("codecs", "list the available codecs", strict=False, file=False)
    add("demo", "encode the shipped sample conversation", strict=False, file=False)
    return p


_COMMANDS = {
    "encode": _cmd_encode,
    "decode": _cmd_decode,
    "transpile": _cmd_transpile,
    "validate": _cmd_validate,
    "lint": _cmd_lint,
    "decode-response": _cmd_decode_response,
    "codecs": _cmd_codecs,
    "demo": _cmd_demo,
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
