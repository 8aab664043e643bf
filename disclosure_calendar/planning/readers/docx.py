"""Word (.docx) with python-docx: paragraphs and tables in the order of the body.

A merged cell comes back in every row and column it covers (python-docx's view); the table
layout reads a repeated cell as one. Tables inside cells are read as their text.
"""

from __future__ import annotations

import io

from ...core.i18n import gettext as _
from ..clean import clean_text, is_site_noise
from ..document import Block, Document, Paragraph, Table


def read_docx(data: bytes, source: str) -> Document:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    document = docx.Document(io.BytesIO(data))
    blocks: list[Block] = []
    paragraphs = tables = 0
    for item in document.iter_inner_content():
        if isinstance(item, DocxParagraph):
            paragraphs += 1
            for line in item.text.split("\n"):
                text = clean_text(line)
                if text and not is_site_noise(text):
                    blocks.append(Paragraph(text, _("paragraph {n}").format(n=paragraphs)))
        elif isinstance(item, DocxTable):
            tables += 1
            rows = tuple(tuple(clean_text(cell.text) for cell in row.cells) for row in item.rows)
            blocks.append(Table(rows, _("table {n}").format(n=tables)))
    return Document(source, tuple(blocks))
