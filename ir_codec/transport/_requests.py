"""From an IR request, an :class:`~ir_codec.Encoded` or a wire body to the exact HTTP request.

One :class:`Builder` per client holds what does not change between calls (the codec, the base
URL, the credentials, extra headers); :meth:`Builder.prepare` turns a request into a
:class:`Prepared` call (method, URL, headers, body bytes) and :meth:`Builder.http_request`
adds the authentication and returns the ``httpx.Request``, signing anew on every attempt (a
SigV4 signature carries the time).

Wire facts, per codec, each from the installed official SDK (PROVIDERS.md section 0)::

    codec                  credentials (argument, then env)          base URL (argument, env, default)
    anthropic              ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN    ANTHROPIC_BASE_URL
    anthropic-bedrock      AWS_BEARER_TOKEN_BEDROCK, else SigV4       ANTHROPIC_BEDROCK_BASE_URL
    anthropic-vertex       an OAuth access token (argument only)      ANTHROPIC_VERTEX_BASE_URL
    bedrock-converse       AWS_BEARER_TOKEN_BEDROCK, else SigV4       AWS_ENDPOINT_URL_BEDROCK_RUNTIME
    openai-chat/responses  OPENAI_API_KEY                             OPENAI_BASE_URL
    openrouter             OPENROUTER_API_KEY                         (none)
    gemini                 GOOGLE_API_KEY, GEMINI_API_KEY             GOOGLE_GEMINI_BASE_URL

Sources: anthropic ``_client.py`` (``static_credential_from_env``, ``_api_key_auth`` sends the key
as ``Authorization: Bearer``, ``default_headers`` sends ``anthropic-version``), SDK 1.x sent the
key as ``x-api-key`` with ``anthropic-version: 2023-06-01`` (PROVIDERS.md section 2), so the
header follows the codec's ``api_version``; anthropic ``lib/bedrock/_client.py``
(``AWS_BEARER_TOKEN_BEDROCK``, ``AWS_REGION``/``AWS_DEFAULT_REGION``, beta header values moved into
the body as ``anthropic_beta``, SigV4 with service ``bedrock``); anthropic
``lib/vertex/_client.py`` (``CLOUD_ML_REGION``, ``ANTHROPIC_VERTEX_PROJECT_ID``, the base URL per
region: ``global``, ``us``, ``eu`` and ``{region}-aiplatform``); botocore ``utils.py``
(``get_token_from_environment``: ``AWS_BEARER_TOKEN_`` + signing name) and the bedrock-runtime
service model (``Accept`` for InvokeModel, ``X-Amzn-Bedrock-Accept`` for the stream); openai
``_client.py`` (``OPENAI_ORG_ID`` / ``OPENAI_PROJECT_ID`` as ``OpenAI-Organization`` /
``OpenAI-Project``), ``lib/_client_auth.py`` (``OPENAI_BASE_URL``); openrouter
``utils/security.py`` (``OPENROUTER_API_KEY``, bearer); google-genai ``_api_client.py``
(``get_env_api_key``: ``GOOGLE_API_KEY`` before ``GEMINI_API_KEY``; the ``x-goog-api-key``
header) and ``_base_url.py`` (``GOOGLE_GEMINI_BASE_URL``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import httpx
import msgspec

from .. import _log
from .._api import report_lossy
from ..codec import Codec, Encoded
from ..errors import ConfigurationError, CredentialsError, InvalidCacheConfigError, LossyEncode, OnLossy
from ..ir import Request
from ._secrets import Secret, install_botocore_log_filter

if TYPE_CHECKING:
    from botocore.credentials import Credentials as BotoCredentials

__all__ = ["AwsCredentials", "Builder", "Prepared", "anthropic_betas", "check_cached_content"]

Family = Literal["anthropic", "openai", "gemini", "bedrock", "vertex", "generic"]
StreamFormat = Literal["sse", "aws-converse", "aws-invoke"]


@dataclass(frozen=True)
class _Spec:
    family: Family
    key_env: tuple[str, ...]
    base_env: tuple[str, ...]
    stream_format: StreamFormat = "sse"


_SPECS: dict[str, _Spec] = {
    "anthropic": _Spec("anthropic", ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"), ("ANTHROPIC_BASE_URL",)),
    "anthropic-bedrock": _Spec("bedrock", ("AWS_BEARER_TOKEN_BEDROCK",), ("ANTHROPIC_BEDROCK_BASE_URL",), "aws-invoke"),
    "anthropic-vertex": _Spec("vertex", (), ("ANTHROPIC_VERTEX_BASE_URL",)),
    "bedrock-converse": _Spec(
        "bedrock", ("AWS_BEARER_TOKEN_BEDROCK",), ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME",), "aws-converse"
    ),
    "openai-chat": _Spec("openai", ("OPENAI_API_KEY",), ("OPENAI_BASE_URL",)),
    "openai-responses": _Spec("openai", ("OPENAI_API_KEY",), ("OPENAI_BASE_URL",)),
    "openrouter": _Spec("openai", ("OPENROUTER_API_KEY",), ()),
    "gemini": _Spec("gemini", ("GOOGLE_API_KEY", "GEMINI_API_KEY"), ("GOOGLE_GEMINI_BASE_URL",)),
}
_GENERIC = _Spec("generic", (), ())
"""A codec registered by a third party: bearer auth with the ``api_key`` argument, SSE streams."""

_ANTHROPIC_BODY = frozenset({"anthropic", "anthropic-bedrock", "anthropic-vertex"})
_CHAT_USAGE = frozenset({"openai-chat", "openrouter"})

# Body fields of the Messages API that need a beta header, as the anthropic SDK 2.12.0 states
# them: `thread` (lib/threads/_thread_state.py MESSAGE_THREADS_BETA), `fallbacks`
# (types/beta/beta_fallback_param.py), `fallback_credit_token`
# (types/beta/beta_fallback_credit_token_param.py; lib/middleware/_fallbacks.py sends it by
# default), `compaction` (lib/tools/_beta_runner.py). Other beta features (mcp_servers,
# context_management, ...) name no header in the SDK: pass `betas=[...]`.
BETA_FIELDS: dict[str, str] = {
    "thread": "message-threads-2026-08-12",
    "fallbacks": "server-side-fallback-2026-07-01",
    "fallback_credit_token": "fallback-credit-2026-07-01",
    "compaction": "compact-2026-09-04",
}

# The Vertex base URL per region (anthropic lib/vertex/_client.py).
_VERTEX_HOSTS = {
    "global": "https://aiplatform.googleapis.com/v1",
    "us": "https://aiplatform.us.rep.googleapis.com/v1",
    "eu": "https://aiplatform.eu.rep.googleapis.com/v1",
}


def spec_of(codec: Codec) -> _Spec:
    return _SPECS.get(codec.NAME, _GENERIC)


@dataclass(frozen=True, repr=False)
class AwsCredentials:
    """AWS credentials for SigV4 signing; without them the transport asks botocore's default
    chain (environment, shared files, SSO, instance metadata). The repr shows nothing of them."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def __repr__(self) -> str:
        return "AwsCredentials(***)"


@dataclass
class Prepared:
    """A call ready to authenticate: everything but the credentials."""

    codec: str
    method: str
    url: str
    headers: dict[str, str]
    content: bytes | None
    model: str | None = None
    stream: bool = False
    operation: str = "generate"
    warnings: list[LossyEncode] = field(default_factory=list)


def check_cached_content(codec: str, request: Request | None, body: Mapping[str, Any] | None) -> None:
    """Gemini refuses ``systemInstruction``, ``tools`` and ``toolConfig`` beside
    ``cachedContent`` (400 "Tool config, tools and system instruction should not be set in the
    request when using cached content"; PROVIDERS.md 7b): refuse before sending."""
    if codec != "gemini":
        return
    if request is not None:
        opts = request.provider_options.get("gemini", {})
        name = opts.get("cachedContent", opts.get("cached_content"))
        if name is not None:
            clash = [
                f
                for f, v in (("system", request.system), ("tools", request.tools), ("tool_choice", request.tool_choice))
                if v
            ]
            if clash:
                raise InvalidCacheConfigError(
                    f"gemini: the request uses cachedContent {name!r} and also sets {', '.join(clash)}; Gemini refuses "
                    "a system instruction, tools or a tool config beside cachedContent (they belong in the cache)"
                )
    if body is not None:
        name = body.get("cachedContent", body.get("cached_content"))
        if name is not None:
            keys = ("systemInstruction", "system_instruction", "tools", "toolConfig", "tool_config")
            clash = [k for k in keys if body.get(k)]
            if clash:
                raise InvalidCacheConfigError(
                    f"gemini: the body uses cachedContent {name!r} and also sets {', '.join(clash)}; Gemini refuses "
                    "a system instruction, tools or a tool config beside cachedContent (they belong in the cache)"
                )


def anthropic_betas(body: Mapping[str, Any], extra: Sequence[str] = ()) -> list[str]:
    """The beta header values ``body`` needs (:data:`BETA_FIELDS`) after ``extra``, each once."""
    out: list[str] = []
    for b in [*extra, *(v for k, v in BETA_FIELDS.items() if body.get(k) is not None)]:
        if b not in out:
            out.append(b)
    return out


class _Auth:
    """Adds the credentials to a request; :meth:`secrets` are the strings to keep out of any text."""

    def secrets(self) -> tuple[str, ...]:
        return ()

    def headers(self, method: str, url: str, headers: Mapping[str, str], content: bytes | None) -> dict[str, str]:
        return {}


class _HeaderAuth(_Auth):
    def __init__(self, name: str, secret: Secret, prefix: str = "") -> None:
        self._name = name
        self._secret = secret
        self._prefix = prefix

    def secrets(self) -> tuple[str, ...]:
        return (self._secret.reveal(),)

    def headers(self, method: str, url: str, headers: Mapping[str, str], content: bytes | None) -> dict[str, str]:
        return {self._name: self._prefix + self._secret.reveal()}

    def __repr__(self) -> str:
        return f"<auth {self._name}>"


class _SigV4(_Auth):
    """AWS Signature Version 4 through botocore (``auth.SigV4Auth``, signing name ``bedrock``
    from the bedrock-runtime service model)."""

    def __init__(self, credentials: BotoCredentials, region: str) -> None:
        self._credentials = credentials
        self._region = region
        self._signatures: list[str] = []
        install_botocore_log_filter()

    def secrets(self) -> tuple[str, ...]:
        frozen = self._credentials.get_frozen_credentials()
        return tuple(s for s in (frozen.secret_key, frozen.token, *self._signatures) if s)

    def headers(self, method: str, url: str, headers: Mapping[str, str], content: bytes | None) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        req = AWSRequest(method=method, url=url, data=content or b"", headers=dict(headers))
        SigV4Auth(self._credentials, "bedrock", self._region).add_auth(req)
        before = {k.lower() for k in headers}
        added = {k: v for k, v in req.headers.items() if k.lower() not in before}
        signature = str(added.get("Authorization", "")).rpartition("Signature=")[2]
        if signature:
            self._signatures = [*self._signatures[-7:], signature]
        return added

    def __repr__(self) -> str:
        return "<auth sigv4>"


def _env(names: Sequence[str]) -> tuple[str, str] | None:
    for n in names:
        value = os.environ.get(n)
        if value:
            return n, value
    return None


def _import_botocore(codec: str) -> None:
    try:
        import botocore.auth  # noqa: F401
    except ImportError:
        raise CredentialsError(
            f"{codec}: signing with AWS SigV4 needs botocore: install the aws extra (pip install 'ir-codec[aws]'), "
            "or use a Bedrock API key (api_key=... or AWS_BEARER_TOKEN_BEDROCK)"
        ) from None


def _aws_region(codec: str, region: str | None) -> str:
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        try:
            import botocore.session

            region = botocore.session.get_session().get_config_variable("region")
        except ImportError:
            region = None
    if not region:
        raise ConfigurationError(f"{codec}: no AWS region: pass region=... or set AWS_REGION")
    return str(region)


def _sigv4(codec: str, region: str | None, credentials: AwsCredentials | None) -> _SigV4:
    _import_botocore(codec)
    import botocore.credentials
    import botocore.session

    if credentials is not None:
        creds: BotoCredentials | None = botocore.credentials.Credentials(
            credentials.access_key_id, credentials.secret_access_key, credentials.session_token
        )
    else:
        creds = botocore.session.get_session().get_credentials()
    if creds is None:
        raise CredentialsError(
            f"{codec}: no AWS credentials: pass aws_credentials=..., configure botocore's default chain, "
            "or use a Bedrock API key (api_key=... or AWS_BEARER_TOKEN_BEDROCK)"
        )
    return _SigV4(creds, _aws_region(codec, region))


class Builder:
    """Everything about a client's calls that does not change from call to call."""

    def __init__(
        self,
        codec: Codec,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        region: str | None = None,
        project: str | None = None,
        aws_credentials: AwsCredentials | None = None,
        headers: Mapping[str, str] | None = None,
        betas: Sequence[str] = (),
        on_lossy: OnLossy = "warn",
        stream_usage: bool = True,
    ) -> None:
        self.codec = codec
        self.spec = spec_of(codec)
        self.on_lossy = on_lossy
        self.betas = tuple(betas)
        self.stream_usage = stream_usage
        self.extra_headers = {k.lower(): v for k, v in (headers or {}).items()}
        self.region = region
        self.project = project
        self.auth = self._auth(api_key, region, aws_credentials)
        self.base_url = self._base_url(base_url)

    # ------------------------------------------------------------------ set-up

    def _auth(self, api_key: str | None, region: str | None, aws: AwsCredentials | None) -> _Auth:
        name, family = self.codec.NAME, self.spec.family
        source: str | None = "argument" if api_key else None
        if not api_key:
            found = _env(self.spec.key_env)
            if found is not None:
                source, api_key = found
        if family == "bedrock":
            if api_key:  # a Bedrock API key (botocore utils.get_token_from_environment)
                return _HeaderAuth("authorization", Secret(api_key), "Bearer ")
            return _sigv4(name, region, aws)
        if not api_key:
            where = " or ".join(self.spec.key_env) if self.spec.key_env else "no environment variable"
            what = "an access token (gcloud auth print-access-token)" if family == "vertex" else "an API key"
            raise CredentialsError(f"{name}: no credentials: pass api_key=... ({what}); checked {where}")
        secret = Secret(api_key)
        if family == "anthropic":
            version = getattr(self.codec, "api_version", "2026-10-21")
            if source == "ANTHROPIC_AUTH_TOKEN" or version != "2023-06-01":
                return _HeaderAuth("authorization", secret, "Bearer ")
            return _HeaderAuth("x-api-key", secret)
        if family == "gemini":
            return _HeaderAuth("x-goog-api-key", secret)
        return _HeaderAuth("authorization", secret, "Bearer ")

    def _base_url(self, base_url: str | None) -> str:
        name, family = self.codec.NAME, self.spec.family
        if base_url is None:
            found = _env(self.spec.base_env)
            base_url = found[1] if found else None
        if base_url is None:
            if family == "vertex":
                region = self._vertex_region()
                base_url = _VERTEX_HOSTS.get(region, f"https://{region}-aiplatform.googleapis.com/v1")
            else:
                base_url = self.codec.DEFAULT_BASE_URL
        if not base_url:
            raise ConfigurationError(f"{name}: no base URL: pass base_url=...")
        if family == "vertex" and "/projects/" not in base_url:
            base_url = base_url.rstrip("/") + "/projects/{project}/locations/{region}"
        if "{region}" in base_url:
            region = self._vertex_region() if family == "vertex" else _aws_region(name, self.region)
            base_url = base_url.replace("{region}", region)
        if "{project}" in base_url:
            project = self.project or os.environ.get("ANTHROPIC_VERTEX_PROJECT_ID")
            if not project:
                raise ConfigurationError(
                    f"{name}: no Google Cloud project: pass project=... or set ANTHROPIC_VERTEX_PROJECT_ID"
                )
            base_url = base_url.replace("{project}", project)
        return base_url.rstrip("/")

    def _vertex_region(self) -> str:
        region = self.region or os.environ.get("CLOUD_ML_REGION")
        if not region:
            raise ConfigurationError(f"{self.codec.NAME}: no region: pass region=... or set CLOUD_ML_REGION")
        return region

    def secrets(self) -> tuple[str, ...]:
        return self.auth.secrets()

    # ------------------------------------------------------------------ calls

    def _report(self, warnings: list[LossyEncode]) -> None:
        # report_lossy logs each loss only for "warn"; the transport logs every one.
        if self.on_lossy != "warn":
            log = _log.get_logger()
            for w in warnings:
                log.warning("lossy_encode", codec=w.codec, path=w.path, reason=w.reason)
        report_lossy(warnings, self.on_lossy, stacklevel=5)

    def prepare(self, source: Request | Encoded | Mapping[str, Any], *, stream: bool, model: str | None) -> Prepared:
        """The call for ``source``; ``stream`` asks for the streamed variant (a body that sets
        ``"stream": true`` streams anyway)."""
        codec = self.codec
        warnings: list[LossyEncode] = []
        depends: dict[str, str] = {}  # headers the body depends on (Endpoint.headers)
        if isinstance(source, Request):
            check_cached_content(codec.NAME, source, None)
            changes: dict[str, Any] = {}
            if stream and not source.stream:
                changes["stream"] = True
            if model is not None:
                changes["model"] = model
            if changes:
                source = msgspec.structs.replace(source, **changes)
            enc = codec.encode(source)
            warnings = list(enc.warnings)
            self._report(warnings)
            body: dict[str, Any] = dict(enc.body)
            depends = dict(enc.endpoint.headers)
            model, stream_mode = source.model, bool(source.stream)
        elif isinstance(source, Encoded):
            if source.codec.NAME != codec.NAME:
                raise ConfigurationError(
                    f"an Encoded for {source.codec.NAME!r} cannot go through a {codec.NAME!r} client"
                )
            body = dict(source.body)
            depends = dict(source.endpoint.headers)
            model = model or source.endpoint.model or _str(body.get("model"))
            stream_mode = stream or bool(source.endpoint.stream) or body.get("stream") is True
        elif isinstance(source, Mapping):
            body = dict(source)
            model = model or _str(body.get("model"))
            stream_mode = stream or body.get("stream") is True
        else:
            raise TypeError(f"send an ir_codec.Request, an Encoded or a wire body (dict), not {type(source).__name__}")
        check_cached_content(codec.NAME, None, body)

        if "stream" not in codec.URL_FIELDS and stream_mode:
            body["stream"] = True
            if self.stream_usage and codec.NAME in _CHAT_USAGE and "stream_options" not in body:
                # Chat Completions streams carry usage only when asked (openai
                # types/chat/chat_completion_stream_options_param.py `include_usage`).
                body["stream_options"] = {"include_usage": True}
        endpoint = codec.endpoint(model, stream_mode)
        if "{model}" in endpoint.path:
            raise ConfigurationError(
                f"{codec.NAME}: the request has no model and {codec.NAME} carries it in the URL "
                f"({endpoint.path}): set Request.model or pass model=..."
            )

        headers = {"content-type": "application/json"}
        if codec.NAME == "anthropic":
            headers["anthropic-version"] = str(getattr(codec, "api_version", "2026-10-21"))
        headers.update(depends)
        if codec.NAME in _ANTHROPIC_BODY:
            betas = anthropic_betas(body, self.betas)
            if betas and codec.NAME == "anthropic-bedrock":
                body.setdefault("anthropic_beta", betas)  # lib/bedrock/_client.py _prepare_options
            elif betas:
                headers["anthropic-beta"] = ",".join(betas)
        if codec.NAME == "anthropic-bedrock":
            # bedrock-runtime service model: InvokeModel `accept` is the Accept header, the
            # stream's is X-Amzn-Bedrock-Accept.
            headers["x-amzn-bedrock-accept" if stream_mode else "accept"] = "application/json"
        if self.spec.family == "openai" and codec.NAME != "openrouter":
            for env, header in (("OPENAI_ORG_ID", "openai-organization"), ("OPENAI_PROJECT_ID", "openai-project")):
                if os.environ.get(env):
                    headers[header] = os.environ[env]
        headers.update(self.extra_headers)
        return Prepared(
            codec=codec.NAME,
            method=endpoint.method,
            url=self.base_url + endpoint.path,
            headers=headers,
            content=msgspec.json.encode(body),
            model=model,
            stream=stream_mode,
            warnings=warnings,
        )

    def prepare_json(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        operation: str,
    ) -> Prepared:
        """A resource call (Gemini ``cachedContents``): ``path`` below the base URL."""
        url = httpx.URL(self.base_url + path)
        if params:
            url = url.copy_merge_params({k: str(v) for k, v in params.items()})
        headers = {"content-type": "application/json"} if body is not None else {}
        headers.update(self.extra_headers)
        return Prepared(
            codec=self.codec.NAME,
            method=method,
            url=str(url),
            headers=headers,
            content=msgspec.json.encode(body) if body is not None else None,
            operation=operation,
        )

    def http_request(
        self,
        prep: Prepared,
        client: httpx.Client | httpx.AsyncClient | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Request:
        """The ``httpx.Request`` of ``prep``, authenticated now (``client`` adds its defaults)."""
        headers = dict(prep.headers)
        headers.update(self.auth.headers(prep.method, prep.url, headers, prep.content))
        if client is None:
            return httpx.Request(prep.method, prep.url, headers=headers, content=prep.content)
        return client.build_request(
            prep.method,
            prep.url,
            headers=headers,
            content=prep.content,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )

    def __repr__(self) -> str:
        return f"<builder {self.codec.NAME} {self.base_url}>"


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
