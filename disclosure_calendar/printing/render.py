"""Printable yearly calendars: a PDF set by Typst, and the same content as HTML for browsers.

One model (:class:`Edition`) feeds two templates: ``templates/calendar.typ`` (PDF, Typst:
real typesetting, Chinese line breaking, tens of milliseconds per calendar, so every unit's
edition is printed in seconds) and ``templates/print.html.j2`` with ``print.css`` (HTML with
print CSS). Chinese is set in Noto Sans CJK SC from Debian's fonts-noto-cjk, which the
project installs (.ci/system-deps), never in whatever font a machine happens to have: Typst
sees only that font's files, and the HTML embeds a subset of it. Every character of every
calendar is checked against the font first, so a missing glyph is an error, not a box.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from disclosure_calendar.core.i18n import gettext as _

from ..core.errors import DisclosureError
from ..core.files import write_atomic
from ..schedule.model import Schedule
from .edition import (
    FORMATS,
    PAPERS,
    WEEKDAYS,
    Day,
    Edition,
    build_edition,
    check_unit,
    year_occurrences,
)
from .fonts import FontSource, embedded_css, find_fonts, subset_fonts

if TYPE_CHECKING:
    import jinja2

    from ..workdays.calendar import WorkdayCalendar


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("disclosure_calendar.printing", "templates"),
        # HTML is escaped; the CSS template only takes text through css_string.
        autoescape=jinja2.select_autoescape(enabled_extensions=("j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["weekdays"] = WEEKDAYS
    env.filters["css_string"] = css_string
    return env


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for page-margin ``content``); ``<`` too, as it sits in <style>."""
    escaped = "".join(ch if ch not in '"\\\n<' else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def render_html(edition: Edition, *, paper: str = "a4", font_css: str = "") -> str:
    """The edition as one HTML page with its print CSS inline."""
    if paper not in PAPERS:
        raise DisclosureError(
            _("unknown paper {paper!r} (expected {papers})").format(
                paper=paper, papers=", ".join(PAPERS)
            )
        )
    env = _environment()
    css = env.get_template("print.css").render(edition=edition, paper=paper)
    return env.get_template("print.html.j2").render(
        edition=edition, paper=paper, css=css, font_css=font_css
    )


def edition_json(edition: Edition) -> str:
    """The edition as the JSON the Typst template reads (dates as ISO strings)."""

    def plain(value: object) -> object:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Day):
            return {"day": value.date.day, "kind": value.kind, "name": value.name, "due": value.due}
        if is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        return value

    data = plain(edition)
    assert isinstance(data, dict)
    data.update(
        heading=edition.heading,
        audience=edition.audience,
        slug=edition.slug,
        issued_text=edition.issued_text,
    )
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


class PdfRenderer:
    """Typst, set up once (template, fonts) and reused for every edition of a run."""

    def __init__(self, fonts: dict[int, FontSource], font_dir: Path):
        import typst

        # Typst reads fonts from folders: ``font_dir`` holds links to exactly our two files,
        # and neither system nor Typst's bundled fonts are searched, so none can stand in.
        for weight, source in fonts.items():
            link = font_dir / f"{weight}{source.path.suffix}"
            link.unlink(missing_ok=True)
            link.symlink_to(source.path)
        self._fonts = typst.Fonts(
            include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(font_dir)]
        )
        template = resources.files("disclosure_calendar.printing") / "templates" / "calendar.typ"
        self._source = template.read_bytes()
        self._compiler = typst.Compiler(font_paths=self._fonts, ignore_system_fonts=True)

    def render(self, edition: Edition, *, paper: str = "a4") -> bytes:
        import typst

        built = dt.datetime.combine(edition.built, dt.time(), tzinfo=dt.UTC)
        try:
            pdf, warnings = self._compiler.compile_with_warnings(
                input=self._source,
                format="pdf",
                sys_inputs={"edition": edition_json(edition), "paper": paper},
                timestamp=built,
            )
        except typst.TypstError as exc:  # a template bug, not a user mistake
            raise RuntimeError(f"calendar.typ: {exc.message}\n{exc.diagnostic}") from exc
        for warning in warnings:
            if "font" in warning.message:
                raise DisclosureError(
                    _("PDF font problem: {message}").format(message=warning.message)
                )
        assert isinstance(pdf, bytes)
        return pdf


def file_name(edition: Edition, fmt: str) -> str:
    return f"{edition.year}-{edition.slug}.{fmt}"


def write_calendars(
    schedule: Schedule,
    cal: WorkdayCalendar,
    year: int,
    *,
    units: Sequence[str | None],
    out_dir: Path,
    built: dt.date,
    fmt: str = "pdf",
    paper: str = "a4",
) -> list[tuple[Path, bool]]:
    """Write one calendar per entry of ``units`` (None: city-wide); (path, changed) each."""
    if fmt not in FORMATS:
        raise DisclosureError(
            _("unknown format {format!r} (expected {formats})").format(
                format=fmt, formats=", ".join(FORMATS)
            )
        )
    if paper not in PAPERS:
        raise DisclosureError(
            _("unknown paper {paper!r} (expected {papers})").format(
                paper=paper, papers=", ".join(PAPERS)
            )
        )
    for unit in units:
        if unit is not None:
            check_unit(schedule, unit)
    occurrences = year_occurrences(schedule, cal, year)
    editions = [build_edition(schedule, cal, year, occurrences, unit=u, built=built) for u in units]
    bare = [render_html(e, paper=paper) for e in editions]
    fonts = find_fonts()
    # The HTML holds every word of the PDF too: a character the font lacks fails here, by name.
    subsets = subset_fonts(fonts, "".join(bare))
    paths = [out_dir / file_name(e, fmt) for e in editions]
    if fmt == "html":
        css = embedded_css(subsets)
        pages = [render_html(e, paper=paper, font_css=css).encode() for e in editions]
    else:
        with tempfile.TemporaryDirectory(prefix="dc-fonts-") as tmp:
            renderer = PdfRenderer(fonts, Path(tmp))
            pages = [renderer.render(e, paper=paper) for e in editions]
    return [(path, write_atomic(path, data)) for path, data in zip(paths, pages, strict=True)]
