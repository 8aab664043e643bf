"""Word (.docx) with python-docx: paragraphs and tables in the order of the body.

A merged cell comes back in every row and column it covers (python-docx's view); the table
layout reads a repeated cell as one. Line breaks inside a cell are kept (one unit a line).
Word's own list numbering (a paragraph numbered by the list style, not by typed text) is
written out in front of the text as the reader sees it: ``一、`` ``（一）`` ``1.``.
"""

from __future__ import annotations

import io
from typing import Any

from ...core.i18n import gettext as _
from ..clean import clean_text, is_site_noise
from ..document import Block, Document, Paragraph, Table

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CN = "〇一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _chinese(n: int) -> str:
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens % 10]) + "十" + (_CN[ones] if ones else "")


def _format(n: int, kind: str) -> str:
    if kind in (
        "chineseCounting",
        "chineseCountingThousand",
        "ideographTraditional",
        "taiwaneseCounting",
        "japaneseCounting",
    ):
        return _chinese(n)
    if kind == "decimalEnclosedCircle" or kind == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if kind in ("bullet", "none"):
        return ""
    return str(n)


class _ListNumbers:
    """Word's list numbering: the number each numbered paragraph shows."""

    def __init__(self, document: Any):
        self.levels: dict[tuple[str, str], tuple[str, str, int]] = {}
        self.counters: dict[tuple[str, str], int] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(W + "abstractNumId"): a for a in numbering.findall(W + "abstractNum")}
        for num in numbering.findall(W + "num"):
            ref = num.find(W + "abstractNumId")
            definition = abstract.get(ref.get(W + "val")) if ref is not None else None
            if definition is None:
                continue
            for lvl in definition.findall(W + "lvl"):
                fmt = lvl.find(W + "numFmt")
                text = lvl.find(W + "lvlText")
                start = lvl.find(W + "start")
                self.levels[(num.get(W + "numId"), lvl.get(W + "ilvl"))] = (
                    fmt.get(W + "val") if fmt is not None else "decimal",
                    text.get(W + "val") if text is not None else "",
                    int(start.get(W + "val")) if start is not None else 1,
                )

    def prefix(self, paragraph: Any) -> str:
        num_pr = _num_pr(paragraph)
        if num_pr is None:
            return ""
        num_id = num_pr.find(W + "numId")
        ilvl = num_pr.find(W + "ilvl")
        key = (
            num_id.get(W + "val") if num_id is not None else None,
            ilvl.get(W + "val") if ilvl is not None else "0",
        )
        if key not in self.levels:
            return ""
        kind, text, start = self.levels[key]
        value = self.counters.get(key, start - 1) + 1
        self.counters[key] = value
        for (num, level), _count in list(self.counters.items()):  # deeper levels start again
            if num == key[0] and int(level) > int(key[1]):
                del self.counters[(num, level)]
        shown = _format(value, kind)
        if not shown:
            return ""
        return text.replace(f"%{int(key[1]) + 1}", shown) if text else shown + "."


def _num_pr(paragraph: Any) -> Any:
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return ppr.numPr
    style = paragraph.style
    while style is not None:
        spr = style.element.pPr
        if spr is not None and spr.numPr is not None:
            return spr.numPr
        style = style.base_style
    return None


def read_docx(data: bytes, source: str) -> Document:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    document = docx.Document(io.BytesIO(data))
    numbers = _ListNumbers(document)
    blocks: list[Block] = []
    paragraphs = tables = 0
    for item in document.iter_inner_content():
        if isinstance(item, DocxParagraph):
            paragraphs += 1
            prefix = numbers.prefix(item) if item.text.strip() else ""
            for n, line in enumerate(item.text.split("\n")):
                text = clean_text((prefix if n == 0 else "") + line)
                if text and not is_site_noise(text):
                    blocks.append(Paragraph(text, _("paragraph {n}").format(n=paragraphs)))
        elif isinstance(item, DocxTable):
            tables += 1
            rows = tuple(tuple(clean_text(cell.text) for cell in row.cells) for row in item.rows)
            blocks.append(Table(rows, _("table {n}").format(n=tables)))
    return Document(source, tuple(blocks))
