"""The fake's HTTP plumbing: a threaded stdlib server on 127.0.0.1 (optionally TLS), a tiny
regex router, and the request/response values the route handlers see.

Handlers run under the fake's single state lock (see fake.py): requests are served
concurrently, but each one reads and writes the state atomically, as a real server's
database transaction would.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Request:
    method: str
    path: str  # decoded path, without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # filled by the router

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def args(self, name: str) -> list[str]:
        return list(self.query.get(name, []))

    @property
    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip() or None
        return None

    def json(self) -> Any:
        """The body as JSON; raises ValueError when it is not JSON."""
        if not self.body:
            raise ValueError("empty body")
        return json.loads(self.body.decode("utf-8"))

    def form_or_json(self) -> dict[str, Any]:
        """Yammer accepts form-encoded and JSON bodies alike; query args count too (its docs
        put some body parameters in the query string, e.g. liked_by/current.json?message_id=)."""
        data: dict[str, Any] = {k: v[0] if len(v) == 1 else v for k, v in self.query.items()}
        ctype = self.headers.get("content-type", "")
        if not self.body:
            return data
        if "json" in ctype:
            payload = self.json()
            if not isinstance(payload, dict):
                raise ValueError("the JSON body is not an object")
            data.update(payload)
        else:
            for key, values in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items():
                # direct_to_user_ids may come as repeated keys or as direct_to_user_ids[]
                key = key[:-2] if key.endswith("[]") else key
                data[key] = values[0] if len(values) == 1 and not key.endswith("_ids") else values
        return data


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        h = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        return cls(status, json.dumps(payload).encode("utf-8"), h)

    @classmethod
    def empty(cls, status: int, headers: dict[str, str] | None = None) -> Response:
        return cls(status, b"", dict(headers or {}))


Handler = Callable[[Request], Response]


class Router:
    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(pattern + r"\Z"), handler))

    def match(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], bool]:
        """(handler, params, path_known): path_known tells 405 from 404."""
        known = False
        for m, rx, h in self._routes:
            found = rx.match(path)
            if found:
                known = True
                if m == method:
                    return h, {k: v for k, v in found.groupdict().items() if v is not None}, True
        return None, {}, known


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes: avoid 40 ms delayed-ACK stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the fake keeps its own log
        pass

    def _serve(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(
            method=self.command,
            path=unquote(split.path),
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        try:
            resp = self.server.app(req)
        except Exception as exc:  # a bug in the fake: say so loudly rather than hang the client
            import traceback

            traceback.print_exc()
            resp = Response.json(500, {"error": {"code": "FakeBug", "message": repr(exc)}})
        self.send_response(resp.status)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: Callable[[Request], Response], ssl_context: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.app = app
        if ssl_context is not None:
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True)


class ServerThread:
    """One listening server on a free port of 127.0.0.1, served from a daemon thread."""

    def __init__(self, app: Callable[[Request], Response], ssl_context: ssl.SSLContext | None = None) -> None:
        self._server = _Server(app, ssl_context)
        self.scheme = "https" if ssl_context else "http"
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"engage-fake-{self.port}", daemon=True
        )

    @property
    def origin(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
