"""Test documents made here, in each format, from rows we write: (section, item, units).

A row's units of None mean the cell above covers it (merged in Word and Excel, a rowspan in
PDF and HTML): the plan's "same as above".
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path

Row = tuple[str, str, str | None]  # section heading, item text, lead units (None: merged)

HEADER = ("工作任务", "具体要求", "牵头落实单位")


def spans(rows: Sequence[Row], column: int) -> list[int]:
    """How many rows each row's cell covers in ``column`` (0 for a covered cell)."""
    out = [0] * len(rows)
    start = 0
    for i, row in enumerate(rows):
        same = row[column] is None if column == 2 else (i > 0 and row[0] == rows[i - 1][0])
        if i == 0 or not same:
            start = i
            out[i] = 1
        else:
            out[start] += 1
    return out


def make_docx(rows: Sequence[Row], title: str, *, before: Sequence[str] = ()) -> bytes:
    import docx

    document = docx.Document()
    for line in before:
        document.add_paragraph(line)
    document.add_paragraph(title)
    table = document.add_table(rows=len(rows) + 1, cols=3)
    for c, text in enumerate(HEADER):
        table.cell(0, c).text = text
    for column in (0, 2):
        for i, n in enumerate(spans(rows, column)):
            if n:
                table.cell(i + 1, column).text = rows[i][column] or ""
                if n > 1:
                    table.cell(i + 1, column).merge(table.cell(i + n, column))
    for i, row in enumerate(rows):
        table.cell(i + 1, 1).text = row[1]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx(rows: Sequence[Row], title: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.merge_cells("A1:C1")
    sheet.append(list(HEADER))
    for column in (0, 2):
        for i, n in enumerate(spans(rows, column)):
            if n:
                sheet.cell(row=i + 3, column=column + 1, value=rows[i][column])
                if n > 1:
                    sheet.merge_cells(
                        start_row=i + 3,
                        start_column=column + 1,
                        end_row=i + 2 + n,
                        end_column=column + 1,
                    )
    for i, row in enumerate(rows):
        sheet.cell(row=i + 3, column=2, value=row[1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FONT_DIR = Path("/usr/share/fonts/opentype/noto")


def typst_pdf(source: str) -> bytes:
    import typst

    pdf = typst.compile(
        source.encode(), format="pdf", font_paths=[str(FONT_DIR)], ignore_system_fonts=True
    )
    assert isinstance(pdf, bytes)
    return pdf


def _s(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


PAGE = '#set page(paper: "a4", margin: 2cm)\n#set text(font: "Noto Sans CJK SC", size: 10pt, lang: "zh")\n'


def make_pdf(rows: Sequence[Row], title: str) -> bytes:
    """The rows as a ruled table over as many pages as they take (heading row repeated)."""
    cells = []
    section_spans = spans(rows, 0)
    unit_spans = spans(rows, 2)
    for i, row in enumerate(rows):
        if section_spans[i]:
            cells.append(f"table.cell(rowspan: {section_spans[i]})[#{_s(row[0])}]")
        cells.append(f"[#{_s(row[1])}]")
        if unit_spans[i]:
            cells.append(f"table.cell(rowspan: {unit_spans[i]})[#{_s(row[2] or '')}]")
    header = ", ".join(f"[#{_s(h)}]" for h in HEADER)
    return typst_pdf(
        PAGE
        + f"#align(center)[#{_s(title)}]\n"
        + "#table(columns: (3cm, 1fr, 3.2cm), stroke: 0.5pt, inset: 4pt,\n"
        + f"table.header({header}),\n"
        + ",\n".join(cells)
        + ")\n"
    )


def make_two_column_pdf(paragraphs: Sequence[str]) -> bytes:
    body = "\n\n".join(f"#{_s(p)}" for p in paragraphs)
    return typst_pdf(
        PAGE + "#set par(justify: true)\n#columns(2, gutter: 1.2cm)[\n" + body + "\n]\n"
    )


def make_text_pdf(paragraphs: Sequence[str]) -> bytes:
    body = "\n\n".join(f"#{_s(p)}" for p in paragraphs)
    return typst_pdf(PAGE + "#set par(justify: true)\n" + body + "\n")


def make_html(rows: Sequence[Row], title: str) -> bytes:
    """A page as a government site serves it: navigation, the plan, a footer; GBK."""
    body = []
    section_spans = spans(rows, 0)
    unit_spans = spans(rows, 2)
    for i, row in enumerate(rows):
        cells = ""
        if section_spans[i]:
            cells += f'<td rowspan="{section_spans[i]}">{row[0]}</td>'
        cells += f"<td>{row[1]}</td>"
        if unit_spans[i]:
            cells += f'<td rowspan="{unit_spans[i]}">{row[2] or ""}</td>'
        body.append(f"<tr>{cells}</tr>")
    page = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}_中山市人民政府门户网站</title><script>var a = "一、不是标题";</script></head>
<body><div class="top-nav"><a href="/">首页</a> | <a>政务公开</a> | <a>政策文件</a></div>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 政策文件</div>
<div class="article"><h1>{title}</h1>
<p>发布时间：2017-06-12 来源：市政府办公室 【字体：大 中 小】 【打印】 【关闭】</p>
<table border="1"><tr><th>工作任务</th><th>具体要求</th><th>牵头落实单位</th></tr>
{"".join(body)}</table>
<p>中山市人民政府办公室</p><p>2017年6月9日</p></div>
<div id="footer">版权所有：中山市人民政府办公室 粤ICP备05012345号 网站标识码：4420000001</div>
</body></html>"""
    return page.encode("gb18030")
