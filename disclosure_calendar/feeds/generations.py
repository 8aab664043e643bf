"""The folder's feeds replaced as one set: each build writes a generation, then swaps it in.

``out/`` keeps the published names (``all.ics``, ``<unit>.ics``, ``index.html``), each a
symlink ``NAME -> .current/NAME``; ``.current`` is a symlink to the complete generation,
``.generations/gNNNNNN/``. A build links every file of the current generation into a new
folder (hard links: an unchanged feed keeps its inode and mtime, so ETags and Last-Modified
stay), writes what changed there, and swaps ``.current`` with one rename. A reader (a web
server following symlinks, ``serve``) therefore sees every feed of one build or every feed of
the next, never some of each, however the build ends: a build killed before the swap leaves
an unfinished generation that the next build removes with its temporary files.

The previous generation is kept (a reader may have resolved a path into it a moment before
the swap); older ones are removed. A folder written before generations (regular files) is
moved in on the first build: its files are linked into a first generation, unchanged.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

from ..core.files import same_content, write_atomic
from .blocks import BLOCKS
from .manifest import INDEX, INPUTS, MANIFEST

GENERATIONS = ".generations"
CURRENT = ".current"
_GENERATION = re.compile(r"g(\d{6,})")
# write_atomic's temporary files (.NAME.<12 hex>.tmp) of the files a build writes, and the
# temporary symlinks of a swap.
_TEMPORARY = re.compile(r"\.(.+)\.[0-9a-f]{12}\.tmp")


def _own(name: str) -> bool:
    """A file a build writes (and may link, replace or remove); never a PDF of `print`."""
    return name.endswith(".ics") or name in (INDEX, MANIFEST, INPUTS, BLOCKS, CURRENT)


def _temporary_of_ours(name: str) -> bool:
    """A temporary file of a file a build writes, or of a dotfile (the portal's ``.rebuilt``)."""
    return _own(name) or name.startswith(".")


class Generation:
    """The next generation of ``out_dir``: opened under the build lock, then committed."""

    def __init__(self, out_dir: Path):
        self.out = out_dir
        self.dir: Path | None = None  # made on the first write (or by start)
        self._lock = threading.Lock()
        self._sweeper: threading.Thread | None = None

    # -- before the build ------------------------------------------------------------------

    def open(self) -> None:
        """Remove what killed builds left, and move a folder of regular files in."""
        self._clean()
        if not (self.out / CURRENT).is_symlink() and self._legacy():
            self.start()
            self.commit()
        # The generation before the current one goes when this build swaps its own in; it
        # is removed now instead, beside the build's own work (removing 300 links and the
        # large files only it still holds costs a rebuild of one duty a sixth of its time).
        # A reader resolved a path into it when it was swapped out, a build ago.
        current = self._current_number()
        older = [p for n, p in self._generations() if current is not None and n < current]
        if older:
            self._sweeper = threading.Thread(target=_remove_all, args=(older,))
            self._sweeper.start()

    def _swept(self) -> None:
        """Wait for the removal of the older generation: before a fork (a thread's half-done
        work is not for a child to inherit) and before the swap counts what is left."""
        if self._sweeper is not None:
            self._sweeper.join()
            self._sweeper = None

    def untidy(self) -> bool:
        """True if a build has something to clean or move in (then no quick rebuild skips it):
        a killed build's temporary files or generation, or regular files before generations."""
        if not (self.out / CURRENT).is_symlink():
            return True
        for entry in _entries(self.out):
            found = _TEMPORARY.fullmatch(entry.name)
            if found and _temporary_of_ours(found.group(1)):
                return True
        current = self._current_number()
        return current is None or any(
            n not in (current, self._previous(current)) for n, _p in self._generations()
        )

    def _legacy(self) -> list[str]:
        return sorted(
            p.name for p in _entries(self.out) if _own(p.name) and p.is_file(follow_symlinks=False)
        )

    def _clean(self) -> None:
        for entry in _entries(self.out):
            found = _TEMPORARY.fullmatch(entry.name)
            if found and _temporary_of_ours(found.group(1)):
                _unlink(Path(entry.path))
        current = self._current_number()
        keep = set() if current is None else {current, self._previous(current)}
        for number, path in self._generations():
            # Unfinished (newer than the current, or before any) or superseded long ago; the
            # one just before the current stays for readers that resolved a path into it.
            if number not in keep:
                shutil.rmtree(path, ignore_errors=True)
        if current is not None:
            for entry in _entries(self.out / GENERATIONS / f"g{current:06d}"):
                found = _TEMPORARY.fullmatch(entry.name)
                if found:
                    _unlink(Path(entry.path))
        self._drop_dangling()

    def _generations(self) -> list[tuple[int, Path]]:
        found = []
        for entry in _entries(self.out / GENERATIONS):
            match = _GENERATION.fullmatch(entry.name)
            if match:
                found.append((int(match.group(1)), Path(entry.path)))
        return sorted(found)

    def _previous(self, current: int) -> int:
        below = [n for n, _p in self._generations() if n < current]
        return max(below, default=current)

    def _current_number(self) -> int | None:
        try:
            target = os.readlink(self.out / CURRENT)
        except OSError:
            return None
        match = _GENERATION.fullmatch(Path(target).name)
        return int(match.group(1)) if match else None

    def _current_names(self) -> list[str]:
        if (self.out / CURRENT).is_symlink():
            return [e.name for e in _entries(self.out / CURRENT) if _own(e.name)]
        return self._legacy()

    # -- during the build ------------------------------------------------------------------

    def start(self) -> Path:
        """Make the new generation: every current file linked in, as the published name shows
        it (a feed deleted by hand is not carried over, and is rendered again)."""
        with self._lock:
            if self.dir is not None:
                return self.dir
            self._swept()
            numbers = [n for n, _p in self._generations()]
            number = max([*numbers, self._current_number() or 0]) + 1
            folder = self.out / GENERATIONS / f"g{number:06d}"
            folder.mkdir(parents=True)
            current = self._current_folder()
            for name in self._current_names():
                # Resolved first: link(2) would link the symlink itself, not its file.
                source = self._published_file(name, current)
                if os.path.isfile(source):
                    os.link(source, folder / name)
            self.dir = folder
            return folder

    def _current_folder(self) -> str | None:
        number = self._current_number()
        return None if number is None else str(self.out / GENERATIONS / f"g{number:06d}")

    def _published_file(self, name: str, current: str | None) -> str:
        """The file a published name leads to: the current generation's, as the name's link
        says (read, not resolved step by step: 300 names per build), or wherever it leads."""
        try:
            if current is not None and os.readlink(self.out / name) == f"{CURRENT}/{name}":
                return os.path.join(current, name)
        except OSError:
            pass
        return os.path.realpath(self.out / name)

    def path(self, name: str) -> Path:
        """Where ``name`` is in the generation being written (the current one until then)."""
        return (self.dir or self.out) / name

    def write(self, name: str, data: bytes | Sequence[bytes | memoryview], **options: bool) -> bool:
        """Write ``name`` into the new generation; False if the current one has it already."""
        if self.dir is None and same_content(self.out / name, data):
            return False
        return write_atomic(self.start() / name, data, unseen=True, **options)

    def remove(self, name: str) -> bool:
        if not (self.out / name).exists():
            return False
        _unlink(self.start() / name)
        return True

    # -- after the build -------------------------------------------------------------------

    def commit(self) -> bool:
        """Swap the new generation in (if it differs from the current); True if swapped."""
        self._swept()
        folder = self.dir
        if folder is None:
            return False
        self.dir = None
        names = {e.name for e in _entries(folder)}
        if self._same_as_current(folder, names):
            shutil.rmtree(folder, ignore_errors=True)
            return False
        # Not synced (as the feeds are not, see build.py): fsyncing the folder would flush
        # every feed written into it. After a crash either generation is the current one,
        # and the next build rewrites any feed that differs from what its manifest says.
        for name in sorted(names):  # published names first: new ones dangle until the swap
            self._publish(name)
        _symlink(f"{GENERATIONS}/{folder.name}", self.out / CURRENT)
        self._drop_dangling()
        current = self._current_number()
        assert current is not None
        previous = self._previous(current)
        for number, path in self._generations():
            if number < previous:
                shutil.rmtree(path, ignore_errors=True)
        return True

    def _same_as_current(self, folder: Path, names: set[str]) -> bool:
        current = self.out / CURRENT
        if not current.is_symlink():
            return False
        try:
            old = {e.name: e.inode() for e in _entries(current)}
            return old.keys() == names and all(
                os.stat(folder / n).st_ino == ino for n, ino in old.items()
            )
        except OSError:
            return False

    def _publish(self, name: str) -> None:
        top = self.out / name
        target = f"{CURRENT}/{name}"
        try:
            if os.readlink(top) == target:
                return
        except OSError:  # absent, or a regular file of a folder before generations
            pass
        _symlink(target, top)

    def _drop_dangling(self) -> None:
        """Published names whose file the current generation no longer has (a removed unit)."""
        # What the current generation holds, listed once (not a stat per published name).
        held = {e.name for e in _entries(self.out / CURRENT)}
        for entry in _entries(self.out):
            if entry.is_symlink() and _own(entry.name) and entry.name != CURRENT:
                if entry.name in held:  # (leads there, or elsewhere: left alone either way)
                    continue
                try:
                    target = os.readlink(entry.path)
                except OSError:
                    continue
                if target == f"{CURRENT}/{entry.name}" and not os.path.exists(entry.path):
                    _unlink(Path(entry.path))


def _remove_all(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def _symlink(target: str, path: Path) -> None:
    """Point ``path`` at ``target`` in one rename: a reader sees the old link or the new."""
    tmp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
    os.symlink(target, tmp)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
