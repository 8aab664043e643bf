"""The errors a user can cause. The CLI turns every one into a message and exit 1."""

from __future__ import annotations

import errno
from collections.abc import Iterable
from dataclasses import dataclass

from disclosure_calendar.core.i18n import N_, ngettext
from disclosure_calendar.core.i18n import gettext as _


class DisclosureError(Exception):
    """A user mistake or an unusable input: reported without a traceback."""


class NotDelivered(DisclosureError):
    """A reminder run that went through but left messages unaccepted: the CLI prints
    ``report`` (what was sent), then the message, and exits ``exit_code`` (README: exit
    status), so cron and scripts can tell it from a clean run and from an error (1)."""

    exit_code = 3

    def __init__(self, message: str, report: str = ""):
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Where:
    """A position in an input file, 1-based, as editors show it."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    where: Where | None
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class InputError(DisclosureError):
    """One or more problems in an input file, all reported at once."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        count = len(self.problems)
        head = ngettext("{count} problem found:", "{count} problems found:", count).format(
            count=count
        )
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


# What the system's error numbers mean to a user, in words the catalog translates.
_OS_REASONS = {
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.ENOENT: N_("no such file or folder"),
    errno.ENOTDIR: N_("a part of the path is a file, not a folder"),
    errno.EISDIR: N_("is a folder, not a file"),
    errno.EEXIST: N_("already exists"),
    errno.EROFS: N_("read-only file system"),
    errno.ENOSPC: N_("no space left on the device"),
    errno.EADDRINUSE: N_("the address is already in use (another program listens on that port)"),
    errno.EADDRNOTAVAIL: N_("the address is not one of this machine's"),
}


def os_error_message(exc: OSError) -> str:
    """A system error as one line naming the path or address: no traceback for a user."""
    import socket

    if isinstance(exc, socket.gaierror):
        if exc.errno == getattr(socket, "EAI_ADDRFAMILY", None):
            return _("this kind of address (IPv6) is not supported here")
        return _("unknown host: the name does not resolve to an address")
    reason = _OS_REASONS.get(exc.errno or -1)
    text = _(reason) if reason else (exc.strerror or str(exc))
    if exc.filename is not None:
        return _("{path}: {reason}").format(path=exc.filename, reason=text)
    return text
