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

import base64
import calendar as _calendar
import datetime as dt
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from . import periods
from .errors import DisclosureError
from .files import write_atomic
from .model import CADENCE_NAMES, Duty, Schedule
from .occurrences import Occurrence, expand, for_unit

if TYPE_CHECKING:
    import jinja2

    from .workdays import ChinaCalendar

FORMATS = ("pdf", "html")
PAPERS = {"a4": "A4 landscape", "a3": "A3 landscape"}
WEEKDAYS = "一二三四五六日"
CITY_WIDE = "all"

# Debian's fonts-noto-cjk; fc-match is asked only when these are not where Debian puts them.
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_FILES = {400: "NotoSansCJK-Regular.ttc", 700: "NotoSansCJK-Bold.ttc"}
FONT_FAMILY = "Noto Sans CJK SC"  # the simplified-Chinese face inside the collection
FONT_ALIAS = "DC Noto Sans CJK SC"  # our name in @font-face, so no system font can stand in


# -- what the pages show ---------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    """One cell of a month grid on the year page."""

    date: dt.date
    kind: str  # workday | weekend | holiday | local | makeup (as ChinaCalendar.day_info says)
    name: str | None  # the holiday or make-up day's name
    due: int  # occurrences due that day

    @property
    def off(self) -> bool:
        return self.kind in ("weekend", "holiday", "local")


@dataclass(frozen=True)
class MonthGrid:
    month: int
    weeks: tuple[tuple[Day | None, ...], ...]  # Monday first; None outside the month
    due: int


@dataclass(frozen=True)
class Row:
    """One occurrence in a month's table."""

    day: int
    date: str
    weekday: str
    ref: str
    title: str
    rule: str
    assumed: bool
    units: str
    period: str
    provisional: bool


@dataclass(frozen=True)
class MonthTable:
    month: int
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class DutyLine:
    """How one duty of an appendix entry recurs and who leads it."""

    cadence: str
    basis: str
    rule: str
    units: str
    assumption: str | None
    note: str | None


@dataclass(frozen=True)
class Entry:
    """One requirement of the plan in the appendix: its text once, each cadence on a line."""

    ref: str
    title: str
    text: str
    lines: tuple[DutyLine, ...]


@dataclass(frozen=True)
class Edition:
    """Everything one printed calendar shows: city-wide (``unit`` None) or one unit's."""

    year: int
    unit: str | None
    unit_name: str | None
    plan_title: str
    issuer: str
    issued: dt.date
    grids: tuple[MonthGrid, ...]
    months: tuple[MonthTable, ...]
    appendix: tuple[Entry, ...]
    notice: str | None
    version: str
    built: dt.date
    total: int

    @property
    def slug(self) -> str:
        return self.unit or CITY_WIDE

    @property
    def heading(self) -> str:
        return f"{self.year}年政务公开工作日历"

    @property
    def issued_text(self) -> str:
        return f"{self.issued.year}年{self.issued.month}月{self.issued.day}日"

    @property
    def audience(self) -> str:
        return self.unit_name or "全市"


# -- building an edition (pure) ----------------------------------------------------------


def check_year(schedule: Schedule, year: int) -> None:
    """Refuse a year the plan or the working-day calendar does not cover."""
    from .workdays import MAX_YEAR, MIN_YEAR

    first = max(schedule.plan.issued.year, MIN_YEAR)
    last = min(schedule.plan.end.year if schedule.plan.end else MAX_YEAR, MAX_YEAR)
    if not first <= year <= last:
        raise DisclosureError(
            f"year {year} is outside the supported range {first}..{last} "
            f"(the plan was issued {schedule.plan.issued}; the working-day calendar covers "
            f"{MIN_YEAR}..{MAX_YEAR})"
        )


def check_unit(schedule: Schedule, unit: str) -> None:
    if unit == CITY_WIDE:
        raise DisclosureError(f"{CITY_WIDE!r} is the city-wide edition: leave out --unit")
    schedule.check_assignee(unit)


def year_occurrences(schedule: Schedule, cal: ChinaCalendar, year: int) -> list[Occurrence]:
    """Every occurrence due in ``year``; a date the calendar cannot count becomes our error."""
    check_year(schedule, year)
    try:
        return expand(schedule, cal, dt.date(year, 1, 1), dt.date(year, 12, 31))
    except ValueError as exc:
        if type(exc).__name__ == "CalendarRangeError":
            raise DisclosureError(f"cannot print {year}: {exc}") from None
        raise


def provisional_notice(cal: ChinaCalendar, year: int) -> str | None:
    """The warning every page carries when some date of ``year`` may still change."""
    if cal.is_provisional_year(year):
        return (
            f"暂定日历:{year}年国务院办公厅节假日安排尚未发布,节假日按法定规则推定,"
            "未含调休上班日;到期日以正式通知为准。"
        )
    if year < 2099 and cal.is_provisional_year(year + 1):
        return (
            f"部分日期暂定:{year + 1}年节假日安排尚未发布,"
            f"{year}年12月的放假与到期日可能随该通知调整。"
        )
    return None


def build_edition(
    schedule: Schedule,
    cal: ChinaCalendar,
    year: int,
    occurrences: Sequence[Occurrence],
    *,
    unit: str | None,
    built: dt.date,
) -> Edition:
    """What one printed calendar shows; ``occurrences`` are the year's, for every unit."""
    if unit is not None:
        check_unit(schedule, unit)
        occurrences = for_unit(list(occurrences), schedule, unit)
        duties = schedule.duties_of(unit)
    else:
        duties = schedule.duties
    by_day: dict[dt.date, int] = {}
    for occ in occurrences:
        by_day[occ.due] = by_day.get(occ.due, 0) + 1
    grids = tuple(_grid(cal, year, m, by_day) for m in range(1, 13))
    months = tuple(
        MonthTable(m, tuple(_row(schedule, o) for o in occurrences if o.due.month == m))
        for m in range(1, 13)
    )
    return Edition(
        year=year,
        unit=unit,
        unit_name=schedule.name(unit) if unit else None,
        plan_title=schedule.plan.title,
        issuer=schedule.plan.issuer,
        issued=schedule.plan.issued,
        grids=grids,
        months=months,
        appendix=_appendix(schedule, duties),
        notice=provisional_notice(cal, year),
        version=f"{Path(schedule.path).name} sha256:{schedule.digest}",
        built=built,
        total=len(occurrences),
    )


def _grid(cal: ChinaCalendar, year: int, month: int, by_day: dict[dt.date, int]) -> MonthGrid:
    weeks = []
    for week in _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells: list[Day | None] = []
        for d in week:
            if d.month != month:
                cells.append(None)
                continue
            info = cal.day_info(d)
            cells.append(Day(d, info.kind, info.name, by_day.get(d, 0)))
        weeks.append(tuple(cells))
    # Six rows for every month, so the twelve grids line up on the year page.
    weeks += [(None,) * 7] * (6 - len(weeks))
    due = sum(n for d, n in by_day.items() if d.year == year and d.month == month)
    return MonthGrid(month, tuple(weeks), due)


def _names(schedule: Schedule, ids: Iterable[str]) -> str:
    return "、".join(schedule.name(i) for i in ids)


def _row(schedule: Schedule, occ: Occurrence) -> Row:
    duty = occ.duty
    return Row(
        day=occ.due.day,
        date=f"{occ.due.month}月{occ.due.day}日",
        weekday="周" + WEEKDAYS[occ.due.weekday()],
        ref=duty.ref,
        title=duty.title,
        rule=duty.due.describe() if duty.due else "",
        assumed=duty.assumed,
        units=_names(schedule, duty.units),
        period=periods.describe(occ.period),
        provisional=occ.provisional,
    )


def _appendix(schedule: Schedule, duties: Sequence[Duty]) -> tuple[Entry, ...]:
    """The edition's duties in plan order, a requirement split by cadence shown once."""
    entries: dict[tuple[str, str], list[Duty]] = {}
    for duty in duties:
        entries.setdefault((duty.ref, duty.text), []).append(duty)
    return tuple(
        Entry(
            ref=ref,
            title=" / ".join(dict.fromkeys(d.title for d in group)),
            text=text,
            lines=tuple(
                DutyLine(
                    cadence=CADENCE_NAMES[d.cadence],
                    basis=d.basis,
                    rule=d.due.describe() if d.due else "无固定日期",
                    units=_names(schedule, d.units),
                    assumption=d.assumption if d.assumed else None,
                    note=d.note,
                )
                for d in group
            ),
        )
        for (ref, text), group in entries.items()
    )


# -- the font -------------------------------------------------------------------------


@dataclass(frozen=True)
class FontSource:
    """A face inside a font file: the collection and the index of the simplified-Chinese face."""

    path: Path
    index: int


def find_fonts() -> dict[int, FontSource]:
    """The regular and bold Noto Sans CJK SC faces, or a DisclosureError saying what to install."""
    found: dict[int, FontSource] = {}
    for weight, name in FONT_FILES.items():
        path = FONT_DIR / name
        if not path.is_file():
            path = _fc_match(weight) or path
        if not path.is_file():
            raise DisclosureError(
                f"font {FONT_FAMILY!r} (weight {weight}) not found: looked for {FONT_DIR / name} "
                "and asked fc-match; install the Debian package fonts-noto-cjk "
                "(.ci/system-deps does)"
            )
        found[weight] = FontSource(path, _face_index(path))
    return found


def _fc_match(weight: int) -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    style = "Bold" if weight >= 700 else "Regular"
    result = subprocess.run(
        ["fc-match", "--format=%{file}", f"{FONT_FAMILY}:style={style}"],
        capture_output=True,
        text=True,
        check=False,
    )
    # fc-match always answers with some font: accept only the family we asked for.
    path = Path(result.stdout.strip())
    return path if result.returncode == 0 and "NotoSansCJK" in path.name else None


@cache
def _face_index(path: Path) -> int:
    from fontTools.ttLib import TTCollection

    if path.suffix.lower() != ".ttc":
        return 0
    with TTCollection(path, lazy=True) as collection:
        for index, face in enumerate(collection.fonts):
            if face["name"].getDebugName(1) == FONT_FAMILY:
                return index
    raise DisclosureError(f"{path} holds no face named {FONT_FAMILY!r}")


@dataclass(frozen=True)
class Subset:
    weight: int
    data: bytes  # OpenType (CFF) bytes holding only the glyphs the documents use


def subset_fonts(fonts: dict[int, FontSource], text: str) -> tuple[Subset, ...]:
    """Cut each face down to ``text``'s characters; fail naming any the font lacks."""
    import uharfbuzz as hb

    wanted = {ord(ch) for ch in text if ch.isprintable() and not ch.isspace()}
    out = []
    for weight, source in sorted(fonts.items()):
        face = hb.Face(hb.Blob.from_file_path(str(source.path)), source.index)
        missing = sorted(wanted - set(face.unicodes))
        if missing:
            chars = " ".join(f"{chr(c)} (U+{c:04X})" for c in missing[:20])
            raise DisclosureError(f"{FONT_FAMILY} in {source.path} has no glyph for: {chars}")
        spec = hb.SubsetInput()
        for code in wanted:
            spec.unicode_set.add(code)
        result = hb.subset(face, spec)
        if result is None:
            raise DisclosureError(f"could not subset {source.path}")
        out.append(Subset(weight, bytes(result.blob.data)))
    return tuple(out)


def font_face_css(sources: dict[int, str]) -> str:
    """@font-face rules for our alias, one per weight, from URLs (file: or data:)."""
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_ALIAS}"; font-weight: {weight}; '
        f'src: url("{url}") format("opentype"); }}'
        for weight, url in sorted(sources.items())
    )


def embedded_css(subsets: Sequence[Subset]) -> str:
    """The fonts inside the page, so the HTML prints the same on a machine without them."""
    return font_face_css(
        {s.weight: "data:font/otf;base64," + base64.b64encode(s.data).decode() for s in subsets}
    )


# -- rendering ---------------------------------------------------------------------------


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("disclosure_calendar", "templates"),
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
        raise DisclosureError(f"unknown paper {paper!r} (expected {', '.join(PAPERS)})")
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
        template = resources.files("disclosure_calendar") / "templates" / "calendar.typ"
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
                raise DisclosureError(f"PDF font problem: {warning.message}")
        assert isinstance(pdf, bytes)
        return pdf


def file_name(edition: Edition, fmt: str) -> str:
    return f"{edition.year}-{edition.slug}.{fmt}"


def write_calendars(
    schedule: Schedule,
    cal: ChinaCalendar,
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
        raise DisclosureError(f"unknown format {fmt!r} (expected {', '.join(FORMATS)})")
    if paper not in PAPERS:
        raise DisclosureError(f"unknown paper {paper!r} (expected {', '.join(PAPERS)})")
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
