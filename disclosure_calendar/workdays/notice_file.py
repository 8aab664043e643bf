"""A holiday notice given as a file (or stdin): its bytes to text, its problems to errors, its entry.

The command ``workdays notice`` reads through here: errors in the text become one
:class:`~..core.errors.InputError` naming ``FILE:line``; warnings are returned for the caller
to show.  A separate notice (延长/调整 ...) is applied to the year's arrangement as the schedule
or the built-in data has it, so the entry it yields is the whole year, not only the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import InputError, Problem, Where
from .notice_merge import apply_supplement, official_notice
from .notice_parts import NoticeText, TextProblem, entry_of
from .notice_text import MAX_CHARS, read_notice
from .notices import Notice

# UTF-8 takes up to 4 bytes a character; a bigger file cannot be a notice (see MAX_CHARS).
MAX_BYTES = 4 * MAX_CHARS


def _where(name: str, problem: TextProblem) -> Problem:
    if problem.line:
        return Problem(Where(name, problem.line, 1), problem.message)
    return Problem(None, f"{name}: {problem.message}")


def decode(data: bytes, name: str) -> str:
    """The notice's text: UTF-8 (with or without BOM), else GB 18030 (Windows Notepad's ANSI
    on a Chinese system, where a notice pasted from a web page is often saved)."""
    if len(data) > MAX_BYTES:
        raise InputError(
            [
                Problem(
                    None,
                    _("{name}: more than {limit:,} bytes; a holiday notice is a few KB").format(
                        name=name, limit=MAX_BYTES
                    ),
                )
            ]
        )
    if b"\x00" in data:
        raise InputError(
            [Problem(None, _("{name}: binary data, not the text of a notice").format(name=name))]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            [Problem(Where(name, line, 1), _("neither UTF-8 nor GB 18030 text; save it as UTF-8"))]
        ) from None


def read_notice_file(data: bytes, name: str, *, year: int | None = None) -> NoticeText:
    """Read a notice from ``data``; an :class:`InputError` listing every error in it."""
    notice = read_notice(decode(data, name), year=year)
    if notice.errors:
        raise InputError([_where(name, p) for p in notice.errors])
    return notice


def warnings_text(notice: NoticeText, name: str) -> list[str]:
    """One line per warning, ``FILE:line: warning: ...``."""
    return [
        _("{name}:{line}: warning: {message}").format(name=name, line=p.line, message=p.message)
        if p.line
        else _("{name}: warning: {message}").format(name=name, message=p.message)
        for p in notice.warnings
    ]


def notice_entry(
    notice: NoticeText,
    name: str,
    *,
    entered: Sequence[Notice] = (),
    published: dt.date | None = None,
) -> dict[str, object]:
    """The ``calendar: notices:`` entry of ``notice`` (``published`` fills a missing date).

    A supplement is applied to the year's notice in ``entered`` (the schedule's), else to
    the built-in data; the entry then holds the whole year as changed.
    """
    if not notice.supplement:
        entry = notice.as_entry()
        if entry["published"] is None and published is not None:
            entry["published"] = published.isoformat()
        return entry
    assert notice.year is not None
    base = next((n for n in entered if n.year == notice.year), None) or official_notice(notice.year)
    if base is None:
        raise InputError(
            [
                Problem(
                    None,
                    _(
                        "{name}: ‘{title}’ changes the {year} arrangement, which is not entered "
                        "yet: enter the {year} notice first"
                    ).format(name=name, title=notice.title, year=notice.year),
                )
            ]
        )
    if published is not None and notice.published is None:
        notice = replace(notice, published=published)
    try:
        return entry_of(apply_supplement(base, notice))
    except ValueError as exc:
        raise InputError([Problem(None, f"{name}: {exc}")]) from None
