"""The neutral document every reader returns: blocks of text and tables, in reading order.

A reader knows its format and nothing of plans; the layout recognisers know plans and
nothing of formats. Between them stands this: a paragraph is one block of running text (a
line of a text file, a paragraph of a Word file, a reflowed stretch of a PDF page), a table
is its rows of cell texts (a merged cell: its text in the first cell it covers, or in every
cell, as the format gives it; the layouts accept both).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paragraph:
    text: str
    # where the reader found it, in the reader's words (line 12, page 3): for the summary
    where: str
    # a table cell that a copy of a web page put on its own line ("市财政局 |"), or an
    # empty one ("|", "||": the same as the cell above)
    cell: bool = False


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]
    where: str


Block = Paragraph | Table


@dataclass(frozen=True)
class Document:
    # the file's name as the user gave it
    source: str
    blocks: tuple[Block, ...]

    @property
    def has_text(self) -> bool:
        return any(
            (
                b.text.strip()
                if isinstance(b, Paragraph)
                else any(c.strip() for r in b.rows for c in r)
            )
            for b in self.blocks
        )
