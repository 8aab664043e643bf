"""The files `build` and `print` wrote into out/: feeds, index.html, PDFs.

Subscribers already have these URLs, so they behave as they did under the old server: only
regular files inside the folder are served; dotfiles (the manifest), ``..``, encoded
traversal and symlinks that lead outside or to a dotfile all get 404. Responses carry a
content ETag and Last-Modified and answer conditional requests with 304; gzip when the
client asks. Malformed request headers are ignored (as if absent), never a 500.

Files are kept in memory keyed by (inode, size, mtime), so a feed polled a thousand times a
second is read and compressed once per build, not per request.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..feeds.generations import GENERATIONS

CONTENT_TYPES = {
    ".ics": "text/calendar; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
    ".svg": "image/svg+xml",
}
CACHE_CONTROL = "public, max-age=3600"
GZIP_MIN = 256  # smaller bodies are not worth compressing
CACHE_LIMIT = 64 * 1024 * 1024  # bytes of file content kept in memory at most


def resolve(root: Path, raw_path: str) -> Path | None:
    """The file a request path names inside ``root`` (already resolved), or None for 404."""
    try:
        path = unquote(raw_path.partition("?")[0], errors="strict")
    except UnicodeDecodeError:
        return None
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
    # must not serve what the request for .manifest.json itself would not. A build's
    # published names lead into its current generation (feeds/generations.py), whose folder
    # is a dotfile no request may name; its feeds (not its dotfiles) are served through them.
    inside = real.relative_to(root).parts
    if inside[:1] == (GENERATIONS,) and len(inside) == 3:
        inside = inside[2:]
    if any(p.startswith(".") for p in inside):
        return None
    return real


def accepts_gzip(header: str | None) -> bool:
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


def etag_matches(header: str, tags: tuple[str, ...]) -> bool:
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored.
    offered = {t.strip().removeprefix("W/") for t in header.split(",")}
    return any(t in offered for t in tags)


def not_modified(if_none_match: str | None, if_modified_since: str | None, tags: tuple[str, ...], mtime: int) -> bool:  # fmt: skip
    if if_none_match is not None:  # takes precedence over If-Modified-Since
        return etag_matches(if_none_match, tags)
    if if_modified_since is None:
        return False
    try:
        return mtime <= parsedate_to_datetime(if_modified_since).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False  # a date we cannot read is ignored, as RFC 9110 13.1.3 says


@dataclass
class _Entry:
    stamp: tuple[int, int, int]
    data: bytes
    digest: str
    mtime: int
    gzipped: bytes | None = field(default=None)


class FileCache:
    """File bodies by path, valid while the file's inode, size and mtime stay the same."""

    def __init__(self, limit: int = CACHE_LIMIT):
        self.limit = limit
        self._entries: dict[Path, _Entry] = {}
        self._size = 0
        self._lock = threading.Lock()

    def get(self, path: Path, key: Path | None = None) -> _Entry:
        """``path``'s content; kept under ``key`` (default the path): a feed's published name,
        so that each build's generation folder does not add an entry of its own."""
        key = key or path
        with path.open("rb") as handle:  # stamp and bytes of one file, though a build swaps
            st = os.fstat(handle.fileno())
            stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
            entry = self._entries.get(key)
            if entry is not None and entry.stamp == stamp:
                return entry
            data = handle.read()
        entry = _Entry(
            stamp, data, hashlib.blake2b(data, digest_size=12).hexdigest(), int(st.st_mtime)
        )
        with self._lock:
            old = self._entries.pop(key, None)
            self._size -= len(old.data) if old else 0
            if self._size + len(data) > self.limit:  # simple and bounded: start afresh
                self._entries.clear()
                self._size = 0
            if len(data) <= self.limit:
                self._entries[key] = entry
                self._size += len(data)
        return entry

    @staticmethod
    def gzipped(entry: _Entry) -> bytes:
        if entry.gzipped is None:
            # mtime=0: the same file always compresses to the same bytes.
            entry.gzipped = gzip.compress(entry.data, compresslevel=6, mtime=0)
        return entry.gzipped


def not_found() -> Response:
    return PlainTextResponse("404 not found\n", status_code=404)


def serve_file(request: Request, root: Path, cache: FileCache) -> Response:
    raw = request.scope.get("raw_path") or request.url.path.encode()
    prefix = str(request.scope.get("root_path", "")).rstrip("/").encode()
    if prefix and raw.startswith(prefix + b"/"):  # uvicorn puts --root-path in front
        raw = raw[len(prefix) :]
    try:
        path = resolve(root, raw.decode("latin-1"))
    except UnicodeDecodeError:
        path = None
    if path is None:
        return not_found()
    try:
        published = path.parent.parent == root / GENERATIONS  # a generation's feed
        entry = cache.get(path, key=root / path.name if published else path)
    except OSError:  # removed between resolving and reading (a build renaming files)
        return not_found()
    plain_tag, gzip_tag = f'"{entry.digest}"', f'"{entry.digest}-gz"'
    use_gzip = len(entry.data) >= GZIP_MIN and accepts_gzip(request.headers.get("accept-encoding"))
    headers = {
        "ETag": gzip_tag if use_gzip else plain_tag,
        "Last-Modified": formatdate(entry.mtime, usegmt=True),
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding",
    }
    if not_modified(
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
        (plain_tag, gzip_tag),
        entry.mtime,
    ):
        return Response(status_code=304, headers=headers)
    body = entry.data
    if use_gzip:
        body = cache.gzipped(entry)
        headers["Content-Encoding"] = "gzip"
    media = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
    return Response(body, headers={**headers, "Content-Type": media})
