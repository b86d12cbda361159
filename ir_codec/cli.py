"""The ``ir-codec`` command line.

    ir-codec encode --to CODEC [FILE]                  IR JSON in, wire JSON out
    ir-codec decode --codec CODEC [FILE]               wire JSON in, IR JSON out
    ir-codec transpile [--read CODEC] --write CODEC [FILE]
                                                       one body, or a batch file record by record
    ir-codec validate [--codec CODEC] [FILE|GLOB|-]... check wire bodies against the provider's rules
    ir-codec lint [--codec CODEC] [FILE|GLOB|-]...     ... and the advisory rules too
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

``validate`` and ``lint`` are the CI gate (``spec/batch.md``): any number of files, globs and
``-``; JSON or JSON Lines; bare bodies (``--codec``) or OpenAI Batch, Anthropic Message Batches
and Bedrock batch records (the codec from the envelope); ``--select`` / ``--ignore`` /
``--allow-unknown`` / ``--api-version`` over ``[tool.ir-codec]`` of ``pyproject.toml``;
``--format text`` (``FILE:LINE: JSON-PATH: CODE message``), ``json`` or ``sarif``; ``--jobs N``.
They exit 0 when clean, 1 on findings (``validate``: errors; ``lint``: errors or warnings), 2 on
input that cannot be read or bad usage. ``transpile`` on a batch file writes one record of
``--write``'s envelope per input record, in order, ids kept; a record that fails is reported
(``FILE:LINE: error: ...`` or ``--report FILE``) and skipped, and the run exits 1.

``send``, ``cache`` and ``warm`` call the provider (``ir_codec.transport``): credentials come from
the provider's environment variable (``ANTHROPIC_API_KEY``, ``OPENAI_API_KEY``, ``GEMINI_API_KEY``,
...), never from the command line. A failed call exits 4 with one line ``error: <what>``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import itertools
import os
import sys
from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any, BinaryIO

import msgspec

from . import __version__, _api
from .codec import Encoded, get_codec
from .errors import DecodeError, IRCodecError, LossyEncode
from .ir import Request, Response, Usage

if TYPE_CHECKING:
    from .batch import LineResult
    from .rules import Finding
    from .sarif import SarifLog

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
    from .batch import JSONL_SUFFIXES, iter_records

    name = a.file if a.file is not None else "-"
    source: Any = inp if name == "-" else name
    try:
        records = iter_records(source)
        first = next(records, None)
    except OSError as exc:
        raise _Fail(EXIT_BAD_INPUT, f"error: {name}: cannot read: {exc.strerror}") from None
    first_data = b"" if first is None else first[1]
    batch = a.batch or (first is not None and (name.lower().endswith(JSONL_SUFFIXES) or _is_envelope(first_data)))
    if first is not None:
        if not batch:
            second = next(records, None)
            batch = second is not None
            records = itertools.chain([first] if second is None else [first, second], records)
        else:
            records = itertools.chain([first], records)
    if batch:
        return _transpile_batch(a, name, records, out, err)
    if a.read is None:
        raise _Fail(EXIT_BAD_INPUT, "error: --read CODEC is required (but for batch records, which name their codec)")
    e = _api.transpile(
        first_data,
        a.read,
        a.write,
        on_lossy="ignore",
        read_options=_options(a.read_option),
        write_options=_options(a.write_option),
    )
    return _emit(out, err, _encoded(e), e.warnings, a.strict)


def _is_envelope(data: bytes) -> bool:
    from .batch import ENVELOPES

    try:
        obj = msgspec.json.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return False
    return isinstance(obj, dict) and any(e.body_field in obj and obj.keys() <= e.fields for e in ENVELOPES)


def _cmd_validate(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    return _gate(a, inp, out, err, lint=False)


def _cmd_lint(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any) -> int:
    return _gate(a, inp, out, err, lint=True)


# --------------------------------------------------------------------------------------------
# validate, lint and batch transpile: many files, JSON Lines, batch envelopes (ir_codec.batch)

EXIT_FINDINGS = 1
_GLOB_CHARS = frozenset("*?[")


_INPUT_SUFFIXES = (".json", ".jsonl", ".ndjson")


def _inputs(files: Sequence[str] | None) -> list[str]:
    """The inputs named on the command line (``-``: standard input): globs expanded, and a
    directory replaced by the ``.json``, ``.jsonl`` and ``.ndjson`` files below it, sorted."""
    import glob

    names: list[str] = []
    for f in files or ["-"]:
        if f != "-" and not os.path.exists(f) and _GLOB_CHARS & set(f):
            found = sorted(glob.glob(f, recursive=True))
            if not found:
                raise _Fail(EXIT_BAD_INPUT, f"error: {f}: no file matches")
            names.extend(found)
        elif f != "-" and os.path.isdir(f):
            below = sorted(
                os.path.join(root, name)
                for root, _, members in os.walk(f)
                for name in members
                if name.lower().endswith(_INPUT_SUFFIXES)
            )
            if not below:
                raise _Fail(EXIT_BAD_INPUT, f"error: {f}: no .json, .jsonl or .ndjson file below")
            names.extend(below)
        else:
            names.append(f)
    return names


def _codes(values: Sequence[str] | None) -> list[str] | None:
    """``--select IRC1,IRC2 --select IRC301`` -> ``["IRC1", "IRC2", "IRC301"]`` (``None``: not given)."""
    if values is None:
        return None
    return [c.strip().upper() for v in values for c in v.split(",") if c.strip()]


def _check_codes(codes: Sequence[str], option: str) -> None:
    from .batch import BATCH_RULES
    from .rules import RULES

    for code in codes:
        if not any(c.startswith(code) for c in (*RULES, *BATCH_RULES)):
            raise _Fail(EXIT_BAD_INPUT, f"error: {option} {code!r}: names no rule (see spec/rules.md, spec/batch.md)")


class _Progress:
    """A progress bar on standard error (tqdm) when it is a terminal; nothing otherwise."""

    def __init__(self, err: Any, total: int | None, what: str) -> None:
        self._bar: Any = None
        isatty = getattr(err, "isatty", None)
        if callable(isatty) and isatty():
            import importlib

            tqdm = importlib.import_module("tqdm")  # imported only for a terminal
            self._bar = tqdm.tqdm(total=total, unit="B", unit_scale=True, desc=what, file=err, leave=False)

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _total_bytes(names: Sequence[str]) -> int | None:
    total = 0
    for name in names:
        if name == "-" or not os.path.isfile(name):
            return None
        total += os.path.getsize(name)
    return total


def _counted(records: Any, progress: _Progress) -> Any:
    for n, line in records:
        progress.update(len(line))
        yield n, line


def _executor(jobs: int) -> Any:
    if jobs <= 1:
        return contextlib.nullcontext(None)
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs)


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("expected 0 (one per CPU) or more")
    return n if n > 0 else (os.cpu_count() or 1)


class _Report:
    """Findings and unreadable records of validate / lint, written as text, JSON or SARIF."""

    def __init__(self, fmt: str, out: BinaryIO, lint: bool) -> None:
        self.fmt = fmt
        self.out = out
        self.lint = lint
        self.files = self.records = self.errors = self.warnings = self.unreadable = 0
        self._json: list[dict[str, Any]] = []
        self._bad: list[dict[str, Any]] = []
        self._sarif: SarifLog | None = None
        if fmt == "sarif":
            from .batch import BATCH_RULES
            from .rules import RULES
            from .sarif import SarifLog

            self._sarif = SarifLog({**RULES, **BATCH_RULES}, tool_version=__version__)

    def finding(self, file: str, line: int, record_id: str | None, f: Finding) -> None:
        if f.severity == "error":
            self.errors += 1
        else:
            self.warnings += 1
        if self.fmt == "text":
            self.out.write(f"{file}:{line}: {f.path}: {f.code} {f.message}\n".encode())
        elif self.fmt == "json":
            self._json.append(
                {
                    "file": file,
                    "line": line,
                    "custom_id": record_id,
                    "codec": f.codec,
                    "code": f.code,
                    "severity": f.severity,
                    "path": f.path,
                    "message": f.message,
                }
            )
        elif self._sarif is not None:
            self._sarif.add(file, line, f, record_id=record_id)

    def bad(self, file: str, line: int, record_id: str | None, path: str, message: str) -> None:
        self.unreadable += 1
        if self.fmt == "text":
            where = f"{file}:{line}" if line else file
            self.out.write(f"{where}: {path}: error: {message}\n".encode())
        elif self.fmt == "json":
            self._bad.append({"file": file, "line": line, "custom_id": record_id, "path": path, "message": message})
        elif self._sarif is not None:
            self._sarif.unreadable(file, line, path, message)

    def finish(self) -> int:
        if self.fmt == "text":
            self.out.write(self._summary().encode() + b"\n")
        elif self.fmt == "json":
            summary = {
                "files": self.files,
                "records": self.records,
                "errors": self.errors,
                "warnings": self.warnings,
                "unreadable": self.unreadable,
            }
            self.out.write(_dump({"findings": self._json, "unreadable": self._bad, "summary": summary}))
        elif self._sarif is not None:
            self.out.write(_dump(self._sarif.to_builtins()))
        self.out.flush()
        if self.unreadable:
            return EXIT_BAD_INPUT
        if self.errors or (self.lint and self.warnings):
            return EXIT_FINDINGS
        return 0

    def _summary(self) -> str:
        where = f"{_n(self.records, 'record')} in {_n(self.files, 'file')}"
        if not (self.errors or self.warnings or self.unreadable):
            return f"ok: {where}"
        parts = [_n(self.errors, "error"), _n(self.warnings, "warning")]
        if self.unreadable:
            parts.append(f"{self.unreadable} unreadable")
        return f"{', '.join(parts)} in {where}"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _gate(a: argparse.Namespace, inp: BinaryIO, out: BinaryIO, err: Any, *, lint: bool) -> int:
    from .batch import FileChecks, iter_records, map_lines, validate_line
    from .rules import load_config

    if a.codec is not None:
        get_codec(a.codec)  # an unknown name is a usage error before any input is read
    cfg = load_config(os.getcwd())
    select = _codes(a.select)
    ignore = _codes(a.ignore) or []
    _check_codes([*(select or []), *ignore], "--select/--ignore")
    if select is None:
        select = cfg.select
    ignore = [*cfg.ignore, *ignore]
    fn = functools.partial(
        validate_line,
        codec=a.codec,
        lint=lint,
        select=select,
        ignore=ignore,
        allow_unknown=a.allow_unknown or cfg.allow_unknown,
        api_version=a.api_version,
    )
    names = _inputs(a.files)
    report = _Report(a.format, out, lint)
    progress = _Progress(err, _total_bytes(names), "ir-codec " + ("lint" if lint else "validate"))
    try:
        with _executor(a.jobs) as executor:
            for name in names:
                report.files += 1
                checks = FileChecks(select=select, ignore=ignore)
                source: Any = inp if name == "-" else name
                try:
                    for r in map_lines(fn, _counted(iter_records(source), progress), jobs=a.jobs, executor=executor):
                        report.records += 1
                        if r.error is not None:
                            report.bad(name, r.line, r.id, r.error.path, r.error.message)
                        for f in r.findings:
                            report.finding(name, r.line, r.id, f)
                        for f in checks.see(r):
                            report.finding(name, r.line, r.id, f)
                except BrokenPipeError:
                    raise
                except OSError as exc:
                    report.bad(name, 0, None, "$", f"cannot read: {exc.strerror or exc}")
    finally:
        progress.close()
    return report.finish()


def _transpile_batch(a: argparse.Namespace, name: str, records: Any, out: BinaryIO, err: Any) -> int:
    from .batch import envelope_for, map_lines, transpile_line

    if envelope_for(a.write) is None:
        from .batch import ENVELOPES

        known = ", ".join(c for env in ENVELOPES for c in env.codecs)
        raise _Fail(EXIT_BAD_INPUT, f"error: --write {a.write}: no batch envelope for this codec (one of {known})")
    get_codec(a.write)
    if a.read is not None:
        get_codec(a.read)
    fn = functools.partial(
        transpile_line,
        read=a.read,
        write=a.write,
        read_options=_options(a.read_option),
        write_options=_options(a.write_option),
        model=a.model,
        strict=a.strict,
    )
    report = None
    if a.report:
        try:
            report = open(a.report, "wb")  # noqa: SIM115 -- closed below
        except OSError as exc:
            raise _Fail(EXIT_BAD_INPUT, f"error: {a.report}: cannot write: {exc.strerror}") from None
    written = lossy = failed = 0
    notes: dict[str, int] = {}
    progress = _Progress(err, _total_bytes([name]), "ir-codec transpile")
    try:
        with _executor(a.jobs) as executor:
            for r in map_lines(fn, _counted(records, progress), jobs=a.jobs, executor=executor):
                if r.output is not None:
                    out.write(r.output + b"\n")
                    written += 1
                    lossy += bool(r.losses)
                else:
                    failed += 1
                for note in r.notes:
                    notes[note] = notes.get(note, 0) + 1
                if report is not None:
                    report.write(msgspec.json.encode(_report_line(name, r)) + b"\n")
                else:
                    for w in r.losses:
                        print(f"{name}:{r.line}: warning: {w.codec}: {w.path}: {w.reason}", file=err)
                    if r.error is not None:
                        print(f"{name}:{r.line}: error: {r.error.path}: {r.error.message}", file=err)
    except BrokenPipeError:
        raise
    except OSError as exc:  # reading the input, or writing the output or the report
        where = exc.filename or name
        raise _Fail(EXIT_BAD_INPUT, f"error: {where}: {exc.strerror or exc}") from None
    finally:
        progress.close()
        if report is not None:
            report.close()
    out.flush()
    for note, count in notes.items():
        print(f"note: {note} ({_n(count, 'record')})", file=err)
    summary = f"{_n(written + failed, 'record')}: {written} written ({lossy} with losses), {failed} skipped"
    print(("error: " if failed else "") + summary, file=err)
    return EXIT_FINDINGS if failed else 0


def _report_line(name: str, r: LineResult) -> dict[str, Any]:
    status = "error" if r.error is not None else "lossy" if r.losses else "ok"
    return {
        "file": name,
        "line": r.line,
        "custom_id": r.id,
        "status": status,
        "losses": [{"codec": w.codec, "path": w.path, "kind": str(w.kind), "reason": w.reason} for w in r.losses],
        "notes": r.notes,
        "error": None if r.error is None else {"path": r.error.path, "message": r.error.message},
    }


def _read_response(codec: Any, data: bytes, stream: bool) -> Response:
    """The IR Response of a whole reply, or with ``stream`` of an event stream (SSE text, a JSON
    array of events or JSON lines: Bedrock ConverseStream events)."""
    if not stream:
        return codec.decode_response(data)  # type: ignore[no-any-return]
    from .codec import load_json
    from .stream import parse_sse

    dec = codec.stream_decoder()
    # Bytes throughout: text that is not UTF-8 is refused by load_json with its JSON path, and
    # lines end only at CR / LF (a U+2028 or U+0085 inside a JSON string is no line break).
    stripped = data.strip()
    if stripped[:1] in (b"[", b"{") and b"\ndata:" not in data and not data.startswith(b"data:"):
        # A JSON array of event objects, or JSON lines (Bedrock ConverseStream events).
        events = (
            load_json(stripped)
            if stripped[:1] == b"["
            else [load_json(line) for line in stripped.splitlines() if line.strip()]
        )
        if not isinstance(events, list):
            raise DecodeError("$", "an array of events", type(events).__name__)
        for ev in events:
            dec.feed(ev)
    else:
        for name, payload in parse_sse(data.splitlines()):
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
    sp = add("transpile", "wire JSON of one codec -> wire JSON of another; a batch file record by record")
    sp.add_argument("--read", metavar="CODEC", help="the input's codec (batch records: default from the envelope)")
    sp.add_argument("--write", required=True, metavar="CODEC")
    sp.add_argument("--read-option", action="append", metavar="KEY=VALUE")
    sp.add_argument("--write-option", action="append", metavar="KEY=VALUE")
    sp.add_argument(
        "--batch",
        action="store_true",
        help="FILE is a batch file (default: a .jsonl/.ndjson name, batch records, or several JSON lines)",
    )
    sp.add_argument("--model", help="batch: the model of records whose body has none (Bedrock records)")
    sp.add_argument("--report", metavar="FILE", help="batch: write one JSON line per record (status, losses, error)")
    sp.add_argument("--jobs", type=_jobs, default=1, metavar="N", help="batch: worker processes (0: one per CPU)")
    for name, what in (
        ("validate", "check wire bodies against the provider's rules (errors)"),
        ("lint", "check wire bodies against the provider's rules (errors and warnings)"),
    ):
        sp = sub.add_parser(name, help=what)
        sp.add_argument("files", nargs="*", metavar="FILE", help="JSON or JSON Lines files or globs (- or none: stdin)")
        sp.add_argument("--codec", help="the bodies' codec (default: from each batch record's envelope)")
        sp.add_argument("--select", action="append", metavar="CODES", help="only these rules (codes or prefixes)")
        sp.add_argument("--ignore", action="append", metavar="CODES", help="not these rules (codes or prefixes)")
        sp.add_argument(
            "--allow-unknown", action="store_true", help="accept fields and types the provider does not list"
        )
        sp.add_argument("--api-version", metavar="VERSION", help="the provider API version the rules assume")
        sp.add_argument("--format", choices=["text", "json", "sarif"], default="text")
        sp.add_argument("--jobs", type=_jobs, default=1, metavar="N", help="worker processes (0: one per CPU)")
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
