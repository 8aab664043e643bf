"""Printed calendars: what the PDF says (pdftotext), which fonts it embeds (pdffonts), the HTML."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from disclosure_calendar.core.errors import DisclosureError
from disclosure_calendar.occurrences.expansion import for_unit
from disclosure_calendar.printing import edition as editions
from disclosure_calendar.printing import fonts, render

DATA = Path(__file__).resolve().parents[1] / "data"
MINIMAL = DATA / "minimal.yaml"
BUILT = dt.date(2025, 11, 20)


@pytest.fixture(scope="module")
def printed(tmp_path_factory, schedule, cal):
    """2025 (official calendar, no provisional day): city-wide and the finance bureau's."""
    out = tmp_path_factory.mktemp("print")
    written = render.write_calendars(
        schedule, cal, 2025, units=[None, "finance"], out_dir=out, built=BUILT
    )
    return [path for path, _ in written]


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_file_names(printed):
    assert [p.name for p in printed] == ["2025-all.pdf", "2025-finance.pdf"]


def test_city_wide_holds_dates_refs_and_units(printed):
    text = pdftotext(printed[0])
    # Pinned by hand on the 2025 State Council calendar:
    expected = [
        "1月10日",  # 7.4 grain prices for 2024-12: day 10, a Friday
        "2月24日",  # 1.3 budget for January: 15th working day after 1-31 (Spring Festival, 2-8 make-up)
        "3月31日",  # 13.2 water ranking for 2024: March 31, a Monday
        "12月31日",  # 21.2 site review: last working day of 2025
        "7.4",
        "1.3",
        "13.2",
        "21.2",
        "粮油价格信息",
        "市发展改革局",
        "市财政局",
        "各镇区",
        "2025年第1季度",
        "中山市人民政府办公室",
    ]
    missing = [word for word in expected if word not in text]
    assert not missing
    assert "暂定" not in text  # 2025 and 2026 both have their notices


def test_every_occurrence_is_listed(printed, schedule, cal):
    text = pdftotext(printed[0])
    for occ in editions.year_occurrences(schedule, cal, 2025):
        assert f"{occ.due.month}月{occ.due.day}日" in text, occ.key


def test_font_is_embedded_noto_cjk_only(printed):
    for path in printed:
        listing = subprocess.run(
            ["pdffonts", str(path)], capture_output=True, text=True, check=True
        ).stdout
        rows = listing.splitlines()[2:]
        assert rows, listing
        for row in rows:
            assert "NotoSansCJKsc" in row.split()[0], row
            assert row.split()[-5] == "yes", row  # emb


def test_unit_edition_holds_its_duties_only(printed, schedule):
    text = pdftotext(printed[1])
    assert "市财政局" in text
    for duty in schedule.duties_of("finance"):
        assert duty.title in text
    others = [d for d in schedule.duties if "finance" not in schedule.unit_ids_of(d)]
    assert others
    for duty in others:
        assert duty.title not in text, duty.id


def test_provisional_year_carries_notice_on_every_page(tmp_path, schedule, cal):
    [(path, _)] = render.write_calendars(
        schedule, cal, 2027, units=[None], out_dir=tmp_path, built=BUILT
    )
    pages = pdftotext(path).split("\f")[:-1]
    assert len(pages) > 2
    for page in pages:
        assert "暂定日历" in page


def test_december_of_a_year_before_a_missing_notice_is_flagged(cal):
    assert editions.provisional_notice(cal, 2025) is None
    notice = editions.provisional_notice(cal, 2026)
    assert notice and "2027年节假日安排尚未发布" in notice


def test_year_grid_starts_monday_and_marks_days(schedule, cal):
    occurrences = editions.year_occurrences(schedule, cal, 2025)
    edition = editions.build_edition(schedule, cal, 2025, occurrences, unit=None, built=BUILT)
    january = edition.grids[0]
    assert len(january.weeks) == 6
    first = january.weeks[0]
    assert first[0] is None and first[1] is None  # 2025-01-01 is a Wednesday
    assert first[2] is not None and first[2].date == dt.date(2025, 1, 1)
    days = {d.date: d for week in january.weeks for d in week if d}
    assert days[dt.date(2025, 1, 1)].kind == "holiday"
    assert days[dt.date(2025, 1, 26)].kind == "makeup"  # Sunday worked for the Spring Festival
    assert days[dt.date(2025, 1, 25)].kind == "weekend"
    assert days[dt.date(2025, 1, 10)].due == 1
    assert sum(g.due for g in edition.grids) == edition.total == len(occurrences)


def test_html_has_the_same_rows_and_its_own_font(tmp_path, schedule, cal):
    [(path, _)] = render.write_calendars(
        schedule, cal, 2025, units=["finance"], out_dir=tmp_path, built=BUILT, fmt="html"
    )
    html = path.read_text(encoding="utf-8")
    assert path.name == "2025-finance.html"
    assert 'src: url("data:font/otf;base64,' in html
    # Page-margin texts are CSS strings, not HTML-escaped (a browser would drop them).
    assert 'content: "2025年政务公开工作日历 · 市财政局";' in html
    assert "&#34;" not in html
    assert "http" not in html.split("<body", 1)[1]
    for occ in for_unit(editions.year_occurrences(schedule, cal, 2025), schedule, "finance"):
        assert f"{occ.due.month}月{occ.due.day}日" in html
    assert "粮油价格信息" not in html


def test_output_is_deterministic(tmp_path, schedule, cal, printed):
    again = render.write_calendars(
        schedule, cal, 2025, units=[None], out_dir=printed[0].parent, built=BUILT
    )
    assert again == [(printed[0], False)]


def test_missing_glyph_is_an_error():
    with pytest.raises(DisclosureError, match=r"no glyph for: .*U\+1F600"):
        fonts.subset_fonts(fonts.find_fonts(), "日历\U0001f600")


def test_css_string_escapes():
    assert render.css_string('a"b\\c</style>') == '"a\\22 b\\5c c\\3c /style>"'


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--unit", "nobody"], 1, "unknown unit or group 'nobody'"),
        (["--year", "2016"], 1, "year 2016 is outside the supported range 2017..2099"),
        (["--year", "2100"], 1, "year 2100 is outside the supported range 2017..2099"),
        (["--unit", "finance", "--each-unit"], 2, "either --unit or --each-unit"),
    ],
    ids=["unknown-unit", "before-plan", "after-calendar", "unit-and-each"],
)
def test_cli_bad_input(tmp_path, args, code, message):
    result = CliRunner().invoke(
        main, ["-f", str(MINIMAL), "print", "--year", "2025", *args, "-o", str(tmp_path)]
    )
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_cli_each_unit(tmp_path, schedule):
    result = CliRunner().invoke(
        main, ["-f", str(MINIMAL), "print", "--year", "2025", "--each-unit", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["2025-all.pdf", *(f"2025-{u.id}.pdf" for u in schedule.units)])


def test_glyph_problems_name_each_place_a_lacking_character_is_used(tmp_path):
    # 鿰 (U+9FF0) and 𫝀 (U+2B740) are newer than the print font; the comment is never printed
    text = "plan:\n  title: 鿰鿰计划\n# 鿰 in a comment\nnote: 𫝀面，日历\n"
    problems = fonts.glyph_problems(tmp_path / "s.yaml", text, fonts.find_fonts())
    assert [(p.where.line, p.where.column) for p in problems] == [(2, 10), (2, 11), (4, 7)]
    assert "U+2B740" in problems[-1].message
    assert (
        fonts.glyph_problems(tmp_path / "s.yaml", "title: 日历（年）\n", fonts.find_fonts()) == []
    )
