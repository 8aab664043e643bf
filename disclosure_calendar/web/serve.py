"""A small HTTP server for out/, for offices without a web server (docs/serving.md has nginx).

Only regular files inside the folder are served: dotfiles (the manifest), ``..``, encoded
traversal and symlinks that lead outside or to a dotfile all get 404. Responses carry a
content ETag and Last-Modified and answer conditional requests with 304; gzip when the client
asks. Malformed request headers are ignored (as if absent), never a reason to drop the
connection, and a connection idle for IDLE_SECONDS is closed, so clients that open
connections and send nothing cannot pin a thread each for ever.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

CONTENT_TYPES = {
    ".ics": "text/calendar; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}
CACHE_CONTROL = "public, max-age=3600"
_GZIP_MIN = 256  # smaller bodies are not worth compressing
IDLE_SECONDS = 15.0


def resolve(root: Path, raw_path: str) -> Path | None:
    """The file a request path names inside ``root`` (already resolved), or None for 404."""
    path = unquote(urlsplit(raw_path).path, errors="strict")
    if "\x00" in path or "\\" in path:
        return None
    parts = [p for p in path.split("/") if p]
    if not parts:
        parts = ["index.html"]
    if any(p in (".", "..") or p.startswith(".") for p in parts):
        return None
    candidate = root.joinpath(*parts)
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(root) or not real.is_file():
        return None
    # A symlink is judged by where it leads: one named feed.ics pointing at .manifest.json
    # must not serve what the request for .manifest.json itself would not.
    if any(p.startswith(".") for p in real.relative_to(root).parts):
        return None
    return real


def _accepts_gzip(header: str | None) -> bool:
    for item in (header or "").split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().lower()
            if not q.startswith("q="):
                return True
            try:
                return float(q[2:] or 0) > 0
            except ValueError:  # gzip;q=abc: not a weight we can read, so no gzip
                return False
    return False


def _etag_matches(header: str, tags: tuple[str, ...]) -> bool:
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored.
    offered = {t.strip().removeprefix("W/") for t in header.split(",")}
    return any(t in offered for t in tags)


def make_handler(
    root: Path, *, quiet: bool = False, idle_seconds: float = IDLE_SECONDS
) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to ``root``."""
    root = root.resolve()

    class Handler(BaseHTTPRequestHandler):
        server_version = "disclosure-calendar"
        sys_version = ""
        # A socket timeout on every read: a silent or half-open connection ends its thread.
        timeout = idle_seconds

        def do_GET(self) -> None:
            self._respond(send_body=True)

        def do_HEAD(self) -> None:
            self._respond(send_body=False)

        def log_message(self, format: str, *args: object) -> None:
            if not quiet:
                super().log_message(format, *args)

        def _respond(self, *, send_body: bool) -> None:
            try:
                path = resolve(root, self.path)
            except UnicodeDecodeError:
                path = None
            if path is None:
                self._not_found(send_body)
                return
            data = path.read_bytes()
            mtime = int(path.stat().st_mtime)
            digest = hashlib.blake2b(data, digest_size=12).hexdigest()
            plain_tag, gzip_tag = f'"{digest}"', f'"{digest}-gz"'
            use_gzip = len(data) >= _GZIP_MIN and _accepts_gzip(self.headers.get("Accept-Encoding"))
            tag = gzip_tag if use_gzip else plain_tag
            if self._not_modified((plain_tag, gzip_tag), mtime):
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self._common_headers(tag, mtime)
                self.end_headers()
                return
            if use_gzip:
                # mtime=0: the same file always compresses to the same bytes.
                data = gzip.compress(data, compresslevel=6, mtime=0)
            self.send_response(HTTPStatus.OK)
            self.send_header(
                "Content-Type", CONTENT_TYPES.get(path.suffix, "application/octet-stream")
            )
            self.send_header("Content-Length", str(len(data)))
            if use_gzip:
                self.send_header("Content-Encoding", "gzip")
            self._common_headers(tag, mtime)
            self.end_headers()
            if send_body:
                self.wfile.write(data)

        def _not_modified(self, tags: tuple[str, ...], mtime: int) -> bool:
            if_none_match = self.headers.get("If-None-Match")
            if if_none_match is not None:  # takes precedence over If-Modified-Since
                return _etag_matches(if_none_match, tags)
            since = self.headers.get("If-Modified-Since")
            if since is None:
                return False
            try:
                return mtime <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return False  # a date we cannot read is ignored, as RFC 9110 13.1.3 says

        def _common_headers(self, tag: str, mtime: int) -> None:
            self.send_header("ETag", tag)
            self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
            self.send_header("Cache-Control", CACHE_CONTROL)
            self.send_header("Vary", "Accept-Encoding")

        def _not_found(self, send_body: bool) -> None:
            body = b"404 not found\n"
            self.send_response(HTTPStatus.NOT_FOUND)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

    return Handler


def make_server(
    directory: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    quiet: bool = False,
    idle_seconds: float = IDLE_SECONDS,
) -> ThreadingHTTPServer:
    """A server for ``directory``, bound but not yet serving (port 0 picks a free port)."""
    handler = make_handler(directory, quiet=quiet, idle_seconds=idle_seconds)
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_forever(
    directory: Path, *, host: str = "127.0.0.1", port: int = 8000,
    announce: Callable[[str], None] = print,
) -> None:  # fmt: skip
    server = make_server(directory, host, port)
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    announce(f"serving {directory} on http://{bound_host}:{bound_port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


__all__ = ["make_server", "make_handler", "resolve", "serve_forever"]
