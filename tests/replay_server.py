"""A small HTTP server on 127.0.0.1 that replays recorded responses, for the fetch tests.

Responses are keyed by path + query (query parameters compared in any order).  Each key
holds a script of replies served in turn; the last one repeats for every later request::

    with ReplayServer() as server:
        server.add(fetch.hf_url(server.url, day), Reply.status(429, retry_after=1), Reply.json([...]))
        ...
        server.requests  # every request, in order: Request(path, query, time, headers)

Scripted failures: :meth:`Reply.status` (429 with ``Retry-After``, 500, ...),
:meth:`Reply.truncated` (a ``Content-Length`` larger than what is sent, then the connection
is closed), :meth:`Reply.slow` (the answer starts after ``delay`` seconds: longer than the
client's timeout), :meth:`Reply.drip` (the body a byte at a time, ``every`` seconds apart) and
:meth:`Reply.huge` (``size`` bytes made as they are sent, with or without a ``Content-Length``).
An unknown key answers what :meth:`ReplayServer.add_path` set for its path (any query), else 404
(and is logged like any request).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Reply:
    code: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    declared_length: int | None = None  # Content-Length sent (None: len(body); -1: no header)
    delay: float = 0.0  # seconds before the status line
    drip_every: float = 0.0  # seconds between two bytes of the body
    filler: int = 0  # bytes sent after the body, made as they are sent

    @classmethod
    def json(cls, data, code: int = 200) -> Reply:
        return cls(code, json.dumps(data).encode("utf-8"), (("Content-Type", "application/json"),))

    @classmethod
    def xml(cls, text: str | bytes, code: int = 200) -> Reply:
        body = text.encode("utf-8") if isinstance(text, str) else text
        return cls(code, body, (("Content-Type", "application/atom+xml; charset=utf-8"),))

    @classmethod
    def status(cls, code: int, retry_after: int | str | None = None, body: bytes = b"") -> Reply:
        headers = (("Retry-After", str(retry_after)),) if retry_after is not None else ()
        return cls(code, body or f"status {code}".encode(), headers)

    @classmethod
    def truncated(cls, reply: Reply, keep: int = 10, missing: int = 100) -> Reply:
        """``reply`` cut after ``keep`` bytes while announcing ``missing`` more, then closed."""
        return cls(reply.code, reply.body[:keep], reply.headers, declared_length=len(reply.body) + missing)

    @classmethod
    def slow(cls, reply: Reply, delay: float) -> Reply:
        return cls(reply.code, reply.body, reply.headers, reply.declared_length, delay)

    @classmethod
    def drip(cls, reply: Reply, every: float) -> Reply:
        """``reply`` with its body sent one byte every ``every`` seconds."""
        return cls(reply.code, reply.body, reply.headers, reply.declared_length, reply.delay, drip_every=every)

    @classmethod
    def huge(cls, size: int, declared: bool = True) -> Reply:
        """A JSON list of ``size`` bytes (``[`` then spaces), announced by ``Content-Length`` or not."""
        return cls(200, b"[", (("Content-Type", "application/json"),), size if declared else -1, filler=size - 1)


@dataclass(frozen=True)
class Request:
    path: str
    query: dict[str, str]
    time: float  # time.monotonic() when the request arrived
    headers: dict[str, str]

    @property
    def key(self) -> str:
        return _key(self.path, self.query)


def _key(path: str, query: dict[str, str]) -> str:
    return path + "?" + "&".join(f"{k}={v}" for k, v in sorted(query.items()))


def _split(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path or "/", dict(parse_qsl(parts.query, keep_blank_values=True))


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # a client that hung up: not news
        pass


@dataclass
class ReplayServer:
    host: str = "127.0.0.1"
    scripts: dict[str, list[Reply]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection, closed after the answer

            def do_GET(self) -> None:
                path, query = _split(self.path)
                reply = server._next(Request(path, query, time.monotonic(), dict(self.headers.items())))
                try:
                    if reply.delay:
                        time.sleep(reply.delay)
                    self.send_response(reply.code)
                    for name, value in reply.headers:
                        self.send_header(name, value)
                    length = reply.declared_length if reply.declared_length is not None else len(reply.body)
                    if length >= 0:
                        self.send_header("Content-Length", str(length))
                    self.end_headers()
                    if reply.drip_every:
                        for byte in reply.body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(reply.drip_every)
                    else:
                        self.wfile.write(reply.body)
                    for start in range(0, reply.filler, 1 << 16):
                        self.wfile.write(b" " * min(1 << 16, reply.filler - start))
                    self.wfile.flush()
                    self.close_connection = True  # truncated or not: hang up after this
                except OSError:
                    pass  # the client gave up (a timeout): nothing to answer

            def log_message(self, *args) -> None:  # quiet
                pass

        self._httpd = _QuietServer((self.host, 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # a slow reply still sleeping must not hold up close()
        self.port = self._httpd.server_address[1]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # --- scripting -----------------------------------------------------------------------
    def add(self, url: str, *replies: Reply) -> None:
        """Answer GET ``url`` (a full URL or path?query) with ``replies`` in turn, the last repeating."""
        if not replies:
            raise ValueError("give at least one reply")
        path, query = _split(url)
        with self._lock:
            self.scripts[_key(path, query)] = list(replies)

    def add_path(self, path: str, *replies: Reply) -> None:
        """Answer GET ``path`` with any query not added by :meth:`add` with ``replies`` in turn."""
        if not replies:
            raise ValueError("give at least one reply")
        with self._lock:
            self.scripts[path + "?*"] = list(replies)

    def _next(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            script = self.scripts.get(request.key) or self.scripts.get(request.path + "?*")
            if not script:
                return Reply.json({"error": f"no recorded response for {request.key}"}, code=404)
            return script.pop(0) if len(script) > 1 else script[0]

    # --- the log ----------------------------------------------------------------------
    def log(self, path: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def unmatched(self) -> list[str]:
        with self._lock:
            return [r.key for r in self.requests if r.key not in self.scripts]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # --- lifetime ----------------------------------------------------------------------
    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
