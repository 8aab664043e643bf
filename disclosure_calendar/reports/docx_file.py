"""The notice as a .docx in the official layout, as WPS and Word on a Chinese office's computer open it.

Page, margins and line grid on the section; fonts, sizes and spacing on named styles (the
East Asian font through ``w:rFonts w:eastAsia``, never run by run), so a clerk who edits the
draft keeps the layout; the page numbers as fields in odd and even footers.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .content import Block, Imprint, Paragraph, Table
from .layout import (
    CHARS_PER_LINE,
    FOOTER_MM,
    LATIN,
    LINE_PITCH,
    MARGINS_MM,
    PAGE_MM,
    RULE_THICK_MM,
    RULE_THIN_MM,
    SIZE,
    STYLES,
    Style,
)

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.section import Section
    from docx.styles.style import ParagraphStyle

TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
TWIPS_PER_PT = 20
EIGHTHS_PER_MM = 72 / 25.4 * 8  # border widths are in eighths of a point
CELL_INSET_PT = 2  # left and right inside each cell (Word's default 5.4 pt wraps 按时完成率)


def notice_docx(blocks: Sequence[Block]) -> bytes:
    """The .docx file's bytes."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document()
    _page(doc.sections[0])
    _styles(doc)
    for block in blocks:
        if isinstance(block, Paragraph):
            _paragraph(doc, block.text, block.style)
        elif isinstance(block, Table):
            _table(doc, block)
        else:
            _imprint(doc, block)
    _page_numbers(doc)
    section = doc.sections[0]
    for part in (doc.styles.element, section.footer._element, section.even_page_footer._element):
        _in_schema_order(part)
    for child in doc.element.body:  # a table's rows were put in order before being copied
        if child.tag != qn("w:tbl"):
            _in_schema_order(child)
        else:
            _in_schema_order(child.tblPr)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# Word refuses a file ("unreadable content") whose property elements are out of the order
# ECMA-376 gives; python-docx adds the ones it knows in place, ours are put in order here.
_ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect "
    "bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription",
}


def _paragraph(doc: DocumentObject, text: str, role: str) -> Any:
    """A paragraph in the style of ``role``, by its id (python-docx's lookup by name reads
    every style of the file each time)."""
    paragraph = doc.add_paragraph(text)
    paragraph._p.get_or_add_pPr().style = _style_id(STYLES[role].docx_name)
    return paragraph


def _style_id(name: str) -> str:
    """Word's id of a style name: Heading 1 -> Heading1, Table Text -> TableText."""
    return name.replace(" ", "")


def _in_schema_order(root: Any) -> None:
    """Sort the children of every pPr, rPr and tblPr under ``root`` into the schema's order."""
    from docx.oxml.ns import qn

    for local, names in _ORDER.items():
        rank = {qn(f"w:{name}"): n for n, name in enumerate(names.split())}
        for element in root.iter(qn(f"w:{local}")):
            children = list(element)
            ordered = sorted(children, key=lambda c: rank.get(c.tag, len(rank)))
            if ordered != children:
                for child in children:
                    element.remove(child)
                element.extend(ordered)


def _page(section: Section) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Mm

    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(FOOTER_MM)
    section.header_distance = Mm(15)
    section.gutter = Mm(0)
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = sect.makeelement(qn("w:docGrid"), {})
        sect.append(grid)
    # The line grid of the standard: 22 lines a page, 28 characters a line.
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH * TWIPS_PER_PT)))
    char_pitch = TEXT_WIDTH_MM / CHARS_PER_LINE / 25.4 * 72  # points per character
    # w:charSpace: the difference from the font size, in 4096ths of a point.
    grid.set(qn("w:charSpace"), str(round((char_pitch - SIZE["3号"]) * 4096)))


def _fonts(rpr: Any, east_asia: str) -> None:
    """``w:rFonts`` naming the East Asian font, theme fonts removed (they would win)."""
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), LATIN)
    fonts.set(qn("w:hint"), "eastAsia")


def _styles(doc: DocumentObject) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn

    styles = doc.styles
    # Defaults: Chinese text, the body font; everything else inherits from Normal.
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _fonts(rpr, STYLES["body"].east_asia)
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = rpr.makeelement(qn("w:lang"), {})
                rpr.append(lang)
            lang.set(qn("w:eastAsia"), "zh-CN")
            # The character grid counts in the default size: 3号, as Normal.
            for tag in ("w:sz", "w:szCs"):
                size = rpr.find(qn(tag))
                if size is None:
                    size = rpr.makeelement(qn(tag), {})
                    rpr.append(size)
                size.set(qn("w:val"), str(round(SIZE["3号"] * 2)))
    names = {s.name for s in styles}
    for spec in STYLES.values():
        if spec.docx_name not in names:
            style = styles.add_style(spec.docx_name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            names.add(spec.docx_name)
        style = styles[spec.docx_name]
        assert style.style_id == _style_id(spec.docx_name)  # paragraphs name it by its id
        _set_style(style, spec)


def _set_style(style: ParagraphStyle, spec: Style) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = style.font
    font.size = Pt(spec.size)
    font.bold = False  # 小标宋 and 黑体 are heavy faces; Word's bold would smear them
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    for theme in rpr.findall(qn("w:color")):
        for name in ("themeColor", "themeShade", "themeTint"):
            theme.attrib.pop(qn(f"w:{name}"), None)
    # The default template's Title has a blue rule below and spaced, kerned letters.
    for name in ("w:spacing", "w:kern"):
        for element in rpr.findall(qn(name)):
            rpr.remove(element)
    ppr = style.element.get_or_add_pPr()
    for element in ppr.findall(qn("w:pBdr")) + ppr.findall(qn("w:contextualSpacing")):
        ppr.remove(element)
    _fonts(rpr, spec.east_asia)
    if spec.size != SIZE["3号"]:
        # The character grid is 3号's: smaller text keeps its own spacing.
        snap = ppr.makeelement(qn("w:snapToGrid"), {qn("w:val"): "0"})
        ppr.append(snap)
    fmt = style.paragraph_format
    fmt.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[spec.align]
    fmt.first_line_indent = Pt(spec.size * spec.indent_chars)
    fmt.left_indent = Pt(0)
    fmt.right_indent = Pt(spec.size * spec.right_chars)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(spec.line)
    fmt.space_before = Pt(spec.space_before)
    fmt.space_after = Pt(0)
    fmt.widow_control = False  # the grid's lines stay full; a lone line is the clerk's call


def _table(doc: DocumentObject, block: Table) -> None:
    """A ruled table, the header row repeated on every page; rows built by copying one row.

    python-docx's add_row walks the table for every cell (quadratic): a province's overdue
    list has thousands of rows, so one row is made the slow way and copied.
    """
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm

    columns = len(block.headers)
    table = doc.add_table(rows=2, cols=columns)
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    total = sum(block.widths)
    widths = [Mm(TEXT_WIDTH_MM * w / total) for w in block.widths]
    align = {"c": WD_ALIGN_PARAGRAPH.CENTER, "l": WD_ALIGN_PARAGRAPH.LEFT,
             "r": WD_ALIGN_PARAGRAPH.RIGHT}  # fmt: skip
    tbl = table._tbl
    layout = tbl.tblPr.makeelement(qn("w:tblLayout"), {qn("w:type"): "fixed"})
    tbl.tblPr.append(layout)
    margins = tbl.tblPr.makeelement(qn("w:tblCellMar"), {})
    for side in ("left", "right"):
        margins.append(
            margins.makeelement(
                qn(f"w:{side}"), {qn("w:w"): str(CELL_INSET_PT * TWIPS_PER_PT), qn("w:type"): "dxa"}
            )
        )
    tbl.tblPr.append(margins)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    head, model = table.rows
    for n, (cell, text) in enumerate(zip(head.cells, block.headers, strict=True)):
        cell.width = widths[n]
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        cell.paragraphs[0]._p.get_or_add_pPr().style = _style_id(STYLES["head"].docx_name)
        cell.paragraphs[0].add_run(text)
    trpr = head._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))
    for n, cell in enumerate(model.cells):
        cell.width = widths[n]
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        paragraph._p.get_or_add_pPr().style = _style_id(STYLES["cell"].docx_name)
        paragraph.alignment = align[block.aligns[n]]
        paragraph.add_run("-")  # a w:t to fill in each copy
    template = model._tr
    tbl.remove(template)
    _in_schema_order(template)
    texts_of = qn("w:t")
    for row in block.rows:
        tr = copy.deepcopy(template)
        for t, text in zip(tr.iter(texts_of), row, strict=True):
            t.text = text
        tbl.append(tr)
    # A table is followed by a paragraph in Word; an empty line of the grid reads as space.
    _paragraph(doc, "", "note")


def _imprint(doc: DocumentObject, block: Imprint) -> None:
    """The 版记: 抄送 between a thick and a thin rule, the 印发 line above a thick one."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    _paragraph(doc, "", "imprint")  # air above the rules
    indent = "\u3000"  # one character in from both sides, inside the rules
    copy_line = _paragraph(
        doc, f"{indent}抄送：{block.copy_to}" + ("。" if block.copy_to else ""), "imprint"
    )
    _borders(copy_line, top=RULE_THICK_MM, bottom=RULE_THIN_MM)
    printed = _paragraph(doc, f"{indent}{block.printed_by}\t{block.printed_on}{indent}", "imprint")
    printed.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    _borders(printed, bottom=RULE_THICK_MM)
    printed.paragraph_format.space_before = Pt(0)


def _borders(paragraph: Any, *, top: float | None = None, bottom: float | None = None) -> None:
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.makeelement(qn("w:pBdr"), {})
    for side, mm in (("top", top), ("bottom", bottom)):
        if mm is not None:
            borders.append(
                borders.makeelement(
                    qn(f"w:{side}"),
                    {qn("w:val"): "single", qn("w:sz"): str(round(mm * EIGHTHS_PER_MM)),
                     qn("w:space"): "1", qn("w:color"): "000000"},
                )
            )  # fmt: skip
    ppr.append(borders)


def _page_numbers(doc: DocumentObject) -> None:
    """— N — in 4号, odd pages at the right, even pages at the left, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    spec = STYLES["page"]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = doc.styles[spec.docx_name]
        paragraph.alignment = alignment
        fmt = paragraph.paragraph_format
        if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent, fmt.left_indent = Pt(spec.size), Pt(0)
        else:
            fmt.left_indent, fmt.right_indent = Pt(spec.size), Pt(0)
        paragraph.add_run("— ")
        _page_field(paragraph)
        paragraph.add_run(" —")


def _page_field(paragraph: Any) -> None:
    from docx.oxml.ns import qn

    def run_with(tag: str, **attrs: str) -> None:
        run = paragraph.add_run()
        element = run._r.makeelement(qn(tag), {qn(f"w:{k}"): v for k, v in attrs.items()})
        run._r.append(element)
        if tag == "w:instrText":
            element.text = " PAGE "
            element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")

    run_with("w:fldChar", fldCharType="begin")
    run_with("w:instrText")
    run_with("w:fldChar", fldCharType="separate")
    paragraph.add_run("1")
    run_with("w:fldChar", fldCharType="end")
