"""The official document layout (GB/T 9704-2012 党政机关公文格式) as one style sheet.

Both writers read it: ``docx`` names the fonts as the office's computers have them (WPS and
Word on Chinese Windows), ``pdf`` sets the same sizes and spacing in the Noto CJK fonts the
project ships with. Sizes in points; 号 as the standard names them.
"""

from __future__ import annotations

from dataclasses import dataclass

# A4, and the standard's margins: 天头 37 mm, bottom 35 mm, 订口 28 mm, right 26 mm, which
# leave a text area of 156 x 225 mm.
PAGE_MM = (210.0, 297.0)
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
# 22 lines of 28 characters of 3号: 225 mm / 22 lines = 28.95 pt from line to line.
LINE_PITCH = 28.95
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

SIZE = {"2号": 22.0, "3号": 16.0, "4号": 14.0, "小4号": 12.0}
LATIN = "Times New Roman"  # digits and Latin letters in body text


@dataclass(frozen=True)
class Style:
    """How one kind of paragraph is set."""

    docx_name: str  # the named style in the .docx
    east_asia: str  # the font as the office's computers name it
    pdf_font: str  # the Noto CJK family the PDF uses instead
    pdf_weight: str  # regular | bold
    size: float
    align: str = "justify"  # left | center | right | justify
    indent_chars: float = 2.0  # first-line indent, in characters of the style's size
    right_chars: float = 0.0  # right indent, in characters
    line: float = LINE_PITCH  # fixed line spacing
    space_before: float = 0.0


SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"

STYLES = {
    # 标题: 2号方正小标宋简体, centred, with a blank 3号 line below.
    "title": Style("Title", "方正小标宋简体", SERIF, "bold", SIZE["2号"], "center", 0, line=35.0),
    # 主送机关: 3号仿宋, flush left, the line after the title's blank line.
    "addressees": Style(
        "Addressees", "仿宋_GB2312", SERIF, "regular", SIZE["3号"], "justify", 0,
        space_before=LINE_PITCH,
    ),
    "body": Style("Normal", "仿宋_GB2312", SERIF, "regular", SIZE["3号"]),
    # 结构层次序数: 一、 in 黑体, （一） in 楷体 (Noto has no Kai: the serif stands in).
    "h1": Style("Heading 1", "黑体", SANS, "regular", SIZE["3号"]),
    "h2": Style("Heading 2", "楷体_GB2312", SERIF, "bold", SIZE["3号"]),
    "note": Style("Note", "仿宋_GB2312", SERIF, "regular", SIZE["4号"], line=22.0),
    # 发文机关署名 and 成文日期: right, the date 4 characters from the edge; a blank line before.
    "signature": Style(
        "Signature", "仿宋_GB2312", SERIF, "regular", SIZE["3号"], "right", 0, right_chars=2,
        space_before=2 * LINE_PITCH,
    ),
    "date": Style("Date", "仿宋_GB2312", SERIF, "regular", SIZE["3号"], "right", 0, right_chars=4),
    # Tables: 4号 would not fit eight columns in 156 mm; 小4号, 表头 in 黑体.
    "cell": Style("Table Text", "仿宋_GB2312", SERIF, "regular", SIZE["小4号"], "center", 0, line=18.0),
    "head": Style("Table Heading", "黑体", SANS, "regular", SIZE["小4号"], "center", 0, line=18.0),
    # 版记: 4号仿宋, one character in from both sides.
    "imprint": Style("Imprint", "仿宋_GB2312", SERIF, "regular", SIZE["4号"], "left", 0, line=LINE_PITCH),
    # 页码: 4号半角宋体阿拉伯数字, "— N —", one character in from the outer edge.
    "page": Style("Page Number", "宋体", SERIF, "regular", SIZE["4号"], "right", 0),
}  # fmt: skip

# 页码 sits 7 mm below the text area: its line's bottom this far above the page's bottom edge.
FOOTER_MM = MARGINS_MM["bottom"] - 7.0 - 6.0
# 版记 rules: the first and last 0.35 mm, those between 0.25 mm.
RULE_THICK_MM, RULE_THIN_MM = 0.35, 0.25
