"""Extract, update and compile the translation catalogs with Babel (a developer's tool).

    python -m disclosure_calendar.core.catalog          # extract, update the .po, compile the .mo

The msgids come from three places:

- ``_()``, ``ngettext()`` and ``N_()`` calls in the package and in cli.py;
- the command line's help texts (command docstrings and option help, in ``commands/``), read
  from the click command tree of cli.py, since they are plain strings where they are written;
- click's own messages ("No such option", "Usage:"), read from the installed click's source.

The compiled ``.mo`` is committed beside its ``.po``, so an install from a clean clone
(``pip install -e .``) speaks Chinese without a build step and Babel is needed only by
developers and tests (the ``test`` extra). ``tests/core/test_i18n.py`` fails when the
``.mo`` is stale, or when a msgid has no translation.
"""

from __future__ import annotations

import datetime
import importlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from disclosure_calendar.core.i18n import CATALOG, DOMAIN, LOCALE_DIR

PACKAGE = LOCALE_DIR.parent
KEYWORDS: dict[str, Any] = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
# click translates these through a variable, where no extractor sees them
CLICK_UNMARKED = ("required",)
POT = LOCALE_DIR / f"{DOMAIN}.pot"
# the files carry no dates, so that regenerating them changes nothing that did not change
FIXED = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def _python_files() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))
    cli = PACKAGE.parent / "cli.py"
    if cli.exists():
        yield cli


def _click_files() -> Iterator[Path]:
    import click

    yield from sorted(Path(click.__file__).parent.glob("*.py"))


def _help_texts() -> Iterator[str]:
    """Every help text of the command line, as click holds it."""
    import inspect

    import click

    cli = importlib.import_module("cli")
    yield importlib.import_module("disclosure_calendar.commands.base").LANG_HELP

    def walk(command: click.Command) -> Iterator[str]:
        if command.help:
            yield inspect.cleandoc(command.help).partition("\f")[0]
        for param in command.params:
            help_text = getattr(param, "help", None)
            if help_text:
                yield help_text
        if isinstance(command, click.Group):
            for sub in command.commands.values():
                yield from walk(sub)

    yield from walk(cli.main)


def template() -> Any:
    """The catalog template: every msgid, in a stable order."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    catalog = Catalog(
        project="disclosure-calendar", domain=DOMAIN, charset="utf-8", creation_date=FIXED
    )
    root = PACKAGE.parent
    for path in _python_files():
        for lineno, message, _comments, _context in extract_from_file(
            "python", path, keywords=KEYWORDS, strip_comment_tags=True
        ):
            catalog.add(message, locations=[(str(path.relative_to(root)), lineno)])
    for text in _help_texts():
        catalog.add(text, locations=[("cli.py", 0)], auto_comments=["click help text"])
    for path in _click_files():
        for lineno, message, _comments, _context in extract_from_file(
            "python", path, keywords={"_": None, "ngettext": (1, 2)}
        ):
            catalog.add(message, locations=[(f"click/{path.name}", lineno)])
    for message in CLICK_UNMARKED:
        catalog.add(message, locations=[("click/core.py", 0)])
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE_DIR / str(CATALOG[lang]) / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_po(lang: str) -> Any:
    from babel.messages.pofile import read_po as babel_read_po

    with po_path(lang).open("rb") as handle:
        return babel_read_po(handle, locale=CATALOG[lang], domain=DOMAIN)


def compiled(catalog: Any) -> bytes:
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def update() -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    pot = template()
    POT.parent.mkdir(parents=True, exist_ok=True)
    with POT.open("wb") as handle:
        write_po(handle, pot, width=100, include_lineno=False)
    for lang, folder in CATALOG.items():
        if folder is None:
            continue
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        po = read_po(lang) if path.exists() else Catalog(locale=folder, domain=DOMAIN)
        po.update(pot, no_fuzzy_matching=True, update_creation_date=False)
        po.obsolete.clear()
        po.fuzzy = False
        po.revision_date = FIXED
        with path.open("wb") as handle:
            write_po(handle, po, width=100, include_lineno=False)
        path.with_suffix(".mo").write_bytes(compiled(read_po(lang)))
        missing = [m.id for m in read_po(lang) if m.id and not m.string]
        print(f"{path}: {len(po) - 1} messages, {len(missing)} untranslated", file=sys.stderr)


if __name__ == "__main__":
    update()
