"""Where the parsed-schedule cache lives, and its entries: one file per schedule file.

The folder: ``$DISCLOSURE_CALENDAR_CACHE`` if set (``off`` or empty: no cache), else
``$XDG_CACHE_HOME/disclosure-calendar``, else ``~/.cache/disclosure-calendar``. Entries are
pickles, so they are read only from a folder that is the current user's own and that no one
else may write to (checked on every use; otherwise there is no cache), and only from regular
files of that user. An entry starts with a stamp of the code that wrote it (the package's
version, Python's and PyYAML's, and the size and modification time of every source file of
the stages a schedule is read with): after a code change, or when the file is cut short or
garbled, it is ignored, then replaced. The folder keeps the newest ``MAX_ENTRIES`` entries.
Nothing here ever fails for a user: a folder that cannot be made or written means no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
from pathlib import Path
from typing import Any

ENV = "DISCLOSURE_CALENDAR_CACHE"
FOLDER_NAME = "disclosure-calendar"
MAX_ENTRIES = 16
_SUFFIX = ".schedule-cache"
_DELTA = ".schedule-delta"
_MAGIC = b"disclosure-calendar schedule cache 1\n"
# The stages whose code decides what a schedule file is read into.
_STAGES = ("core", "workdays", "schedule")
_stamp: bytes | None = None


def cache_folder() -> Path | None:
    """The cache folder the environment names (it may not exist yet); None: cache off."""
    value = os.environ.get(ENV)
    if value is not None:
        if value.strip().lower() in ("", "off"):
            return None
        return Path(value).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):  # the XDG spec: a relative value is to be ignored
        return Path(xdg) / FOLDER_NAME
    try:
        return Path.home() / ".cache" / FOLDER_NAME
    except RuntimeError:  # no home folder to be found
        return None


def is_safe(folder: Path) -> bool:
    """True if ``folder`` is a real folder (not a link) of this user that no one else may
    write to: only then may its pickles be read."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:  # no owners to check (Windows): no cache
        return False
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == geteuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def code_stamp() -> bytes:
    """What the cached objects depend on besides the file: the code that read them."""
    global _stamp
    if _stamp is None:
        import yaml

        from ..core.version import __version__

        package = Path(__file__).resolve().parent.parent
        parts = [__version__, sys.version, yaml.__version__, str(package)]
        for stage in _STAGES:
            with os.scandir(package / stage) as found:
                for entry in sorted(found, key=lambda e: e.name):
                    if entry.name.endswith(".py"):
                        info = entry.stat()
                        parts.append(f"{stage}/{entry.name}:{info.st_size}:{info.st_mtime_ns}")
        _stamp = hashlib.sha256("\n".join(parts).encode()).hexdigest().encode()
    return _stamp


def entry_file(folder: Path, path: Path, *, delta: bool = False) -> Path:
    """The entry of the schedule file ``path`` as named (its name is in the model: Where),
    or with ``delta`` its delta: what an edit changed since the entry (see :mod:`.cache`)."""
    named = f"{os.path.abspath(path)}\0{path}".encode("utf-8", "surrogateescape")
    return folder / (hashlib.sha256(named).hexdigest()[:32] + (_DELTA if delta else _SUFFIX))


def read_entry(path: Path, *, delta: bool = False) -> dict[str, Any] | None:
    """The entry (or delta) for the schedule file ``path``, or None (no cache, none, unusable)."""
    folder = cache_folder()
    if folder is None or not is_safe(folder):
        return None
    file = entry_file(folder, path, delta=delta)
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(file, flags)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                return None
            data = handle.read()
    except OSError:
        return None
    head = _MAGIC + code_stamp() + b"\n"
    if not data.startswith(head):
        return None
    try:
        entry = pickle.loads(memoryview(data)[len(head) :])
    except Exception:  # cut short or garbled: any unpickling error means no entry
        return None
    if not isinstance(entry, dict) or entry.get("path") != str(path):
        return None
    if not delta:  # the newest entries are kept: this one was just used
        with contextlib.suppress(OSError):
            os.utime(file)
    return entry


def write_entry(path: Path, entry: dict[str, Any], *, delta: bool = False) -> None:
    """Store ``entry`` (or a delta) for the schedule file ``path``, if there is a usable cache
    folder. A new entry makes the delta of the one it replaces useless: it is deleted."""
    from ..core.files import write_atomic

    folder = cache_folder()
    if folder is None:
        return
    try:
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True)
        if not is_safe(folder):
            return
        data = pickle.dumps({**entry, "path": str(path)}, protocol=pickle.HIGHEST_PROTOCOL)
        file = entry_file(folder, path, delta=delta)
        write_atomic(file, [_MAGIC + code_stamp() + b"\n", data], sync=False, join=False)
        if not delta:
            entry_file(folder, path, delta=True).unlink(missing_ok=True)
            _prune(folder, keep=file)
    except Exception:  # a cache that cannot be written is no cache, never an error
        return


def _prune(folder: Path, keep: Path) -> None:
    """Delete all but the newest MAX_ENTRIES entries (with their deltas), and temporary
    files a crash left."""
    import time

    entries = []
    stale = time.time() - 3600
    with os.scandir(folder) as found:
        for item in found:
            if item.name.endswith(_SUFFIX):
                entries.append((item.stat().st_mtime_ns, item.path))
            elif item.name.endswith(".tmp") and item.stat().st_mtime < stale:
                Path(item.path).unlink(missing_ok=True)
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(reverse=True)
    for _mtime, name in entries[MAX_ENTRIES:]:
        if name != str(keep):
            Path(name).unlink(missing_ok=True)
            Path(name[: -len(_SUFFIX)] + _DELTA).unlink(missing_ok=True)
