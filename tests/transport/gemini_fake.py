"""A stateful fake of the Gemini API's ``cachedContents`` resource and of ``generateContent``
with ``cachedContent``, as a route of the test server (PROVIDERS.md 7b/7c; cache_service.proto).

It checks what it receives as the real service would: the API key header, ``models/...``
model names, one of ``ttl`` / ``expireTime``, an ``updateMask`` naming the field the body sets,
and it refuses ``systemInstruction`` / ``tools`` / ``toolConfig`` beside ``cachedContent`` with
the real 400. Caches expire (:meth:`expire` moves a cache's expiry into the past) and are
collected (:meth:`collect`), after which they are not found (404).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import parse_qs

from tests.transport import replies as R
from tests.transport.server import Reply, Seen

_TTL = re.compile(r"^(\d+)(?:\.(\d+))?s$")


def _stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"  # nanosecond precision, as the API writes


def _error(code: int, status: str, message: str) -> Reply:
    return Reply(code, {"error": {"code": code, "message": message, "status": status}})


class GeminiCacheFake:
    def __init__(self, key: str, default_page_size: int = 2) -> None:
        self.key = key
        self.default_page_size = default_page_size
        self.caches: dict[str, dict[str, Any]] = {}
        self.generated: list[dict[str, Any]] = []
        self._next = 0

    def expire(self, name: str) -> None:
        self.caches[name]["expireTime"] = _stamp(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))

    def collect(self) -> None:
        now = dt.datetime.now(dt.UTC)
        for name in [n for n, c in self.caches.items() if self._expires(c) <= now]:
            del self.caches[name]

    @staticmethod
    def _expires(cache: dict[str, Any]) -> dt.datetime:
        # any number of fractional digits (the client trims trailing zeros; Google writes nine)
        return dt.datetime.fromisoformat(cache["expireTime"])

    def _public(self, cache: dict[str, Any]) -> dict[str, Any]:
        return {
            k: cache[k]
            for k in ("name", "model", "displayName", "createTime", "updateTime", "expireTime", "usageMetadata")
            if k in cache
        }

    def _expiry(self, body: dict[str, Any], now: dt.datetime) -> str | Reply:
        if "ttl" in body and "expireTime" in body:
            return _error(400, "INVALID_ARGUMENT", "only one of ttl and expire_time may be set")
        if "ttl" in body:
            m = _TTL.match(body["ttl"])
            if not m:
                return _error(400, "INVALID_ARGUMENT", "invalid ttl")
            return _stamp(now + dt.timedelta(seconds=float(body["ttl"][:-1])))
        if "expireTime" in body:
            return str(body["expireTime"])
        return _stamp(now + dt.timedelta(hours=1))  # the documented default: one hour

    def __call__(self, seen: Seen) -> Reply:
        if seen.headers.get("x-goog-api-key") != self.key:
            return _error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")
        path, _, query = seen.path.partition("?")
        params = {k: v[0] for k, v in parse_qs(query).items()}
        now = dt.datetime.now(dt.UTC)
        body = json.loads(seen.body) if seen.body else None
        if path == "/v1beta/cachedContents" and seen.method == "POST":
            assert body is not None
            if not str(body.get("model", "")).startswith("models/"):
                return _error(400, "INVALID_ARGUMENT", "model must be models/{model}")
            expiry = self._expiry(body, now)
            if isinstance(expiry, Reply):
                return expiry
            self._next += 1
            name = f"cachedContents/c{self._next:03d}"
            tokens = (
                1000 * len(body.get("contents", []))
                + 500 * ("systemInstruction" in body)
                + 250 * len(body.get("tools", []))
            )
            cache = {
                "name": name,
                "model": body["model"],
                "createTime": _stamp(now),
                "updateTime": _stamp(now),
                "expireTime": expiry,
                "usageMetadata": {"totalTokenCount": tokens},
                **({"displayName": body["displayName"]} if "displayName" in body else {}),
                "_body": body,
            }
            self.caches[name] = cache
            return Reply(200, self._public(cache))
        if path == "/v1beta/cachedContents" and seen.method == "GET":
            size = int(params.get("pageSize", self.default_page_size))
            start = int(params.get("pageToken", "0") or 0)
            names = sorted(self.caches)
            page = names[start : start + size]
            out: dict[str, Any] = {"cachedContents": [self._public(self.caches[n]) for n in page]}
            if start + size < len(names):
                out["nextPageToken"] = str(start + size)
            return Reply(200, out)
        m = re.fullmatch(r"/v1beta/(cachedContents/[^/]+)", path)
        if m:
            name = m.group(1)
            found = self.caches.get(name)
            if found is None:
                return _error(404, "NOT_FOUND", f"CachedContent not found: {name}")
            cache = found
            if seen.method == "GET":
                return Reply(200, self._public(cache))
            if seen.method == "DELETE":
                del self.caches[name]
                return Reply(200, {})
            if seen.method == "PATCH":
                assert body is not None
                mask = params.get("updateMask")
                if mask is None or set(body) != {mask}:
                    return _error(400, "INVALID_ARGUMENT", "updateMask must name the field set")
                expiry = self._expiry(body, now)
                if isinstance(expiry, Reply):
                    return expiry
                cache["expireTime"] = expiry
                cache["updateTime"] = _stamp(now)
                return Reply(200, self._public(cache))
        m = re.fullmatch(r"/v1beta/models/([^/:]+):generateContent", path)
        if m and seen.method == "POST":
            assert body is not None
            self.generated.append(body)
            if "cachedContent" in body:
                if any(k in body for k in ("systemInstruction", "tools", "toolConfig")):
                    return _error(
                        400,
                        "INVALID_ARGUMENT",
                        "Tool config, tools and system instruction should not be set in the request "
                        "when using cached content.",
                    )
                used = self.caches.get(body["cachedContent"])
                if used is None or self._expires(used) <= now:
                    return _error(403, "PERMISSION_DENIED", "CachedContent not found (or permission denied)")
                cache = used
                if cache["model"] != f"models/{m.group(1)}":
                    return _error(
                        400, "INVALID_ARGUMENT", "Model used by GenerateContent request and CachedContent differ"
                    )
                tokens = cache["usageMetadata"]["totalTokenCount"]
                usage = {
                    "promptTokenCount": tokens + 12,
                    "cachedContentTokenCount": tokens,
                    "candidatesTokenCount": 3,
                    "totalTokenCount": tokens + 15,
                }
                return Reply(200, {**R.GEMINI_REPLY, "usageMetadata": usage})
            return Reply(200, R.GEMINI_REPLY)
        return _error(404, "NOT_FOUND", f"no route for {seen.method} {path}")
