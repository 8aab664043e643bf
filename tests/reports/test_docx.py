"""The .docx as python-docx reads it back: the official layout (GB/T 9704) and the content."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt
from notice_sample import ISSUER, PLAN_TITLE, SETTINGS, figures

from disclosure_calendar.reports.content import notice_blocks
from disclosure_calendar.reports.docx_file import notice_docx
from disclosure_calendar.reports.settings import ReportSettings


def _docx(settings: ReportSettings = SETTINGS, **changes: object) -> bytes:
    blocks = notice_blocks(figures(**changes), settings, plan_title=PLAN_TITLE, issuer=ISSUER)
    return notice_docx(blocks)


@pytest.fixture(scope="module")
def doc():
    return Document(io.BytesIO(_docx()))


def _east_asia(style) -> str | None:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia"))


def test_the_page_is_a4_with_the_standards_margins(doc):
    section = doc.sections[0]
    # Word keeps lengths in twentieths of a point: to a hundredth of a millimetre.
    got = [section.page_width, section.page_height, section.top_margin,
           section.bottom_margin, section.left_margin, section.right_margin]  # fmt: skip
    assert [round(length.mm, 1) for length in got] == [210, 297, 37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 28.95 pt: 22 lines a page


@pytest.mark.parametrize(
    ("role", "style", "font", "size"),
    [
        ("title", "Title", "方正小标宋简体", 22),
        ("body", "Normal", "仿宋_GB2312", 16),
        ("h1", "Heading 1", "黑体", 16),
        ("h2", "Heading 2", "楷体_GB2312", 16),
    ],
)
def test_named_styles_carry_the_east_asian_fonts_and_sizes(doc, role, style, font, size):
    s = doc.styles[style]
    assert _east_asia(s) == font
    assert s.font.size == Pt(size)
    assert not s.font.bold
    # No theme font may override the named one (Word prefers w:eastAsiaTheme).
    assert s.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsiaTheme")) is None
    fmt = s.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    if role != "title":
        assert abs(fmt.line_spacing.pt - 28.95) < 0.01


def test_runs_carry_no_fonts_of_their_own(doc):
    """Fonts on the styles, not run by run: a clerk's edit keeps the layout."""
    runs = [r for p in doc.paragraphs for r in p.runs]
    assert runs and all(r._r.rPr is None for r in runs)


def test_paragraphs_use_the_styles_in_order(doc):
    by_style = [(p.style.name, p.text) for p in doc.paragraphs if p.text]
    assert by_style[0] == ("Title", "关于2026年第三季度政务公开工作落实情况的通报")
    assert by_style[1] == ("Addressees", "各有关单位：")
    headings = [t for s, t in by_style if s == "Heading 1"]
    assert headings == ["一、总体情况", "二、分单位情况", "三、逾期未完成事项", "四、下一步要求"]
    assert [t for s, t in by_style if s == "Heading 2"] == [
        "（一）按时完成率排名",
        "（二）本期无已到期事项的单位",
    ]
    body = doc.paragraphs[2]
    assert body.style.paragraph_format.first_line_indent == Pt(32)  # two characters
    assert doc.styles["Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_overall_figures_and_the_comparison(doc):
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "已到期46项，其中按时完成34项，逾期完成6项，逾期未完成6项，按时完成率73.9%" in text
    assert "另有3项尚未到期" in text
    assert "上一期（2026年第二季度）已到期39项" in text
    assert "按时完成率76.9%；本期按时完成率比上一期下降3.0个百分点" in text
    assert "共2个：市统计局（2项尚未到期）、市档案馆。" in text
    assert "注：本期有3项事项的日期所依据的节假日安排尚未公布" in text
    assert "逾期未完成事项中以“（暂定）”标注。" in text


def test_units_table_sorted_by_on_time_rate(doc):
    units, overdue = doc.tables
    rows = [[c.text for c in r.cells] for r in units.rows]
    # Long headers on two lines, so the unit's name keeps most of the width.
    assert rows[0] == [
        "序号", "单位", "已到期", "按时\n完成", "逾期\n完成", "逾期\n未完成", "未到期", "按时\n完成率",
    ]  # fmt: skip
    assert [r[1] for r in rows[1:]] == [
        "市发展和改革局",
        "市财政局",
        "火炬开发区管委会",
        "市教育局",
    ]
    assert rows[2] == ["2", "市财政局", "12", "10", "1", "1", "0", "83.3%"]
    # The header row repeats on every page.
    assert units.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert units.rows[1].cells[0].paragraphs[0].style.name == "Table Text"
    assert units.rows[0].cells[0].paragraphs[0].style.name == "Table Heading"
    assert _east_asia(doc.styles["Table Heading"]) == "黑体"


def test_overdue_table_marks_provisional_dates(doc):
    overdue = doc.tables[1]
    rows = [[c.text for c in r.cells] for r in overdue.rows]
    assert rows[0] == ["序号", "单位", "编号", "事项", "到期日期", "逾期\n工作日"]
    assert rows[1] == [
        "1",
        "市教育局",
        "1.3",
        "一般公共预算收支完成情况（2026年8月）",
        "2026-09-08",
        "21",
    ]
    assert rows[2][4] == "2026-09-30（暂定）"


def test_imprint_from_settings_or_blank(doc):
    texts = [p.text for p in doc.paragraphs]
    assert "\u3000抄送：市委办公室，市人大常委会办公室。" in texts
    assert f"\u3000{ISSUER}\t2026年10月12日印发\u3000" in texts
    blank = Document(io.BytesIO(_docx(ReportSettings())))
    texts = [p.text for p in blank.paragraphs]
    assert "\u3000抄送：" in texts and "\u3000\t\u3000" in texts


def test_page_numbers_at_the_outer_corners(doc):
    section = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert odd.style.font.size == Pt(14)  # 4号
    for paragraph in (odd, even):
        xml = paragraph._p.xml
        assert "PAGE" in xml and paragraph.text == "— 1 —"


def test_no_overdue_says_so():
    doc = Document(io.BytesIO(_docx(overdue=())))
    assert len(doc.tables) == 1
    assert "截至2026年10月12日，本期无逾期未完成事项。" in [p.text for p in doc.paragraphs]


def test_thousands_of_rows_are_one_table_each():
    many = figures(overdue=figures().overdue * 1500)
    data = notice_docx(notice_blocks(many, SETTINGS, plan_title=PLAN_TITLE, issuer=ISSUER))
    doc = Document(io.BytesIO(data))
    assert len(doc.tables[1].rows) == 3001
    assert doc.tables[1].rows[3000].cells[0].text == "3000"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert (
            "word/footer2.xml" in z.namelist()
            or len([n for n in z.namelist() if "footer" in n]) == 2
        )


def test_property_elements_in_the_schemas_order():
    """Word rejects a file whose w:pPr, w:rPr or w:tblPr children are out of ECMA-376's order."""
    from disclosure_calendar.reports.docx_file import _ORDER

    data = _docx()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [z.read(n) for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")]
    from lxml import etree

    checked = 0
    for xml in parts:
        root = etree.fromstring(xml)
        for local, names in _ORDER.items():
            rank = {qn(f"w:{name}"): n for n, name in enumerate(names.split())}
            for element in root.iter(qn(f"w:{local}")):
                ranks = [rank[c.tag] for c in element if c.tag in rank]
                assert ranks == sorted(ranks), (local, [c.tag for c in element])
                checked += 1
    assert checked > 50


def test_opening_of_a_range_for_one_unit():
    from disclosure_calendar.reports.content import opening
    from disclosure_calendar.reports.figures import parse_period

    quarter = opening(figures(), PLAN_TITLE, None)
    assert quarter.endswith(
        "现将2026年第三季度（2026年7月1日至2026年9月30日）各单位政务公开事项落实情况通报如下。"
    )
    days = parse_period(start=dt.date(2026, 7, 1), end=dt.date(2026, 8, 15))
    ranged = opening(figures(period=days), PLAN_TITLE, "市财政局")
    assert ranged.endswith("现将2026年7月1日至8月15日市财政局政务公开事项落实情况通报如下。")
