"""Write outputs atomically, and only when their content changed; the file a ledger address names."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

# Unchanged-content checks read the old file in pieces of this size, so checking a 100 MB
# feed does not hold a second 100 MB copy in memory.
_CHUNK = 1 << 20
# Pieces joined per write (a few hundred kB of feed): joining a 100 MB feed whole would
# cost a fresh 100 MB allocation, page faults included, for every feed written.
_PIECES = 2048


def ledger_file(db: str | Path) -> Path | None:
    """The SQLite file a ledger address (``--db``) names: a path or ``sqlite:PATH``; None for
    a server's URL (``postgresql://...``). Without the database toolkit, for commands that
    only need to know whether there is a ledger file (and the ledger's own parse_target)."""
    if isinstance(db, Path):
        return db
    text = db.strip()
    if text.startswith("sqlite:"):
        return Path(text.removeprefix("sqlite:").removeprefix("///"))
    return None if "://" in text else Path(text)


def write_atomic(
    path: Path,
    data: bytes | Sequence[bytes | memoryview],
    *,
    sync: bool = True,
    join: bool = True,
    unseen: bool = False,
) -> bool:
    """Replace ``path`` with ``data`` via a temporary file and rename; False if unchanged.

    ``data`` is the content, or the content in consecutive pieces (never joined whole).
    ``join=False`` writes the pieces one by one: for a few large pieces, which joining would
    only copy (the manifest's parts, 17 MB for a province).

    A reader never sees a half-written file, and an unchanged file keeps its mtime (so a web
    server's ETag and Last-Modified stay, and subscribed clients download nothing new).

    ``sync=False`` skips the fsync before the rename: for files that are regenerated from
    other inputs anyway (the feeds), where a crash costing the latest content is harmless
    and syncing hundreds of files would dominate the build. Atomicity against readers comes
    from the rename either way.

    ``unseen``: ``path`` is in a folder no reader looks into yet (a build's next generation),
    so the old name is removed before the new file takes it (see ``_place``).
    """
    if _holds(path, data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _new_file(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in _joined(data) if join or isinstance(data, bytes) else data:
                handle.write(chunk)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        _place(tmp, path, unseen)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _place(tmp: Path, path: Path, unseen: bool) -> None:
    """Rename ``tmp`` to ``path``. Renaming over an existing file makes ext4 write the new
    file's data out before the rename returns (its guard against empty files after a
    crash): 3-25 ms for a 60 MB feed. Where no one reads ``path`` yet, the old name goes
    first and the rename takes a free name, which costs nothing."""
    if unseen:
        Path(path).unlink(missing_ok=True)
    os.replace(tmp, path)


# A run of a source file (start, end) or new bytes: what write_spliced writes, in order.
Segment = tuple[int, int] | bytes


def write_spliced(
    path: Path, source: Path, segments: Sequence[Segment], *, unseen: bool = False
) -> None:
    """Replace ``path`` atomically with runs of ``source`` and new bytes, in order.

    The runs are copied by the kernel (copy_file_range) where it can, never through this
    process: a rebuild that changes one duty copies the other 30 MB of a province's all.ics
    around its new events. ``source`` may be ``path`` itself (read before the rename).
    ``unseen`` as for ``write_atomic``.
    """
    fd, tmp = _new_file(path)
    try:
        with source.open("rb") as src, os.fdopen(fd, "wb") as out:
            for segment in segments:
                if isinstance(segment, bytes):
                    out.write(segment)
                else:
                    out.flush()
                    _copy_range(src.fileno(), out.fileno(), *segment)
        os.chmod(tmp, 0o644)
        _place(tmp, path, unseen)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _copy_range(src: int, dst: int, start: int, end: int) -> None:
    at = start
    while at < end:
        try:
            done = os.copy_file_range(src, dst, end - at, at)
        except (AttributeError, OSError):  # not Linux, or not between these file systems
            done = 0
        if done <= 0:
            data = os.pread(src, min(end - at, _CHUNK), at)
            if not data:
                raise OSError(f"{end - at} bytes short: the source file shrank")
            done = os.write(dst, data)
        at += done


def _new_file(path: Path) -> tuple[int, Path]:
    """A new, empty file beside ``path`` with a name no one else is using, as mkstemp makes
    it: tempfile itself (with shutil and random) was a twentieth of validate's start-up."""
    while True:
        tmp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:  # 48 random bits taken already: another try
            continue


def _joined(data: bytes | Sequence[bytes | memoryview]) -> Iterator[bytes]:
    if isinstance(data, bytes):
        yield data
    else:
        for start in range(0, len(data), _PIECES):
            yield b"".join(data[start : start + _PIECES])


def same_content(path: Path, data: bytes | Sequence[bytes | memoryview]) -> bool:
    """True if the file at ``path`` has exactly ``data``."""
    return _holds(path, data)


def _holds(path: Path, data: bytes | Sequence[bytes | memoryview]) -> bool:
    """True if the file at ``path`` has exactly ``data`` (a size mismatch needs no read)."""
    try:
        with path.open("rb") as handle:
            # Sized only when there is a file: a first build writes 1.4 million pieces.
            size = len(data) if isinstance(data, bytes) else sum(map(len, data))
            if os.fstat(handle.fileno()).st_size != size:
                return False
            for joined in _joined(data):
                for start in range(0, len(joined), _CHUNK):
                    want = min(_CHUNK, len(joined) - start)
                    chunk = handle.read(want)
                    # A short read: the file changed size under us. startswith compares in
                    # place; slicing ``joined`` (or a memoryview, which compares item by
                    # item) would be several times slower.
                    if len(chunk) != want or not joined.startswith(chunk, start):
                        return False
            return True
    except FileNotFoundError:
        return False
