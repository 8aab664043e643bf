"""Which language the tool speaks, and its gettext catalogs (simplified Chinese by default).

The catalogs live in ``disclosure_calendar/locale/<lang>/LC_MESSAGES/disclosure_calendar.po``
(source) and ``.mo`` (compiled, shipped as package data); ``python -m
disclosure_calendar.core.i18n_catalog`` extracts and compiles them with Babel.

The msgids are English: English is the catalog-free language. One catalog holds our strings
and click's own ("No such option", "Usage:"), because click looks its strings up in the
process's current gettext domain (see ``speaking``).

Language choice, first that names a language wins:

1. ``--lang zh|en``;
2. ``DISCLOSURE_CALENDAR_LANG`` (``zh``, ``en``, or a locale like ``en_US.UTF-8``);
3. ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, when they name Chinese (``zh_*``) or English
   (``en_*``);
4. simplified Chinese.

``C``, ``POSIX``, ``C.UTF-8`` and languages we have no catalog for name no language here: a
server with ``LANG=C`` keeps speaking Chinese to a Chinese office. To get English there, set
``DISCLOSURE_CALENDAR_LANG=en`` or pass ``--lang en``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext as _gettext
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")

DOMAIN = "disclosure_calendar"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("zh", "en")
DEFAULT = "zh"
# the folder of each language's catalog under LOCALE_DIR (None: the msgids themselves)
CATALOG = {"zh": "zh_CN", "en": None}
ENV_VARS = ("DISCLOSURE_CALENDAR_LANG", "LC_ALL", "LC_MESSAGES", "LANG")

_ENGLISH = _gettext.NullTranslations()
# The translation our own strings use. A context variable, set and reset only by `speaking`
# (the CLI's entry point): a script calling the package without it gets the English msgids.
_active: contextvars.ContextVar[_gettext.NullTranslations] = contextvars.ContextVar(
    "disclosure_calendar_translation", default=_ENGLISH
)


def language_of(value: str | None) -> str | None:
    """``zh``/``en`` for a flag or locale value that names one of them, else None."""
    if not value:
        return None
    head = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return head if head in LANGUAGES else None


def choose_language(flag: str | None, environ: Mapping[str, str]) -> str:
    """The language to speak: --lang, then the environment, then Chinese (module docstring)."""
    for value in (flag, *(environ.get(name) for name in ENV_VARS)):
        lang = language_of(value)
        if lang is not None:
            return lang
    return DEFAULT


_CATALOGS: dict[str, _gettext.NullTranslations] = {}


def translations(lang: str) -> _gettext.NullTranslations:
    """The catalog of ``lang`` (``zh`` or ``en``): found once per process (gettext keeps a
    catalog it has read anyway; finding it again costs file lookups and a copy, ~20 µs, and
    the portal asks on every form)."""
    found = _CATALOGS.get(lang)
    if found is None:
        folder = CATALOG[lang]
        if folder is None:
            return _ENGLISH
        found = _gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[folder])
        _CATALOGS[lang] = found
    return found


def gettext(message: str) -> str:
    """``message`` (an English msgid) in the language being spoken."""
    return _active.get().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active.get().ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for a marker)
    """Marks a msgid for extraction where it is translated later (a table of labels)."""
    return message


def current_language() -> str:
    return "en" if _active.get() is _ENGLISH else "zh"


@contextlib.contextmanager
def messages_in(lang: str) -> Iterator[None]:
    """Our own strings in ``lang`` inside the block, in this thread or task only (the web
    portal's pages are Chinese whatever the server's environment says)."""
    token = _active.set(translations(lang))
    try:
        yield
    finally:
        _active.reset(token)


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Speak ``lang`` inside the block: our strings, and click's.

    Click marks its strings with the standard library's ``gettext.gettext``, which reads the
    process's current text domain and the ``LANGUAGE`` variable; it has no other hook. So for
    the block we point that domain at our catalog and set ``LANGUAGE``, and put both back on
    the way out. Only the CLI's entry point calls this.
    """
    token = _active.set(translations(lang))
    old_domain = _gettext.textdomain()
    old_language = os.environ.get("LANGUAGE")
    _gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    _gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = CATALOG[lang] or "C"
    try:
        with _click_type_names():
            yield
    finally:
        _gettext.textdomain(old_domain)
        if old_language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = old_language
        _active.reset(token)


# click's type names, a class attribute its gettext calls never see: it says "'abc' is not a
# valid integer" and shows "--year INTEGER" from them, so Chinese read "不是有效的integer".
# The msgids are click's own names, so English is unchanged.
_CLICK_TYPE_NAMES = {
    "StringParamType": N_("text"),
    "UnprocessedParamType": N_("text"),
    "IntParamType": N_("integer"),
    "IntRange": N_("integer range"),
    "FloatParamType": N_("float"),
    "FloatRange": N_("float range"),
    "BoolParamType": N_("boolean"),
    "File": N_("filename"),
    "DateTime": N_("datetime"),
    "Choice": N_("choice"),
}


@contextlib.contextmanager
def _click_type_names() -> Iterator[None]:
    """click's built-in types named in the language spoken inside the block, then put back."""
    import click.types  # only where the CLI runs

    kinds = {getattr(click.types, name): msgid for name, msgid in _CLICK_TYPE_NAMES.items()}
    saved = {kind: kind.__dict__["name"] for kind in kinds}
    for kind, msgid in kinds.items():
        kind.name = gettext(msgid)
    try:
        yield
    finally:
        for kind, name in saved.items():
            kind.name = name


def in_this_language(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function``, speaking the language spoken here, wherever it is called.

    A new thread starts with an empty context, so it would speak the English msgids: the
    daemon's scheduler and workers, the portal's rebuild thread and test servers wrap the
    functions they hand to other threads with this.
    """
    translation = _active.get()

    @functools.wraps(function)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        token = _active.set(translation)
        try:
            return function(*args, **kwargs)
        finally:
            _active.reset(token)

    return run


def prose_date(day: date) -> str:
    """A date in running text: 2026年3月16日 in Chinese, 2026-03-16 in English."""
    if current_language() == "en":
        return day.isoformat()
    return f"{day.year}年{day.month}月{day.day}日"
