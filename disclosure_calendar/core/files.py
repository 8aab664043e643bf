"""Write outputs atomically, and only when their content changed; the file a ledger address names."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Unchanged-content checks read the old file in pieces of this size, so checking a 100 MB
# feed does not hold a second 100 MB copy in memory.
_CHUNK = 1 << 20


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


def write_atomic(path: Path, data: bytes, *, sync: bool = True) -> bool:
    """Replace ``path`` with ``data`` via a temporary file and rename; False if unchanged.

    A reader never sees a half-written file, and an unchanged file keeps its mtime (so a web
    server's ETag and Last-Modified stay, and subscribed clients download nothing new).

    ``sync=False`` skips the fsync before the rename: for files that are regenerated from
    other inputs anyway (the feeds), where a crash costing the latest content is harmless
    and syncing hundreds of files would dominate the build. Atomicity against readers comes
    from the rename either way.
    """
    if _holds(path, data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _holds(path: Path, data: bytes) -> bool:
    """True if the file at ``path`` has exactly ``data`` (a size mismatch needs no read)."""
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size != len(data):
                return False
            for start in range(0, len(data), _CHUNK):
                chunk = handle.read(_CHUNK)
                # startswith compares in place; slicing ``data`` (or a memoryview, which
                # compares item by item) would be several times slower.
                if len(chunk) != min(_CHUNK, len(data) - start):
                    return False  # the file changed size under us
                if not data.startswith(chunk, start):
                    return False
            return True
    except FileNotFoundError:
        return False
