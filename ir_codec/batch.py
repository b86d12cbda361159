"""Batch files: many requests, one per line, checked and converted line by line.

A batch file is JSON Lines: each line is one wire request body, or a body in one of the
providers' batch envelopes (:data:`ENVELOPES`):

- OpenAI Batch: ``{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}``
  (``/v1/responses`` for OpenAI Responses bodies);
- Anthropic Message Batches: ``{"custom_id", "params"}``;
- Amazon Bedrock batch inference: ``{"recordId", "modelInput"}``; ``modelInput`` is an
  InvokeModel body (the default job type; for Claude, the Anthropic body with
  ``anthropic_version``) or a Converse body (jobs of type ``Converse``).

Everything here works on one line at a time and is a plain top-level function over bytes, so it
maps over a file in this process, in a :class:`~concurrent.futures.ProcessPoolExecutor`
(:func:`map_lines`) or on a cluster (``spec/batch.md``: Dask):

>>> r = validate_line(b'{"custom_id": "a", "params": {"model": "m", "max_tokens": 9,'
...                   b' "messages": [{"role": "user", "content": "hi"}]}}')
>>> (r.envelope, r.id, r.codec, r.findings, r.error)
('anthropic', 'a', 'anthropic', [], None)
>>> t = transpile_line(r'{"custom_id": "a", "params": {"model": "m", "max_tokens": 9,'
...                    r' "messages": [{"role": "user", "content": "hi"}]}}', None, "openai-chat")
>>> t.output
b'{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":9}}'

A line never raises: what cannot be read or converted is the line's ``error`` (a JSON path and
what went wrong); the rules the batch APIs apply to records and across records (``IRC5xx``,
:data:`BATCH_RULES`) are findings like the payload rules of :mod:`ir_codec.rules`. The library
never prints: the CLI (``ir-codec validate | lint | transpile``) writes what it is given.
"""

from __future__ import annotations

import collections
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import IO, Any, Protocol

import msgspec

from ._json import load_json
from .codec import Codec, get_codec
from .errors import DecodeError, InvalidRequestError, IRCodecError, LossKind, LossyEncode
from .limits import current_limits
from .rules import Finding, Rule, check_payload

__all__ = [
    "ANTHROPIC_BATCH",
    "BATCH_RULES",
    "BEDROCK_BATCH",
    "ENVELOPES",
    "OPENAI_BATCH",
    "OPENAI_URLS",
    "Envelope",
    "FileChecks",
    "LineError",
    "LineResult",
    "Readable",
    "envelope_for",
    "iter_lines",
    "iter_records",
    "looks_like_jsonl",
    "map_lines",
    "transpile_line",
    "validate_line",
]


# --------------------------------------------------------------------------------------------
# Envelopes, as data


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """One provider's batch record: where the id and the request body are, which fields a
    record may have, and the codecs whose bodies it carries."""

    name: str
    """``"openai"``, ``"anthropic"`` or ``"bedrock"``."""
    id_field: str
    body_field: str
    fields: frozenset[str]
    """Every top-level field a record may have (a record is recognized by these)."""
    id_required: bool
    id_pattern: str | None = None
    """A regular expression every id must match in full (``None``: any non-empty string)."""
    codecs: tuple[str, ...]
    """The codecs whose bodies this envelope carries; the first is the default."""
    model_in_body: bool = True
    """``False`` where the batch job names the model and the record's body carries none."""


OPENAI_BATCH = Envelope(
    # openai/types/batch_create_params.py (endpoint), the Batch guide's input file format.
    name="openai",
    id_field="custom_id",
    body_field="body",
    fields=frozenset({"custom_id", "method", "url", "body"}),
    id_required=True,
    codecs=("openai-chat", "openai-responses"),
)
ANTHROPIC_BATCH = Envelope(
    # anthropic/types/messages/batch_create_params.py (Request: custom_id, params); the API
    # reference: custom_id is 1 to 64 characters of letters, digits, "-" and "_".
    name="anthropic",
    id_field="custom_id",
    body_field="params",
    fields=frozenset({"custom_id", "params"}),
    id_required=True,
    id_pattern=r"[a-zA-Z0-9_-]{1,64}",
    codecs=("anthropic",),
)
BEDROCK_BATCH = Envelope(
    # Bedrock user guide, "Format and upload your batch inference data": recordId (optional:
    # Bedrock adds one to the output) and modelInput; output records add modelOutput or error.
    name="bedrock",
    id_field="recordId",
    body_field="modelInput",
    fields=frozenset({"recordId", "modelInput", "modelOutput", "error"}),
    id_required=False,
    codecs=("anthropic-bedrock", "bedrock-converse"),
    model_in_body=False,
)
ENVELOPES: tuple[Envelope, ...] = (OPENAI_BATCH, ANTHROPIC_BATCH, BEDROCK_BATCH)
"""The batch envelopes recognized on each line."""

OPENAI_URLS: Mapping[str, str] = {"/v1/chat/completions": "openai-chat", "/v1/responses": "openai-responses"}
"""OpenAI Batch ``url`` -> the codec of its bodies (the other batch endpoints take no chat request)."""
_URL_OF = {codec: url for url, codec in OPENAI_URLS.items()}


def envelope_for(codec: str) -> Envelope | None:
    """The batch envelope whose records carry bodies of ``codec`` (``None``: no batch form).

    >>> envelope_for("bedrock-converse").name
    'bedrock'
    """
    for env in ENVELOPES:
        if codec in env.codecs:
            return env
    return None


def _envelope_of(obj: Mapping[str, Any]) -> Envelope | None:
    for env in ENVELOPES:
        if env.body_field in obj and obj.keys() <= env.fields:
            return env
    return None


def _bedrock_codec(body: Mapping[str, Any]) -> str:
    # An Anthropic InvokeModel body on Bedrock always names anthropic_version (Bedrock requires
    # it); a Converse body never has it.
    return "anthropic-bedrock" if "anthropic_version" in body else "bedrock-converse"


# --------------------------------------------------------------------------------------------
# The rules of batch records

BATCH_RULES: Mapping[str, Rule] = {
    code: Rule(code, "error", summary, f"spec/batch.md#{code.lower()}")
    for code, summary in (
        ("IRC501", "a batch record without the id its batch API requires, or with an id it refuses"),
        ("IRC502", "two records of one batch file with the same id"),
        ("IRC503", "an OpenAI batch record whose method or url the batch API does not take for requests"),
        ("IRC504", "records of one OpenAI batch file for different urls or models"),
        ("IRC505", "a batch record that asks to stream"),
    )
}
"""The rules of batch envelopes, checked by :func:`validate_line` and :class:`FileChecks`."""


def _chosen(code: str, select: Sequence[str] | None, ignore: Sequence[str] | None) -> bool:
    if select is not None and not any(code.startswith(s.upper()) for s in select):
        return False
    return not (ignore and any(code.startswith(s.upper()) for s in ignore))


# --------------------------------------------------------------------------------------------
# Results


class LineError(msgspec.Struct, frozen=True):
    """A line that could not be read or converted: the JSON ``path`` into the line and what
    went wrong (``expected ..., found ...`` for unreadable JSON)."""

    path: str
    message: str


class LineResult(msgspec.Struct, frozen=True, kw_only=True):
    """What one line gave: its number (``0``: not known), the record's ``id`` and ``envelope``
    (``None`` for a bare body), the ``codec`` its body was read as, the body's ``model`` and the
    OpenAI record's ``url``; then the ``findings`` (validate, lint), or the ``output`` line and
    the ``losses`` (transpile; ``notes`` say what the conversion did beside the codec), or the
    ``error`` that stopped the line."""

    line: int = 0
    id: str | None = None
    envelope: str | None = None
    codec: str | None = None
    model: str | None = None
    url: str | None = None
    findings: list[Finding] = []
    error: LineError | None = None
    output: bytes | None = None
    losses: list[LossyEncode] = []
    notes: list[str] = []

    @property
    def ok(self) -> bool:
        """No error and no finding of severity ``error``."""
        return self.error is None and not any(f.severity == "error" for f in self.findings)


class _Record(msgspec.Struct, frozen=True, kw_only=True):
    envelope: Envelope | None
    id: str | None
    codec: str | None
    body: Any
    prefix: str  # the JSON path of the body in the line
    url: str | None


def _unpack(obj: Any, codec: str | None) -> _Record:
    """The body of a line, its envelope, id and codec (``codec`` given wins over the envelope's)."""
    if not isinstance(obj, Mapping):
        raise DecodeError("$", "a JSON object", type(obj).__name__)
    env = _envelope_of(obj)
    if env is None:
        return _Record(envelope=None, id=None, codec=codec, body=obj, prefix="$", url=None)
    body = obj[env.body_field]
    rid = obj.get(env.id_field)
    url = obj.get("url") if env is OPENAI_BATCH else None
    if codec is None:
        if env is OPENAI_BATCH:
            codec = OPENAI_URLS.get(url) if isinstance(url, str) else None
        elif env is BEDROCK_BATCH:
            codec = _bedrock_codec(body) if isinstance(body, Mapping) else env.codecs[0]
        else:
            codec = env.codecs[0]
    return _Record(
        envelope=env,
        id=rid if isinstance(rid, str) else None,
        codec=codec,
        body=body,
        prefix=f"$.{env.body_field}",
        url=url if isinstance(url, str) else None,
    )


def _within(prefix: str, path: str) -> str:
    """A JSON path of the body (``$.messages[0]``) as a path of the line (``$.params.messages[0]``)."""
    if prefix == "$":
        return path
    return prefix + path[1:] if path.startswith("$") else f"{prefix}.{path}"


def _model(body: Any) -> str | None:
    m = body.get("model") if isinstance(body, Mapping) else None
    return m if isinstance(m, str) else None


def _error_of(exc: BaseException, prefix: str) -> LineError:
    """The line's error for ``exc``; ``prefix`` is the JSON path of the body in the line."""
    if isinstance(exc, DecodeError):  # raised here with paths into the line
        found = f", found {exc.found}" if exc.found is not None else ""
        return LineError(exc.path, f"expected {exc.expected}{found}")
    if isinstance(exc, InvalidRequestError):  # the encoder's check of the IR: an IR path
        found = f", found {exc.found}" if exc.found is not None else ""
        return LineError(exc.path or "request", f"expected {exc.expected}{found}")
    if isinstance(exc, IRCodecError):
        return LineError(prefix, str(exc))
    if isinstance(exc, UnicodeError):
        return LineError("$", f"expected UTF-8 text, found {getattr(exc, 'reason', exc)}")
    if isinstance(exc, RecursionError):
        return LineError(prefix, "expected input nested less deeply, found more than the stack allows")
    if isinstance(exc, MemoryError):
        return LineError(prefix, "expected input that fits in memory, found more")
    # A bug, not bad input; the line is reported and the others go on.
    return LineError(prefix, f"internal error ({type(exc).__name__}: {exc}); please report it")


def _envelope_findings(obj: Mapping[str, Any], rec: _Record, codec: str) -> list[Finding]:
    env = rec.envelope
    if env is None:
        return []
    out: list[Finding] = []
    rid = obj.get(env.id_field)
    if rid is None:
        if env.id_required:
            out.append(Finding("IRC501", f"a {env.name} batch record needs {env.id_field}", "$", "error", codec))
    elif not isinstance(rid, str) or not rid:
        out.append(Finding("IRC501", f"{env.id_field} must be a non-empty string", f"$.{env.id_field}", "error", codec))
    elif env.id_pattern is not None and re.fullmatch(env.id_pattern, rid) is None:
        out.append(
            Finding(
                "IRC501",
                f"{env.id_field} {rid!r} does not match {env.id_pattern} (the {env.name} batch API refuses it)",
                f"$.{env.id_field}",
                "error",
                codec,
            )
        )
    if env is OPENAI_BATCH:
        method = obj.get("method")
        if method != "POST":
            out.append(Finding("IRC503", f"method must be 'POST', not {method!r}", "$.method", "error", codec))
        if rec.url not in OPENAI_URLS:
            urls = ", ".join(repr(u) for u in OPENAI_URLS)
            out.append(Finding("IRC503", f"url must be one of {urls}, not {obj.get('url')!r}", "$.url", "error", codec))
    body = rec.body
    if isinstance(body, Mapping) and body.get("stream") is True:
        path = _within(rec.prefix, "$.stream")
        out.append(Finding("IRC505", "a batch record cannot stream; drop stream", path, "error", codec))
    return out


# --------------------------------------------------------------------------------------------
# One line


def validate_line(
    line: bytes | str,
    codec: str | None = None,
    *,
    lint: bool = False,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    allow_unknown: bool = False,
    api_version: str | None = None,
    line_no: int = 0,
) -> LineResult:
    """Check one line (a wire body, or a batch record around one) with the rules of
    :func:`ir_codec.rules.check_payload` and :data:`BATCH_RULES`.

    ``codec`` names the body's codec; ``None`` infers it from the envelope (an OpenAI record's
    ``url``, Anthropic's ``params``, Bedrock's ``modelInput``: ``anthropic-bedrock`` when it has
    ``anthropic_version``, else ``bedrock-converse``). Finding paths are paths into the line
    (``$.params.messages[0]``). Never raises: an unreadable line is the result's ``error``.
    """
    rec: _Record | None = None
    try:
        obj = load_json(line)
        rec = _unpack(obj, codec)
        if rec.codec is None:
            if rec.envelope is None:
                raise IRCodecError("a bare request body: name its codec (--codec)")
            raise DecodeError("$.url", f"one of {', '.join(OPENAI_URLS)} (or name the codec)", repr(rec.url))
        findings = _envelope_findings(obj, rec, rec.codec)
        if not isinstance(rec.body, Mapping):
            raise DecodeError(rec.prefix, "a JSON object", type(rec.body).__name__)
        for f in check_payload(
            rec.body,
            rec.codec,
            lint=lint,
            select=select,
            ignore=ignore,
            allow_unknown=allow_unknown,
            api_version=api_version,
        ):
            findings.append(msgspec.structs.replace(f, path=_within(rec.prefix, f.path)) if rec.prefix != "$" else f)
        findings = [f for f in findings if not f.code.startswith("IRC5") or _chosen(f.code, select, ignore)]
        return LineResult(
            line=line_no,
            id=rec.id,
            envelope=rec.envelope.name if rec.envelope else None,
            codec=rec.codec,
            model=_model(rec.body),
            url=rec.url,
            findings=findings,
        )
    except Exception as exc:  # noqa: BLE001 -- every failure is the line's result, never the run's
        return _failed(line_no, rec, exc)


def _failed(line_no: int, rec: _Record | None, exc: BaseException) -> LineResult:
    return LineResult(
        line=line_no,
        id=rec.id if rec else None,
        envelope=rec.envelope.name if rec and rec.envelope else None,
        codec=rec.codec if rec else None,
        url=rec.url if rec else None,
        error=_error_of(exc, rec.prefix if rec else "$"),
    )


@functools.lru_cache(maxsize=64)
def _codec(name: str, options: bytes) -> Codec:
    return get_codec(name, **msgspec.json.decode(options))


def _opts(options: Mapping[str, Any] | None) -> bytes:
    return msgspec.json.encode(dict(sorted((options or {}).items())))


def transpile_line(
    line: bytes | str,
    read: str | None,
    write: str,
    *,
    read_options: Mapping[str, Any] | None = None,
    write_options: Mapping[str, Any] | None = None,
    model: str | None = None,
    strict: bool = False,
    line_no: int = 0,
) -> LineResult:
    """Convert one line to ``write``'s batch record (:func:`envelope_for`), keeping the id
    (``custom_id`` <-> ``recordId``).

    ``read`` names the body's codec (``None``: from the envelope, as :func:`validate_line`).
    ``model`` fills the model of a body that has none (Bedrock records: the job names it).
    A record without an id gets ``line-<line_no>`` where the target needs one (a note says so);
    a request that streams is written without ``stream`` (a loss). ``strict`` makes any loss
    the line's error. The output is one line of compact JSON without the newline. Never raises.
    """
    rec: _Record | None = None
    try:
        env = envelope_for(write)
        if env is None:
            raise IRCodecError(f"codec {write!r} has no batch envelope (write one of {_writable()})")
        obj = load_json(line)
        rec = _unpack(obj, read)
        if rec.codec is None:
            if rec.envelope is None:
                raise IRCodecError("a bare request body: name its codec (--read)")
            raise DecodeError("$.url", f"one of {', '.join(OPENAI_URLS)} (or name the codec)", repr(rec.url))
        if not isinstance(rec.body, Mapping):
            raise DecodeError(rec.prefix, "a JSON object", type(rec.body).__name__)
        reader = _codec(rec.codec, _opts(read_options))
        try:
            request = reader.decode(rec.body)
        except DecodeError as exc:
            raise DecodeError(_within(rec.prefix, exc.path), exc.expected, exc.found) from None
        notes: list[str] = []
        losses: list[LossyEncode] = []
        changes: dict[str, Any] = {}
        if request.stream:
            changes["stream"] = None
            reason = "a batch record cannot stream; sent without stream"
            losses.append(LossyEncode(codec=write, path="stream", reason=reason, kind=LossKind.DROPPED))
        if model is not None and request.model is None:
            changes["model"] = model
        elif request.model is None and env.model_in_body:
            where = f"a {rec.envelope.name} record" if rec.envelope else "the body"
            expected = f"a model for the {env.name} batch record ({where} carries none: the job names it; "
            raise DecodeError(rec.prefix, expected + "give one with --model)", "no model")
        if changes:
            request = msgspec.structs.replace(request, **changes)
        e = _codec(write, _opts(write_options))._encode_request(request, types=not reader.DECODES_NORMAL_FORM)
        losses.extend(e.warnings)
        if strict and losses:
            raise IRCodecError("; ".join(str(w) for w in losses) + " (--strict)")
        rid = rec.id
        if rid is None and env.id_required:
            rid = f"line-{line_no}"
            notes.append(f"{env.id_field} {rid!r} derived from the line number (the record had no id)")
        elif rid is not None and env.id_pattern is not None and re.fullmatch(env.id_pattern, rid) is None:
            raise DecodeError(
                f"$.{rec.envelope.id_field if rec.envelope else 'id'}",
                f"an id the {env.name} batch API takes ({env.id_pattern})",
                repr(rid),
            )
        if not env.model_in_body and request.model is not None:
            notes.append(f"model {request.model!r} is not in a {env.name} record: the batch job names it")
        record: dict[str, Any] = {}
        if rid is not None:
            record[env.id_field] = rid
        if env is OPENAI_BATCH:
            record["method"] = "POST"
            record["url"] = _URL_OF[write]
        record[env.body_field] = e.body
        return LineResult(
            line=line_no,
            id=rid,
            envelope=rec.envelope.name if rec.envelope else None,
            codec=rec.codec,
            model=request.model,
            url=rec.url,
            output=msgspec.json.encode(record),
            losses=losses,
            notes=notes,
        )
    except Exception as exc:  # noqa: BLE001 -- every failure is the line's result, never the run's
        return _failed(line_no, rec, exc)


def _writable() -> str:
    return ", ".join(c for env in ENVELOPES for c in env.codecs)


# --------------------------------------------------------------------------------------------
# Across the records of one file


class FileChecks:
    """The batch rules across the records of one file, fed each :class:`LineResult` in order:
    ``IRC502`` (an id seen before) and ``IRC504`` (an OpenAI record whose url or model differs
    from the first record's). Keeps one entry per distinct id (memory grows with the ids, not
    with the bodies)."""

    def __init__(self, *, select: Sequence[str] | None = None, ignore: Sequence[str] | None = None) -> None:
        self._seen: dict[str, int] = {}  # id -> its first line (a file holds one provider's records)
        self._first: LineResult | None = None
        self._dup = _chosen("IRC502", select, ignore)
        self._one = _chosen("IRC504", select, ignore)

    def see(self, r: LineResult) -> list[Finding]:
        """The findings across records for ``r`` (about ``r``, pointing back at earlier lines)."""
        out: list[Finding] = []
        codec = r.codec or ""
        if r.envelope is None:
            return out
        env = next(e for e in ENVELOPES if e.name == r.envelope)
        if r.id is not None and self._dup:
            first = self._seen.setdefault(r.id, r.line)
            if first != r.line:
                msg = f"{env.id_field} {r.id!r} is also the id of line {first}; ids must be unique in a batch"
                out.append(Finding("IRC502", msg, f"$.{env.id_field}", "error", codec))
        if env is OPENAI_BATCH and r.error is None and self._one:
            if self._first is None:
                self._first = r
            else:
                f0 = self._first
                if r.url != f0.url:
                    msg = f"url {r.url!r} differs from line {f0.line}'s {f0.url!r}; an OpenAI batch has one endpoint"
                    out.append(Finding("IRC504", msg, "$.url", "error", codec))
                if r.model != f0.model and r.model is not None and f0.model is not None:
                    msg = f"model {r.model!r} differs from line {f0.line}'s {f0.model!r}; an input file takes one model"
                    out.append(Finding("IRC504", msg, "$.body.model", "error", codec))
        return out


# --------------------------------------------------------------------------------------------
# Reading files

JSONL_SUFFIXES = (".jsonl", ".ndjson")
_BOM = b"\xef\xbb\xbf"


def _line_limit() -> int:
    return current_limits().max_bytes + 1


class Readable(Protocol):
    """What :func:`iter_lines` reads: a binary stream's ``readline``."""

    def readline(self, size: int = -1, /) -> bytes: ...


def iter_lines(stream: Readable, *, first_line: int = 1) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` for every non-blank line of a binary stream, read one line at a
    time (memory: one line). A line longer than the JSON size limit
    (:func:`~ir_codec.limits.current_limits`) is cut one byte past it, so that reading it
    reports the limit, and the rest of it is skipped."""
    limit = _line_limit()
    n = first_line - 1
    while True:
        line = stream.readline(limit)
        if not line:
            return
        n += 1
        if len(line) == limit and not line.endswith(b"\n"):
            while True:  # skip the rest of the over-long line without keeping it
                rest = stream.readline(limit)
                if not rest or rest.endswith(b"\n"):
                    break
        if line.strip():
            yield n, line


def looks_like_jsonl(head: Sequence[bytes]) -> bool:
    """Whether a file that begins with the lines ``head`` is JSON Lines: one of its first two
    non-blank lines is a whole object at column 0 (``{...}``). A pretty-printed JSON document
    opens with a lone ``{`` and indents what is inside."""
    seen = 0
    for raw in head:
        stripped = raw.strip()
        if not stripped:
            continue
        if raw.startswith(b"{") and stripped.endswith(b"}"):
            return True
        seen += 1
        if seen == 2:
            break
    return False


def iter_records(
    source: str | os.PathLike[str] | IO[bytes], *, jsonl: bool | None = None
) -> Iterator[tuple[int, bytes]]:
    """``(line number, payload bytes)`` for each payload of a file (a path) or binary stream.

    JSON Lines (``jsonl=True``; by default, a ``.jsonl`` / ``.ndjson`` name or
    :func:`looks_like_jsonl` content) give one payload per non-blank line, streamed; any other
    file is one JSON document (line 1). Raises :class:`OSError` for a file that cannot be read.
    """
    if isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        if jsonl is None and name.lower().endswith(JSONL_SUFFIXES):
            jsonl = True
        with open(name, "rb") as f:
            yield from _records(f, jsonl)
    else:
        yield from _records(source, jsonl)


def _records(stream: IO[bytes], jsonl: bool | None) -> Iterator[tuple[int, bytes]]:
    limit = _line_limit()
    head: list[bytes] = []
    if jsonl is not False:
        # Peek at the first two non-blank lines (kept, so that stdin needs no seek).
        while len([h for h in head if h.strip()]) < 2:
            line = stream.readline(limit)
            if not line:
                break
            head.append(line)
            if len(line) == limit and not line.endswith(b"\n"):
                break
        if head and head[0].startswith(_BOM):  # RFC 8259 section 8.1: a parser may ignore it
            head[0] = head[0][len(_BOM) :]
        if jsonl is None:
            jsonl = looks_like_jsonl(head)
    if jsonl:
        n = 0
        for n, line in enumerate(head, 1):
            if len(line) == limit and not line.endswith(b"\n"):
                yield n, line
                yield from iter_lines(_Skip(stream, limit), first_line=n + 1)
                return
            if line.strip():
                yield n, line
        yield from iter_lines(stream, first_line=n + 1)
        return
    data = b"".join(head) + stream.read(limit - sum(map(len, head)))
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    first = next((i for i, h in enumerate(head, 1) if h.strip()), 1)
    yield first, data


class _Skip:
    """A stream whose first readline skips the rest of an over-long line already cut."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._s = stream
        self._limit = limit
        self._skipping = True

    def readline(self, size: int = -1) -> bytes:
        while self._skipping:
            rest = self._s.readline(self._limit)
            if not rest or rest.endswith(b"\n"):
                self._skipping = False
                if not rest:
                    return b""
        return self._s.readline(size)


# --------------------------------------------------------------------------------------------
# Many lines, in order, in parallel


def _run_chunk(fn: Callable[..., LineResult], chunk: list[tuple[int, bytes]]) -> list[LineResult]:
    return [fn(line, line_no=n) for n, line in chunk]


def _chunks(lines: Iterable[tuple[int, bytes]], size: int, max_bytes: int) -> Iterator[list[tuple[int, bytes]]]:
    chunk: list[tuple[int, bytes]] = []
    nbytes = 0
    for item in lines:
        chunk.append(item)
        nbytes += len(item[1])
        if len(chunk) >= size or nbytes >= max_bytes:
            yield chunk
            chunk, nbytes = [], 0
    if chunk:
        yield chunk


def map_lines(
    fn: Callable[..., LineResult],
    lines: Iterable[tuple[int, bytes]],
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    chunk_size: int = 256,
    chunk_bytes: int = 4 * 1024 * 1024,
) -> Iterator[LineResult]:
    """``fn(line, line_no=n)`` for each ``(n, line)``, results in input order.

    ``fn`` is :func:`validate_line` or :func:`transpile_line` with its options bound
    (``functools.partial``: it must pickle). ``jobs > 1`` (or an ``executor``) runs chunks of
    ``chunk_size`` lines (at most ``chunk_bytes``) in worker processes, at most two chunks per
    worker in flight, so memory stays bounded whatever the file's size.

    >>> import functools
    >>> [r.codec for r in map_lines(functools.partial(validate_line, codec="anthropic"),
    ...                             [(1, b'{"model": "m", "max_tokens": 1, "messages": []}')])]
    ['anthropic']
    """
    if executor is None and jobs <= 1:
        for n, line in lines:
            yield fn(line, line_no=n)
        return
    own = executor is None
    pool: Executor = executor if executor is not None else ProcessPoolExecutor(max_workers=jobs)
    workers = jobs if jobs > 1 else (os.cpu_count() or 1)
    try:
        pending: collections.deque[Future[list[LineResult]]] = collections.deque()
        for chunk in _chunks(lines, chunk_size, chunk_bytes):
            pending.append(pool.submit(_run_chunk, fn, chunk))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
