"""Plans written in the layouts other cities publish (our own wording, places and years).

Each document is a function returning (file name, bytes); ``EXPECTED`` gives, per document,
the tasks in order as (lead units, cooperating units, deadline words or "").
"""

from __future__ import annotations

import io
import json

from tests.planning.makers import PAGE, typst_pdf

Expect = list[tuple[tuple[str, ...], tuple[str, ...]]]

# 1. A province's 要点 in prose: several tasks per paragraph, each closed by its bracket;
#    a standing rule worded its own way; the lead named with 牵头, the doers after it.
PROVINCE_PROSE = """\
岭东省2022年政务公开工作要点分工方案
岭东省人民政府办公厅
2022年5月16日
为做好今年全省政务公开工作，现将有关任务分工如下。
一、围绕稳住经济大盘加强信息公开
（一）做好助企纾困政策公开。集中发布减税降费、稳岗就业等惠企政策清单，按季度更新。（省发展改革委牵头，各地级以上市人民政府负责落实）主动公开财政资金直达基层情况。（省财政厅负责）
（二）加强重大项目信息公开。每月公布省重点建设项目进展情况。（省发展改革委、省住房城乡建设厅按职责分工负责）
以下各项任务各地级以上市人民政府均需落实，不再一一列出。
二、围绕保障改善民生加强信息公开
（一）推进就业和社会保障信息公开。及时发布稳就业政策和招聘信息。（省人力资源社会保障厅负责）2022年9月底前公开城乡居民医保待遇标准。（省医保局牵头，省卫生健康委、省税务局配合）
（二）推进教育信息公开。年底前完成义务教育招生入学政策集中公开。（省教育厅负责）
"""
PROVINCE_EXPECTED: Expect = [
    (("省发展改革委",), ("各地级以上市人民政府",)),
    (("省财政厅",), ()),
    (("省发展改革委", "省住房城乡建设厅"), ()),
    (("省人力资源社会保障厅",), ("各地级以上市人民政府",)),
    (("省医保局",), ("省卫生健康委", "省税务局", "各地级以上市人民政府")),
    (("省教育厅",), ("各地级以上市人民政府",)),
]

# 2. A county's 分工方案: numbered items, each followed by labelled lines.
COUNTY_LINES = """\
临川县2024年政务公开重点工作任务分工方案
一、强化政策发布解读
1.做好县政府常务会议议定事项公开，会后及时发布会议信息。
责任单位：县政府办公室
完成时限：2024年12月底前
2.开展主要负责同志解读政策活动，每季度至少开展1次。
牵头单位：县政府办公室
配合单位：县司法局、县融媒体中心
完成时限：按季度
二、夯实基层公开基础
3.动态更新乡镇（街道）政务公开事项标准目录。
责任单位：各乡镇人民政府、各街道办事处
完成时限：持续推进
4.规范村（居）务公开栏设置，每半年检查一次。
责任单位：县民政局和县农业农村局
完成时限：2024年6月底前、12月底前
"""
COUNTY_EXPECTED: Expect = [
    (("县政府办公室",), ()),
    (("县政府办公室",), ("县司法局", "县融媒体中心")),
    (("各乡镇人民政府", "各街道办事处"), ()),
    (("县民政局", "县农业农村局"), ()),
]

# 3. Numbered items closed by a bracket with 牵头 and a long doer list joined by 及.
NUMBERED_BRACKETS = [
    "西岭市2023年政务公开工作重点任务",
    "一、推动审批服务全流程公开",
    "1.全面公开行政许可事项清单。2023年10月底前编制并公布市、县两级行政许可事项清单，动态调整。（市政府办公室、市审改办牵头，市级各有关部门及各县区政府按职责分工负责）",
    "2.持续公开“双随机、一公开”抽查结果。抽查结果在作出之日起20个工作日内公开。（市市场监管局牵头，市级有关执法部门配合）",
    "二、加强公开平台建设",
    "3.规范政府网站和政务新媒体管理。每季度开展一次检查并通报结果。（市政府办公室、市委网信办负责）",
    "4.建好政府信息公开专栏。常态化更新法定主动公开内容。（各县区政府和市级各部门负责）",
]
NUMBERED_EXPECTED: Expect = [
    (("市政府办公室", "市审改办"), ("市级各有关部门", "各县区政府")),
    (("市市场监管局",), ("市级有关执法部门",)),
    (("市政府办公室", "市委网信办"), ()),
    (("各县区政府", "市级各部门"), ()),
]


def numbered_docx() -> tuple[str, bytes]:
    import docx

    document = docx.Document()
    for line in NUMBERED_BRACKETS:
        document.add_paragraph(line)
    document.add_paragraph("西岭市人民政府办公室")
    document.add_paragraph("2023年3月2日")
    out = io.BytesIO()
    document.save(out)
    return "xiling.docx", out.getvalue()


# 4. A 实施方案 table in Word: target | content | 责任单位 written as verbs
#    (X牵头落实, X、Y分别牵头落实), the target cell merged down, headings across the row.
WEIFANG_ROWS = [
    ("一、以政务公开助力稳增长",),
    ("（一）加强预期引导", "通过例行新闻发布会及时解读全市经济运行形势。", "市发改委牵头落实"),
    (None, "按月公开全市财政收支情况，解读增减变化原因。", "市财政局牵头落实"),
    (
        None,
        "加强金融政策信息公开，及时传递货币政策意图。",
        "市金融办、人民银行南浦市中心支行、南浦银保监分局分别牵头落实",
    ),
    ("二、以政务公开助力惠民生",),
    (
        "（二）推进就业信息公开",
        "每季度发布就业形势和重点群体就业情况。",
        "市人社局牵头，各县市区政府配合",
    ),
    (None, "公开创业担保贷款政策和办理流程。", "市人社局、市财政局按职责分工负责"),
]
WEIFANG_EXPECTED: Expect = [
    (("市发改委",), ()),
    (("市财政局",), ()),
    (("市金融办", "人民银行南浦市中心支行", "南浦银保监分局"), ()),
    (("市人社局",), ("各县市区政府",)),
    (("市人社局", "市财政局"), ()),
]


def weifang_docx() -> tuple[str, bytes]:
    import docx

    document = docx.Document()
    document.add_paragraph("南浦市2019年政务公开工作要点实施方案")
    table = document.add_table(rows=len(WEIFANG_ROWS) + 1, cols=3)
    for c, text in enumerate(("目标任务", "主要内容", "责任单位")):
        table.cell(0, c).text = text
    start = None
    for r, row in enumerate(WEIFANG_ROWS, start=1):
        if len(row) == 1:
            table.cell(r, 0).merge(table.cell(r, 2)).text = row[0]
            start = None
            continue
        if row[0] is not None:
            table.cell(r, 0).text = row[0]
            start = r
        elif start is not None:
            table.cell(start, 0).merge(table.cell(r, 0))
        table.cell(r, 1).text = row[1]
        table.cell(r, 2).text = row[2]
    out = io.BytesIO()
    document.save(out)
    return "nanpu.docx", out.getvalue()


# 5. A 分工方案 sheet: 附件 line, title, 序号 | 重点任务 | 牵头单位 | 配合单位 | 时间进度 | 备注;
#    section rows merged across; two leads in one cell on two lines.
def sheet_xlsx() -> tuple[str, bytes]:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["附件"])
    sheet.append(["白河市2025年政务公开重点工作任务分工表"])
    sheet.merge_cells("A2:F2")
    sheet.append(["序号", "重点任务", "牵头单位", "配合单位", "时间进度", "备注"])
    rows = [
        ("一、提升政策公开质效",),
        (
            1,
            "健全政策文件库，3月底前完成现行有效规范性文件清理。",
            "市司法局",
            "市政府办公室",
            "2025年3月底前",
            None,
        ),
        (
            2,
            "政策文件与解读材料同步起草、同步审签、同步发布。",
            "市政府办公室\n市政数局",
            "市直各单位",
            "长期坚持",
            "纳入年度考核",
        ),
        ("二、深化重点领域信息公开",),
        (3, "按月公开全市空气质量状况。", "市生态环境局", None, "每月", None),
        (
            4,
            "每半年公布一次食品安全抽检结果。",
            "市市场监管局",
            "市卫健委、市农业农村局",
            "6月底前、12月底前",
            None,
        ),
    ]
    for row in rows:
        sheet.append(list(row))
        if len(row) == 1:
            r = sheet.max_row
            sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=6)
    out = io.BytesIO()
    book.save(out)
    return "baihe.xlsx", out.getvalue()


SHEET_EXPECTED: Expect = [
    (("市司法局",), ("市政府办公室",)),
    (("市政府办公室", "市政数局"), ("市直各单位",)),
    (("市生态环境局",), ()),
    (("市市场监管局",), ("市卫健委", "市农业农村局")),
]


# 6. A district's 任务分解表 as a PDF: one 责任单位 column where the lead is marked by an
#    asterisk, a note under the table saying so, page numbers "— 2 —", a task cut by a page break.
def asterisk_pdf() -> tuple[str, bytes]:
    rows = [
        ("一、加强政策解读回应", None),
        ("1", "重要政策出台后3个工作日内发布解读材料。", "区政府办公室*、区政府各部门", "持续推进"),
        (
            "2",
            "及时回应涉及本区的重大舆情，" + "回应情况纳入月度通报。" * 12,
            "区委宣传部*、区政府办公室",
            "及时",
        ),
        ("二、推进基层政务公开", None),
        (
            "3",
            "编制街道政务公开事项标准目录。" + "目录要素完整、动态更新。" * 6,
            "区政务服务中心*、各街道办事处",
            "2021年9月底前",
        ),
        ("4", "每季度开展一次村务公开检查。", "区民政局*、区农业农村局、各街道办事处", "按季度"),
    ]
    cells = []
    for row in rows:
        if row[1] is None:
            cells.append(f"table.cell(colspan: 5)[#{json.dumps(row[0], ensure_ascii=False)}]")
            continue
        number, text, units, when = row
        cells.append(
            ", ".join(
                f"[#{json.dumps(v, ensure_ascii=False)}]"
                for v in (number, text.split("。")[0][:12], text, units, when)
            )
        )
    header = ", ".join(
        f"[#{json.dumps(h, ensure_ascii=False)}]"
        for h in ("序号", "工作任务", "具体内容", "责任单位", "完成时限")
    )
    source = (
        PAGE.replace(
            "margin: 2cm)",
            "margin: 2cm, height: 14cm, footer: context align(center)[— #counter(page).display() —])",
        )
        + '#align(center)[#"东湖区2021年政务公开工作任务分解表"]\n'
        + "#table(columns: (1cm, 2.5cm, 1fr, 3.5cm, 2.2cm), stroke: 0.5pt, inset: 4pt,\n"
        + f"table.header({header}),\n"
        + ",\n".join(cells)
        + ")\n"
        + '#"注：标“*”的为牵头单位。"\n'
    )
    return "donghu.pdf", typst_pdf(source)


ASTERISK_EXPECTED: Expect = [
    (("区政府办公室",), ("区政府各部门",)),
    (("区委宣传部",), ("区政府办公室",)),
    (("区政务服务中心",), ("各街道办事处",)),
    (("区民政局",), ("区农业农村局", "各街道办事处")),
]


# 7. A district's page: 工作任务 | 工作要求 | 牵头单位 | 责任单位, headings across the row,
#    the task cell a rowspan, the site's chrome around it.
def district_html() -> tuple[str, bytes]:
    rows = [
        '<tr><td colspan="4">一、紧扣高质量发展，深化政务公开</td></tr>',
        '<tr><td rowspan="2">推进规划信息公开</td><td>1.年底前公开区“十五五”规划编制进展。</td><td>区发改局</td><td>各镇（街）</td></tr>',
        "<tr><td>2.动态公开重大项目审批和实施信息。</td><td>区发改局、区住建局</td><td>区直各部门</td></tr>",
        '<tr><td colspan="4">二、紧扣强基础抓基层，深化政务公开</td></tr>',
        "<tr><td>提升基层公开水平</td><td>3.每季度更新村（社区）公开事项目录。</td><td>区政府办</td><td>各镇（街）</td></tr>",
    ]
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>2022年全区政务公开工作主要任务分解表_青屿区人民政府</title></head>'
        '<body><div class="nav"><a href="/">首页</a> <a>政务公开</a> <a>互动交流</a></div>'
        '<div class="position">您当前的位置：首页 &gt; 政府信息公开 &gt; 计划总结</div>'
        '<div class="content"><h2>2022年全区政务公开工作主要任务分解表</h2>'
        "<p>发布日期：2022-06-20 浏览次数：<span>128</span> 【打印本页】</p>"
        "<p>各镇（街）、区直各部门：</p><p>现将《2022年全区政务公开工作主要任务分解表》印发给你们，请认真组织实施。</p>"
        "<p>附件：2022年全区政务公开工作主要任务分解表</p>"
        '<table border="1"><tr><th>工作任务</th><th>工作要求</th><th>牵头单位</th><th>责任单位</th></tr>'
        + "".join(rows)
        + "</table><p>青屿区人民政府办公室</p><p>2022年6月18日</p></div>"
        '<div class="footer">主办：青屿区人民政府办公室 备案号：闽ICP备00000000号 技术支持：某某科技</div></body></html>'
    )
    return "qingyu.html", page.encode("utf-8")


DISTRICT_EXPECTED: Expect = [
    (("区发改局",), ("各镇（街）",)),
    (("区发改局", "区住建局"), ("区直各部门",)),
    (("区政府办",), ("各镇（街）",)),
]


# 8. A bureau's own list (GBK page): 工作任务 (merged) | 序号 | 具体要求 | 责任科室 | 时限要求.
def bureau_html() -> tuple[str, bytes]:
    rows = [
        '<tr><td rowspan="2">做好主动公开</td><td>1</td><td>及时在专栏发布法定主动公开内容。</td><td>办公室</td><td>持续推进</td></tr>',
        "<tr><td>2</td><td>按时编制发布政府信息公开工作年度报告。</td><td>办公室</td><td>每年1月31日前</td></tr>",
        "<tr><td>规范依申请公开</td><td>3</td><td>依法办理政府信息公开申请，做好答复文书归档。</td><td>法规科</td><td>持续推进</td></tr>",
        "<tr><td>加强财务公开</td><td>4</td><td>公开本局部门预算、决算。</td><td>计划财务科、各科室</td><td>年底前</td></tr>",
    ]
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>松江口市水利局2023年政务公开工作任务清单</title></head><body>'
        '<div id="header">松江口市水利局 | 首页 | 信息公开</div>'
        "<h1>松江口市水利局2023年政务公开工作任务清单</h1>"
        '<table border="1"><tr><td>工作任务</td><td>序号</td><td>具体要求</td><td>责任科室</td><td>时限要求</td></tr>'
        + "".join(rows)
        + "</table><div id='foot'>松江口市水利局 版权所有</div></body></html>"
    )
    return "shuili.html", page.encode("gbk")


BUREAU_EXPECTED: Expect = [
    (("办公室",), ()),
    (("办公室",), ()),
    (("法规科",), ()),
    (("计划财务科", "各科室"), ()),
]


# 9. A copied page as text (cells on lines of their own ending in " |"): 工作任务 | 具体要求 | 责任部门,
#    "X牵头，各科室配合" in the unit cell, the task's number inside its text.
CELLS_TEXT = """\
工作任务 |
具体要求 |
责任部门 |
一、做好财政信息公开。 |
1.积极推进本中心预算、决算及相关报表公开。 |
财务科 |
二、持续加强政策发布解读。 |
2.及时发布涉及本中心的政策文件。 |
办公室 |
3.综合运用图解、短视频等形式解读政策。 |
办公室牵头，各科室配合 |
三、切实增强回应关切效果。 |
4.密切关注相关舆情并及时回应。 |
各科室 |
"""
CELLS_EXPECTED: Expect = [
    (("财务科",), ()),
    (("办公室",), ()),
    (("办公室",), ("各科室",)),
    (("各科室",), ()),
]

DOCUMENTS = {
    "province_prose.txt": (
        lambda: ("province.txt", PROVINCE_PROSE.encode("gb18030")),
        PROVINCE_EXPECTED,
    ),
    "county_lines.txt": (lambda: ("county.txt", COUNTY_LINES.encode()), COUNTY_EXPECTED),
    "numbered_brackets.docx": (numbered_docx, NUMBERED_EXPECTED),
    "target_table.docx": (weifang_docx, WEIFANG_EXPECTED),
    "sheet.xlsx": (sheet_xlsx, SHEET_EXPECTED),
    "asterisk.pdf": (asterisk_pdf, ASTERISK_EXPECTED),
    "district.html": (district_html, DISTRICT_EXPECTED),
    "bureau.html": (bureau_html, BUREAU_EXPECTED),
    "cells.txt": (lambda: ("cells.txt", CELLS_TEXT.encode()), CELLS_EXPECTED),
}


# 10. A Word 分工方案 whose single 责任单位 column lists the lead first, as a note above the
#     table says; the task cell merged down over its measures.
def first_listed_docx() -> tuple[str, bytes]:
    import docx

    document = docx.Document()
    document.add_paragraph("金沙市2024年政务公开重点任务分工方案")
    document.add_paragraph("注：各项任务的责任单位中，排在第一位的为牵头单位。")
    rows = [
        (
            "1",
            "优化政务服务",
            "2024年第三季度前上线“一件事”办事指南专栏。",
            "市数据局、市政府办公室",
            "2024年第三季度",
        ),
        ("2", None, "每月10日前公布上月政务服务“好差评”情况。", "市数据局", "每月10日前"),
        (
            "3",
            "做好民生信息公开",
            "公布义务教育学校招生范围和入学办法。",
            "市教育局、各县（市、区）人民政府",
            "6月中旬前",
        ),
        ("4", None, "及时公开就业见习岗位信息。", "市人社局、市档案馆和市图书馆", "持续推进"),
    ]
    table = document.add_table(rows=len(rows) + 1, cols=5)
    for c, text in enumerate(("序号", "重点任务", "具体措施", "责任单位", "完成时限")):
        table.cell(0, c).text = text
    start = 1
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row):
            if c == 1 and text is None:
                table.cell(start, 1).merge(table.cell(r, 1))
                continue
            if c == 1:
                start = r
            table.cell(r, c).text = text or ""
    out = io.BytesIO()
    document.save(out)
    return "jinsha.docx", out.getvalue()


FIRST_LISTED_EXPECTED: Expect = [
    (("市数据局",), ("市政府办公室",)),
    (("市数据局",), ()),
    (("市教育局",), ("各县（市、区）人民政府",)),
    (("市人社局",), ("市档案馆", "市图书馆")),
]

# 11. A 要点 copied from a site in traditional characters, GBK: labelled brackets that also
#     hold the time (comma or space between labels), units ending 馆, 社, 台.
BRACKET_LABELS = """\
首頁 > 政務公開 > 計劃規劃
滄浪市2020年政務公開工作要點
一、推進重點領域信息公開
（一）做好檔案信息公開。定期發布館藏檔案開放目錄。（牽頭單位：市檔案館，配合單位：市委宣傳部；完成時限：每年6月底前）
（二）加強農資供應信息公開。及時公開化肥、農藥儲備和價格信息。（責任單位：市供銷社 完成時限：持續推進）
二、加強政策解讀
（三）辦好政策解讀欄目。每週製作一期政策解讀節目。（牽頭單位：市廣播電視臺；配合單位：市政府各部門）
【打印本頁】【關閉窗口】
"""
BRACKET_LABELS_EXPECTED: Expect = [
    (("市档案馆",), ("市委宣传部",)),
    (("市供销社",), ()),
    (("市广播电视台",), ("市政府各部门",)),
]


# 12. A county's 要点 as a printed PDF of running text: page numbers "－ 2 －", a task cut by
#     the page break, 和 between two leads, a standing rule opening a section.
def county_prose_pdf() -> tuple[str, bytes]:
    filler = "围绕群众关切做好政策解读和信息发布，" * 14
    paragraphs = [
        "石门县2023年政务公开工作要点",
        "一、深化财政信息公开",
        "（一）按月公开财政收支情况，"
        + filler
        + "按规定格式发布。（县财政局和县审计局分别负责落实）",
        "（二）每年9月底前公开上年度县级决算。（县财政局负责）",
        "二、推进基层政务公开",
        "以下工作各乡镇（街道）均须落实，不再列出。",
        "（一）动态调整基层政务公开标准目录。（县政府办公室牵头，县直各单位配合）",
        "（二）常态化开展政府开放日活动。"
        + filler
        + "做好活动信息公开。（县委宣传部牵头，县融媒体中心配合）",
        "石门县人民政府办公室",
        "2023年4月12日",
    ]
    body = "\n\n".join(f"#{json.dumps(p, ensure_ascii=False)}" for p in paragraphs)
    source = (
        PAGE.replace(
            "margin: 2cm)",
            "margin: 2cm, height: 12cm, footer: context align(center)[－ #counter(page).display() －])",
        )
        + "#set par(justify: true)\n"
        + body
        + "\n"
    )
    return "shimen.pdf", typst_pdf(source)


COUNTY_PROSE_EXPECTED: Expect = [
    (("县财政局", "县审计局"), ()),
    (("县财政局",), ()),
    (("县政府办公室",), ("县直各单位", "各乡镇（街道）")),
    (("县委宣传部",), ("县融媒体中心", "各乡镇（街道）")),
]

DOCUMENTS.update(
    {
        "first_listed.docx": (first_listed_docx, FIRST_LISTED_EXPECTED),
        "bracket_labels.txt": (
            lambda: ("canglang.txt", BRACKET_LABELS.encode("gb18030")),
            BRACKET_LABELS_EXPECTED,
        ),
        "county_prose.pdf": (county_prose_pdf, COUNTY_PROSE_EXPECTED),
    }
)
