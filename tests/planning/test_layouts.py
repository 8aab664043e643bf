"""Each layout on documents written for it, in the styles real plans use."""

from __future__ import annotations

import io

import pytest

from disclosure_calendar.planning import PlanText, recognise
from disclosure_calendar.planning.readers.dispatch import read_bytes
from tests.planning.makers import make_html, make_text_pdf, make_two_column_pdf

# Prose: each task closed by its own unit bracket (the 要点 style of 2019 on)
PROSE = """\
某某市2021年政务公开工作要点
为深入贯彻落实《中华人民共和国政府信息公开条例》，现提出以下工作要点。
一、着力提升政策公开质量
（一）加强政策解读。围绕重大政策及时开展解读，解读材料与政策文件同步起草、同步审签。（市政府办公室牵头，市政府各部门、各镇区按职责分工负责）
（二）做好财政信息公开。按月公开全市一般公共预算收支情况。（市财政局负责落实）每季度公布重点项目建设进度。（市发展改革局负责落实）
二、加强政务公开平台建设
（一）规范政府网站管理。开展政府网站季度抽查，6月底前完成网站集约化建设。（牵头单位：市政务服务数据管理局；责任单位：各镇区）
以下工作均需各镇区落实，不再列出。
（二）用好政务新媒体。常态化开展政务新媒体检查。（市委网信办、市政府办公室分别负责落实）
某某市人民政府办公室
2021年4月30日
"""


def tasks(plan: PlanText) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return [(t.ref, t.lead_units, t.cooperating_units) for t in plan.tasks]


def read(text: str, name: str = "plan.txt", encoding: str = "utf-8") -> PlanText:
    return recognise(read_bytes(text.encode(encoding), name))


PROSE_TASKS = [
    ("1.1", ("市政府办公室",), ("市政府各部门", "各镇区")),
    ("1.2.1", ("市财政局",), ()),
    ("1.2.2", ("市发展改革局",), ()),
    ("2.1", ("市政务服务数据管理局",), ("各镇区",)),
    ("2.2", ("市委网信办", "市政府办公室"), ("各镇区",)),
]


def test_prose_closed_by_unit_brackets() -> None:
    plan = read(PROSE)
    assert plan.title == "某某市2021年政务公开工作要点"
    assert plan.issuer == "某某市人民政府办公室"
    assert str(plan.issued) == "2021-04-30"
    assert tasks(plan) == PROSE_TASKS
    assert plan.tasks[2].text == "每季度公布重点项目建设进度。"
    assert [s.title for s in plan.sections] == ["着力提升政策公开质量", "加强政务公开平台建设"]


def test_gbk_text() -> None:
    assert tasks(read(PROSE, encoding="gbk")) == PROSE_TASKS


def test_two_column_pdf_reads_column_by_column() -> None:
    pdf = make_two_column_pdf(PROSE.splitlines())
    assert tasks(recognise(read_bytes(pdf, "plan.pdf"))) == PROSE_TASKS


def test_pdf_lines_are_joined_into_paragraphs() -> None:
    pdf = make_text_pdf(PROSE.splitlines())
    plan = recognise(read_bytes(pdf, "plan.pdf"))
    assert tasks(plan) == PROSE_TASKS
    assert plan.tasks[0].text.endswith("同步起草、同步审签。")


# Numbered items with labelled lines under them (the 任务分工 style of district plans)
NUMBERED = """\
某某区2019年政务公开重点工作任务分工
一、推进决策公开
1.推进重大行政决策预公开，年底前公布重大行政决策事项目录。
牵头单位：区司法局
配合单位：区政府各部门
完成时限：2019年12月底前
2.每半年公开一次决策执行情况。
责任单位：区发改局、区财政局
二、推进管理服务公开
1.及时公开行政许可和行政处罚信息。区市场监管局牵头落实。
2.定期公开“双随机”抽查结果。区市场监管局、区城管执法局分别负责落实。
"""


def test_numbered_items_with_labelled_lines() -> None:
    plan = read(NUMBERED)
    assert tasks(plan) == [
        ("1.1", ("区司法局",), ("区政府各部门",)),
        ("1.2", ("区发改局", "区财政局"), ()),
        ("2.1", ("区市场监管局",), ()),
        ("2.2", ("区市场监管局", "区城管执法局"), ()),
    ]
    assert plan.tasks[0].deadline_text == "2019年12月底前"
    assert plan.tasks[2].text == "及时公开行政许可和行政处罚信息。"


# Headings wrapped onto two lines, letter-spaced, with a page's button inside
MESSY = """\
首页 > 政务公开 > 政策文件
某某市贯彻落实2020年政务公开工作要点实施方案
一、推进减税降费和降低要素
成本信息公开
1.每季度公布进入电力市场交易资格单位名单。（市工业和信息化局负责）
二、推进【打印】环境保护信息公开
1.每年公布水质最好和最差的镇区名单。（市生态环境局负责）
三、加 强 平 台 建 设
1.及时更新政府信息公开专栏。（各镇街负责）
版权所有：某某市人民政府办公室
"""


def test_wrapped_spaced_and_noisy_headings() -> None:
    plan = read(MESSY)
    assert [s.title for s in plan.sections] == [
        "推进减税降费和降低要素成本信息公开",
        "推进环境保护信息公开",
        "加强平台建设",
    ]
    assert tasks(plan) == [
        ("1.1", ("市工业和信息化局",), ()),
        ("2.1", ("市生态环境局",), ()),
        ("3.1", ("各镇街",), ()),
    ]
    assert not plan.unplaced


def test_a_saved_page_without_its_chrome() -> None:
    rows = [
        ("一、推进决策公开", "1.按月公开财政收支。", "市财政局"),
        ("一、推进决策公开", "2.及时公开预算调整。", None),
        ("二、推进平台建设", "1.每季度抽查网站。", "市政府办公室、市政务服务数据管理局"),
    ]
    plan = recognise(read_bytes(make_html(rows, "某某市2020年政务公开工作任务分解表"), "plan.html"))
    assert plan.title == "某某市2020年政务公开工作任务分解表"
    assert tasks(plan) == [
        ("1.1", ("市财政局",), ()),
        ("1.2", ("市财政局",), ()),
        ("2.1", ("市政府办公室", "市政务服务数据管理局"), ()),
    ]
    assert not plan.unplaced


def test_word_table_with_lead_cooperating_and_deadline_columns() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("某某县2022年政务公开工作任务分解表")
    table = document.add_table(rows=6, cols=5)
    values = [
        ("序号", "重点任务", "牵头单位", "配合单位", "完成时限"),
        ("一、深化重点领域信息公开",) * 5,  # a heading merged across the row
        ("1", "按月公开财政预算执行情况。", "县财政局", "", "每月10日前"),
        (
            "2",
            "公开重大建设项目批准和实施信息。",
            "县发展改革局",
            "县住建局、县自然资源局",
            "持续推进",
        ),
        ("二、加强平台建设",) * 5,
        ("1", "本方案印发后30个工作日内完成政府网站栏目调整。", "县政府办公室", "各乡镇", ""),
    ]
    for r, row in enumerate(values):
        if len(set(row)) == 1:
            merged = table.cell(r, 0).merge(table.cell(r, 4))
            merged.text = row[0]
            continue
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    plan = recognise(read_bytes(out.getvalue(), "plan.docx"))
    assert plan.title == "某某县2022年政务公开工作任务分解表"
    assert tasks(plan) == [
        ("1.1", ("县财政局",), ()),
        ("1.2", ("县发展改革局",), ("县住建局", "县自然资源局")),
        ("2.1", ("县政府办公室",), ("各乡镇",)),
    ]
    assert plan.tasks[0].deadline_text == "每月10日前"


@pytest.mark.parametrize("sep", ["\n", "\r\n"])
def test_a_copied_web_table_with_empty_cells(sep: str) -> None:
    text = sep.join(
        [
            "工作任务 |",
            "具体要求 |",
            "牵头单位 |",
            "一、推进公开 |",
            "1.按月公开财政收支。 |",
            "市财政局 |",
            "2.及时公开预算调整。 |",
            "||",
            "|",
            "3.每年公布审计报告。 |",
            "市审计局 |",
            "4.适时公开整改情况。 |",
        ]
    )
    assert tasks(read(text)) == [
        ("1.1", ("市财政局",), ()),
        ("1.2", ("市财政局",), ()),
        ("1.3", ("市审计局",), ()),
        ("1.4", ("市审计局",), ()),
    ]


def test_excel_sheet_with_number_category_and_deadline_columns() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某某区2020年政务公开工作任务清单"])
    sheet.merge_cells("A1:E1")
    sheet.append(["序号", "工作任务", "具体措施", "责任单位", "完成时限"])
    sheet.append(
        [1, "政策解读", "出台重要政策同步发布解读材料。", "区政府办公室\n区发改局", "持续推进"]
    )
    sheet.append([2, None, "每半年开展一次政策解读效果评估。", None, None])
    sheet.append(
        [3, "基层公开", "10月底前完成基层政务公开标准目录编制。", "各街道办事处", "2020年10月底前"]
    )
    sheet.merge_cells("B3:B4")
    sheet.merge_cells("D3:D4")
    out = io.BytesIO()
    book.save(out)
    plan = recognise(read_bytes(out.getvalue(), "plan.xlsx"))
    assert plan.title == "某某区2020年政务公开工作任务清单"
    assert [s.title for s in plan.sections] == ["政策解读", "基层公开"]
    assert tasks(plan) == [
        ("1.1", ("区政府办公室", "区发改局"), ()),
        ("1.2", ("区政府办公室", "区发改局"), ()),
        ("2.3", ("各街道办事处",), ()),
    ]
    assert plan.tasks[2].deadline_text == "2020年10月底前"


def test_word_list_numbering_counts_as_typed_numbers() -> None:
    """Items numbered by Word's list style (the number is not in the text)."""
    import docx

    document = docx.Document()
    document.add_paragraph("某某市2020年政务公开工作要点")
    document.add_paragraph("一、推进财政信息公开")
    document.add_paragraph(
        "按月公开全市一般公共预算收支情况。（市财政局负责）", style="List Number"
    )
    document.add_paragraph("每年公开审计工作报告。（市审计局负责）", style="List Number")
    out = io.BytesIO()
    document.save(out)
    doc = read_bytes(out.getvalue(), "plan.docx")
    assert [b.text[:3] for b in doc.blocks] == ["某某市", "一、推", "1.按", "2.每"]
    assert tasks(recognise(doc)) == [("1.1", ("市财政局",), ()), ("1.2", ("市审计局",), ())]


def test_a_page_whose_article_sits_in_a_layout_table() -> None:
    page = """<html><head><meta charset="utf-8"></head><body>
<table class="main"><tr><td class="nav"><a>首页</a></td></tr>
<tr><td><div class="content"><p>某某市2021年政务公开工作任务分解表</p>
<table border="1"><tr><td><p>序号</p></td><td><p>工作任务</p></td><td><p>责任单位</p></td></tr>
<tr><td>1</td><td><p>按月公开财政收支。</p></td><td><p>市财政局</p><p>市审计局</p></td></tr>
<tr><td>2</td><td>每季度公开项目进度。</td><td>市发展改革局</td></tr></table>
<p>某某市人民政府办公室</p><p>2021年3月1日</p></div></td></tr></table></body></html>"""
    plan = recognise(read_bytes(page.encode(), "plan.htm"))
    assert (plan.title, str(plan.issued)) == ("某某市2021年政务公开工作任务分解表", "2021-03-01")
    assert tasks(plan) == [("1.1", ("市财政局", "市审计局"), ()), ("1.2", ("市发展改革局",), ())]


def test_a_table_row_cut_by_a_page_break_is_one_task() -> None:
    from disclosure_calendar.planning.document import Document, Table

    table = Table(
        (
            ("工作任务", "具体要求", "牵头单位"),
            ("一、推进公开", "1.按月公开全市一般公共预算", "市财政局"),
            ("", "收支完成情况。", ""),  # the rest of the cell, on the next page
            ("", "2.及时公开预算调整。", ""),  # a row of its own: same units as above
        ),
        "page 1",
    )
    plan = recognise(Document("plan.pdf", (table,)))
    assert [(t.ref, t.text, t.lead_units) for t in plan.tasks] == [
        ("1.1", "按月公开全市一般公共预算收支完成情况。", ("市财政局",)),
        ("1.2", "及时公开预算调整。", ("市财政局",)),
    ]


def test_a_pdf_running_header_is_not_the_plans() -> None:
    from tests.planning.makers import typst_pdf

    header = "#set page(header: align(center)[某某市人民政府办公室文件（内部资料）])\n"
    items = "\n\n".join(
        f'#"{n}.按月公开第{n}项财政收支情况。（市财政局负责）"\n#pagebreak()' for n in range(1, 5)
    )
    pdf = typst_pdf(
        '#set page(paper: "a5")\n#set text(font: "Noto Sans CJK SC", lang: "zh")\n'
        + header
        + "一、推进财政信息公开\n\n"
        + items
    )
    plan = recognise(read_bytes(pdf, "plan.pdf"))
    assert tasks(plan) == [(f"1.{n}", ("市财政局",), ()) for n in range(1, 5)]
    assert not plan.unplaced
